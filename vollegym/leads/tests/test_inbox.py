from datetime import datetime, timedelta

import pytest
import time_machine

from vollegym.core.testing import client_for
from vollegym.leads.models import Lead
from vollegym.leads.services import LeadInput, lead_capture

pytestmark = pytest.mark.django_db

T0 = datetime.fromisoformat("2026-11-24T10:00:00+01:00")


def capture(studio, **fields):
    return lead_capture(studio=studio, data=LeadInput(source=fields.pop("source", "website"), **fields)).lead


def test_inbox_puts_the_longest_waiting_lead_on_top_with_its_countdown(cast):
    with time_machine.travel(T0, tick=False):
        oldest = capture(cast.studio, name="Anna Oud", phone="0612345678")
    with time_machine.travel(T0 + timedelta(minutes=30), tick=False):
        newer = capture(cast.studio, name="Bram Nieuw", email="bram@example.nl", source="meta")
    with time_machine.travel(T0 + timedelta(minutes=75), tick=False):
        page = client_for(cast.coach).get("/app/kracht-utrecht/leads/").text
    assert page.index("Anna Oud") < page.index("Bram Nieuw")
    assert "15 min te laat" in page and "nog 15 min" in page
    assert 'href="tel:+31612345678"' in page
    assert "Meta (Facebook/Instagram)" in page
    assert oldest.pk != newer.pk


def test_logging_a_call_from_the_lead_page_stops_the_clock(cast):
    with time_machine.travel(T0, tick=False):
        lead = capture(cast.studio, name="Eva", phone="0612345678")
    with time_machine.travel(T0 + timedelta(minutes=3), tick=False):
        coach = client_for(cast.coach)
        response = coach.post(
            f"/app/kracht-utrecht/leads/{lead.pk}/contact/",
            {"kind": "call", "outcome": "reached"},
            follow=True,
        )
    assert "Vastgelegd." in response.text
    lead = Lead.objects.for_studio(cast.studio).get()
    assert lead.response_seconds == 180 and lead.stage == "contacted"
    assert "beantwoord" in response.text and "Gebeld" in response.text


def test_the_lead_page_offers_whatsapp_with_a_dutch_message(cast):
    lead = capture(cast.studio, name="Eva de Boer", phone="06 12345678")
    page = client_for(cast.coach).get(f"/app/kracht-utrecht/leads/{lead.pk}/").text
    assert "https://wa.me/31612345678?text=Hoi%20Eva%2C%20met%20" in page


def test_moving_to_lost_without_reason_is_refused_in_dutch(cast):
    lead = capture(cast.studio, phone="0612345678")
    response = client_for(cast.owner).post(
        f"/app/kracht-utrecht/leads/{lead.pk}/stage/", {"stage": "lost", "lost_reason": ""}, follow=True
    )
    assert "geef een reden op" in response.text
    assert Lead.objects.for_studio(cast.studio).get().stage == "new"


def test_another_studios_lead_is_404_through_my_own_studio(cast):
    theirs = capture(cast.other_studio, phone="0612345678")
    mine = client_for(cast.owner)
    assert mine.get(f"/app/kracht-utrecht/leads/{theirs.pk}/").status_code == 404
    assert mine.post(f"/app/kracht-utrecht/leads/{theirs.pk}/contact/", {"kind": "call"}).status_code == 404
    assert Lead.objects.for_studio(cast.other_studio).get().first_contact_at is None


def test_test_leads_and_closed_leads_stay_out_of_the_inbox(cast):
    lead_capture(studio=cast.studio, data=LeadInput(source="google", email="test@example.nl", is_test=True))
    page = client_for(cast.owner).get("/app/kracht-utrecht/leads/").text
    assert "test@example.nl" not in page and "Geen open leads" in page


def test_one_click_logs_a_voicemail(cast):
    lead = capture(cast.studio, name="Eva", phone="0612345678")
    client_for(cast.coach).post(f"/app/kracht-utrecht/leads/{lead.pk}/contact/", {"quick": "call:voicemail"})
    from vollegym.leads.models import Activity

    activity = Activity.objects.for_studio(cast.studio).get(lead=lead, kind="call")
    assert activity.outcome == "voicemail" and activity.by == cast.coach
    assert Lead.objects.for_studio(cast.studio).get().stage == "new"  # a voicemail is an attempt, not a talk


def test_the_pipeline_board_moves_a_lead_with_htmx_and_without(cast):
    lead = capture(cast.studio, name="Eva Bord", phone="0612345678")
    owner = client_for(cast.owner)
    board = owner.get("/app/kracht-utrecht/leads/pipeline/").text
    assert "Eva Bord" in board and 'hx-post="/app/kracht-utrecht/leads/' in board
    partial = owner.post(
        f"/app/kracht-utrecht/leads/{lead.pk}/stage/",
        {"stage": "intake_booked", "next": "pipeline"},
        HTTP_HX_REQUEST="true",
    )
    assert partial.status_code == 200 and partial.text.startswith('<div class="board" id="board">')
    assert Lead.objects.for_studio(cast.studio).get().stage == "intake_booked"
    refused = owner.post(
        f"/app/kracht-utrecht/leads/{lead.pk}/stage/",
        {"stage": "lost", "next": "pipeline"},
        HTTP_HX_REQUEST="true",
    )
    assert "geef een reden op" in refused.text  # losing a lead takes a reason, given on its page
    assert '<option value="lost"' not in board
    plain = owner.post(
        f"/app/kracht-utrecht/leads/{lead.pk}/stage/", {"stage": "intake_held", "next": "pipeline"}
    )
    assert plain["Location"] == "/app/kracht-utrecht/leads/pipeline/"


def test_in_english_a_reached_call_reads_reached_and_the_stage_contacted(cast):
    from django.conf import settings

    lead = capture(cast.studio, name="Eva", phone="0612345678")
    coach = client_for(cast.coach)
    coach.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    coach.post(f"/app/kracht-utrecht/leads/{lead.pk}/contact/", {"quick": "call:reached"})
    page = coach.get(f"/app/kracht-utrecht/leads/{lead.pk}/").text
    assert "Called</strong> · Reached" in page and "· Contacted ·" in page
