import re

import pytest
from django.test import Client

from vollegym.core.testing import client_for
from vollegym.intake.models import IntakeResponse, QuestionnaireVersion
from vollegym.intake.presets import preset
from vollegym.intake.selectors import current_version
from vollegym.intake.services import questionnaire_install, questionnaire_publish
from vollegym.leads.models import Lead
from vollegym.people.models import ConsentEntry
from vollegym.programs.models import Program
from vollegym.programs.services import program_create
from vollegym.studios.models import Studio
from vollegym.studios.services import studio_create

pytestmark = pytest.mark.django_db

CONTACT = {"name": "Eva de Boer", "phone": "06 12345678", "email": "eva@example.nl", "contact": "on"}


@pytest.fixture
def pt_intake(cast):
    return questionnaire_install(studio=cast.studio, kind="pt")


def start(client, slug="kracht-utrecht", **overrides):
    data = {**CONTACT, **overrides}
    return client.post(f"/s/{slug}/intake/", data)


def walk(client, location, steps):
    for answers in steps:
        response = client.post(location, answers)
        assert response.status_code == 302, response.content.decode()[:2000]
        location = response["Location"]
    return location


PT_ANSWERS: list[dict[str, object]] = [
    {"goal": "sterker", "goal_words": "Weer zware boodschappen tillen zonder rugpijn"},
    {"why_now": "Mijn dochter gaat trouwen in juni"},
    {"tried": ["sportschool", "apps"], "stopped": "Geen begeleiding", "looking_for": "begeleiding"},
    {"availability": ["ma_ochtend", "wo_avond"]},
    {"health": ["gewrichten"], "health_note": "Onderrug", "health_consent": "on"},
    {"start": "nu", "commitment": "9", "investment": "150_300"},
]


def test_the_contact_step_makes_a_lead_at_once_with_its_clock_and_consent(cast, pt_intake, client):
    response = start(client)
    assert response.status_code == 302 and re.match(
        r"^/s/kracht-utrecht/intake/[\w-]+/goal/$", response["Location"]
    )
    lead = Lead.objects.for_studio(cast.studio).get()
    assert lead.phone == "+31612345678" and lead.due_at is not None and lead.form == "intake v1"
    consent = ConsentEntry.objects.for_studio(cast.studio).get(person=lead.person)
    assert (
        consent.wording
        == "Ja, Kracht Utrecht mag contact met mij opnemen over mijn aanvraag (telefoon, e-mail of WhatsApp)."
    )


def link_first_offer(studio: Studio, *, price_cents: int = 129500) -> Program:
    """What an owner does to give the plan a price: the first offer stands for a program, at its price of today."""
    version = current_version(studio)
    assert version is not None
    program = program_create(
        studio=studio, price_cents=price_cents,
        program=Program(name="Transformatie 12 weken", promise="In twaalf weken sterker", weeks=12),
    )  # fmt: skip
    definition = version.content.model_dump()
    definition["offers"][0]["program"] = program.pk
    questionnaire_publish(questionnaire=version.questionnaire, definition=definition, by=None)
    return program


def test_a_full_intake_scores_the_lead_and_shows_the_plan_with_its_price_last(cast, pt_intake, client):
    link_first_offer(cast.studio)
    location = start(client)["Location"]
    goal_page = client.get(location).text
    assert "Wat wil je vooral bereiken?" in goal_page and "€" not in goal_page
    plan = walk(client, location, PT_ANSWERS)
    assert plan.endswith("/plan/")
    page = client.get(plan).text
    assert "Transformatie 12 weken" in page and "€ 1.295,00" in page
    response = IntakeResponse.objects.for_studio(cast.studio).get()
    assert response.completed_at is not None and response.temperature == "hot" and not response.disqualified
    assert any("Duidelijk doel" in r for r in response.reasons)
    assert any("Onderrug" in v for v in Lead.objects.for_studio(cast.studio).get().answers.values())
    coach_view = client_for(cast.coach).get(f"/app/kracht-utrecht/leads/{response.lead_id}/").text
    assert (
        f"score {response.score}" in coach_view
        and ">Heet<" in coach_view
        and "Let op, vraag ernaar" in coach_view
    )


def test_a_cheap_gym_seeker_is_marked_not_hidden(cast, pt_intake, client):
    location = start(client)["Location"]
    steps = [{**a} for a in PT_ANSWERS]
    steps[2]["looking_for"] = "goedkoop"
    steps[5] = {"start": "orienteren", "commitment": "3", "investment": "tot50"}
    walk(client, location, steps)
    response = IntakeResponse.objects.for_studio(cast.studio).get()
    assert response.disqualified and response.temperature == "cold"
    assert "Gemarkeerd: Zoekt vooral een goedkope sportschool" in response.reasons
    assert Lead.objects.for_studio(cast.studio).open().count() == 1


