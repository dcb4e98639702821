import pytest

from vollegym.core.testing import client_for
from vollegym.intake.definition import Definition
from vollegym.intake.models import Questionnaire, QuestionnaireVersion
from vollegym.intake.selectors import current_version
from vollegym.intake.services import questionnaire_install

pytestmark = pytest.mark.django_db


def content_of(studio) -> Definition:
    version = current_version(studio)
    assert version is not None
    return version.content


def test_owner_picks_a_ready_made_questionnaire(cast):
    owner = client_for(cast.owner)
    assert "Kies een vragenlijst" in owner.get("/app/kracht-utrecht/intake/").text
    owner.post("/app/kracht-utrecht/intake/kiezen/", {"kind": "small_group"})
    assert content_of(cast.studio).title == "Intake small group training"
    owner.post("/app/kracht-utrecht/intake/kiezen/", {"kind": "pt"})
    assert content_of(cast.studio).title == "Intake personal training"
    assert Questionnaire.objects.for_studio(cast.studio).filter(is_active=True).count() == 1


def test_editing_publishes_a_new_version_with_the_changes(cast):
    questionnaire_install(studio=cast.studio, kind="pt")
    owner = client_for(cast.owner)
    page = owner.get("/app/kracht-utrecht/intake/bewerken/")
    form = dict(page.context["form"].initial)
    form.update(
        {name: field.initial for name, field in page.context["form"].fields.items() if name not in form}
    )
    form = {k: ("on" if v is True else v) for k, v in form.items() if v is not False and v is not None}
    form["q.goal.label"] = "Wat is je grootste doel?"
    form["o.looking_for.goedkoop.points"] = "-20"
    form["offer.0.promise"] = "In twaalf weken sterker, en dat houd je daarna zelf vol."
    response = owner.post("/app/kracht-utrecht/intake/bewerken/", form, follow=True)
    assert "Versie 2 staat online." in response.text
    content = content_of(cast.studio)
    goal, looking_for = content.step("goal"), content.question("looking_for")
    assert goal is not None and looking_for is not None
    assert goal.questions[0].label == "Wat is je grootste doel?"
    assert content.offers[0].promise == "In twaalf weken sterker, en dat houd je daarna zelf vol."
    assert looking_for.options[2].points == -20
    assert QuestionnaireVersion.objects.for_studio(cast.studio).count() == 2


def test_the_editor_says_an_offer_shows_a_price_only_through_a_program(cast):
    from vollegym.intake.editing import QuestionnaireForm
    from vollegym.programs.tests.test_prices_and_enrolment import make_program

    questionnaire_install(studio=cast.studio, kind="pt")
    owner = client_for(cast.owner)
    page = owner.get("/app/kracht-utrecht/intake/bewerken/")
    # No price of the intake's own to type (the plan would never show it), a program to choose instead.
    assert not [name for name in page.context["form"].fields if name.endswith(".price")]
    assert "Alleen een aanbod met een programma toont een prijs" in page.text
    assert "geen programma: geen prijs in het plan" in page.text

    # An offer that stands for a program no longer for sale keeps it when the owner saves other changes.
    stopped = make_program(cast.studio, name="Oud programma", is_active=False)
    definition = content_of(cast.studio).model_dump()
    definition["offers"][0]["program"] = stopped.pk
    form = QuestionnaireForm(definition=Definition.model_validate(definition), programs=[])
    select = str(form["offer.0.program"])
    assert f'value="{stopped.pk}" selected>Een programma dat niet meer te koop is (geen prijs)' in select


def test_coaches_see_the_intake_but_do_not_edit_it(cast):
    questionnaire_install(studio=cast.studio, kind="pt")
    coach = client_for(cast.coach)
    assert "Vragen bewerken" not in coach.get("/app/kracht-utrecht/intake/").text
    assert coach.get("/app/kracht-utrecht/intake/bewerken/").status_code == 404
    assert coach.post("/app/kracht-utrecht/intake/kiezen/", {"kind": "pt"}).status_code == 404


def test_the_overview_reads_every_version_in_one_query(cast, django_assert_max_num_queries):
    questionnaire = questionnaire_install(studio=cast.studio, kind="pt", by=cast.owner)
    from vollegym.intake.presets import preset
    from vollegym.intake.services import questionnaire_publish

    for _ in range(3):
        questionnaire_publish(
            questionnaire=questionnaire, definition=preset("pt").model_dump(), by=cast.owner
        )
    owner = client_for(cast.owner)
    owner.get("/app/kracht-utrecht/intake/")  # warm the session
    # Without select_related it is one more per version; the nav's two unread counts are two of these.
    with django_assert_max_num_queries(10):
        page = owner.get("/app/kracht-utrecht/intake/").text
    assert page.count("versie 4") == 2 and "versie 1 ·" in page


def test_an_offer_linked_to_a_program_shows_the_programs_price_of_today(cast, client):
    from datetime import date, datetime

    import time_machine

    from vollegym.intake.models import QuestionnaireVersion
    from vollegym.intake.tests.test_public_intake import PT_ANSWERS, start, walk
    from vollegym.programs.services import program_price_set
    from vollegym.programs.tests.test_prices_and_enrolment import JAN, make_program

    questionnaire_install(studio=cast.studio, kind="pt")
    program = make_program(cast.studio, name="Sterk in 12 weken", price_cents=129500)
    with time_machine.travel(JAN, tick=False):
        program_price_set(
            program=program, amount_cents=139500, effective_from=date(2026, 3, 1), by=cast.owner
        )
    owner = client_for(cast.owner)
    form = owner.get("/app/kracht-utrecht/intake/bewerken/").content.decode()
    assert "Sterk in 12 weken" in form
    data = {}
    from vollegym.intake.editing import QuestionnaireForm
    from vollegym.intake.selectors import current_version

    current = current_version(cast.studio)
    assert current is not None
    blank = QuestionnaireForm(definition=current.content, programs=[(program.pk, program.name)])
    for name in blank.fields:
        value = blank[name].value()
        if value is None or value is False:
            continue
        data[name] = "on" if value is True else value
    data.update({f"offer.{i}.program": program.pk for i in range(len(current.content.offers))})
    assert owner.post("/app/kracht-utrecht/intake/bewerken/", data).status_code == 302
    newest = QuestionnaireVersion.objects.for_studio(cast.studio).order_by("-number").first()
    assert newest is not None and newest.content.offers[0].program == program.pk
    for moment, price in ((datetime.fromisoformat("2026-02-10T10:00:00+01:00"), "€ 1.295,00"),
                          (datetime.fromisoformat("2026-03-10T10:00:00+01:00"), "€ 1.395,00")):  # fmt: skip
        with time_machine.travel(moment, tick=False):
            visitor = type(client)()
            plan = walk(visitor, start(visitor, email=f"p{price[2]}@example.nl")["Location"], PT_ANSWERS)
            page = visitor.get(plan).text
        assert "Sterk in 12 weken" in page and price in page
