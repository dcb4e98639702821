from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from vollegym.core.testing import client_for, make_lead, make_staff
from vollegym.leads.services import LeadInput, lead_capture, leads_sweep

pytestmark = pytest.mark.django_db


def test_the_assigned_coach_sees_a_new_lead_in_the_app_and_can_mark_it_read(cast):
    lead_capture(studio=cast.studio, data=LeadInput(source="meta", name="Eva de Boer", phone="0612345678"))
    coach = client_for(cast.coach)
    dashboard = coach.get("/app/kracht-utrecht/").text
    assert '<span class="count">1<span class="visually-hidden"> ongelezen</span></span>' in dashboard
    page = coach.get("/app/kracht-utrecht/meldingen/").text
    assert "Nieuwe lead Eva de Boer" in page
    coach.post("/app/kracht-utrecht/meldingen/gelezen/")
    assert '<span class="count">' not in coach.get("/app/kracht-utrecht/").text


def test_notifications_are_personal(cast):
    lead_capture(studio=cast.studio, data=LeadInput(source="meta", name="Eva de Boer", phone="0612345678"))
    assert "Eva de Boer" not in client_for(cast.owner).get("/app/kracht-utrecht/meldingen/").text


TUESDAY_10 = datetime(2026, 6, 2, 10, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))


def test_a_late_lead_assigned_to_the_viewer_is_on_their_notifications(cast):
    """The owner's own late lead, and the coach's escalated one: each on the page of whom it waits on."""
    mine = make_lead(
        cast.studio, name="Sofia Rossi", assigned_to=cast.owner, due_at=TUESDAY_10 - timedelta(minutes=35)
    )
    with time_machine.travel(TUESDAY_10 - timedelta(hours=1), tick=False):
        coachs = lead_capture(
            studio=cast.studio, data=LeadInput(source="meta", name="Eva de Boer", phone="0612345678")
        ).lead
    assert coachs.assigned_to == cast.coach
    with time_machine.travel(TUESDAY_10, tick=False):
        assert leads_sweep() == 2  # both escalated: the owners hear of both
        owner_page = client_for(cast.owner).get("/app/kracht-utrecht/meldingen/").text
        coach_page = client_for(cast.coach).get("/app/kracht-utrecht/meldingen/").text
    late = owner_page.split("Wachten te lang op een antwoord")[1].split("</section>")[0]
    assert (
        f'href="/app/kracht-utrecht/leads/{mine.pk}/">Sofia Rossi</a> · <span class="countdown countdown--late">35 min te laat'
        in late
    )
    assert "Eva de Boer" not in late  # the coach's lead: the owner has its notice, it does not wait on them
    late = coach_page.split("Wachten te lang op een antwoord")[1].split("</section>")[0]
    assert (
        f'href="/app/kracht-utrecht/leads/{coachs.pk}/">Eva de Boer</a>' in late and "Sofia Rossi" not in late
    )


def test_a_lead_of_nobody_is_late_for_everyone_and_an_answered_or_running_one_for_nobody(cast):
    other = make_staff(cast.studio, email="tom@kracht.nl")
    make_lead(cast.studio, name="Niemands Lead", due_at=TUESDAY_10 - timedelta(minutes=5))
    make_lead(cast.studio, name="Nog Even", assigned_to=other, due_at=TUESDAY_10 + timedelta(minutes=5))
    make_lead(
        cast.studio, name="Al Gebeld", assigned_to=other, due_at=TUESDAY_10 - timedelta(minutes=5),
        first_contact_at=TUESDAY_10 - timedelta(minutes=20),
    )  # fmt: skip
    with time_machine.travel(TUESDAY_10, tick=False):
        page = client_for(other).get("/app/kracht-utrecht/meldingen/").text
    assert "Niemands Lead" in page and "nog van niemand" in page
    assert "Nog Even" not in page and "Al Gebeld" not in page and "Geen meldingen." not in page
