"""The agency's own intake at /intake/ ends like a studio's: a proposal from its offers, then a moment to book.

Its offers are the agency's (by where the owner wants to grow); like a studio's they show a price only through a
program of the agency, at its price of today, and otherwise say the price is discussed in the conversation.
"""

from __future__ import annotations

import re

import pytest
import time_machine
from django.test import Client

from vollegym.intake import demo as intake_demo
from vollegym.intake.models import (
    Availability,
    Booking,
    ConsultationType,
    Questionnaire,
    QuestionnaireVersion,
)
from vollegym.intake.presets import PRESETS, preset
from vollegym.intake.selectors import current_version, plan_of
from vollegym.intake.services import questionnaire_install, questionnaire_publish
from vollegym.intake.tests.test_booking import BEFORE_SPRING
from vollegym.intake.tests.test_public_intake import CONTACT, walk
from vollegym.programs.models import Program
from vollegym.programs.services import program_create
from vollegym.studios import demo as studios_demo
from vollegym.studios.models import Studio
from vollegym.studios.services import studio_create

pytestmark = pytest.mark.django_db

GROWTH = {"instroom": "Instroom en opvolging", "opvolging": "Instroom en opvolging",
          "intake": "Een intake zonder proefles", "rooster": "Volle groepen", "houden": "Leden die blijven"}  # fmt: skip


@pytest.fixture
def agency() -> Studio:
    studio = studio_create(name="Volle Gym", slug="volle-gym")
    questionnaire_install(studio=studio, kind="agency")
    return studio


def owner_answers(goal: str) -> list[dict[str, object]]:
    return [
        {"studio_type": "small_group", "studio_name": "Beweeg Amersfoort", "members": "80"},
        {"open_spots": "12", "leads_per_month": "40", "response_speed": "dagen"},
        {"goal": goal, "goal_words": "Elke week volle groepen", "start": "nu"},
    ]


def to_plan(client: Client, goal: str, email: str = "mark@beweeg.nl") -> str:
    location = client.post("/intake/", {**CONTACT, "email": email})["Location"]
    return str(walk(client, location, owner_answers(goal)))


def test_every_growth_goal_gets_the_agencys_offer_for_it_and_no_answer_the_whole_system(agency):
    definition = preset("agency")
    for goal, name in GROWTH.items():
        plan = plan_of(agency, definition, {"goal": goal})
        assert plan.offer is not None and plan.offer.name == name, goal
        assert plan.offer.price_cents is None and plan.smaller is None  # no program: no price of its own
    fallback = plan_of(agency, definition, {})
    assert fallback.offer is not None and fallback.offer.name == "Het hele groeisysteem"


def test_the_agency_preset_names_no_price_of_its_own():
    assert {offer["price_cents"] for offer in PRESETS["agency"]["offers"]} == {0}
    assert all(offer.program is None for offer in preset("agency").offers)


def test_the_owner_reads_a_proposal_for_their_studio_and_no_euro_amount(agency, client):
    page = client.get(to_plan(client, "rooster")).text
    assert "<h1>Ons voorstel voor je studio</h1>" in page
    assert "<h2>Volle groepen</h2>" in page and "structureel vol zitten" in page
    assert "Een traject van 12 weken" in page
    assert "De prijs bespreken we in het gesprek, als we samen weten wat je studio nodig heeft." in page
    assert "€" not in page and "keer per week trainen" not in page  # a studio owner does not train with us
    other = Client()
    assert "<h2>Een intake zonder proefles</h2>" in other.get(to_plan(other, "intake", "eva@kracht.nl")).text


def test_an_agency_offer_that_stands_for_an_agency_program_shows_its_price_of_today(agency, client):
    program = program_create(
        studio=agency, price_cents=99500,
        program=Program(name="Volle groepen in 12 weken", promise="Elke week volle groepen.", weeks=12),
    )  # fmt: skip
    version = current_version(agency)
    assert version is not None
    definition = version.content.model_dump()
    definition["offers"][2]["program"] = program.pk  # "Volle groepen"
    questionnaire_publish(questionnaire=version.questionnaire, definition=definition, by=None)
    page = client.get(to_plan(client, "rooster")).text
    assert "<h2>Volle groepen in 12 weken</h2>" in page and "€ 995,00" in page


def load_agency_demo() -> Studio:
    """The demo's studios and the intake's demo data (without the demo studio's leads: quicker, same agency)."""
    studios_demo.load()
    intake_demo.load()
    return Studio.objects.get(slug="volle-gym")


def test_the_demo_agency_intake_ends_with_a_proposal_and_a_moment_with_the_agency(client):
    with time_machine.travel(BEFORE_SPRING, tick=False):
        agency = load_agency_demo()
        plan = to_plan(client, "houden")
        page = client.get(plan).text
        assert "<h2>Leden die blijven</h2>" in page
        base = plan.removesuffix("plan/")
        assert f'href="{base}gesprek/"' in page  # a moment to pick, not "we nemen contact op"
        picker = client.get(f"{base}gesprek/").text
        assert "Kennismaken met Volle Gym" in picker
        slot = re.search(r'name="slot" value="([^"]+)"', picker)
        assert slot is not None
        response = client.post(f"{base}gesprek/", {"slot": slot.group(1)})
        assert response.status_code == 302 and re.match(
            r"^/s/volle-gym/gesprek/[^/]+/$", response["Location"]
        )
        booked = client.get(response["Location"]).text
    assert "Je gesprek staat gepland" in booked and intake_demo.AGENCY_VIDEO_LINK in booked
    assert f'href="{response["Location"]}agenda.ics"' in booked
    booking = Booking.objects.for_studio(agency).select_related("coach").get()
    assert (
        booking.coach.email == studios_demo.AGENCY_EMAIL
        and booking.kind.place == ConsultationType.Place.VIDEO
    )


def test_loading_the_demo_again_adds_nothing_to_the_agency():
    agency = load_agency_demo()
    counts = (
        QuestionnaireVersion.objects.for_studio(agency).count(),
        ConsultationType.objects.for_studio(agency).count(),
        Availability.objects.for_studio(agency).count(),
    )
    intake_demo.load()
    assert counts == (
        QuestionnaireVersion.objects.for_studio(agency).count(),
        ConsultationType.objects.for_studio(agency).count(),
        Availability.objects.for_studio(agency).count(),
    )
    assert counts[1] == 1 and counts[2] == len(intake_demo.AGENCY_HOURS)


def test_a_demo_database_from_before_gets_the_agency_intake_with_its_offers():
    studios_demo.load()
    agency = Studio.objects.get(slug="volle-gym")
    old = {**PRESETS["agency"], "offers": [], "plan_title": "Dank je wel"}
    old["steps"] = [
        {**step, "questions": [q for q in step["questions"] if q["key"] != "goal"]} for step in old["steps"]
    ]
    questionnaire = Questionnaire.objects.create(studio=agency, name="Intake", kind=Questionnaire.Kind.AGENCY)
    QuestionnaireVersion.objects.create(studio=agency, questionnaire=questionnaire, number=1, definition=old)
    intake_demo.load()
    version = current_version(agency)
    assert version is not None and version.number == 2 and version.content.offers
    assert version.content.question("goal") is not None
