import pytest

from vollegym.core.testing import client_for
from vollegym.leads.services import LeadInput, lead_capture

pytestmark = pytest.mark.django_db


def test_the_assigned_coach_sees_a_new_lead_in_the_app_and_can_mark_it_read(cast):
    lead_capture(studio=cast.studio, data=LeadInput(source="meta", name="Eva de Boer", phone="0612345678"))
    coach = client_for(cast.coach)
    dashboard = coach.get("/app/kracht-utrecht/").text
    assert '<span class="count">1</span>' in dashboard
    page = coach.get("/app/kracht-utrecht/meldingen/").text
    assert "Nieuwe lead Eva de Boer" in page
    coach.post("/app/kracht-utrecht/meldingen/gelezen/")
    assert '<span class="count">' not in coach.get("/app/kracht-utrecht/").text


def test_notifications_are_personal(cast):
    lead_capture(studio=cast.studio, data=LeadInput(source="meta", name="Eva de Boer", phone="0612345678"))
    assert "Eva de Boer" not in client_for(cast.owner).get("/app/kracht-utrecht/meldingen/").text
