"""Demo data of onboarding: the runs of the demo's members who started in the last forty days, as the sweep made them.

The sweep is replayed with the app's own services on a clock that walks from forty days ago to now: a run begins
the day before the start (`run_start`), every touchpoint is carried out a few minutes after its moment
(`steps_carry_out`), and days 10 and 21 count the visits the agenda's demo recorded (`activation_check`). So the
day-21 call goes only to who stayed away, the welcome mails went out (and sit in the outbox as sent, not queued for
the demo's worker to send again), and members behind on training are flagged with the reason. Coaches ticked off
most of the older tasks and took up some flags; the last days' work is still open. Drawn from a fixed seed; loading
again adds nothing.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from django.db import transaction

from vollegym.core import clock
from vollegym.messaging.models import Message
from vollegym.people.events import TouchpointDone, event_record
from vollegym.programs.models import Enrolment
from vollegym.retention import risk_demo
from vollegym.retention.activation import CHECK_DAYS, activation_check
from vollegym.retention.models import ActivationCheck, Rating, Run, Step
from vollegym.retention.ratings import DAY, END_WEEK, rating_answer, rating_ask
from vollegym.retention.services import run_start, steps_carry_out
from vollegym.studios.models import StaffMembership, Studio, User

SEED = 3011
SINCE_DAYS = 40
SWEEP_DELAY = timedelta(minutes=3)  # a touchpoint goes out within a sweep interval of its moment
OPEN_FOR = timedelta(days=3)  # tasks of the last days are still to do


@transaction.atomic
def load() -> None:
    studio = Studio.objects.filter(slug="demo").first()
    if studio is None or Run.objects.for_studio(studio).exists():
        return  # no demo studio, or its onboarding is already there
    now = clock.now()
    today = clock.local(now).date()
    rng = random.Random(SEED)
    # The enrolments the sweep started a run for (services.runs_start) when they began: new, active, started
    # lately or tomorrow (a membership's first period may have ended since; its renewal goes on with the run).
    enrolments = list(
        Enrolment.objects.for_studio(studio)
        .filter(
            status=Enrolment.Status.ACTIVE, renewal_of__isnull=True,
            starts_on__gte=today - timedelta(days=SINCE_DAYS), starts_on__lte=today + timedelta(days=1),
        )
        .select_related("program", "member")
        .order_by("starts_on", "pk")
    )  # fmt: skip
    for enrolment in enrolments:
        # The sweep first sees an enrolment the day before it starts (or when it is made, if later).
        seen = clock.wall_time(enrolment.starts_on - timedelta(days=1), time(0, 5)) or now
        run_start(enrolment=enrolment, now=min(max(seen, enrolment.created_at), now))
    _sweep(studio, now)
    for enrolment in enrolments:
        for day in CHECK_DAYS:
            moment = clock.wall_time(enrolment.starts_on + timedelta(days=day), time(0, 5))
            if moment is not None and moment <= now:
                activation_check(enrolment=enrolment, day=day, now=moment)
    owner = (
        StaffMembership.objects.for_studio(studio)
        .filter(role=StaffMembership.Role.OWNER)
        .select_related("user")
        .first()
    )
    _coaches_at_work(studio, now, rng, owner.user if owner else None)
    _ratings(studio, now, rng, owner.user if owner else None)
    # Churn risk: the coaches' calls of the last half year (risk_demo.py).
    risk_demo.load(studio, now, owner.user if owner else None)


def _sweep(studio: Studio, now: datetime) -> None:
    """Every moment a touchpoint came, a sweep a few minutes later; its messages count as sent then."""
    while True:
        planned = Step.objects.for_studio(studio).filter(status=Step.Status.PLANNED, due_at__lte=now)
        first = planned.order_by("due_at").values_list("due_at", flat=True).first()
        if first is None:
            return
        moment = min(first + SWEEP_DELAY, now)
        steps_carry_out(now=moment, studio=studio)
        queued = Step.objects.for_studio(studio).filter(done_at=moment, message__isnull=False)
        messages = Message.objects.for_studio(studio).filter(pk__in=queued.values("message_id"))
        messages.filter(status=Message.Status.QUEUED).update(
            status=Message.Status.SENT, created_at=moment, next_attempt_at=moment, claimed_at=moment,
            sent_at=moment + timedelta(seconds=20), attempts=1,
        )  # fmt: skip
        messages.exclude(status=Message.Status.SENT).update(created_at=moment, next_attempt_at=moment)


def _coaches_at_work(studio: Studio, now: datetime, rng: random.Random, owner: User | None) -> None:
    """Most tasks older than a few days were done by the member's coach; some older flags were taken up."""
    tasks = (
        Step.objects.for_studio(studio)
        .filter(status=Step.Status.OPEN, due_at__lte=now - OPEN_FOR)
        .select_related("run__member__coach", "run__member", "touchpoint")
        .order_by("due_at", "pk")
    )
    for step in tasks:
        # A task of last week is often still waiting; older ones are mostly done, a forgotten one stays.
        if rng.random() < (0.5 if step.due_at > now - timedelta(days=7) else 0.15):
            continue
        by = step.run.member.coach or owner
        done_at = min(step.due_at + timedelta(hours=rng.randint(2, 30)), now - timedelta(hours=1))
        Step.objects.for_studio(studio).filter(pk=step.pk).update(
            status=Step.Status.DONE, done_at=done_at, done_by=by
        )
        event_record(
            studio=studio, person=step.run.member.person_id, by=by, at=done_at,
            event=TouchpointDone(step_id=step.pk, enrolment_id=step.run.enrolment_id, day=step.touchpoint.day),
        )  # fmt: skip
    flags = (
        ActivationCheck.objects.for_studio(studio)
        .filter(status=ActivationCheck.Status.FLAGGED, checked_at__lte=now - timedelta(days=7))
        .select_related("member__coach")
        .order_by("checked_at", "pk")
    )
    for check in flags:
        if rng.random() < 0.5:
            seen_at = min(check.checked_at + timedelta(hours=rng.randint(3, 48)), now - timedelta(hours=1))
            ActivationCheck.objects.for_studio(studio).filter(pk=check.pk).update(
                status=ActivationCheck.Status.SEEN, seen_at=seen_at, seen_by=check.member.coach or owner
            )


