"""Wrong passwords lock an address for a while (django-axes, counted in the database); a new password by mail."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.core import mail as django_mail
from django.test import Client

from vollegym.core.testing import PASSWORD
from vollegym.studios.tests.signin_kit import SITE, link_in

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LOCKED = "Te vaak een verkeerd wachtwoord"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


def sign_in(client: Client, email: str, password: str):
    return client.post("/app/login/", {"username": email, "password": password})


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_thirty_wrong_passwords_lock_the_address_and_the_right_one_is_refused_too(cast):
    client = Client()
    with time_machine.travel(NOW, tick=False):
        answers = [sign_in(client, "sanne@kracht.nl", f"fout-{n}") for n in range(30)]
        limit = settings.AXES_FAILURE_LIMIT
        assert [a.status_code for a in answers[: limit - 1]] == [200] * (limit - 1)
        assert all("horen niet bij elkaar" in a.text for a in answers[: limit - 1])
        # From the limit on: the sign-in page itself, in Dutch, with how long to wait; not a bare 403.
        assert {a.status_code for a in answers[limit - 1 :]} == {429}
        locked = answers[-1].text
        assert LOCKED in locked and "over 15 minuten opnieuw" in locked
        assert "<h1>Inloggen</h1>" in locked and 'value="sanne@kracht.nl"' in locked
        assert "wachtwoord-vergeten" in locked  # the way out is on the page

        right = sign_in(client, "sanne@kracht.nl", PASSWORD)
        assert right.status_code == 429 and LOCKED in right.text
        assert not signed_in(client)
    # The count lives in the database, so every web process behind the load balancer sees the same lock.
    attempt = AccessAttempt.objects.get(username="sanne@kracht.nl")
    assert attempt.failures_since_start == settings.AXES_FAILURE_LIMIT


def test_the_page_says_how_long_is_left_and_the_lock_lifts_after_it(cast):
    client = Client()
    with time_machine.travel(NOW, tick=False) as traveller:
        for n in range(settings.AXES_FAILURE_LIMIT):
            sign_in(client, "sanne@kracht.nl", f"fout-{n}")
        traveller.shift(timedelta(minutes=5, seconds=30))
        waiting = sign_in(client, "sanne@kracht.nl", PASSWORD)
        assert waiting.status_code == 429 and "over 10 minuten opnieuw" in waiting.text
        traveller.shift(timedelta(minutes=9))
        assert "over 1 minuut opnieuw" in sign_in(client, "sanne@kracht.nl", PASSWORD).text
        traveller.shift(timedelta(minutes=1))
        after = sign_in(client, "sanne@kracht.nl", PASSWORD)
        assert after.status_code == 302 and signed_in(client)


def test_capitals_in_the_address_count_as_the_same_address(cast):
    client = Client()
    spellings = ["Sanne@kracht.nl", "SANNE@KRACHT.NL", "sanne@Kracht.nl", "sAnne@kracht.NL"]
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, spellings[n % len(spellings)], "fout")
    assert sign_in(client, "sanne@kracht.nl", PASSWORD).status_code == 429


def test_a_capitalised_address_signs_in(cast):
    client = Client()
    assert sign_in(client, "Sanne@Kracht.nl", PASSWORD).status_code == 302 and signed_in(client)


def test_a_locked_address_does_not_lock_out_the_rest_of_the_team(cast):
    client = Client()
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "sanne@kracht.nl", f"fout-{n}")
    assert sign_in(client, "youssef@kracht.nl", PASSWORD).status_code == 302


def test_a_right_password_in_time_clears_the_count(cast):
    client = Client()
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "sanne@kracht.nl", f"fout-{n}")
    assert sign_in(client, "sanne@kracht.nl", PASSWORD).status_code == 302
    client.post("/app/logout/")
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, "sanne@kracht.nl", f"fout-{n}").status_code == 200


def test_the_admin_signs_in_through_the_back_office_sign_in(cast):
    response = Client().get("/admin/login/?next=/admin/leads/lead/")
    assert response.status_code == 302
    assert response["Location"] == "/app/login/?next=/admin/leads/lead/"


# --- a new password by mail --------------------------------------------------------------------------------------


def test_the_sign_in_page_links_to_a_new_password(client):
    page = client.get("/app/login/").text
    assert 'href="/app/login/wachtwoord-vergeten/"' in page and "Wachtwoord vergeten?" in page


def test_the_reset_mail_arrives_with_an_absolute_link_that_works_once(cast, smtp):
    client = Client()
    asked = client.post("/app/login/wachtwoord-vergeten/", {"email": "sanne@kracht.nl"})
    assert asked.status_code == 302 and asked["Location"] == "/app/login/wachtwoord-vergeten/verstuurd/"
    (mail,) = smtp.to("sanne@kracht.nl")
    assert str(mail["Subject"]) == "Een nieuw wachtwoord voor Volle Gym"
    link = link_in(mail, r"/app/login/nieuw-wachtwoord/[^/\s]+/[^/\s]+/")

    opened = client.get(link, follow=True)
    assert "<h1>Nieuw wachtwoord</h1>" in opened.text and 'name="new_password1"' in opened.text
    form_url = opened.redirect_chain[-1][0]  # Django moves the token out of the address bar first
    saved = client.post(
        form_url, {"new_password1": "een-heel-nieuw-wachtwoord", "new_password2": "een-heel-nieuw-wachtwoord"}
    )
    assert saved.status_code == 302 and saved["Location"] == "/app/login/nieuw-wachtwoord/klaar/"
    assert sign_in(Client(), "sanne@kracht.nl", "een-heel-nieuw-wachtwoord").status_code == 302
    assert sign_in(Client(), "sanne@kracht.nl", PASSWORD).status_code == 200  # the old one is gone

    again = Client().get(link, follow=True)
    assert "Deze link werkt niet meer" in again.text and 'name="new_password1"' not in again.text


def test_an_unknown_address_gets_the_same_answer_and_no_mail(cast, smtp):
    known = Client().post("/app/login/wachtwoord-vergeten/", {"email": "sanne@kracht.nl"}, follow=True)
    unknown = Client().post("/app/login/wachtwoord-vergeten/", {"email": "niemand@kracht.nl"}, follow=True)
    without_tokens = [re.sub(r'value="[\w-]{64}"', "", r.text) for r in (known, unknown)]
    assert without_tokens[0] == without_tokens[1] and "Kijk in je mail" in known.text
    assert [str(m["To"]) for m in smtp.messages] == ["sanne@kracht.nl"]


def test_one_reset_mail_per_quarter_of_an_hour(cast):
    with time_machine.travel(NOW, tick=False) as traveller:
        for _ in range(5):
            Client().post("/app/login/wachtwoord-vergeten/", {"email": "sanne@kracht.nl"})
        assert len(django_mail.outbox) == 1
        traveller.shift(timedelta(minutes=16))
        Client().post("/app/login/wachtwoord-vergeten/", {"email": "sanne@kracht.nl"})
        assert len(django_mail.outbox) == 2


def test_a_new_password_ends_a_lockout(cast):
    client = Client()
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "sanne@kracht.nl", f"fout-{n}")
    Client().post("/app/login/wachtwoord-vergeten/", {"email": "sanne@kracht.nl"})
    (mail,) = django_mail.outbox
    link = mail.body.split(SITE, 1)[1].split()[0]
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(
        form_url, {"new_password1": "een-heel-nieuw-wachtwoord", "new_password2": "een-heel-nieuw-wachtwoord"}
    )
    assert sign_in(client, "sanne@kracht.nl", "een-heel-nieuw-wachtwoord").status_code == 302


def test_an_invited_person_without_a_password_gets_no_reset_mail(cast):
    from vollegym.studios.services import staff_invite

    staff_invite(
        studio=cast.studio, email="nina@kracht.nl", full_name="Nina", role="coach", invited_by=cast.owner
    )
    Client().post("/app/login/wachtwoord-vergeten/", {"email": "nina@kracht.nl"})
    assert django_mail.outbox == []  # their invitation is the way in
