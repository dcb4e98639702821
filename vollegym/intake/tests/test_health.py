"""Health answers are special-category data: kept only with explicit consent; red flags send to the huisarts first."""

from datetime import date

import pytest

from vollegym.core.testing import client_for
from vollegym.intake.models import IntakeResponse
from vollegym.intake.services import questionnaire_install
from vollegym.intake.tests.test_public_intake import CONTACT, PT_ANSWERS, walk
from vollegym.leads.models import Lead
from vollegym.people.models import ConsentEntry
from vollegym.people.selectors import consent_state
from vollegym.programs.models import Enrolment, Program
from vollegym.programs.services import ProgramError, enrolment_create, program_create

pytestmark = pytest.mark.django_db

BEFORE_HEALTH = PT_ANSWERS[:4]
READINESS = PT_ANSWERS[5]


@pytest.fixture
def pt_intake(cast):
    return questionnaire_install(studio=cast.studio, kind="pt")


def intake(client, health: dict[str, object]) -> str:
    location = client.post("/s/kracht-utrecht/intake/", CONTACT)["Location"]
    return str(walk(client, location, [*BEFORE_HEALTH, health, READINESS]))


def test_health_answers_without_consent_are_not_stored_at_all(cast, pt_intake, client):
    intake(client, {"health": ["borst"], "health_note": "Pijn bij traplopen"})
    response = IntakeResponse.objects.for_studio(cast.studio).get()
    assert not {"health", "health_note"} & set(response.answers)
    assert response.health_flags == [] and "Pijn bij traplopen" not in str(response.reasons)
    lead = Lead.objects.for_studio(cast.studio).get()
    assert "Pijn bij traplopen" not in str(lead.answers) and not lead.needs_clearance
    assert consent_state(lead.person, cast.studio.pk)["health"] is False


def test_a_red_flag_with_consent_advises_the_huisarts_marks_the_lead_and_guards_enrolment(
    cast, pt_intake, client
):
    plan = intake(
        client, {"health": ["borst", "duizelig"], "health_note": "Bij traplopen", "health_consent": "on"}
    )
    page = client.get(plan).text
    assert "Eerst even langs je huisarts" in page and "pijn op de borst" in page
    response = IntakeResponse.objects.for_studio(cast.studio).get()
    assert len(response.health_flags) == 2 and response.answers["health_note"] == "Bij traplopen"
    assert any(r.startswith("Eerst akkoord van de huisarts") for r in response.reasons)
    lead = Lead.objects.for_studio(cast.studio).get()
    assert lead.needs_clearance
    entry = ConsentEntry.objects.for_studio(cast.studio).get(person=lead.person, purpose="health")
    assert entry.given and "gezondheid" in entry.wording and entry.wording_version == "intake v1"
    coach = client_for(cast.coach)
    assert "eerst huisarts" in coach.get("/app/kracht-utrecht/leads/").text
    assert "Eerst akkoord van de huisarts." in coach.get(f"/app/kracht-utrecht/leads/{lead.pk}/").text

    program = program_create(
        studio=cast.studio, program=Program(name="Transformatie", weeks=12), price_cents=119500, by=cast.owner
    )
    with pytest.raises(ProgramError, match="huisarts"):
        enrolment_create(lead=lead, program=program, starts_on=date.today(), by=cast.coach)
    assert not Enrolment.objects.for_studio(cast.studio).exists()
    enrol_page = coach.get(f"/app/kracht-utrecht/leden/inschrijven/{lead.pk}/")
    assert enrol_page.status_code == 200 and "huisarts gaf akkoord" in enrol_page.text
    enrolment_create(lead=lead, program=program, starts_on=date.today(), by=cast.coach, health_cleared=True)
    lead.refresh_from_db()
    assert lead.clearance_confirmed_at is not None
    assert "eerst huisarts" not in coach.get("/app/kracht-utrecht/leads/").text


def test_a_yes_that_is_no_red_flag_only_asks_the_coach_to_ask(cast, pt_intake, client):
    plan = intake(client, {"health": ["gewrichten"], "health_note": "Knie", "health_consent": "on"})
    assert "huisarts" not in client.get(plan).text
    assert not Lead.objects.for_studio(cast.studio).get().needs_clearance


def test_the_conversation_is_booked_only_after_the_plan_by_the_service_too(cast, pt_intake, client):
    from vollegym.intake.models import ConsultationType
    from vollegym.intake.services import BookingError, booking_make

    client.post("/s/kracht-utrecht/intake/", CONTACT)
    response = IntakeResponse.objects.for_studio(cast.studio).get()
    kind = ConsultationType.objects.create(studio=cast.studio, name="Kennismaking")
    with pytest.raises(BookingError, match="intake af"):
        booking_make(lead=response.lead, kind=kind, starts_at=response.created_at, response=response)


def test_withdrawing_health_consent_through_the_link_removes_the_health_answers(cast, pt_intake, client):
    from vollegym.messaging.services import person_unsubscribe

    intake(client, {"health": ["borst"], "health_note": "Bij traplopen", "health_consent": "on"})
    lead = Lead.objects.for_studio(cast.studio).get()
    assert "Bij traplopen" in str(lead.answers)
    person_unsubscribe(person=lead.person, purpose="health", wording="Ingetrokken via de link")
    response = IntakeResponse.objects.for_studio(cast.studio).get()
    assert not {"health", "health_note"} & set(response.answers) and response.health_flags == []
    lead.refresh_from_db()
    assert "Bij traplopen" not in str(lead.answers)
    assert consent_state(lead.person, cast.studio.pk)["health"] is False


def test_unticking_health_consent_on_a_second_pass_forgets_the_earlier_answers_on_the_lead(
    cast, pt_intake, client
):
    plan = intake(client, {"health": ["gewrichten"], "health_note": "Knie", "health_consent": "on"})
    assert "Knie" in str(Lead.objects.for_studio(cast.studio).get().answers)
    health_page = plan.replace("/plan/", "/health/")
    assert client.post(health_page, {"health": ["gewrichten"], "health_note": "Knie"}).status_code == 302
    assert "Knie" not in str(Lead.objects.for_studio(cast.studio).get().answers)
