"""Activation in the first 30 days: on day 10 and day 21, visits so far against the program's planned frequency.

A UK study of about 10,000 new gym members (Hillsdon, University of Exeter) found roughly 30% made no visit at all in
each of their first three months, and every month with a visit lowered the chance of cancelling: members who fall
behind early are the first to call.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from vollegym.core import clock
from vollegym.programs.models import Enrolment, Program
from vollegym.retention.models import ActivationCheck
from vollegym.retention.selectors import has_any_booking, visits_between
from vollegym.schedule.personal import studio_records_pt
from vollegym.studios.models import User

CHECK_DAYS = (10, 21)
FIRST_MONTH = 30


def planned_visits(sessions_per_week: int, days: int) -> int:
    """Trainings the program plans in the first `days` days, rounded half up (2 a week, 10 days: 3)."""
    return int(sessions_per_week * days / 7 + 0.5)


def activation_check(
    *, enrolment: Enrolment, day: int, now: datetime | None = None
) -> ActivationCheck | None:
    """Counts the member's visits in the first `day` days once, and flags them when below the plan.

    Personal training counts once the studio records its PT trainings (Rooster → PT); a PT member of a studio that
    does not, and who books no classes either, is recorded as "not counted", never flagged.
    """
    now = now or clock.now()
    member, program = enrolment.member, enrolment.program
    start = clock.wall_time(enrolment.starts_on, time(0)) or now
    end = clock.wall_time(enrolment.starts_on + timedelta(days=day), time(0)) or now
    attended = visits_between(member, start, end)
    planned = planned_visits(program.sessions_per_week, day)
    if (
        program.format != Program.Format.SMALL_GROUP
        and not has_any_booking(member)
        and not studio_records_pt(enrolment.studio_id, now=now)
    ):
        status = ActivationCheck.Status.NOT_COUNTED
    else:
        status = ActivationCheck.Status.FLAGGED if attended < planned else ActivationCheck.Status.OK
    try:
        with transaction.atomic():
            return ActivationCheck.objects.create(
                studio_id=enrolment.studio_id, enrolment=enrolment, member=member, day=day, attended=attended,
                planned=planned, status=status, checked_at=now,
            )  # fmt: skip
    except IntegrityError:  # checked by another worker a moment ago
        return None


def activation_sweep(*, now: datetime | None = None) -> int:
    """Checks every new enrolment that reached day 10 or 21 of its first month and was not checked on that day."""
    now = now or clock.now()
    today = clock.local(now).date()
    made = 0
    for day in CHECK_DAYS:
        reached = (
            Enrolment.all_studios.filter(
                status=Enrolment.Status.ACTIVE, renewal_of__isnull=True,
                starts_on__lte=today - timedelta(days=day), starts_on__gt=today - timedelta(days=FIRST_MONTH),
            )
            .exclude(pk__in=ActivationCheck.all_studios.filter(day=day).values("enrolment_id"))
            .select_related("member", "program")
        )  # fmt: skip
        made += sum(1 for e in reached if activation_check(enrolment=e, day=day, now=now) is not None)
    return made


@transaction.atomic
def activation_seen(*, check: ActivationCheck, by: User) -> ActivationCheck:
    """A coach took up a flag (called, talked): it leaves the task list, and stays on the member's page.

    An earlier flag of the same enrolment (day 10, when this is day 21) is taken up with it: it was one call."""
    if (
        not ActivationCheck.objects.for_studio(check.studio_id)
        .filter(enrolment_id=check.enrolment_id, day__lte=check.day, status=ActivationCheck.Status.FLAGGED)
        .update(status=ActivationCheck.Status.SEEN, seen_at=clock.now(), seen_by=by)
    ):
        raise ValueError(_("Deze melding is al opgepakt."))
    check.refresh_from_db()
    return check
