"""Two-factor sign-in: an owner (or the installation) requires it, people set up an app, and signing in asks the code."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from vollegym.core.testing import PASSWORD, assert_other_studio_gets_404, client_for
from vollegym.studios import services
from vollegym.studios.models import Studio
from vollegym.studios.tests.signin_kit import app_code, with_app

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SETUP = "/app/account/tweestaps/instellen/"
CODE = "/app/login/code/"


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def require(studio: Studio) -> None:
    services.studio_two_factor_set(studio=studio, required=True)


def password_step(email: str = "youssef@kracht.nl", next_path: str = "/app/kracht-utrecht/") -> Client:
    client = Client()
    response = client.post("/app/login/", {"username": email, "password": PASSWORD, "next": next_path})
    assert response.status_code == 302
    assert response["Location"] == f"{CODE}?next={next_path.replace('/', '%2F')}"
    return client


def test_the_owner_requires_it_and_a_coach_without_an_app_is_sent_to_set_one_up(cast):
    owner = client_for(cast.owner)
    saved = owner.post("/app/kracht-utrecht/team/tweestaps/", {"required": "on"}, follow=True)
    assert "Tweestapsverificatie is nu verplicht" in saved.text
    cast.studio.refresh_from_db()
    assert cast.studio.require_2fa

    coach = client_for(cast.coach)
    for path in ("/app/kracht-utrecht/", "/app/kracht-utrecht/leads/", "/app/kracht-utrecht/team/"):
        response = coach.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == f"{SETUP}?next={path.replace('/', '%2F')}"
    # Other studios of the same people are not affected: the outsider's own studio does not require it.
    assert client_for(cast.outsider).get("/app/andere-studio/").status_code == 200


def test_setting_up_an_app_shows_a_qr_code_and_backup_codes_once_then_opens_the_back_office(cast, clock):
    require(cast.studio)
    coach = client_for(cast.coach)
    page = coach.get(f"{SETUP}?next=/app/kracht-utrecht/")
    assert page.status_code == 200
    assert '<svg class="qr"' in page.text and "<path" in page.text and "<script" not in page.text
    assert "otpauth://totp/Volle%20Gym%3Ayoussef%40kracht.nl?secret=" in page.text
    device = TOTPDevice.objects.get(user=cast.coach, confirmed=False)

    wrong = coach.post(SETUP, {"code": "000000", "next": "/app/kracht-utrecht/"})
    assert "Deze code klopt niet" in wrong.text
    assert not TOTPDevice.objects.filter(user=cast.coach, confirmed=True).exists()

    clock.shift(timedelta(seconds=2))  # past the wait after one wrong code
    done = coach.post(SETUP, {"code": app_code(device), "next": "/app/kracht-utrecht/"})
    assert done.status_code == 200 and "Je reservecodes" in done.text
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", done.text)
    assert len(codes) == 10
    assert sorted(codes) == sorted(
        StaticToken.objects.filter(device__user=cast.coach).values_list("token", flat=True)
    )
    assert 'href="/app/kracht-utrecht/"' in done.text
    assert coach.get("/app/kracht-utrecht/").status_code == 200  # this session passed the app's code
    status = coach.get("/app/account/tweestaps/").text
    assert "Staat aan" in status and "nog 10 reservecodes" in status
    assert "<li><code>" not in status  # the codes themselves are not shown again


def test_signing_in_asks_the_code_after_the_password_and_a_wrong_code_is_refused(cast, clock):
    device, _codes = with_app(cast.coach)
    clock.shift(timedelta(seconds=30))  # the code used to set up the app cannot be used again
    client = password_step()
    assert "_auth_user_id" not in client.session  # the password alone signed nobody in
    assert client.get("/app/kracht-utrecht/").status_code == 302

    page = client.get(f"{CODE}?next=/app/kracht-utrecht/")
    assert "Code invullen" in page.text and f"Hoi {cast.coach.get_short_name()}," in page.text
    wrong = client.post(CODE, {"code": "123456", "next": "/app/kracht-utrecht/"})
    assert wrong.status_code == 200 and "Deze code klopt niet" in wrong.text
    assert "_auth_user_id" not in client.session

    clock.shift(timedelta(seconds=2))
    right = client.post(CODE, {"code": app_code(device), "next": "/app/kracht-utrecht/"})
    assert right.status_code == 302 and right["Location"] == "/app/kracht-utrecht/"
    assert client.get("/app/kracht-utrecht/").status_code == 200


def test_the_same_app_code_does_not_sign_in_twice(cast, clock):
    device, _codes = with_app(cast.coach)
    clock.shift(timedelta(seconds=30))
    code = app_code(device)
    first = password_step()
    assert first.post(CODE, {"code": code}).status_code == 302
    second = password_step()
    assert "Deze code klopt niet" in second.post(CODE, {"code": code}).text


def test_a_backup_code_signs_in_once(cast, clock):
    _device, codes = with_app(cast.coach)
    client = password_step()
    used = client.post(CODE, {"backup": codes[0].upper(), "next": "/app/kracht-utrecht/"})
    assert used.status_code == 302 and client.get("/app/kracht-utrecht/").status_code == 200
    assert StaticToken.objects.filter(device__user=cast.coach).count() == 9

    clock.shift(timedelta(seconds=5))
    again = password_step()
    refused = again.post(CODE, {"backup": codes[0]})
    assert "Deze code klopt niet" in refused.text and "_auth_user_id" not in again.session
    clock.shift(timedelta(seconds=5))
    assert again.post(CODE, {"backup": codes[1]}).status_code == 302


def test_many_wrong_codes_make_the_next_try_wait(cast, clock):
    device, _codes = with_app(cast.coach)
    client = password_step()
    for _ in range(4):
        client.post(CODE, {"code": "000000"})
        clock.shift(timedelta(seconds=0.5))
    waiting = client.post(CODE, {"code": app_code(device)})
    assert "Te veel verkeerde codes. Probeer het over" in waiting.text
    assert "_auth_user_id" not in client.session


def test_the_code_step_lasts_ten_minutes(cast, clock):
    device, _codes = with_app(cast.coach)
    client = password_step()
    clock.shift(timedelta(minutes=11))
    late = client.post(CODE, {"code": app_code(device)}, follow=True)
    assert late.redirect_chain[-1][0] == "/app/login/" and "Log opnieuw in" in late.text
    assert "_auth_user_id" not in client.session


def test_an_app_is_asked_for_even_where_no_studio_requires_it(cast, clock):
    with_app(cast.outsider)
    clock.shift(timedelta(seconds=30))
    password_step("eigenaar@andere.nl", "/app/")


def test_a_session_from_before_the_app_must_give_the_code_where_it_is_required(cast, clock):
    require(cast.studio)
    coach = client_for(cast.coach)  # signed in with the password before the app was set up elsewhere
    with_app(cast.coach)
    response = coach.get("/app/kracht-utrecht/")
    assert response["Location"] == f"{CODE}?next=%2Fapp%2Fkracht-utrecht%2F"
    # And the app cannot be replaced from such a session: that would make the password enough again.
    assert coach.get(SETUP)["Location"].startswith(CODE)


def test_the_installation_can_require_it_of_everyone(cast, settings):
    settings.REQUIRE_TWO_FACTOR = True
    for user in (cast.outsider, cast.agency):
        client = client_for(user)
        assert client.get("/app/")["Location"] == f"{SETUP}?next=%2Fapp%2F"
        assert client.get(SETUP).status_code == 200
    assert client_for(cast.outsider).get("/app/andere-studio/")["Location"].startswith(SETUP)


def test_a_studio_that_requires_it_requires_it_of_the_agency_there(cast):
    require(cast.studio)
    agency = client_for(cast.agency)
    assert agency.get("/app/kracht-utrecht/")["Location"].startswith(SETUP)
    assert agency.get("/app/andere-studio/").status_code == 200


def test_the_admin_asks_the_code_of_whoever_has_an_app(cast, clock):
    cast.agency.is_staff = cast.agency.is_superuser = True
    cast.agency.save()
    with_app(cast.agency)
    assert client_for(cast.agency).get("/admin/")["Location"].startswith(CODE)


def test_only_the_owner_changes_the_requirement_and_an_outsider_gets_a_404(cast):
    url = "/app/kracht-utrecht/team/tweestaps/"
    assert_other_studio_gets_404(url, cast.outsider, method="post")
    assert client_for(cast.coach).post(url, {"required": "on"}).status_code == 404
    cast.studio.refresh_from_db()
    assert not cast.studio.require_2fa
    assert "Verwijderen" not in client_for(cast.coach).get("/app/kracht-utrecht/team/").text


def test_the_team_page_shows_who_has_an_app(cast):
    with_app(cast.coach)
    page = client_for(cast.owner).get("/app/kracht-utrecht/team/").text
    youssef = page.split("youssef@kracht.nl", 1)[1].split("</tr>", 1)[0]
    sanne = page.split("sanne@kracht.nl", 1)[1].split("</tr>", 1)[0]
    assert "tweestaps aan" in youssef and "tweestaps uit" in sanne


def test_it_cannot_be_switched_off_where_it_is_required_and_can_where_not(cast, clock):
    device, _codes = with_app(cast.coach)
    clock.shift(timedelta(seconds=30))
    client = password_step()
    client.post(CODE, {"code": app_code(device)})
    require(cast.studio)
    refused = client.post("/app/account/tweestaps/uitzetten/", follow=True)
    assert "uitzetten kan niet" in refused.text
    assert TOTPDevice.objects.filter(user=cast.coach).exists()
    services.studio_two_factor_set(studio=cast.studio, required=False)
    done = client.post("/app/account/tweestaps/uitzetten/", follow=True)
    assert "Tweestapsverificatie staat uit." in done.text
    assert not TOTPDevice.objects.filter(user=cast.coach).exists()


def test_new_backup_codes_replace_the_old_ones(cast, clock):
    device, old = with_app(cast.coach)
    clock.shift(timedelta(seconds=30))
    client = password_step()
    client.post(CODE, {"code": app_code(device)})
    page = client.post("/app/account/tweestaps/reservecodes/")
    new = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", page.text)
    assert len(new) == 10 and not set(new) & set(old)
    assert page["Cache-Control"] == "no-store"
