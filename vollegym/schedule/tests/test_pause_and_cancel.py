"""Pausing and cancelling in the member area and from the back office, with what it does to the agenda: the mats in
a pause (or after the last day) are freed and go to who waits, a class in a pause is refused with the reason, a
fixed place skips the pause; cancelling takes no more steps than signing up did; other studios get a 404."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
import time_machine
from django.test import Client

from vollegym.core.testing import assert_other_studio_gets_404, client_for
from vollegym.intake.services import availability_set, questionnaire_install
from vollegym.intake.tests.test_booking import BEFORE_SPRING, EVERY_DAY, make_kind
from vollegym.intake.tests.test_booking_pages import offered_values
from vollegym.intake.tests.test_public_intake import CONTACT, PT_ANSWERS
from vollegym.programs.endings import membership_rules_update
from vollegym.programs.models import Cancellation, Enrolment, Pause
from vollegym.programs.pauses import enrolment_pause
from vollegym.schedule.models import SessionBooking
from vollegym.schedule.services import fixed_slot_add, session_book, sessions_generate, waitlist_join
from vollegym.schedule.tests.test_member_area import (
    HOME,
    MONDAY,
    enrol,
    link_path,
    sessions,
    signed_in,
    tuesday_class,
)

pytestmark = pytest.mark.django_db

MEMBERSHIP = "/s/kracht-utrecht/leden/lidmaatschap/"
PAUSE = f"{MEMBERSHIP}pauze/"
CANCEL = f"{MEMBERSHIP}opzeggen/"


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = "https://app.vollegym.test"


@pytest.fixture
def monday():
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


def run_of(member) -> Enrolment:
    return Enrolment.objects.for_studio(member.studio_id).get(member=member)


# ---- pausing in the member area ----------------------------------------------------------------------------------


def test_a_member_pauses_and_the_mat_in_the_pause_goes_to_who_waits(cast, monday):
    template = tuesday_class(cast.studio, capacity=1)
    eva, tom = enrol(cast.studio), enrol(cast.studio, "Tom Bakker")
    first, second = sessions(cast.studio)  # Tuesday 3 and 10 March, 07:00
    session_book(session=second, member=eva)
    waitlist_join(session=second, member=tom)
    client = signed_in(eva)
    page = client.get(PAUSE)
    assert page.status_code == 200 and "Pauze vanaf" in page.text and "8 weken" in page.text
    response = client.post(PAUSE, {"starts_on": "9-3-2026", "ends_on": "15-3-2026", "reason": "Skivakantie"})
    assert response.status_code == 302 and response["Location"] == MEMBERSHIP
    shown = client.get(MEMBERSHIP).text
    assert (
        "Je pauze staat erin: 9 maart 2026 tot en met 15 maart 2026. 1 les in je pauze is afgemeld." in shown
    )
    assert "9 maart – 15 maart 2026" in shown and "Intrekken" in shown
    assert run_of(eva).ends_on == date(2026, 5, 24) + timedelta(days=7)
    assert (
        SessionBooking.objects.for_studio(cast.studio).get(session=second, member=eva).status == "cancelled"
    )
    promoted = SessionBooking.objects.for_studio(cast.studio).get(session=second, member=tom)
    assert promoted.status == "booked" and promoted.via == "waitlist"
    # In the pause a class is not offered, and refused with the reason when asked for anyway.
    agenda = client.get(HOME).text
    assert "Je staat dan op pauze (tot en met 15 maart)." in agenda
    refused = client.post(f"{HOME}{second.pk}/wachtlijst/")
    assert refused.status_code == 409 and "op pauze" in refused.text
    assert template.pk == second.template_id and first.status == "scheduled"


def test_a_member_corrects_a_pause_and_takes_it_back(cast, monday):
    eva = enrol(cast.studio)
    client = signed_in(eva)
    bad = client.post(PAUSE, {"starts_on": "1-3-2026", "ends_on": "8-3-2026", "reason": "x"})
    assert bad.status_code == 400 and "Een pauze begint vandaag of later." in bad.text
    assert 'value="1-3-2026"' in bad.text  # what was typed stays
    hostile = client.post(PAUSE, {"starts_on": "99999999", "ends_on": "9-3-2026", "reason": "a\x00b"})
    assert hostile.status_code == 400 and not Pause.objects.for_studio(cast.studio).exists()
    client.post(PAUSE, {"starts_on": "16-3-2026", "ends_on": "22-3-2026"})
    made = Pause.objects.for_studio(cast.studio).get()
    response = client.post(f"{PAUSE}{made.pk}/intrekken/")
    assert response.status_code == 302
    made.refresh_from_db()
    assert made.withdrawn_at is not None and run_of(eva).ends_on == date(2026, 5, 24)


def test_where_the_studio_keeps_pausing_to_itself_the_member_is_told_to_ask(cast, monday):
    membership_rules_update(studio=cast.studio, pause_max_weeks=8, members_may_pause=False, win_back_weeks=6)
    client = signed_in(enrol(cast.studio))
    assert "Pauzeren gaat bij deze studio via je coach" in client.get(PAUSE).text
    assert client.post(PAUSE, {"starts_on": "16-3-2026", "ends_on": "22-3-2026"}).status_code == 400
    assert "Pauzeren? Vraag het je coach." in client.get(MEMBERSHIP).text
    assert not Pause.objects.for_studio(cast.studio).exists()


def test_a_fixed_place_skips_the_pause_and_comes_back_after_it(cast, monday):
    template = tuesday_class(cast.studio, capacity=4)
    eva = enrol(cast.studio)
    enrolment_pause(
        enrolment=run_of(eva), starts_on=date(2026, 3, 16), ends_on=date(2026, 3, 29), by=None, by_member=True
    )
    fixed_slot_add(member=eva, template=template, first_day=date(2026, 3, 2))
    sessions_generate(studio=cast.studio, weeks=6)
    booked = {
        b.session.starts_at.date()
        for b in SessionBooking.objects.for_studio(cast.studio).filter(member=eva).select_related("session")
    }
    assert booked == {date(2026, 3, 3), date(2026, 3, 10), date(2026, 3, 31), date(2026, 4, 7)}  # not 17, 24


def test_someone_else_cannot_take_back_a_members_pause(cast, monday):
    eva, tom = enrol(cast.studio), enrol(cast.studio, "Tom Bakker")
    made = enrolment_pause(
        enrolment=run_of(eva), starts_on=date(2026, 3, 16), ends_on=date(2026, 3, 22), by=None, by_member=True
    )
    assert signed_in(tom).post(f"{PAUSE}{made.pk}/intrekken/").status_code == 404
    assert signed_in(tom).post(f"{PAUSE}{10**30}/intrekken/").status_code == 404
    # a member of another studio, signed in there, with this studio's pause
    theirs = enrol(cast.other_studio, "Ilse Jansen")
    other = signed_in(theirs)
    assert other.post(f"/s/andere-studio/leden/lidmaatschap/pauze/{made.pk}/intrekken/").status_code == 404
    # and nobody signed in at all is sent to sign in
    assert Client().post(f"{PAUSE}{made.pk}/intrekken/")["Location"] == "/s/kracht-utrecht/leden/"
    made.refresh_from_db()
    assert made.withdrawn_at is None


# ---- cancelling in the member area ---------------------------------------------------------------------------------


def test_the_cancel_page_says_what_will_happen_and_one_button_does_it(cast, monday):
    eva = enrol(cast.studio)
    client = signed_in(eva)
    page = client.get(CANCEL).text
    assert "zeg je vandaag op, dan ben je lid tot en met <strong>24 mei 2026</strong>" in page
    assert "Opzeggen per 24 mei 2026" in page and "Ik ga verhuizen" in page
    response = client.post(CANCEL, {"reason": "not_happy", "reason_text": "Het rooster past niet meer"})
    assert response.status_code == 302 and response["Location"] == MEMBERSHIP
    shown = client.get(MEMBERSHIP).text
    assert "Opgezegd. Je bent lid tot en met 24 mei 2026; de bevestiging staat in je mail." in shown
    cancellation = Cancellation.objects.for_studio(cast.studio).get()
    assert cancellation.by_member and cancellation.reason == "not_happy"
    assert cancellation.reason_text == "Het rooster past niet meer"
    again = client.get(CANCEL).text
    assert "Er loopt op dit moment niets om op te zeggen." in again


def test_cancelling_within_the_cooling_off_frees_every_coming_mat(cast, monday):
    tuesday_class(cast.studio, capacity=4)
    eva = enrol(cast.studio)
    Enrolment.objects.for_studio(cast.studio).filter(member=eva).update(at_distance=True)
    first, second = sessions(cast.studio)
    session_book(session=first, member=eva)
    session_book(session=second, member=eva)
    client = signed_in(eva)
    page = client.get(CANCEL).text
    assert "Je zit nog in de bedenktijd van 14 dagen (tot en met 16 maart)" in page and "Nu opzeggen" in page
    assert client.post(CANCEL, {"reason": ""}).status_code == 302
    assert not SessionBooking.objects.for_studio(cast.studio).filter(member=eva, status="booked").exists()
    assert run_of(eva).status == "stopped"
    assert "Opgezegd binnen de bedenktijd" in client.get(MEMBERSHIP).text


def test_a_hostile_cancel_form_changes_nothing(cast, monday):
    client = signed_in(enrol(cast.studio))
    for data in ({"reason": "'; drop table"}, {"reason": "money", "reason_text": "\x00"},
                 {"reason": "money", "reason_text": "x" * 5000}):  # fmt: skip
        assert client.post(CANCEL, data).status_code == 400
    assert not Cancellation.objects.for_studio(cast.studio).exists()
    assert Client().post(CANCEL, {"reason": ""})["Location"] == "/s/kracht-utrecht/leden/"
    assert not Cancellation.objects.for_studio(cast.studio).exists()


# ---- no more steps than signing up ---------------------------------------------------------------------------------


@dataclass
class Visit:
    """A person in a browser without JavaScript: every page opened (redirects followed) and every form sent."""

    client: Client = field(default_factory=Client)
    pages: int = 0
    forms: int = 0
    html: str = ""
    url: str = ""  # where the browser is now (a form without an action posts here)

    def open(self, url: str) -> str:
        response = self.client.get(url)
        self.pages += 1
        while response.status_code == 302:
            url = response["Location"]
            response = self.client.get(url)
        assert response.status_code == 200, url
        self.url = url
        self.html = response.content.decode()
        return self.html

    def send(self, url: str, data: Mapping[str, object]) -> str:
        response = self.client.post(url, data)
        self.forms += 1
        assert response.status_code == 302, f"{url}: {response.status_code} {response.content.decode()[:500]}"
        return self.open(response["Location"])

    def link(self, text: str) -> str:
        found = re.search(rf'href="([^"]+)"[^>]*>{re.escape(text)}</a>', self.html)
        assert found is not None, f"no link {text!r} on the page"
        return found.group(1)


def test_cancelling_takes_no_more_steps_than_signing_up(cast, settings):
    """Signing up online is the intake and the conversation it books; cancelling is asking for the link to one's
    own pages, and from there one link and one button. Both walked as a person does, counting pages and forms."""
    questionnaire_install(studio=cast.studio, kind="pt")
    availability_set(studio=cast.studio, coach=cast.coach, windows=EVERY_DAY)
    make_kind(cast.studio)
    with time_machine.travel(BEFORE_SPRING, tick=False):
        signing_up = Visit()
        signing_up.open("/s/kracht-utrecht/intake/")
        signing_up.send("/s/kracht-utrecht/intake/", CONTACT)
        for answers in PT_ANSWERS:
            signing_up.send(signing_up.url, answers)
        book = signing_up.link("Kies een moment")
        signing_up.open(book)
        slot = sorted(offered_values(signing_up.html))[0]
        signing_up.send(book, {"slot": slot})
        assert "staat gepland" in signing_up.html
    with time_machine.travel(MONDAY, tick=False):
        eva = enrol(cast.studio)
        cancelling = Visit()
        cancelling.open("/s/kracht-utrecht/leden/")
        cancelling.client.post("/s/kracht-utrecht/leden/", {"email": "eva@example.nl"})
        cancelling.forms += 1
        cancelling.open(link_path(eva))  # the link in the mail
        cancelling.open(cancelling.link("Opzeggen"))
        cancelling.send(CANCEL, {"reason": ""})
        assert "Opgezegd. Je bent lid tot en met 24 mei 2026" in cancelling.html
    assert (cancelling.forms, cancelling.pages) == (2, 4)
    assert cancelling.forms <= signing_up.forms and cancelling.pages <= signing_up.pages, (
        f"cancelling: {cancelling.forms} forms, {cancelling.pages} pages; "
        f"signing up: {signing_up.forms} forms, {signing_up.pages} pages"
    )


# ---- the back office -------------------------------------------------------------------------------------------


def test_staff_pause_and_record_a_cancellation_from_the_members_page(cast, monday):
    eva = enrol(cast.studio)
    coach = client_for(cast.coach)
    page = coach.get(f"/app/kracht-utrecht/leden/{eva.pk}/").text
    assert "Pauze vastleggen" in page and "Opzegging vastleggen" in page
    bad = coach.post(f"/app/kracht-utrecht/leden/{eva.pk}/pauzeren/", {"pauze-starts_on": "1-1-2026",
                                                                         "pauze-ends_on": "5-1-2026"})  # fmt: skip
    assert bad.status_code == 400 and "Een pauze begint vandaag of later." in bad.text
    done = coach.post(f"/app/kracht-utrecht/leden/{eva.pk}/pauzeren/",
                      {"pauze-starts_on": "9-3-2026", "pauze-ends_on": "22-3-2026", "pauze-reason": "Knie"})  # fmt: skip
    assert done.status_code == 302
    made = Pause.objects.for_studio(cast.studio).get()
    assert not made.by_member and made.created_by == cast.coach and made.reason == "Knie"
    shown = coach.get(f"/app/kracht-utrecht/leden/{eva.pk}/").text
    assert "9 mrt – 22 mrt 2026" in shown and "Intrekken" in shown
    cancelled = coach.post(f"/app/kracht-utrecht/leden/{eva.pk}/opzeggen/",
                           {"opzeggen-reason": "health", "opzeggen-reason_text": "Aan de balie"})  # fmt: skip
    assert cancelled.status_code == 302
    cancellation = Cancellation.objects.for_studio(cast.studio).get()
    assert not cancellation.by_member and cancellation.created_by == cast.coach
    assert cancellation.effective_on == date(2026, 6, 7)  # 24 May and the two weeks of pause
    assert "Intrekken" not in coach.get(f"/app/kracht-utrecht/leden/{eva.pk}/").text
    withdraw = coach.post(f"/app/kracht-utrecht/leden/pauzes/{made.pk}/intrekken/", follow=True)
    assert "Dit is opgezegd; de pauze blijft zoals hij is." in withdraw.text  # the notice counted on it
    assert run_of(eva).ends_on == date(2026, 6, 7)


def test_the_staff_doors_are_404_for_another_studio(cast, monday):
    eva = enrol(cast.studio)
    made = enrolment_pause(
        enrolment=run_of(eva), starts_on=date(2026, 3, 16), ends_on=date(2026, 3, 22), by=None, by_member=True
    )
    for url in (f"/app/kracht-utrecht/leden/{eva.pk}/pauzeren/", f"/app/kracht-utrecht/leden/{eva.pk}/opzeggen/",
                f"/app/kracht-utrecht/leden/pauzes/{made.pk}/intrekken/"):  # fmt: skip
        assert_other_studio_gets_404(url, cast.outsider, method="post")
    outsider = client_for(cast.outsider)
    for url in (f"/app/andere-studio/leden/{eva.pk}/pauzeren/", f"/app/andere-studio/leden/{eva.pk}/opzeggen/",
                f"/app/andere-studio/leden/pauzes/{made.pk}/intrekken/"):  # fmt: skip
        assert (
            outsider.post(url, {"pauze-starts_on": "16-3-2026", "pauze-ends_on": "17-3-2026"}).status_code
            == 404
        )
    made.refresh_from_db()
    assert made.withdrawn_at is None and not Cancellation.objects.for_studio(cast.studio).exists()
    assert Pause.objects.for_studio(cast.studio).count() == 1
