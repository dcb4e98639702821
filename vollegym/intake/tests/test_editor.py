"""The owner's intake editor (issue 10, item 16): questions and answers added, removed and moved, each change a new
version; answers already given stay readable and scored; the health consent stays; a preview that stores nothing;
only the questionnaires meant for the studio's kind; another studio's questionnaire is a 404."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from vollegym.core.testing import assert_other_studio_gets_404, client_for, make_staff, make_studio
from vollegym.intake.definition import Definition
from vollegym.intake.models import Booking, IntakeResponse, Questionnaire, QuestionnaireVersion
from vollegym.intake.selectors import current_version
from vollegym.intake.services import (
    QuestionInput,
    QuestionnaireChanged,
    QuestionnaireError,
    availability_set,
    option_add,
    option_move,
    option_remove,
    question_add,
    question_move,
    question_remove,
    questionnaire_install,
)
from vollegym.intake.tests.test_booking import EVERY_DAY, make_kind
from vollegym.intake.tests.test_public_intake import PT_ANSWERS, start, walk
from vollegym.leads.models import Lead
from vollegym.messaging.models import Message
from vollegym.people.models import ConsentEntry, DomainEvent, Person
from vollegym.studios.models import StaffMembership, Studio

pytestmark = pytest.mark.django_db

BASE = "/app/kracht-utrecht/intake"


@pytest.fixture
def pt(cast) -> Questionnaire:
    return questionnaire_install(studio=cast.studio, kind="pt")


def content(studio: Studio) -> Definition:
    version = current_version(studio)
    assert version is not None
    return version.content


def keys(studio: Studio, step: str) -> list[str]:
    found = content(studio).step(step)
    assert found is not None
    return [q.key for q in found.questions]


def values(studio: Studio, key: str) -> list[str]:
    question = content(studio).question(key)
    assert question is not None
    return [o.value for o in question.options]


def versions(studio: Studio) -> int:
    return QuestionnaireVersion.objects.for_studio(studio).count()


def refused(call: Any, **kwargs: Any) -> str:
    with pytest.raises(QuestionnaireError) as caught:
        call(**kwargs)
    return caught.value.reason


# ---- the services ---------------------------------------------------------------------------------------------


def test_a_new_question_comes_last_in_its_step_with_a_key_no_version_ever_used(cast, pt):
    asked = QuestionInput(label="  Hoe heet je hond? ", kind="short_text", required=False)
    question_add(questionnaire=pt, step="why", question=asked, by=cast.owner)
    assert keys(cast.studio, "why") == ["why_now", "vraag_1"] and versions(cast.studio) == 2
    added = content(cast.studio).question("vraag_1")
    assert added is not None and added.label == "Hoe heet je hond?" and added.required is False
    question_remove(questionnaire=pt, key="vraag_1", by=cast.owner)
    question_add(questionnaire=pt, step="why", question=asked, by=cast.owner)
    # A new question never takes an old one's key: an answer given to the removed one cannot read as the new one's.
    assert keys(cast.studio, "why") == ["why_now", "vraag_2"]


def test_a_choice_question_gets_its_answers_in_order_and_a_number_its_range_and_points(cast, pt):
    question_add(
        questionnaire=pt, step="tried", by=cast.owner,
        question=QuestionInput(label="Hoe kwam je bij ons?", kind="single", options=("Instagram", "", "Een vriend")),
    )  # fmt: skip
    question_add(
        questionnaire=pt, step="readiness", by=cast.owner,
        question=QuestionInput(label="Hoeveel uur slaap je?", kind="number", minimum=0, maximum=14, points_from=7,
                               points=5),
    )  # fmt: skip
    choice, number = content(cast.studio).question("vraag_1"), content(cast.studio).question("vraag_2")
    assert choice is not None and [(o.value, o.label) for o in choice.options] == [
        ("antwoord_1", "Instagram"),
        ("antwoord_2", "Een vriend"),
    ]
    assert number is not None and (number.minimum, number.maximum, number.points_from, number.points) == (
        0,
        14,
        7,
        5,
    )


def test_the_services_refuse_with_dutch_reasons_and_publish_nothing(cast, pt):
    add = {"questionnaire": pt, "step": "why", "by": cast.owner}
    assert refused(question_add, **add, question=QuestionInput(label="  ", kind="long_text")) == (
        "Een vraag heeft een tekst nodig."
    )
    for options in ((), ("Alleen dit",)):
        reason = refused(
            question_add, **add, question=QuestionInput(label="Welke?", kind="multiple", options=options)
        )
        assert reason == "Een keuzevraag heeft minstens twee antwoorden nodig."
    assert refused(question_add, **add, question=QuestionInput(label="Iets", kind="consent")) == (
        "Kies wat voor vraag het is."
    )
    number = QuestionInput(label="Hoe vaak?", kind="number", points_from=2, points=101)
    assert refused(question_add, **add, question=number) == "Punten liggen tussen -100 en 100."
    option = {"questionnaire": pt, "key": "goal", "by": cast.owner}
    assert refused(option_add, **option, label="Sneller", points=-150) == "Punten liggen tussen -100 en 100."
    assert refused(option_add, **option, label=" ") == "Een antwoord heeft een tekst nodig."
    assert refused(option_add, **{**option, "key": "why_now"}, label="Ja") == (
        "Alleen een keuzevraag heeft antwoorden om uit te kiezen."
    )
    assert versions(cast.studio) == 1


def test_questions_move_within_their_step_and_a_move_past_the_edge_changes_nothing(cast, pt):
    question_move(questionnaire=pt, key="looking_for", direction=-1, by=cast.owner)
    assert keys(cast.studio, "tried") == ["tried", "looking_for", "stopped"]
    question_move(questionnaire=pt, key="tried", direction=1, by=cast.owner)
    assert keys(cast.studio, "tried") == ["looking_for", "tried", "stopped"]
    assert versions(cast.studio) == 3
    question_move(questionnaire=pt, key="looking_for", direction=-1, by=cast.owner)  # already first
    question_move(questionnaire=pt, key="stopped", direction=1, by=cast.owner)  # already last
    assert versions(cast.studio) == 3 and keys(cast.studio, "goal") == ["goal", "goal_words"]


def test_options_are_added_moved_and_removed_and_a_choice_keeps_two(cast, pt):
    option_add(questionnaire=pt, key="start", label="Na de zomer", points=5, by=cast.owner)
    assert values(cast.studio, "start") == ["nu", "maand", "later", "orienteren", "antwoord_1"]
    option_move(questionnaire=pt, key="start", value="antwoord_1", direction=-1, by=cast.owner)
    assert values(cast.studio, "start")[-2:] == ["antwoord_1", "orienteren"]
    option_remove(questionnaire=pt, key="start", value="later", by=cast.owner)
    assert values(cast.studio, "start") == ["nu", "maand", "antwoord_1", "orienteren"]
    option_remove(questionnaire=pt, key="start", value="antwoord_1", by=cast.owner)
    option_add(questionnaire=pt, key="start", label="Volgend jaar", by=cast.owner)
    assert values(cast.studio, "start")[-1] == "antwoord_2"  # not the removed answer's value
    question_add(
        questionnaire=pt, step="why", by=cast.owner,
        question=QuestionInput(label="Eerder bij ons?", kind="single", options=("Ja", "Nee")),
    )  # fmt: skip
    assert refused(option_remove, questionnaire=pt, key="vraag_1", value="antwoord_1", by=cast.owner) == (
        "Een keuzevraag houdt minstens twee antwoorden."
    )


def test_a_new_answer_on_the_health_step_asks_for_a_note_like_the_others(cast, pt):
    option_add(questionnaire=pt, key="health", label="Een recente operatie", by=cast.owner)
    option_add(questionnaire=pt, key="goal", label="Beter slapen", by=cast.owner)
    health, goal = content(cast.studio).question("health"), content(cast.studio).question("goal")
    assert health is not None and health.options[-1].needs_note is True
    assert goal is not None and goal.options[-1].needs_note is False


def test_the_health_consent_stays_and_every_step_keeps_a_question(cast, pt):
    reason = refused(question_remove, questionnaire=pt, key="health_consent", by=cast.owner)
    assert "zonder die vraag mogen de antwoorden over gezondheid niet bewaard worden (AVG)" in reason
    assert refused(question_remove, questionnaire=pt, key="why_now", by=cast.owner) == (
        "Een stap houdt minstens één vraag."
    )
    question_remove(questionnaire=pt, key="health_note", by=cast.owner)  # a health question itself may go
    assert keys(cast.studio, "health") == ["health", "health_consent"]


def test_one_week_grid_is_enough_and_it_keeps_the_key_the_open_spots_match_on(cast, pt):
    grid = QuestionInput(label="Wanneer train je?", kind="availability")
    reason = refused(question_add, questionnaire=pt, step="readiness", question=grid, by=cast.owner)
    assert reason == "Deze intake vraagt al naar de week; één weekrooster is genoeg."
    question_add(questionnaire=pt, step="availability", question=QuestionInput(label="Opmerking", kind="short_text",
                 required=False), by=cast.owner)  # fmt: skip
    question_remove(questionnaire=pt, key="availability", by=cast.owner)
    question_add(questionnaire=pt, step="readiness", question=grid, by=cast.owner)
    assert keys(cast.studio, "readiness")[-1] == "availability"


def test_a_change_to_a_version_that_moved_on_is_refused(cast, pt):
    question_move(questionnaire=pt, key="stopped", direction=-1, by=cast.owner, expected=1)
    with pytest.raises(QuestionnaireChanged):  # a second click on the same page
        question_move(questionnaire=pt, key="stopped", direction=-1, by=cast.owner, expected=1)
    assert keys(cast.studio, "tried") == ["stopped", "tried", "looking_for"] and versions(cast.studio) == 2


# ---- answers already given -----------------------------------------------------------------------------------


def test_removing_a_question_keeps_the_answers_given_readable_and_scored(cast, pt, client):
    first, second, third, *rest = PT_ANSWERS
    location = walk(
        client, start(client)["Location"], [first, second, third]
    )  # answered "Wat zoek je het meest?"
    owner = client_for(cast.owner)
    page = owner.get(f"{BASE}/{pt.pk}/vraag/looking_for/verwijderen/").text
    assert "Wie de intake al invulde, houdt zijn antwoord" in page
    owner.post(f"{BASE}/{pt.pk}/vraag/looking_for/verwijderen/", {"versie": "1"})
    assert content(cast.studio).question("looking_for") is None

    # The prospect who began on version 1 finishes it, and the removed question still counts.
    plan = walk(client, location, rest)
    assert plan.endswith("/plan/")
    response = IntakeResponse.objects.for_studio(cast.studio).select_related("version").get()
    assert response.version.number == 1 and response.answers["looking_for"] == "begeleiding"
    assert "+10 Wat zoek je het meest? Persoonlijke begeleiding en een plan" in response.reasons
    lead_page = owner.get(f"/app/kracht-utrecht/leads/{response.lead_id}/").text
    assert "Wat zoek je het meest?" in lead_page and "Persoonlijke begeleiding en een plan" in lead_page

    # A new prospect gets version 2, without the question.
    other = Client()
    tried = other.get(start(other, email="tom@example.nl")["Location"].replace("/goal/", "/tried/"))
    assert "Wat zoek je het meest?" not in tried.text and "Wat heb je al eens geprobeerd?" in tried.text


# ---- the pages -----------------------------------------------------------------------------------------------


def test_the_owner_adds_moves_and_removes_on_the_page_without_javascript(cast, pt):
    owner = client_for(cast.owner)
    page = owner.get(f"{BASE}/vragen/").text
    assert "Wat zoek je het meest?" in page and "Vraag toevoegen aan deze stap" in page
    assert (
        "Wettelijk nodig: zonder deze toestemming" in page
    )  # the consent has no remove button, but says why
    assert f"{BASE}/{pt.pk}/vraag/health_consent/verwijderen/" not in page

    added = owner.post(
        f"{BASE}/{pt.pk}/stap/why/vraag-toevoegen/",
        {"versie": "1", "q-why-label": "Wat moet er anders?", "q-why-kind": "multiple",
         "q-why-options": "Meer energie\r\nMinder pijn\r\n", "q-why-required": "on"},
    )  # fmt: skip
    assert added.status_code == 302 and added["Location"] == f"{BASE}/vragen/#stap-why"
    page = owner.get(added["Location"]).text
    assert "Versie 2 staat online." in page and "Wat moet er anders?" in page and "Minder pijn" in page

    owner.post(f"{BASE}/{pt.pk}/vraag/vraag_1/verplaatsen/", {"versie": "2", "richting": "op"})
    owner.post(f"{BASE}/{pt.pk}/vraag/vraag_1/antwoord-toevoegen/", {"versie": "3", "o-vraag_1-label": "Rust",
                                                                       "o-vraag_1-points": "5"})  # fmt: skip
    owner.post(
        f"{BASE}/{pt.pk}/vraag/vraag_1/antwoord/antwoord_3/verplaatsen/", {"versie": "4", "richting": "op"}
    )
    owner.post(f"{BASE}/{pt.pk}/vraag/vraag_1/antwoord/antwoord_1/verwijderen/", {"versie": "5"})
    assert keys(cast.studio, "why") == ["vraag_1", "why_now"]
    assert values(cast.studio, "vraag_1") == ["antwoord_3", "antwoord_2"] and versions(cast.studio) == 6
    assert (
        QuestionnaireVersion.objects.for_studio(cast.studio).order_by("-number")[0].created_by == cast.owner
    )


def test_the_page_shows_the_services_reason_at_the_form_and_keeps_what_was_typed(cast, pt):
    owner = client_for(cast.owner)
    response = owner.post(
        f"{BASE}/{pt.pk}/stap/why/vraag-toevoegen/",
        {"versie": "1", "q-why-label": "Welke sport?", "q-why-kind": "single", "q-why-options": "Voetbal"},
    )
    assert response.status_code == 200
    assert (
        response.text.count("Een keuzevraag heeft minstens twee antwoorden nodig.") == 2
    )  # on top, at the field
    assert 'value="Welke sport?"' in response.text and '<details class="editor-add" open>' in response.text
    points = owner.post(
        f"{BASE}/{pt.pk}/vraag/goal/antwoord-toevoegen/",
        {"versie": "1", "o-goal-label": "Sneller", "o-goal-points": "500"},
    )
    assert "Punten liggen tussen -100 en 100." in points.text
    consent = owner.post(f"{BASE}/{pt.pk}/vraag/health_consent/verwijderen/", {"versie": "1"})
    assert "(AVG)" in consent.text and versions(cast.studio) == 1
    stale = owner.post(
        f"{BASE}/{pt.pk}/vraag/goal/verplaatsen/", {"versie": "7", "richting": "neer"}, follow=True
    )
    assert "De vragenlijst is intussen veranderd." in stale.text and versions(cast.studio) == 1


def test_another_studios_questionnaire_and_unknown_questions_are_404(cast, pt):
    theirs = questionnaire_install(studio=cast.other_studio, kind="pt")
    owner = client_for(cast.owner)
    for url, data in (
        (f"{BASE}/{theirs.pk}/vraag/goal/verwijderen/", {}),
        (f"{BASE}/{theirs.pk}/vraag/goal/verplaatsen/", {"richting": "neer"}),
        (f"{BASE}/{theirs.pk}/vraag/goal/antwoord-toevoegen/", {"o-goal-label": "Zwemmen"}),
        (f"{BASE}/{theirs.pk}/vraag/goal/antwoord/sterker/verwijderen/", {}),
        (f"{BASE}/{theirs.pk}/vraag/goal/antwoord/sterker/verplaatsen/", {"richting": "neer"}),
        (f"{BASE}/{theirs.pk}/stap/why/vraag-toevoegen/", {"q-why-label": "Hoi", "q-why-kind": "short_text"}),
        (f"{BASE}/{pt.pk}/vraag/bestaat_niet/verwijderen/", {}),
        (f"{BASE}/{pt.pk}/vraag/goal/antwoord/bestaat_niet/verwijderen/", {}),
        (f"{BASE}/{pt.pk}/stap/bestaat_niet/vraag-toevoegen/", {"q-bestaat_niet-label": "Hoi",
                                                               "q-bestaat_niet-kind": "short_text"}),
    ):  # fmt: skip
        assert owner.post(url, data).status_code == 404, url
    assert owner.get(f"{BASE}/{theirs.pk}/vraag/goal/verwijderen/").status_code == 404
    assert versions(cast.other_studio) == 1 and versions(cast.studio) == 1
    # The other studio's owner, on this studio's pages; and a coach of this studio, who does not edit.
    for url in (f"{BASE}/vragen/", f"{BASE}/{pt.pk}/vraag/goal/verwijderen/", f"{BASE}/voorbeeld/"):
        assert_other_studio_gets_404(url, cast.outsider)
        assert_other_studio_gets_404(url, cast.outsider, method="post")
    coach = client_for(cast.coach)
    assert coach.get(f"{BASE}/vragen/").status_code == 404
    assert coach.post(f"{BASE}/{pt.pk}/vraag/goal/verplaatsen/", {"richting": "neer"}).status_code == 404
    assert versions(cast.studio) == 1


def test_an_offer_fits_a_goal_the_owner_added(cast, pt, client):
    option_add(questionnaire=pt, key="goal", label="Beter slapen", by=cast.owner)
    owner = client_for(cast.owner)
    form = owner.get(f"{BASE}/bewerken/").context["form"]
    data: dict[str, Any] = {}
    for name in form.fields:
        value = form[name].value()
        if value is not None and value is not False:
            data[name] = "on" if value is True else value
    data["offer.1.fits_goals"] = ["pijnvrij", "sport", "antwoord_1"]
    saved = owner.post(f"{BASE}/bewerken/", data)
    assert saved.status_code == 302, saved.context["form"].errors
    assert content(cast.studio).offers[1].fits_goals == ["pijnvrij", "sport", "antwoord_1"]
    plan = walk(client, start(client)["Location"], [{"goal": "antwoord_1"}, *PT_ANSWERS[1:]])
    assert "Pijnvrij bewegen 8 weken" in client.get(plan).text


def test_the_preview_shows_the_prospects_pages_and_stores_nothing(cast, pt):
    availability_set(studio=cast.studio, coach=cast.coach, windows=EVERY_DAY)
    make_kind(cast.studio)
    owner = client_for(cast.owner)
    counted = (
        Lead,
        Person,
        ConsentEntry,
        IntakeResponse,
        Booking,
        Message,
        DomainEvent,
        QuestionnaireVersion,
    )

    def counts() -> list[int]:
        return [model.objects.for_studio(cast.studio).count() for model in counted]

    before = counts()
    first = owner.get(f"{BASE}/voorbeeld/")
    assert "Intake personal training" in first.text and "Er wordt niets opgeslagen" in first.text
    contact = {"name": "Eva de Boer", "email": "eva@example.nl", "contact": "on", "whatsapp": "on"}
    location = owner.post(f"{BASE}/voorbeeld/", contact)["Location"]
    assert location == f"{BASE}/voorbeeld/goal/"
    plan = walk(owner, location, PT_ANSWERS)
    assert plan == f"{BASE}/voorbeeld/plan/"
    page = owner.get(plan).text
    assert "Transformatie 12 weken" in page and f'href="{BASE}/voorbeeld/gesprek/"' in page
    picker = owner.get(f"{BASE}/voorbeeld/gesprek/").text
    assert 'name="slot"' in picker
    booked = owner.post(f"{BASE}/voorbeeld/gesprek/", {"slot": "whatever"}).text
    assert "Dit is een voorbeeld: er is niets geboekt." in booked
    assert counts() == before == [0, 0, 0, 0, 0, 0, 0, 1]
    # A coach may look too; the preview of a studio without an intake is a 404.
    assert client_for(cast.coach).get(f"{BASE}/voorbeeld/goal/").status_code == 200
    other_owner = make_staff(make_studio(slug="leeg"), role=StaffMembership.Role.OWNER)
    assert client_for(other_owner).get("/app/leeg/intake/voorbeeld/").status_code == 404


def test_each_kind_of_studio_is_offered_only_its_questionnaires(cast):
    cases = [(Studio.Kind.PT, ["pt"]), (Studio.Kind.SMALL_GROUP, ["small_group"]),
             (Studio.Kind.BOTH, ["pt", "small_group"])]  # fmt: skip
    labels = {
        "pt": "Personal training",
        "small_group": "Small group training",
        "agency": "Studio-eigenaren (bureau)",
    }
    for kind, meant in [*cases, ("agency", ["agency"])]:
        studio = (
            make_studio(slug="volle-gym", name="Volle Gym") if kind == "agency" else make_studio(kind=kind)
        )
        owner = client_for(make_staff(studio, role=StaffMembership.Role.OWNER))
        page = owner.get(f"/app/{studio.slug}/intake/").text
        for value, label in labels.items():
            assert (f'value="{value}">{label}</button>' in page) is (value in meant), (kind, value)
        for value in labels:
            response = owner.post(f"/app/{studio.slug}/intake/kiezen/", {"kind": value})
            assert response.status_code == (302 if value in meant else 404), (kind, value)
        assert {q.kind for q in Questionnaire.objects.for_studio(studio)} == set(meant)
    pt_only = make_studio(kind=Studio.Kind.PT)
    reason = refused(questionnaire_install, studio=pt_only, kind="small_group")
    assert reason == "Deze vragenlijst is niet voor dit soort studio."