def test_bad_input_gets_dutch_messages_and_keeps_what_was_typed(cast, pt_intake, client):
    page = start(client, phone="", email="", contact="").content.decode()
    assert "Vul je telefoonnummer of e-mailadres in" in page
    assert "Zonder deze toestemming kunnen we je niet bereiken." in page
    assert 'value="Eva de Boer"' in page
    location = start(client)["Location"]
    readiness = location.replace("/goal/", "/readiness/")
    page = client.post(readiness, {"start": "nu", "commitment": "11"}).content.decode()
    assert "hoogstens 10" in page and 'value="11"' in page
    assert "Dit veld is verplicht." in page


def test_an_abandoned_intake_still_leaves_the_lead_with_what_was_answered(cast, pt_intake, client):
    location = start(client)["Location"]
    walk(client, location, PT_ANSWERS[:1])
    lead = Lead.objects.for_studio(cast.studio).get()
    assert lead.answers["Wat wil je vooral bereiken?"] == "Sterker worden"
    assert IntakeResponse.objects.for_studio(cast.studio).get().completed_at is None


def test_the_honeypot_stores_nothing(cast, pt_intake, client):
    response = start(client, website="http://spam.example")
    assert response.status_code == 302 and response["Location"] == "/s/kracht-utrecht/intake/"
    assert Lead.objects.for_studio(cast.studio).count() == 0


def test_too_many_intakes_from_one_address_are_refused(cast, pt_intake, client):
    for n in range(5):
        assert start(client, email=f"p{n}@example.nl", phone="").status_code == 302
    page = start(client, email="p9@example.nl", phone="").content.decode()
    assert "Probeer het over tien minuten opnieuw" in page
    assert Lead.objects.for_studio(cast.studio).count() == 5


def test_csrf_is_enforced(cast, pt_intake):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/s/kracht-utrecht/intake/", CONTACT).status_code == 403


def test_answers_stay_with_the_version_they_answered(cast, pt_intake, client):
    location = start(client)["Location"]
    edited = preset("pt").model_dump()
    edited["steps"][0]["questions"][0]["label"] = "Wat is je grootste doel?"
    questionnaire_publish(questionnaire=pt_intake, definition=edited, by=cast.owner)
    assert QuestionnaireVersion.objects.for_studio(cast.studio).count() == 2
    assert "Wat wil je vooral bereiken?" in client.get(location).text  # the running intake keeps version 1
    fresh = start(Client(), email="nieuw@example.nl", phone="")["Location"]
    assert "Wat is je grootste doel?" in Client().get(fresh).text


def test_another_studios_token_is_404(cast, pt_intake, client):
    location = start(client)["Location"]
    questionnaire_install(studio=cast.other_studio, kind="pt")
    assert client.get(location.replace("kracht-utrecht", "andere-studio")).status_code == 404


def test_the_agency_intake_on_the_site_captures_studio_owners(client):
    agency = studio_create(name="Volle Gym", slug="volle-gym")
    questionnaire_install(studio=agency, kind="agency")
    page = client.get("/intake/").text
    assert "Intake voor studio-eigenaren" in page and "Volle Gym mag contact met mij opnemen" in page
    location = client.post("/intake/", CONTACT)["Location"]
    assert location.startswith("/intake/") and location.endswith("/studio/")
    plan = walk(client, location, [
        {"studio_type": "small_group", "studio_name": "Kracht Utrecht", "members": "80"},
        {"open_spots": "12", "leads_per_month": "40", "response_speed": "dagen"},
        {"goal": "rooster", "goal_words": "Elke week volle groepen", "start": "nu"},
    ])  # fmt: skip
    page = client.get(plan).text
    assert "waar in jouw studio de meeste groei zit" in page and "<h2>Volle groepen</h2>" in page
    lead = Lead.objects.for_studio(agency).get()
    assert lead.answers["Hoeveel plekken staan er per week open?"] == "12"


def test_a_studio_without_a_questionnaire_has_no_intake(cast, client):
    assert client.get("/s/kracht-utrecht/intake/").status_code == 404
    assert client.get("/intake/").status_code == 404


def test_the_first_step_is_indexable_and_the_personal_steps_are_not(cast, pt_intake, client):
    first = client.get("/s/kracht-utrecht/intake/").text
    assert (
        "noindex" not in first
        and '<link rel="canonical" href="http://testserver/s/kracht-utrecht/intake/">' in first
    )
    location = start(client)["Location"]
    assert '<meta name="robots" content="noindex">' in client.get(location).text
