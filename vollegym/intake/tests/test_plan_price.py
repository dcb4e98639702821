"""The plan's price is the program's price of today: no offer of the intake names a price of its own, and a prospect
who answered in euros per month reads the plan per month too, with a smaller start where the plan is above that."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
import time_machine
from django.test import Client

from vollegym.core.management.commands.demo import load_demo_data
from vollegym.intake import selectors
from vollegym.intake.presets import preset
from vollegym.intake.services import questionnaire_install, questionnaire_publish
from vollegym.intake.tests.test_public_intake import PT_ANSWERS, start, walk
from vollegym.programs.models import Program
from vollegym.programs.services import program_create, program_price_set
from vollegym.studios.models import Studio

pytestmark = pytest.mark.django_db

# The first prices hold from the first of January; the transformation costs more from the first of August.
JAN = datetime.fromisoformat("2026-01-05T10:00:00+01:00")
AUGUST = datetime.fromisoformat("2026-08-10T10:00:00+02:00")


def program(studio: Studio, name: str, weeks: int, price_cents: int, **fields: Any) -> Program:
    with time_machine.travel(JAN, tick=False):
        return program_create(
            studio=studio, program=Program(name=name, promise=f"{name}: de belofte", weeks=weeks, **fields),
            price_cents=price_cents, effective_from=date(2026, 1, 1),
        )  # fmt: skip


@pytest.fixture
def programs(cast) -> dict[str, Program]:
    transformation = program(cast.studio, "Transformatie 12 weken", 12, 119500)
    with time_machine.travel(JAN, tick=False):
        program_price_set(
            program=transformation, amount_cents=129500, effective_from=date(2026, 8, 1), by=cast.owner
        )
    return {
        "transformatie": transformation,  # € 1.295,00 for 12 weeks: about € 468 a month
        "sterk": program(cast.studio, "Sterk in 8 weken", 8, 49500),  # about € 268 a month
        "lidmaatschap": program(
            cast.studio, "Small group lidmaatschap", 4, 14900, kind=Program.Kind.MEMBERSHIP
        ),  # € 149,00 per 4 weeks: about € 161 a month
    }


def offer(linked: Program, goals: list[str]) -> dict[str, Any]:
    return {"name": linked.name, "promise": "", "weeks": linked.weeks, "sessions_per_week": 2,
            "price_cents": 0, "fits_goals": goals, "program": linked.pk}  # fmt: skip


def intake_with(studio: Studio, offers: list[dict[str, Any]]) -> None:
    """The PT intake, published again with these offers (as the owner links them in the editor)."""
    questionnaire = questionnaire_install(studio=studio, kind="pt")
    definition = preset("pt").model_dump()
    definition["offers"] = offers
    questionnaire_publish(questionnaire=questionnaire, definition=definition, by=None)


def plan_page(
    slug: str = "kracht-utrecht",
    *,
    goal: str = "sterker",
    investment: str = "150_300",
    email: str = "eva@example.nl",
) -> str:
    """A new prospect's way through the PT intake, up to the plan."""
    visitor = Client()
    answers = [dict(a) for a in PT_ANSWERS]
    answers[0]["goal"], answers[5]["investment"] = goal, investment
    location = walk(visitor, start(visitor, slug, email=email)["Location"], answers)
    assert location.endswith("/plan/")
    return visitor.get(location).text


def test_the_demo_plan_shows_the_programs_price_of_today_after_its_raise_not_the_presets():
    # The demo's transformation cost € 1.195,00 and costs € 1.295,00 since the first of August; its 8-week
    # strength program went from € 449,00 to € 495,00 in April.
    with time_machine.travel(datetime.fromisoformat("2026-12-01T09:00:00+01:00"), tick=False):
        load_demo_data()
        stronger = plan_page("demo", goal="sterker", investment="300plus")
        sport = plan_page("demo", goal="sport", investment="300plus", email="bram@example.nl")
    assert "Transformatie 12 weken" in stronger and "€ 1.295,00" in stronger and "€ 1.195,00" not in stronger
    # Every offer of the demo stands for one of its programs: another goal gets its program's price too.
    assert "Sterk in 8 weken" in sport and "€ 495,00" in sport and "€ 449,00" not in sport


