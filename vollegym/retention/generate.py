"""Benchmark data of retention (`vollegym generate`): each new enrolment's playbook of the first 30 days and its
activation checks on day 10 and 21, the leads' follow-up sequences, the ratings asked on day 30 and near a
program's end with the calls after a low score. The latest tasks, flags and low scores still wait for the coach.

Steps that went out as a message are marked sent without a message row: the generator writes no outbox."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from vollegym.core.generator.plan import Lead as PlannedLead
from vollegym.core.generator.plan import Session, at, local_day
from vollegym.core.generator.run import Generation
from vollegym.people.events import RatingAnswered, RatingAsked
from vollegym.people.generate import event_row
from vollegym.people.models import DomainEvent
from vollegym.programs.models import Program
from vollegym.retention.activation import CHECK_DAYS, planned_visits
from vollegym.retention.models import (
    ActivationCheck,
    Rating,
    Run,
    Sequence,
    Step,
    StopReason,
    Touchpoint,
)
from vollegym.retention.playbooks import playbook_for, playbook_for_sequence
from vollegym.retention.selectors import touchpoints_of, versions_current
from vollegym.studios.models import Studio, User

STILL_OPEN = timedelta(days=3)  # a task or a flag of the last days may still wait for the coach
NOT_BOOKED_AFTER = timedelta(days=1)


def write(gen: Generation) -> None:
    _ratings(gen)
    rng = random.Random(f"retention-{gen.studio.slug}")
    _onboarding(gen, rng)
    _sequences(gen, rng)
    _activation(gen, rng)


def _ratings(gen: Generation) -> None:
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


def _step(
    run: Run, touchpoint: Touchpoint, day0: date, now: datetime, rng: random.Random, *,
    stopped: datetime | None = None, reason: str = "", coach: User | None = None,
) -> Step:  # fmt: skip
    """What became of one touchpoint: still to come, skipped after the run stopped, sent, done, or still open."""
    due = at(day0 + timedelta(days=touchpoint.day), touchpoint.at.hour, touchpoint.at.minute)
    step = Step(studio_id=run.studio_id, run=run, touchpoint=touchpoint, due_at=due)
    if stopped is not None and due >= stopped:
        step.status, step.reason, step.done_at = Step.Status.SKIPPED, reason, stopped
    elif due >= now:
        step.status = Step.Status.PLANNED
    elif touchpoint.kind != Touchpoint.Kind.TASK:
        step.status, step.claimed_at, step.done_at = Step.Status.SENT, due, due
    elif touchpoint.condition and rng.random() < 0.7:
        step.status, step.reason, step.done_at = Step.Status.SKIPPED, Step.Reason.VISITED, due
    elif due > now - STILL_OPEN and rng.random() < 0.6:
        step.status, step.claimed_at = Step.Status.OPEN, due
    else:
        done = min(due + timedelta(hours=rng.randint(1, 30)), now)
        step.status, step.claimed_at, step.done_at, step.done_by = Step.Status.DONE, due, done, coach
    return step


def _onboarding(gen: Generation, rng: random.Random) -> None:
    """Every member's first enrolment follows its program's playbook (the default one) from its start."""
    plan, studio = gen.plan, gen.studio
    programs = dict(zip(plan.programs, Program.objects.for_studio(studio).order_by("position"), strict=True))
    versions = {key: versions_current(playbook_for(program)) for key, program in programs.items()}
    touchpoints = {key: touchpoints_of(version) for key, version in versions.items()}
    firsts = [plan.runs[m.runs[0]] for m in plan.members]
    runs = gen.create(
        Run,
        (
            Run(
                studio=studio, enrolment_id=gen.ids["run"][r.index], member_id=gen.ids["member"][r.member],
                version=versions[r.program], starts_on=r.starts_on, started_at=r.created_at,
            )
            for r in firsts
        ),
    )  # fmt: skip
    gen.create(
        Step,
        (
            _step(run, t, r.starts_on, plan.now, rng, coach=gen.team[plan.members[r.member].coach])
            for r, run in zip(firsts, runs, strict=True)
            for t in touchpoints[r.program]
        ),
    )


def _sequences(gen: Generation, rng: random.Random) -> None:
    """Leads who talked but booked nothing within a day, and those who did not come, get the follow-up sequence."""
    plan, studio = gen.plan, gen.studio
    versions = {
        str(s): versions_current(playbook_for_sequence(studio, s))
        for s in (Sequence.NOT_BOOKED, Sequence.NO_SHOW)
    }
    touchpoints = {s: touchpoints_of(v) for s, v in versions.items()}
    chosen: list[tuple[PlannedLead, str, datetime, datetime | None, str]] = []
    for lead in plan.leads:
        talk = lead.conversation
        if lead.contacted_at is not None and (
            talk is None or talk.created_at > lead.created_at + NOT_BOOKED_AFTER
        ):
            stopped, reason = _stop(lead, after=lead.created_at)
            chosen.append((lead, Sequence.NOT_BOOKED, lead.created_at, stopped, reason))
        if talk is not None and talk.status == "no_show" and talk.recorded_at is not None:
            stopped, reason = _stop(lead, after=talk.recorded_at)
            chosen.append((lead, Sequence.NO_SHOW, talk.recorded_at, stopped, reason))
    runs = gen.create(
        Run,
        (
            Run(
                studio=studio, lead_id=gen.ids["lead"][lead.index], sequence=sequence, version=versions[sequence],
                starts_on=local_day(started), started_at=started, stopped_at=stopped, stop_reason=reason,
            )
            for lead, sequence, started, stopped, reason in chosen
        ),
    )  # fmt: skip
    gen.create(
        Step,
        (
            _step(
                run,
                t,
                run.starts_on,
                plan.now,
                rng,
                stopped=stopped,
                reason=reason,
                coach=gen.team[lead.coach],
            )
            for (lead, sequence, _started, stopped, reason), run in zip(chosen, runs, strict=True)
            for t in touchpoints[sequence]
        ),
    )


def _stop(lead: PlannedLead, *, after: datetime) -> tuple[datetime | None, str]:
    """The first thing after the sequence started that makes a person, not a sequence, carry on."""
    talk = lead.conversation
    if talk is not None and talk.created_at > after:
        return talk.created_at, StopReason.BOOKED
    if lead.stage == "lost" and lead.closed_at is not None and lead.closed_at > after:
        return lead.closed_at, StopReason.SAID_NO
    return None, ""


def _activation(gen: Generation, rng: random.Random) -> None:
    """Day 10 and 21 of every new enrolment: group visits against the plan; the latest flags still wait."""
    plan, studio, now = gen.plan, gen.studio, gen.plan.now
    visits: dict[int, list[datetime]] = {}
    sessions: list[Session] = plan.sessions
    for session in sessions:
        for mat in session.mats:
            if mat.status == "attended":
                visits.setdefault(mat.member, []).append(session.starts_at)
    checks = []
    for run in plan.runs:
        if run.renewal_of is not None:
            continue
        program = plan.programs[run.program]
        for day in CHECK_DAYS:
            checked = at(run.starts_on + timedelta(days=day), 7)
            if checked >= now:
                continue
            start, end = at(run.starts_on, 0), at(run.starts_on + timedelta(days=day), 0)
            came = sum(1 for moment in visits.get(run.member, []) if start <= moment < end)
            planned = planned_visits(program.per_week, day)
            check = ActivationCheck(
                studio=studio, enrolment_id=gen.ids["run"][run.index], member_id=gen.ids["member"][run.member],
                day=day, attended=came, planned=planned, checked_at=checked,
            )  # fmt: skip
            if program.format != "small_group":
                check.status = ActivationCheck.Status.NOT_COUNTED
            elif came >= planned:
                check.status = ActivationCheck.Status.OK
            elif checked > now - STILL_OPEN:
                check.status = ActivationCheck.Status.FLAGGED
            else:
                check.status = ActivationCheck.Status.SEEN
                check.seen_at = min(checked + timedelta(hours=rng.randint(2, 48)), now)
                check.seen_by = gen.team[plan.members[run.member].coach]
            checks.append(check)
    gen.create(ActivationCheck, checks)


def clear(studio: Studio) -> None:
    """Before a generated studio is deleted: the steps, which keep their touchpoints from going (PROTECT)."""
    Step.objects.for_studio(studio).delete()
    Run.objects.for_studio(studio).delete()