# What members answered, drawn by weight: most are glad, some lukewarm, a few unhappy (a call for the coach).
SCORES = [(10, 30), (9, 32), (8, 16), (7, 10), (6, 5), (5, 3), (4, 2), (3, 1), (2, 1)]
ANSWER_RATE = 0.7
COMMENTS = {
    "high": [
        "Fijne sfeer en echt persoonlijke aandacht.",
        "Ik train nu al weken vaker dan ooit in de sportschool.",
        "De kleine groep maakt het verschil: je wordt gezien.",
        "",
        "",
    ],
    "middle": [
        "Goed, maar de avondlessen zitten vaak vol.",
        "Prima, ik mis soms wat uitleg bij nieuwe oefeningen.",
        "",
    ],
    "low": [
        "De lessen voelen druk; ik kom er niet goed aan mijn eigen doel toe.",
        "Ik had meer contact met mijn coach verwacht na de start.",
        "Past lastig in mijn rooster en omboeken gaat moeizaam.",
    ],
}


def _ratings(studio: Studio, now: datetime, rng: random.Random, owner: User | None) -> None:
    """A year of answers: everyone asked on day 30 and in their program's last week, as the sweep asks, about
    seven in ten answering a day or two later; older low scores were called back by the coach, recent ones wait."""
    enrolments = list(
        Enrolment.objects.for_studio(studio)
        .filter(renewal_of__isnull=True)
        .select_related("program", "member__coach")
        .order_by("starts_on", "pk")
    )
    scores, weights = zip(*SCORES, strict=True)
    low: list[tuple[Rating, User | None]] = []
    for enrolment in enrolments:
        moments = [(Rating.Moment.DAY_30, enrolment.starts_on + timedelta(days=DAY))]
        if enrolment.program.kind == enrolment.program.Kind.PROGRAM:
            moments.append((Rating.Moment.PROGRAM_END, enrolment.ends_on - timedelta(days=END_WEEK)))
        for moment, day in moments:
            asked_at = clock.wall_time(day, time(9, 3))
            if asked_at is None or asked_at > now or day > enrolment.ends_on:
                continue
            rating = rating_ask(enrolment=enrolment, moment=moment, now=asked_at)
            if rating is None:
                continue
            if rating.message is not None and rating.message.status == Message.Status.QUEUED:
                Message.objects.for_studio(studio).filter(pk=rating.message.pk).update(
                    status=Message.Status.SENT, created_at=asked_at, next_attempt_at=asked_at, claimed_at=asked_at,
                    sent_at=asked_at + timedelta(seconds=20), attempts=1,
                )  # fmt: skip
            answered_at = asked_at + timedelta(hours=rng.randint(1, 40))
            if rng.random() > ANSWER_RATE or answered_at > now:
                continue
            score = rng.choices(scores, weights)[0]
            band = "high" if score >= 9 else "middle" if score >= 7 else "low"
            rating = rating_answer(
                rating=rating, score=score, comment=rng.choice(COMMENTS[band]), now=answered_at
            )
            if rating.is_low:
                low.append((rating, enrolment.member.coach or owner))
    # The latest low score (and any of the last days) still waits for its call; the coaches called the others.
    low.sort(key=lambda pair: pair[0].answered_at or now)
    for rating, coach in low[:-1]:
        answered = rating.answered_at or now
        if answered < now - timedelta(days=5):
            called_at = min(answered + timedelta(hours=rng.randint(2, 30)), now - timedelta(hours=1))
            Rating.objects.for_studio(studio).filter(pk=rating.pk).update(
                called_at=called_at, called_by=coach
            )
