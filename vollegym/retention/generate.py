"""Benchmark data of retention (`vollegym generate`): the ratings asked on day 30 and near a program's end, the
answers, and the calls after a low score (the latest low ones still waiting for their call)."""

from __future__ import annotations

from vollegym.core.generator.run import Generation
from vollegym.people.events import RatingAnswered, RatingAsked
from vollegym.people.generate import event_row
from vollegym.people.models import DomainEvent
from vollegym.retention.models import Rating


def write(gen: Generation) -> None:
    plan, studio = gen.plan, gen.studio
    if not plan.ratings:
        return
    members, runs, people = gen.ids["member"], gen.ids["run"], gen.ids["person"]
    rows = gen.create(
        Rating,
        (
            Rating(
                studio=studio, member_id=members[r.member], person_id=people[plan.members[r.member].person],
                enrolment_id=runs[r.run], moment=r.moment, coach=gen.team[plan.members[r.member].coach],
                asked_at=r.asked_at, score=r.score, comment=r.comment, answered_at=r.answered_at,
                called_at=r.called_at, called_by=gen.team[plan.members[r.member].coach] if r.called_at else None,
            )
            for r in plan.ratings
        ),
    )  # fmt: skip
    events: list[DomainEvent] = []
    for r, row in zip(plan.ratings, rows, strict=True):
        person = plan.members[r.member].person
        asked = RatingAsked(rating_id=row.pk, enrolment_id=row.enrolment_id, moment=r.moment)
        events.append(event_row(gen, asked, at=r.asked_at, person=person))
        if r.score is not None and r.answered_at is not None:
            answered = RatingAnswered(
                rating_id=row.pk, enrolment_id=row.enrolment_id, moment=r.moment, score=r.score
            )
            events.append(event_row(gen, answered, at=r.answered_at, person=person))
    gen.create(DomainEvent, events)
