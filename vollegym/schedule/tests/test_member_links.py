"""A member's sign-in link works once, the newest link is the only one that works, and asking again says so."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import signing
from django.test import Client

from vollegym.core.races import BARRIER_TIMEOUT, meet_before, race
from vollegym.messaging.models import Message
from vollegym.programs.models import Member
from vollegym.schedule.services import member_link
from vollegym.schedule.tests.test_member_area import enrol, is_signed_in

pytestmark = pytest.mark.django_db

MONDAY = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)  # 08:00 in Utrecht
SITE = "https://app.vollegym.test"
LOGIN = "/s/kracht-utrecht/leden/"
HOME = "/s/kracht-utrecht/leden/rooster/"
USED = "Deze link werkt niet meer"
ALREADY_SENT = "In het afgelopen uur is al een link naar dit adres gestuurd"


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def monday():
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


def ask(email: str = "eva@example.nl") -> str:
    response = Client().post(LOGIN, {"email": email})
    assert response.status_code == 200
    return response.content.decode()


def mailed_links(studio) -> list[str]:
    """The path of the link in each sign-in mail, oldest first."""
    paths = []
    for mail in Message.objects.for_studio(studio).filter(purpose="member_link").order_by("id"):
        found = re.search(rf"{re.escape(SITE)}(/s/kracht-utrecht/leden/in/\S+/)", mail.body)
        assert found is not None, mail.body
        paths.append(found.group(1))
    return paths


def enter(path: str, client: Client | None = None) -> Client:
    client = client or Client()
    client.get(path)
    return client


def test_a_link_signs_in_once_and_the_session_it_made_keeps_working(cast, monday):
    enrol(cast.studio)
    ask()
    (link,) = mailed_links(cast.studio)
    phone = Client()
    response = phone.get(link)
    assert response.status_code == 302 and response["Location"] == HOME

    forwarded = Client()  # the same link, used again: from a forwarded mail, or by someone who read it
    again = forwarded.get(link)
    assert again.status_code == 200 and USED in again.content.decode()
    assert not is_signed_in(forwarded)

    monday.shift(timedelta(days=3))
    assert is_signed_in(phone)  # the session the link made is what keeps the member in
    # The member opens the mail again on the same phone: straight to the agenda.
    clicked_twice = phone.get(link)
    assert clicked_twice.status_code == 302 and clicked_twice["Location"] == HOME
    assert "Hij werkt één keer, binnen 7 dagen" in Message.objects.for_studio(cast.studio).get().body


def test_a_newer_link_makes_the_older_one_fail(cast, monday):
    eva = enrol(cast.studio)
    ask()
    monday.shift(timedelta(hours=1, minutes=1))
    ask()
    older, newer = mailed_links(cast.studio)
    assert not is_signed_in(enter(older))
    assert is_signed_in(enter(newer))
    # A link in an agenda mail (a mat came free, a class called off) is a newer link too.
    from_the_agenda = member_link(eva).removeprefix(SITE)
    monday.shift(timedelta(hours=1, minutes=1))
    ask()
    assert not is_signed_in(enter(from_the_agenda))
    assert is_signed_in(enter(mailed_links(cast.studio)[-1]))


def test_asking_again_within_the_hour_says_a_link_was_sent_and_when_to_ask_again(cast, monday):
    enrol(cast.studio)
    first = ask()
    assert "<h2>Kijk in je mail</h2>" in first and ALREADY_SENT not in first
    monday.shift(timedelta(minutes=20))
    second = ask("Eva@Example.NL")
    assert (
        ALREADY_SENT in second and "Vraag na 09:00 een nieuwe aan" in second
    )  # an hour after 08:00 in Utrecht
    assert "<h2>Kijk in je mail</h2>" not in second
    (link,) = mailed_links(cast.studio)  # no second mail, and the first one's link still works
    assert is_signed_in(enter(link))


def test_an_unknown_address_always_gets_the_answer_of_a_known_address_that_got_a_mail(cast, monday):
    enrol(cast.studio)
    known = ask()
    unknown = [ask("onbekend@example.nl")]
    monday.shift(timedelta(minutes=5))
    unknown.append(ask("onbekend@example.nl"))  # asking twice does not make an unknown address look known
    assert unknown == [known, known]
    assert ALREADY_SENT in ask()
    assert len(mailed_links(cast.studio)) == 1


def test_the_already_sent_page_is_in_english_for_an_english_member(cast, monday, settings):
    enrol(cast.studio)
    ask()
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.post(LOGIN, {"email": "eva@example.nl"}).content.decode()
    assert "A link was already sent to this address in the last hour" in page and "after 09:00" in page


@pytest.mark.django_db(transaction=True)
def test_of_two_simultaneous_clicks_on_one_link_only_one_signs_in(cast, monkeypatch):
    eva = enrol(cast.studio)
    link = member_link(eva).removeprefix(SITE)
    clients = [Client(), Client()]
    # Both requests reach the link's signature together, so both look for the member at the same moment.
    barrier = threading.Barrier(2, timeout=BARRIER_TIMEOUT)
    meet_before(monkeypatch, signing.TimestampSigner, "unsign", barrier)
    outcomes = race([lambda c: c.get(link)] * 2, clients=clients, before=barrier)
    monkeypatch.undo()  # reading a session back unsigns too
    assert sorted(o.status for o in outcomes) == [200, 302]
    assert sum(is_signed_in(client) for client in clients) == 1
    assert Member.objects.for_studio(cast.studio).get().link_nonce == ""
