"""The speed-to-lead report's follow-up table: per step, who got it and what it brought in before the next step."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine

from vollegym.analytics.followup import followup_steps
from vollegym.core import clock
from vollegym.core.testing import client_for
from vollegym.intake.models import ConsultationType
from vollegym.intake.services import WindowInput, availability_set, booking_make
from vollegym.leads.services import LeadInput, lead_capture, lead_log_contact
from vollegym.messaging.services import outbox_deliver_due
from vollegym.people.services import consent_record
from vollegym.retention import sweeps
from vollegym.retention.models import Sequence, Step
from vollegym.retention.services import step_close

pytestmark = pytest.mark.django_db

START = date(2026, 3, 20)  # a Friday; day 14 (3 April) is in summer time
CAPTURED = datetime(2026, 3, 20, 11, 0, tzinfo=UTC)


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(START + timedelta(days=day), time(hour, minute), tzinfo=clock.AMSTERDAM)


def sweep(moment: datetime) -> None:
    with time_machine.travel(moment, tick=False):
        sweeps.run()
        outbox_deliver_due(limit=500)


def step(lead, day: int) -> Step:
    return Step.objects.for_studio(lead.studio_id).get(run__lead=lead, touchpoint__day=day)


def test_each_step_counts_the_leads_who_got_it_and_what_came_before_the_next_step(cast):
    with time_machine.travel(CAPTURED, tick=False):
        a, b, _c, d, e = (
            lead_capture(studio=cast.studio, data=LeadInput(source="meta", name=f"{n} Jansen", email=f"{n}@example.nl")).lead
            for n in ("anna", "bram", "cor", "dewi", "eef")
        )  # fmt: skip
    consent_record(person=d.person, purpose="contact", given=False, how="staff")
    availability_set(studio=cast.studio, coach=cast.coach,
                     windows=[WindowInput(weekday=n, starts=time(9), ends=time(17)) for n in range(7)])  # fmt: skip
    kind = ConsultationType.objects.create(studio=cast.studio, name="Kennismaking", min_notice_hours=2)
    sweep(CAPTURED + timedelta(minutes=1))
    sweep(local(1, 10, 1))  # the day-1 calls are on the list
    with time_machine.travel(local(1, 14), tick=False):
        lead_log_contact(lead=a, kind="call", outcome="reached", by=cast.coach)  # Anna answers the call
        step_close(step=step(b, 1), by=cast.coach, done=True)
        step_close(step=step(d, 1), by=cast.coach, done=False)  # skipped by the studio: not a step Dewi got
    for day in range(2, 25):
        sweep(local(day, 10, 1))
        if day == 5:
            with time_machine.travel(local(5, 12), tick=False):
                booking_make(lead=b, kind=kind, starts_at=local(8, 11))  # Bram books after the day-3 mail
                lead_log_contact(
                    lead=d, kind="call", outcome="reached", by=cast.coach
                )  # no step of Dewi's counts
        if day == 17:
            with time_machine.travel(local(17, 9), tick=False):
                lead_log_contact(lead=e, kind="call", outcome="reached", by=cast.coach)  # 3 days after day 14
    assert step(d, 3).status == Step.Status.NOT_SENT
    with time_machine.travel(local(30, 12), tick=False):
        rows = followup_steps(cast.studio, since=CAPTURED - timedelta(days=1), until=clock.now())
        page = client_for(cast.owner).get(f"/app/{cast.studio.slug}/cijfers/snelheid/").content.decode()
    found = {(r.day, r.kind): (r.received, r.replied, r.booked, r.brought, r.percent) for r in rows}
    assert found == {
        (1, "Taak voor de coach"): (4, 1, 0, 1, 25),  # Anna, Bram, Cor, Eef; Anna answered the call
        (3, "E-mail aan de lead"): (3, 0, 1, 1, 33),  # Bram, Cor, Eef; Bram booked two days later
        (7, "Taak voor de coach"): (2, 0, 0, 0, 0),  # Cor, Eef
        (14, "E-mail aan de lead"): (2, 1, 0, 1, 50),  # Cor, Eef; Eef called back three days later
    }
    assert {r.sequence for r in rows} == {str(Sequence.NOT_BOOKED.label)}
    assert "Wat elke opvolgstap oplevert" in page and "Nabellen: nog geen gesprek gepland" in page
    assert "1 (25%)" in page and "1 (50%)" in page


def test_a_reply_more_than_a_week_after_the_last_step_is_not_counted(cast):
    with time_machine.travel(CAPTURED, tick=False):
        lead = lead_capture(studio=cast.studio, data=LeadInput(source="meta", email="laat@example.nl")).lead
    sweep(CAPTURED + timedelta(minutes=1))
    for day in range(1, 23):
        sweep(local(day, 10, 1))
    with time_machine.travel(local(23, 12), tick=False):
        lead_log_contact(lead=lead, kind="call", outcome="reached", by=cast.coach)  # nine days after day 14
    sweep(local(23, 12, 1))
    with time_machine.travel(local(30, 12), tick=False):
        rows = followup_steps(cast.studio, since=CAPTURED - timedelta(days=1), until=clock.now())
    assert [(r.day, r.received, r.brought) for r in rows] == [(1, 1, 0), (3, 1, 0), (7, 1, 0), (14, 1, 0)]


def test_another_studios_steps_are_not_in_the_report(cast):
    with time_machine.travel(CAPTURED, tick=False):
        lead_capture(studio=cast.other_studio, data=LeadInput(source="meta", email="ander@example.nl"))
    sweep(CAPTURED + timedelta(minutes=1))
    sweep(local(3, 10, 1))
    with time_machine.travel(local(4, 12), tick=False):
        assert followup_steps(cast.studio, since=CAPTURED - timedelta(days=1), until=clock.now()) == []
        assert (
            len(followup_steps(cast.other_studio, since=CAPTURED - timedelta(days=1), until=clock.now())) == 2
        )
        page = client_for(cast.owner).get(f"/app/{cast.studio.slug}/cijfers/snelheid/").content.decode()
    assert "Nog geen opvolgstappen in deze periode" in page
