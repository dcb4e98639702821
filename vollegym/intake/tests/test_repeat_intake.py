"""The same person fills in the intake again: both submissions are kept and shown with their dates, and a consent
already given in the same words is not written again (the ledger keeps one line for one yes)."""

from __future__ import annotations

from datetime import datetime

import pytest
import time_machine
from django.test import Client

from vollegym.core.testing import client_for
from vollegym.intake.models import IntakeResponse
from vollegym.intake.tests.test_public_intake import PT_ANSWERS, start, walk
from vollegym.leads.models import Lead
from vollegym.leads.services import ConsentInput, LeadInput, lead_capture
from vollegym.people.models import ConsentEntry, How, Purpose
from vollegym.people.services import consent_record, consent_stands

pytestmark = pytest.mark.django_db

FIRST = datetime.fromisoformat("2026-11-24T10:00:00+01:00")
META = datetime.fromisoformat("2026-11-25T12:00:00+01:00")
SECOND = datetime.fromisoformat("2026-11-26T19:30:00+01:00")
INTAKE_CONTACT = (
    "Ja, Kracht Utrecht mag contact met mij opnemen over mijn aanvraag (telefoon, e-mail of WhatsApp)."
)


@pytest.fixture
def pt_intake(cast):
    from vollegym.intake.services import questionnaire_install

    return questionnaire_install(studio=cast.studio, kind="pt")


def intake(at: datetime, goal_words: str, **contact: str) -> None:
    answers = [dict(step) for step in PT_ANSWERS]
    answers[0]["goal_words"] = goal_words
    with time_machine.travel(at, tick=False):
        client = Client()
        walk(client, start(client, **contact)["Location"], answers)


def ledger(cast) -> list[tuple[str, bool, str]]:
    return list(
        ConsentEntry.objects.for_studio(cast.studio)
        .order_by("at", "id")
        .values_list("purpose", "given", "wording")
    )


def test_a_second_intake_keeps_the_first_and_writes_no_consent_twice(cast, pt_intake):
    intake(FIRST, "Weer zware boodschappen tillen zonder rugpijn", whatsapp="on")
    person = Lead.objects.for_studio(cast.studio).get().person
    with time_machine.travel(META, tick=False):  # in between, an ad's form with its own words
        lead_capture(
            studio=cast.studio,
            data=LeadInput(
                source="meta", phone="0612345678",
                consents=[ConsentInput(Purpose.CONTACT, "Ik wil gebeld worden over de actie.", True, "meta")],
            ),
        )  # fmt: skip
    intake(SECOND, "Tweede keer: nu echt, voor de bruiloft", whatsapp="on")
    entries = ledger(cast)
    assert entries.count((Purpose.CONTACT, True, INTAKE_CONTACT)) == 1
    assert [p for p, _given, _words in entries].count(Purpose.WHATSAPP) == 1
    assert [p for p, _given, _words in entries].count(Purpose.HEALTH) == 1
    assert len(entries) == 4  # contact and WhatsApp in the intake, the ad's contact, health
    contact = ConsentEntry.objects.for_studio(cast.studio).filter(wording=INTAKE_CONTACT).get()
    assert contact.wording_version == "intake v1"
    responses = IntakeResponse.objects.for_studio(cast.studio).filter(person=person).order_by("created_at")
    assert [r.answers["goal_words"] for r in responses] == [
        "Weer zware boodschappen tillen zonder rugpijn",
        "Tweede keer: nu echt, voor de bruiloft",
    ]


def test_the_lead_and_the_person_show_each_submission_with_its_date(cast, pt_intake):
    intake(FIRST, "Weer zware boodschappen tillen zonder rugpijn")
    intake(SECOND, "Tweede keer: nu echt, voor de bruiloft")
    lead = Lead.objects.for_studio(cast.studio).get()  # the same open lead: one person, one question
    owner = client_for(cast.owner)
    page = owner.get(f"/app/kracht-utrecht/leads/{lead.pk}/").text
    panel = page.split('class="submissions"')[1].split("</ol>")[0]
    newest, first = panel.split("<li>")[1:3]
    assert "Intake ingevuld op" in newest and "26 november 2026, 19:30" in newest
    assert "Tweede keer: nu echt, voor de bruiloft" in newest
    assert "24 november 2026, 10:00" in first and "Weer zware boodschappen tillen zonder rugpijn" in first
    person_page = owner.get(f"/app/kracht-utrecht/personen/{lead.person_id}/").text
    assert "Weer zware boodschappen tillen zonder rugpijn" in person_page
    assert "Tweede keer: nu echt, voor de bruiloft" in person_page


def test_a_consent_withdrawn_in_between_is_given_again_by_the_next_intake(cast, pt_intake):
    intake(FIRST, "Sterker worden", whatsapp="on")
    person = Lead.objects.for_studio(cast.studio).get().person
    with time_machine.travel(META, tick=False):
        consent_record(person=person, purpose=Purpose.WHATSAPP, given=False, how=How.UNSUBSCRIBE)
    intake(SECOND, "Toch weer", whatsapp="on")
    whatsapp = [(given, words) for purpose, given, words in ledger(cast) if purpose == Purpose.WHATSAPP]
    assert [given for given, _words in whatsapp] == [True, False, True]


def test_an_answer_stands_while_it_is_the_latest_and_its_words_were_agreed_since_the_last_no():
    assert not consent_stands([], given=True, wording="A")
    assert consent_stands([(True, "A")], given=True, wording="A")
    assert consent_stands([(True, "A"), (True, "B")], given=True, wording="A")
    assert not consent_stands([(True, "A"), (False, ""), (True, "B")], given=True, wording="A")
    assert not consent_stands([(True, "A")], given=False, wording="")
    assert consent_stands([(True, "A"), (False, "")], given=False, wording="Afgemeld")
    assert not consent_stands([(True, "A")], given=True, wording="A, in nieuwe woorden")
