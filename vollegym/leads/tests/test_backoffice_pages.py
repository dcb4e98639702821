import pytest

from vollegym.core.testing import client_for, run_tasks
from vollegym.leads.models import InboundEvent, Lead, MetaPage
from vollegym.leads.services import lead_settings_for
from vollegym.messaging.models import Message

pytestmark = pytest.mark.django_db


def test_a_walk_in_entered_by_hand_is_already_answered_and_gets_no_auto_reply(cast):
    response = client_for(cast.coach).post(
        "/app/kracht-utrecht/leads/new/",
        {"name": "Karin", "phone": "06 98765432", "email": "karin@example.nl", "source": "walk_in",
         "note": "Wil na haar knieblessure weer sterk worden", "already_spoken": "on"},
        follow=True,
    )  # fmt: skip
    assert "Lead toegevoegd." in response.text
    lead = Lead.objects.for_studio(cast.studio).get()
    assert lead.source == "walk_in" and lead.stage == "contacted" and lead.response_seconds == 0
    assert not Message.objects.for_studio(cast.studio).filter(purpose="lead_ack").exists()
    assert "knieblessure" in response.text


def test_an_instagram_dm_not_yet_answered_runs_the_clock(cast):
    client_for(cast.coach).post(
        "/app/kracht-utrecht/leads/new/",
        {"name": "Joost", "email": "joost@example.nl", "source": "instagram"},
    )
    lead = Lead.objects.for_studio(cast.studio).get()
    assert lead.first_contact_at is None and lead.due_at is not None
    assert Message.objects.for_studio(cast.studio).filter(purpose="lead_ack", to="joost@example.nl").exists()


def test_manual_entry_without_contact_details_is_refused_in_dutch(cast):
    response = client_for(cast.coach).post(
        "/app/kracht-utrecht/leads/new/", {"name": "Niemand", "source": "walk_in"}
    )
    assert response.status_code == 200 and "Vul een telefoonnummer of e-mailadres in." in response.text
    assert Lead.objects.for_studio(cast.studio).count() == 0


def test_owner_sets_sla_and_opening_hours(cast):
    form = {"action": "settings", "sla_minutes": "30", "round_robin": "on"}
    for day in range(7):
        form[f"opens_{day}"], form[f"closes_{day}"] = ("06:30", "22:00") if day < 6 else ("", "")
    response = client_for(cast.owner).post("/app/kracht-utrecht/leads/settings/", form, follow=True)
    assert "Instellingen opgeslagen." in response.text
    config = lead_settings_for(cast.studio)
    assert (
        config.sla_minutes == 30
        and config.opening_hours["0"] == [["06:30", "22:00"]]
        and config.opening_hours["6"] == []
    )


def test_opening_hours_that_close_before_opening_are_refused_in_dutch(cast):
    form = {
        "action": "settings",
        "sla_minutes": "60",
        "opens_0": "21:00",
        "closes_0": "07:00",
        "opens_1": "09:00",
    }
    response = client_for(cast.owner).post("/app/kracht-utrecht/leads/settings/", form)
    assert "sluit de studio voordat hij opengaat" in response.text
    assert "beide tijden in" in response.text
    assert lead_settings_for(cast.studio).opening_hours["0"] == [["07:00", "21:00"]]


def test_owner_connects_a_meta_page_from_the_back_office(cast):
    response = client_for(cast.owner).post(
        "/app/kracht-utrecht/leads/koppelingen/",
        {"action": "meta", "page_id": "123456", "page_token": "tok", "name": "Kracht Utrecht"},
        follow=True,
    )
    assert "Meta-pagina gekoppeld." in response.text
    assert MetaPage.objects.for_studio(cast.studio).get().page_id == "123456"


def test_coaches_do_not_reach_the_settings(cast):
    assert client_for(cast.coach).get("/app/kracht-utrecht/leads/settings/").status_code == 404


def test_a_failed_delivery_can_be_retried_from_the_back_office(cast):
    event = InboundEvent.objects.create(
        studio=cast.studio, provider="generic", dedupe_key="x", status="failed", error="boom",
        payload={"external_id": "x", "email": "eva@example.nl", "source": "website"},
    )  # fmt: skip
    page = client_for(cast.owner).get("/app/kracht-utrecht/leads/events/")
    assert "boom" in page.text
    client_for(cast.owner).post(f"/app/kracht-utrecht/leads/events/{event.pk}/retry/")
    run_tasks()
    event.refresh_from_db()
    assert event.status == "processed" and Lead.objects.for_studio(cast.studio).count() == 1


def test_another_studios_event_cannot_be_retried(cast):
    theirs = InboundEvent.objects.create(
        studio=cast.other_studio, provider="generic", dedupe_key="y", status="failed", payload={}
    )
    assert (
        client_for(cast.owner).post(f"/app/kracht-utrecht/leads/events/{theirs.pk}/retry/").status_code == 404
    )
