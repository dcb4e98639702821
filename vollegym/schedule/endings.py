"""What the agenda does when a membership is paused or cancelled: the mats it no longer gives are freed at once.

The programs app keeps the rules of a pause and of a cancellation (programs/pauses.py, programs/endings.py). The
agenda reads the programs app, not the other way round, so it is the agenda that calls them and then cancels the
member's coming bookings their programs no longer give a place in (inside the pause, after the last day): in one
transaction, so the mats go with the change, and each freed mat goes to the first in line.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction

from vollegym.core import clock
from vollegym.programs.endings import enrolment_cancel
from vollegym.programs.models import Cancellation, Enrolment, Member, Pause
from vollegym.programs.pauses import enrolment_pause, pause_withdraw
from vollegym.schedule.coverage import booking_refusal, coverage_of
from vollegym.schedule.models import ClassSession, SessionBooking, WaitlistEntry
from vollegym.schedule.services import booking_cancel
from vollegym.studios.models import User


@transaction.atomic
def bookings_release(*, member: Member) -> int:
    """Cancels the member's coming bookings, and leaves the lines they wait in, for sessions their programs no
    longer give a place in (a pause, an end); returns how many mats were freed."""
    coverage = coverage_of(member)
    now = clock.now()
    booked = (
        SessionBooking.objects.for_studio(member.studio_id)
        .filter(member=member, status=SessionBooking.Status.BOOKED, session__starts_at__gt=now,
                session__status=ClassSession.Status.SCHEDULED)
        .select_related("session__template", "session__studio")
        .order_by("session__starts_at")
    )  # fmt: skip
    freed = 0
    for booking in booked:
        if booking_refusal(member, booking.session, coverage):
            booking_cancel(booking=booking, by_member=False)
            freed += 1
    waiting = (
        WaitlistEntry.objects.for_studio(member.studio_id)
        .filter(member=member, status=WaitlistEntry.Status.WAITING, session__starts_at__gt=now)
        .select_related("session__template")
    )
    gone = [entry.pk for entry in waiting if booking_refusal(member, entry.session, coverage)]
    WaitlistEntry.objects.for_studio(member.studio_id).filter(pk__in=gone).update(
        status=WaitlistEntry.Status.LEFT
    )
    return freed


@transaction.atomic
def member_pause(
    *,
    enrolment: Enrolment,
    starts_on: date,
    ends_on: date,
    by: User | None,
    by_member: bool,
    reason: str = "",
) -> tuple[Pause, int]:
    """A pause by the programs app's rules, and the mats inside it freed; returns the pause and how many."""
    pause = enrolment_pause(
        enrolment=enrolment, starts_on=starts_on, ends_on=ends_on, by=by, by_member=by_member, reason=reason
    )
    return pause, bookings_release(member=pause.member)


@transaction.atomic
def member_pause_withdraw(*, pause: Pause, by: User | None, by_member: bool) -> Pause:
    """A pause taken back (the member books again as usual: nothing is booked for them by itself)."""
    return pause_withdraw(pause=pause, by=by, by_member=by_member)


@transaction.atomic
def member_cancel(
    *, enrolment: Enrolment, by: User | None, by_member: bool, reason: str = "", reason_text: str = ""
) -> tuple[Cancellation, int]:
    """A cancellation by the Dutch rules (programs app), and the mats after the last day freed."""
    cancellation = enrolment_cancel(
        enrolment=enrolment, by=by, by_member=by_member, reason=reason, reason_text=reason_text
    )
    return cancellation, bookings_release(member=cancellation.member)
