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
from vollegym.retention.models import ActivationCheck, Run, Step
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
