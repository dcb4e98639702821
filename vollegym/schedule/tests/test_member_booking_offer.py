"""The member's agenda offers "Boek" (or the waitlist) only where the booking rule lets them, and says why not
elsewhere: the page and the refusal come from one rule, so nothing is offered that is then refused."""

from __future__ import annotations

import re
from datetime import date, time

import pytest
import time_machine

from vollegym.programs.tests.test_prices_and_enrolment import make_program
from vollegym.schedule.models import ClassTemplate
from vollegym.schedule.services import session_book, sessions_generate
from vollegym.schedule.tests.test_member_area import (
    HOME,
    MONDAY,
    SITE,
    action,
    enrol,
    sessions,
    signed_in,
    tuesday_class,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def monday():
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


def offered(page: str, session_pk: int) -> tuple[str, str]:
    """(the button the agenda offers for a session, or "", and the reason it gives instead, or "")."""
    block = re.split(r'id="les-|</section>', page.split(f'id="les-{session_pk}"')[1])[0]
    button = re.search(r'<button class="button[^"]*" type="submit">([^<]+)</button>', block)
    why = re.search(r'<small class="member-session__why">([^<]+)</small>', block)
    return (button.group(1) if button else "", why.group(1) if why else "")


def test_a_pt_card_is_not_offered_a_group_class_and_is_told_why(cast, monday):
    tuesday_class(cast.studio)
    first = sessions(cast.studio)[0]
    pt_card = make_program(cast.studio, name="PT 10 keer", format="pt", weeks=10, sessions_per_week=1)
    client = signed_in(enrol(cast.studio, program=pt_card))
    page = client.get(HOME).content.decode()
    assert offered(page, first.pk) == ("", "Deze les hoort niet bij je programma.")
    response = action(client, first, "boeken")  # the rule that hid the button refuses in the same words
    assert response.status_code == 409
    assert (
        "Deze les hoort niet bij je programma. Vraag de studio naar de mogelijkheden."
        in response.content.decode()
    )
    group = signed_in(enrol(cast.studio, "Tom Bakker"))
    assert offered(group.get(HOME).content.decode(), first.pk) == ("Boek", "")


def test_a_program_that_ends_or_has_not_begun_is_offered_only_its_own_weeks(cast, monday):
    tuesday_class(cast.studio)
    first, second = sessions(cast.studio)  # Tuesday 3 and 10 March
    four_weeks = make_program(cast.studio, format="small_group", name="Small group 4 weken", weeks=4)
    ending = signed_in(enrol(cast.studio, "Eva de Boer", starts_on=date(2026, 2, 9), program=four_weeks))
    page = ending.get(HOME).content.decode()  # runs until Sunday 8 March
    assert offered(page, first.pk) == ("Boek", "")
    assert offered(page, second.pk) == ("", "Je programma loopt dan niet meer.")
    starting = signed_in(enrol(cast.studio, "Tom Bakker", starts_on=date(2026, 3, 9), program=four_weeks))
    page = starting.get(HOME).content.decode()
    assert offered(page, first.pk) == ("", "Je programma begint pas op 9 maart.")
    assert offered(page, second.pk) == ("Boek", "")


def test_a_class_of_one_program_is_not_offered_to_another_programs_member_even_when_full(cast, monday):
    sterk = make_program(cast.studio, format="small_group", name="Sterk in 8 weken", weeks=8)
    ClassTemplate.objects.create(
        studio=cast.studio,
        name="Sterk-groep",
        weekday=1,
        starts=time(7, 0),
        capacity=1,
        room="Zaal 2",
        program=sterk,
    )
    sessions_generate(studio=cast.studio, weeks=2)
    first = sessions(cast.studio)[0]
    session_book(session=first, member=enrol(cast.studio, "Ilse Jansen", program=sterk))  # the last mat
    other = signed_in(enrol(cast.studio, "Tom Bakker"))  # a small-group program, not Sterk
    assert offered(other.get(HOME).content.decode(), first.pk) == (
        "",
        "Deze les hoort niet bij je programma.",
    )
    assert action(other, first, "wachtlijst").status_code == 409
    own = signed_in(enrol(cast.studio, "Eva de Boer", program=sterk))
    assert offered(own.get(HOME).content.decode(), first.pk) == ("Op de wachtlijst", "")


def test_every_offer_on_the_agenda_is_one_the_studio_accepts(cast, monday):
    tuesday_class(cast.studio)
    four_weeks = make_program(cast.studio, format="small_group", name="Small group 4 weken", weeks=4)
    client = signed_in(enrol(cast.studio, starts_on=date(2026, 2, 9), program=four_weeks))
    page = client.get(HOME).content.decode()
    for session in sessions(cast.studio):
        button, why = offered(page, session.pk)
        response = action(client, session, "boeken")
        if button == "Boek":
            assert response.status_code == 302 and not why
        else:
            assert response.status_code == 409 and why and why in response.content.decode()