def test_an_offer_without_a_program_shows_no_euro_amount(cast, programs):
    questionnaire_install(studio=cast.studio, kind="pt")  # the ready-made offers stand for no program
    with time_machine.travel(AUGUST, tick=False):
        page = plan_page()
    assert "Transformatie 12 weken" in page and "€" not in page
    assert "De prijs bespreekt je coach met je in het gesprek" in page
    assert page.index("Transformatie 12 weken") < page.index(
        "De prijs bespreekt"
    )  # still where the price goes


def test_a_prospect_with_a_monthly_budget_reads_the_price_per_month_too(cast, programs):
    intake_with(
        cast.studio, [offer(programs["transformatie"], ["sterker"]), offer(programs["lidmaatschap"], [])]
    )
    with time_machine.travel(AUGUST, tick=False):
        transformation = plan_page(investment="300plus")
        membership = plan_page(goal="afvallen", investment="300plus", email="bram@example.nl")
    # € 1.295,00 over 12 weeks: 1295 / 12 × 52 / 12 = 467,64 a month
    assert "€ 1.295,00" in transformation and "ongeveer € 468 per maand" in transformation
    # € 149,00 per 4 weeks: 149 / 4 × 52 / 12 = 161,42 a month
    assert "€ 149,00" in membership and "per 4 weken" in membership
    assert "ongeveer € 161 per maand" in membership
    assert "Of kleiner beginnen" not in transformation + membership  # within a budget without a top

    version = selectors.current_version(cast.studio)
    assert version is not None
    with time_machine.travel(AUGUST, tick=False):
        no_budget = selectors.plan_of(cast.studio, version.content, {"goal": "sterker"})
    assert no_budget.offer is not None and no_budget.offer.price_cents == 129500
    assert no_budget.offer.monthly_cents is None  # no monthly budget given, no month's share shown


def test_a_smaller_plan_is_offered_when_the_price_is_above_the_budget_and_a_cheaper_fitting_offer_exists(
    cast, programs
):
    intake_with(
        cast.studio,
        [offer(programs["transformatie"], ["sterker"]), offer(programs["sterk"], ["sterker"]),
         offer(programs["lidmaatschap"], [])],
    )  # fmt: skip
    with time_machine.travel(AUGUST, tick=False):
        page = plan_page(investment="150_300")  # about € 468 a month is above € 300
    assert "€ 1.295,00" in page and "ongeveer € 468 per maand" in page
    # The studio's first cheaper offer for the goal that fits the budget, with its price and its month.
    assert "Of kleiner beginnen: Sterk in 8 weken" in page
    assert "€ 495,00 voor het hele traject, ongeveer € 268 per maand" in page
    assert page.index("€ 1.295,00") < page.index("Of kleiner beginnen") < page.index("kennismakingsgesprek")

    version = selectors.current_version(cast.studio)
    assert version is not None
    with time_machine.travel(AUGUST, tick=False):
        tight = selectors.plan_of(cast.studio, version.content, {"goal": "sterker", "investment": "50_150"})
    # Nothing fits € 150 a month: the smaller start is the one that comes closest (about € 161 a month).
    assert tight.smaller is not None and tight.smaller.name == "Small group lidmaatschap"
    assert tight.smaller.monthly_cents == 16100


def test_no_smaller_plan_within_the_budget_or_without_a_cheaper_fitting_offer(cast, programs):
    cheap_without_program = {"name": "Buitenbootcamp", "promise": "Samen buiten trainen", "weeks": 4,
                             "sessions_per_week": 2, "price_cents": 1000, "fits_goals": ["afvallen"]}  # fmt: skip
    intake_with(
        cast.studio,
        [offer(programs["transformatie"], ["sterker", "afvallen"]), offer(programs["sterk"], ["sterker"]),
         cheap_without_program],
    )  # fmt: skip
    with time_machine.travel(AUGUST, tick=False):
        within = plan_page(investment="300plus")
        # Above the budget, but the cheaper program is for another goal and the other offer has no price.
        other_goal = plan_page(goal="afvallen", investment="150_300", email="bram@example.nl")
    for page in (within, other_goal):
        assert "ongeveer € 468 per maand" in page and "Of kleiner beginnen" not in page
    assert "Sterk in 8 weken" not in other_goal and "Buitenbootcamp" not in other_goal
