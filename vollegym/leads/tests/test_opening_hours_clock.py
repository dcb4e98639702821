"""The speed-to-lead clock counts the studio's opening hours (Europe/Amsterdam): a lead that comes in at night or
at the weekend is not late before the studio has been open for its SLA, on the lead's page, in the sweep and in
the demo."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from vollegym.core.testing import client_for
from vollegym.leads import demo as leads_demo
from vollegym.leads import sla
from vollegym.leads.models import Lead
from vollegym.leads.selectors import clock_of
from vollegym.leads.services import LeadInput, lead_capture, lead_settings_for, leads_sweep
from vollegym.studios import demo as studios_demo
from vollegym.studios.models import Studio

pytestmark = pytest.mark.django_db

AMS = ZoneInfo("Europe/Amsterdam")  # opening hours by default: Mon-Fri 07-21, Sat 08-14, Sun closed


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=AMS)


def capture_at(studio: Studio, moment: datetime, name: str) -> Lead:
    with time_machine.travel(moment, tick=False):
        return lead_capture(studio=studio, data=LeadInput(source="meta", name=name, phone="0612345678")).lead


def label_at(lead: Lead, moment: datetime) -> str:
    lead.refresh_from_db()
    return clock_of(lead, moment).label


def test_a_lead_at_night_waits_for_opening_time_and_is_due_an_hour_after(cast):
    lead = capture_at(cast.studio, at("2026-11-24 23:10"), "Nachtuil")  # a Tuesday night
    assert lead.due_at == at("2026-11-25 08:00")
    assert label_at(lead, at("2026-11-25 06:55")) == "nog 65 min"  # before opening: not late
    with time_machine.travel(at("2026-11-25 07:59"), tick=False):
        assert leads_sweep() == 0
        page = client_for(cast.coach).get(f"/app/kracht-utrecht/leads/{lead.pk}/").text
    assert "te laat" not in page
    with time_machine.travel(at("2026-11-25 08:01"), tick=False):
        assert label_at(lead, at("2026-11-25 08:01")) == "1 min te laat"
        assert leads_sweep() == 1


def test_a_lead_on_saturday_afternoon_is_due_on_monday_across_the_clocks_going_back(cast):
    # Saturday 24 October 2026, half an hour before closing; on Sunday the clocks go back an hour.
    lead = capture_at(cast.studio, at("2026-10-24 13:30"), "Weekend")
    assert lead.due_at == at("2026-10-26 07:30")  # 30 minutes on Saturday, 30 on Monday morning
    for moment in (at("2026-10-24 16:00"), at("2026-10-25 12:00"), at("2026-10-26 07:15")):
        assert "te laat" not in label_at(lead, moment), moment
        with time_machine.travel(moment, tick=False):
            assert leads_sweep() == 0
    assert label_at(lead, at("2026-10-26 06:30")) == "nog 60 min"
    with time_machine.travel(at("2026-10-26 07:31"), tick=False):
        assert leads_sweep() == 1


def test_the_demo_gives_its_leads_the_clock_capture_gives_and_none_is_late_before_it_opens():
    night = at("2026-06-02 04:30")  # a Tuesday, hours before opening
    with time_machine.travel(night, tick=False):
        studios_demo.load()
        leads_demo.load()
    studio = Studio.objects.get(slug="demo")
    config = lead_settings_for(studio)
    leads = list(Lead.objects.for_studio(studio).order_by("created_at"))
    assert leads and all(
        lead.due_at == sla.deadline(lead.created_at, config.sla_minutes, config.opening_hours, studio.zone)
        for lead in leads
    )
    waiting = {lead.name: lead for lead in leads if lead.first_contact_at is None and lead.is_open}
    assert set(waiting) >= {"Merel Verbeek", "Tim Hoekstra", "Sofia Rossi"}
    closed_at = at("2026-06-01 21:00")
    for name in ("Merel Verbeek", "Tim Hoekstra"):  # in tonight: due an hour after opening
        assert waiting[name].created_at > closed_at and waiting[name].due_at == at("2026-06-02 08:00")
        assert clock_of(waiting[name], night).label.startswith("nog "), name
    late = waiting["Sofia Rossi"]  # the demo's late lead came in yesterday, while the studio was open
    assert late.created_at <= closed_at - timedelta(minutes=60) and late.escalated_at == late.due_at
    for lead in waiting.values():
        assert lead.created_at < closed_at or "te laat" not in clock_of(lead, night).label, lead.name
