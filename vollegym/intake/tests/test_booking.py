"""Booking the kennismakingsgesprek: free moments, the clock changes, no double booking, moving and cancelling."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.db import IntegrityError, transaction

from vollegym.core import clock
from vollegym.core.testing import make_lead as build_lead
from vollegym.intake import selectors
from vollegym.intake.models import Booking, BookingClaim, ConsultationType
from vollegym.intake.services import (
    BookingError,
    SlotTaken,
    WindowInput,
    availability_exception_add,
    availability_set,
    booking_attendance,
    booking_cancel,
    booking_make,
    booking_outcome,
    booking_reschedule,
)
from vollegym.leads.models import Activity, Lead, Stage
from vollegym.messaging.models import Message, WhatsAppSettings
from vollegym.people.services import consent_record

pytestmark = pytest.mark.django_db

# A Wednesday, four days before the clocks go forward (Sunday 29 March 2026, 02:00 → 03:00).
BEFORE_SPRING = datetime(2026, 3, 25, 9, 0, tzinfo=UTC)
# A Wednesday, four days before the clocks go back (Sunday 25 October 2026, 03:00 → 02:00).
BEFORE_AUTUMN = datetime(2026, 10, 21, 9, 0, tzinfo=UTC)
EVERY_DAY = [WindowInput(day, time(9, 0), time(12, 0)) for day in range(7)]


def make_kind(studio, **fields) -> ConsultationType:
    values = {"name": "Kennismaking in de studio", "duration_minutes": 30, "buffer_minutes": 15,
              "min_notice_hours": 12, "horizon_days": 21, **fields}  # fmt: skip
    return ConsultationType.objects.create(studio=studio, **values)


def make_lead(studio, name="Eva de Boer", **fields) -> Lead:
    values = {
        "source": "website",
        "email": f"{name.split()[0].lower()}@example.nl",
        "phone": "+31612345678",
        **fields,
    }
    return build_lead(studio, name=name, **values)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=clock.AMSTERDAM)


def local_times(slots, day: date) -> list[str]:
    return [f"{clock.local(s.starts_at):%H:%M}" for s in slots if clock.local(s.starts_at).date() == day]


@pytest.fixture
def kind(cast):
    availability_set(studio=cast.studio, coach=cast.coach, windows=EVERY_DAY)
    return make_kind(cast.studio)


def test_slots_follow_the_weekly_window_the_notice_and_the_horizon(cast, kind):
    with time_machine.travel(BEFORE_SPRING, tick=False):  # 10:00 in Utrecht
        slots = selectors.open_slots(kind)
    today, tomorrow = date(2026, 3, 25), date(2026, 3, 26)
    assert local_times(slots, today) == []  # 12 hours' notice: nothing left today
    assert local_times(slots, tomorrow) == ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30"]
    assert clock.local(slots[-1].starts_at).date() == today + timedelta(days=21)
    assert all(s.coach_ids == (cast.coach.pk,) for s in slots)


def test_days_off_for_the_studio_and_hours_off_for_a_coach_are_not_offered(cast, kind):
    availability_exception_add(
        studio=cast.studio, coach=None, first_day=date(2026, 4, 5), last_day=date(2026, 4, 6), reason="Pasen"
    )
    availability_exception_add(
        studio=cast.studio, coach=cast.coach, first_day=date(2026, 4, 1), last_day=date(2026, 4, 1),
        starts=time(10, 0), ends=time(11, 0), reason="Tandarts",
    )  # fmt: skip
    with time_machine.travel(BEFORE_SPRING, tick=False):
        slots = selectors.open_slots(kind)
    assert local_times(slots, date(2026, 4, 5)) == local_times(slots, date(2026, 4, 6)) == []
    # 09:30 ends at 10:00 sharp, when the coach leaves: fine. 10:00 and 10:30 fall in the hour off.
    assert local_times(slots, date(2026, 4, 1)) == ["09:00", "09:30", "11:00", "11:30"]


def test_a_booking_on_the_sunday_the_clocks_go_forward_lands_at_ten_local(cast, kind):
    lead = make_lead(cast.studio)
    sunday = date(2026, 3, 29)
    with time_machine.travel(BEFORE_SPRING, tick=False):
        slots = selectors.open_slots(kind, days=[date(2026, 3, 28), sunday])
        booking = booking_make(lead=lead, kind=kind, starts_at=local(sunday, 10))
    assert booking.starts_at == datetime(2026, 3, 29, 8, 0, tzinfo=UTC)  # CEST: UTC+2
    saturday_ten = next(s for s in slots if clock.local(s.starts_at) == local(date(2026, 3, 28), 10))
    assert saturday_ten.starts_at == datetime(2026, 3, 28, 9, 0, tzinfo=UTC)  # CET the day before: UTC+1
    assert f"{clock.local(booking.starts_at):%H:%M}" == "10:00"


def test_a_booking_on_the_sunday_the_clocks_go_back_lands_at_ten_local(cast, kind):
    lead = make_lead(cast.studio)
    sunday = date(2026, 10, 25)
    with time_machine.travel(BEFORE_AUTUMN, tick=False):
        booking = booking_make(lead=lead, kind=kind, starts_at=local(sunday, 10))
        monday = selectors.open_slots(kind, days=[date(2026, 10, 26)])
    assert booking.starts_at == datetime(2026, 10, 25, 9, 0, tzinfo=UTC)  # CET: UTC+1
    assert monday[0].starts_at == datetime(2026, 10, 26, 8, 0, tzinfo=UTC)  # 09:00 CET


def test_a_wall_time_the_clocks_skip_is_never_offered_and_a_doubled_hour_once(cast):
    availability_set(
        studio=cast.studio, coach=cast.coach, windows=[WindowInput(6, time(1, 0), time(4, 0))]
    )  # Sunday nights, for the test
    kind = make_kind(cast.studio, buffer_minutes=0)
    with time_machine.travel(BEFORE_SPRING, tick=False):
        spring = selectors.open_slots(kind, days=[date(2026, 3, 29)])
    assert [f"{clock.local(s.starts_at):%H:%M}" for s in spring] == ["01:00", "01:30", "03:00", "03:30"]
    with time_machine.travel(BEFORE_AUTUMN, tick=False):
        autumn = selectors.open_slots(kind, days=[date(2026, 10, 25)])
    starts = [s.starts_at for s in autumn]
    assert len(starts) == len(set(starts)) == 6  # 01:00 … 03:30, 02:00 and 02:30 once (the first time)
    assert datetime(2026, 10, 25, 0, 0, tzinfo=UTC) in starts  # 02:00 CEST


def test_a_booked_moment_and_the_rest_after_it_are_taken(cast, kind):
    lead = make_lead(cast.studio)
    day = date(2026, 3, 27)
    with time_machine.travel(BEFORE_SPRING, tick=False):
        booking_make(lead=lead, kind=kind, starts_at=local(day, 10))
        slots = selectors.open_slots(kind, days=[day])
    # 30 minutes and 15 minutes' rest: 09:30 would run into it, 10:30 would leave no rest after it.
    assert local_times(slots, day) == ["09:00", "11:00", "11:30"]


def test_two_coaches_can_each_take_the_same_moment_but_not_a_third_lead(cast, kind):
    availability_set(studio=cast.studio, coach=cast.owner, windows=EVERY_DAY)
    first, second, third = (
        make_lead(cast.studio, name) for name in ("Eva de Boer", "Tom Bakker", "Ilse Jansen")
    )
    at = local(date(2026, 3, 27), 10)
    with time_machine.travel(BEFORE_SPRING, tick=False):
        a = booking_make(lead=first, kind=kind, starts_at=at)
        b = booking_make(lead=second, kind=kind, starts_at=at)
        with pytest.raises(SlotTaken):
            booking_make(lead=third, kind=kind, starts_at=at)
    assert {a.coach_id, b.coach_id} == {cast.coach.pk, cast.owner.pk}


def test_the_lead_gets_its_own_coach_when_that_coach_is_free(cast, kind):
    availability_set(studio=cast.studio, coach=cast.owner, windows=EVERY_DAY)
    lead = make_lead(cast.studio, assigned_to=cast.owner)
    with time_machine.travel(BEFORE_SPRING, tick=False):
        booking = booking_make(lead=lead, kind=kind, starts_at=local(date(2026, 3, 27), 10))
    assert booking.coach == cast.owner


def test_the_database_refuses_two_claims_on_the_same_minutes(cast, kind):
    with time_machine.travel(BEFORE_SPRING, tick=False):
        booking = booking_make(lead=make_lead(cast.studio), kind=kind, starts_at=local(date(2026, 3, 27), 10))
    claim = BookingClaim.objects.for_studio(cast.studio).filter(booking=booking).first()
    assert claim is not None
    with pytest.raises(IntegrityError), transaction.atomic():
        BookingClaim.objects.create(studio=cast.studio, booking=booking, coach=cast.coach, unit=claim.unit)


def test_a_moment_outside_the_free_slots_is_refused(cast, kind):
    lead = make_lead(cast.studio)
    with time_machine.travel(BEFORE_SPRING, tick=False):
        for at in (
            local(date(2026, 3, 25), 10),
            local(date(2026, 3, 27), 13),
            local(date(2026, 3, 27), 9, 10),
        ):
            with pytest.raises(SlotTaken):
                booking_make(lead=lead, kind=kind, starts_at=at)
    assert not Booking.objects.for_studio(cast.studio).exists()


def test_a_lead_has_one_planned_conversation_and_a_second_form_is_the_same_booking(cast, kind):
    lead = make_lead(cast.studio)
    at = local(date(2026, 3, 27), 10)
    with time_machine.travel(BEFORE_SPRING, tick=False):
        first = booking_make(lead=lead, kind=kind, starts_at=at)
        assert booking_make(lead=lead, kind=kind, starts_at=at) == first
        with pytest.raises(BookingError):
            booking_make(lead=lead, kind=kind, starts_at=local(date(2026, 3, 27), 11))
    assert Booking.objects.for_studio(cast.studio).count() == 1


def test_booking_moves_the_lead_and_queues_confirmation_coach_notice_and_two_reminders(cast, kind):
    lead = make_lead(cast.studio)
    at = local(date(2026, 3, 28), 10)
    with time_machine.travel(BEFORE_SPRING, tick=False):
        booking_make(lead=lead, kind=kind, starts_at=at)
    lead.refresh_from_db()
    assert lead.stage == Stage.INTAKE_BOOKED
    messages = {m.purpose + ":" + m.channel: m for m in Message.objects.for_studio(cast.studio)}
    confirmation = messages["booking_confirmation:email"]
    assert confirmation.to == "eva@example.nl" and "zaterdag 28 maart om 10:00" in confirmation.subject
    invite = confirmation.attachments[0]
    assert invite["mimetype"] == "text/calendar" and "METHOD:REQUEST" in invite["content"]
    assert "DTSTART:20260328T090000Z" in invite["content"]
    assert "/s/kracht-utrecht/gesprek/" in confirmation.body
    assert messages["booking_coach:email"].to == cast.coach.email
    assert messages["booking_coach:app"].to_user == cast.coach
    reminders = (
        Message.objects.for_studio(cast.studio).filter(purpose="booking_reminder").order_by("next_attempt_at")
    )
    assert [r.next_attempt_at for r in reminders] == [at - timedelta(hours=24), at - timedelta(hours=2)]
    assert all(r.channel == Message.Channel.EMAIL for r in reminders)
    assert Activity.objects.for_studio(cast.studio).filter(lead=lead, kind=Activity.Kind.BOOKING).exists()


def test_reminders_go_by_whatsapp_where_the_lead_agreed_and_the_studio_can_send_it(cast, kind):
    lead = make_lead(cast.studio)
    consent_record(person=lead.person, purpose="whatsapp", given=True, how="form", wording="Ja, via WhatsApp")
    WhatsAppSettings.objects.create(studio=cast.studio, phone_number_id="123", token="t")
    with time_machine.travel(BEFORE_SPRING, tick=False):
        booking_make(lead=lead, kind=kind, starts_at=local(date(2026, 3, 28), 10))
    reminders = Message.objects.for_studio(cast.studio).filter(purpose="booking_reminder")
    assert {(r.channel, r.to, r.template) for r in reminders} == {
        ("whatsapp", "+31612345678", "gesprek_herinnering")
    }
    assert reminders.count() == 2


def test_a_reminder_already_past_is_not_queued(cast, kind):
    with time_machine.travel(BEFORE_SPRING, tick=False):  # 10:00; the conversation tomorrow at 09:00
        booking_make(lead=make_lead(cast.studio), kind=kind, starts_at=local(date(2026, 3, 26), 9))
    reminders = Message.objects.for_studio(cast.studio).filter(purpose="booking_reminder")
    assert [clock.local(r.next_attempt_at).strftime("%d %H:%M") for r in reminders] == ["26 07:00"]


def test_rescheduling_moves_the_claims_and_replaces_the_reminders(cast, kind):
    lead = make_lead(cast.studio)
    with time_machine.travel(BEFORE_SPRING, tick=False):
        booking = booking_make(lead=lead, kind=kind, starts_at=local(date(2026, 3, 28), 10))
        moved = booking_reschedule(booking=booking, starts_at=local(date(2026, 3, 30), 11))
        monday = selectors.open_slots(kind, days=[date(2026, 3, 28), date(2026, 3, 30)])
    assert moved.pk == booking.pk and moved.sequence == 1
    assert "10:00" in local_times(monday, date(2026, 3, 28))  # the old moment is free again
    assert "11:00" not in local_times(monday, date(2026, 3, 30))
    reminders = Message.objects.for_studio(cast.studio).filter(purpose="booking_reminder")
    assert reminders.filter(status=Message.Status.CANCELLED).count() == 2
    assert reminders.filter(status=Message.Status.QUEUED).count() == 2
    moved_mail = Message.objects.for_studio(cast.studio).get(key=f"booking:{booking.pk}:1:lead")
    assert "SEQUENCE:1" in moved_mail.attachments[0]["content"] and "verzet" in moved_mail.subject


def test_rescheduling_to_a_taken_moment_keeps_the_old_one(cast, kind):
    mine, theirs = make_lead(cast.studio), make_lead(cast.studio, "Tom Bakker")
    with time_machine.travel(BEFORE_SPRING, tick=False):
        booking = booking_make(lead=mine, kind=kind, starts_at=local(date(2026, 3, 28), 10))
        booking_make(lead=theirs, kind=kind, starts_at=local(date(2026, 3, 30), 11))
        with pytest.raises(SlotTaken):
            booking_reschedule(booking=booking, starts_at=local(date(2026, 3, 30), 11))
    booking.refresh_from_db()
    assert booking.starts_at == local(date(2026, 3, 28), 10) and booking.sequence == 0
    assert BookingClaim.objects.for_studio(cast.studio).filter(booking=booking).count() == 9  # 45 minutes


def test_a_conversation_can_move_to_overlap_its_own_old_time(cast, kind):
    with time_machine.travel(BEFORE_SPRING, tick=False):
        booking = booking_make(lead=make_lead(cast.studio), kind=kind, starts_at=local(date(2026, 3, 28), 10))
        moved = booking_reschedule(booking=booking, starts_at=local(date(2026, 3, 28), 10, 30))
    assert clock.local(moved.starts_at).strftime("%H:%M") == "10:30"


def test_cancelling_frees_the_time_calls_off_reminders_and_tells_both_sides(cast, kind):
    lead = make_lead(cast.studio)
    at = local(date(2026, 3, 28), 10)
    with time_machine.travel(BEFORE_SPRING, tick=False):
        booking = booking_make(lead=lead, kind=kind, starts_at=at)
        booking_cancel(booking=booking, reason="Ziek")
        free = local_times(selectors.open_slots(kind, days=[at.date()]), at.date())
    assert "10:00" in free
    booking.refresh_from_db()
    lead.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED and lead.stage == Stage.NEW
    queued = Message.objects.for_studio(cast.studio).filter(status=Message.Status.QUEUED)
    assert not queued.filter(purpose="booking_reminder").exists()
    cancelled_mail = queued.get(key=f"booking:{booking.pk}:1:lead")
    assert "METHOD:CANCEL" in cancelled_mail.attachments[0]["content"]
    assert queued.filter(key=f"booking:{booking.pk}:1:coach:email").exists()
    with pytest.raises(BookingError):
        booking_cancel(booking=booking)


def test_after_the_conversation_the_coach_records_showed_and_won(cast, kind):
    lead = make_lead(cast.studio)
    at = local(date(2026, 3, 28), 10)
    with time_machine.travel(BEFORE_SPRING, tick=False):
        booking = booking_make(lead=lead, kind=kind, starts_at=at)
        with pytest.raises(BookingError):
            booking_attendance(booking=booking, showed=True, by=cast.coach)  # not yet begun
    with time_machine.travel(at + timedelta(minutes=40), tick=False):
        booking_attendance(booking=booking, showed=True, by=cast.coach)
        lead.refresh_from_db()
        assert lead.stage == Stage.INTAKE_HELD
        booking_outcome(booking=booking, outcome="won", by=cast.coach)
    lead.refresh_from_db()
    booking.refresh_from_db()
    assert lead.stage == Stage.WON and booking.outcome == "won" and booking.recorded_by == cast.coach


def test_a_no_show_and_a_lost_outcome_with_its_reason_follow_the_pipeline(cast, kind):
    first, second = make_lead(cast.studio), make_lead(cast.studio, "Tom Bakker")
    at = local(date(2026, 3, 28), 10)
    with time_machine.travel(BEFORE_SPRING, tick=False):
        missed = booking_make(lead=first, kind=kind, starts_at=at)
        held = booking_make(lead=second, kind=kind, starts_at=at + timedelta(hours=1))
    with time_machine.travel(at + timedelta(hours=2), tick=False):
        booking_attendance(booking=missed, showed=False, by=cast.coach)
        with pytest.raises(BookingError):
            booking_outcome(booking=held, outcome="lost", by=cast.coach)  # a reason is required
        booking_outcome(booking=held, outcome="lost", lost_reason="Te duur voor nu", by=cast.coach)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.stage == Stage.NO_SHOW
    assert second.stage == Stage.LOST and second.lost_reason == "Te duur voor nu"
    held.refresh_from_db()
    assert held.status == Booking.Status.SHOWED  # an outcome means it was held


def test_weekly_windows_must_be_on_the_grid_and_must_not_overlap(cast):
    with pytest.raises(BookingError, match="overlappen"):
        availability_set(
            studio=cast.studio, coach=cast.coach,
            windows=[WindowInput(0, time(9), time(12)), WindowInput(0, time(11), time(13))],
        )  # fmt: skip
    with pytest.raises(BookingError, match="5 minuten"):
        availability_set(studio=cast.studio, coach=cast.coach, windows=[WindowInput(0, time(9, 7), time(12))])
    with pytest.raises(BookingError, match="teamleden"):
        availability_set(studio=cast.studio, coach=cast.outsider, windows=EVERY_DAY)


def test_a_conversation_that_passed_unrecorded_does_not_block_a_new_one(cast, kind):
    lead = make_lead(cast.studio)
    with time_machine.travel(BEFORE_SPRING, tick=False):
        old = booking_make(lead=lead, kind=kind, starts_at=local(date(2026, 3, 26), 10))
    with time_machine.travel(BEFORE_SPRING + timedelta(days=3), tick=False):
        new = booking_make(lead=lead, kind=kind, starts_at=local(date(2026, 3, 30), 10))
    old.refresh_from_db()
    assert old.status == Booking.Status.CANCELLED and new.status == Booking.Status.BOOKED
    assert not BookingClaim.objects.for_studio(cast.studio).filter(booking=old).exists()


def test_a_kind_switched_off_still_serves_the_conversations_booked_with_it(cast, kind):
    with time_machine.travel(BEFORE_SPRING, tick=False):
        booking = booking_make(lead=make_lead(cast.studio), kind=kind, starts_at=local(date(2026, 3, 27), 10))
        kind.is_active = False
        kind.save()
        moved = booking_reschedule(booking=booking, starts_at=local(date(2026, 3, 27), 11))
    assert clock.local(moved.starts_at).hour == 11
