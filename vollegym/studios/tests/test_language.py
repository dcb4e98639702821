import pytest
from django.conf import settings
from django.test import Client

from vollegym.core.testing import client_for

pytestmark = pytest.mark.django_db


def test_back_office_is_dutch_even_for_an_english_browser(client):
    page = client.get("/app/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "<h1>Inloggen</h1>" in page.text
    assert page["Content-Language"] == "nl"


def test_choosing_english_translates_the_back_office(cast, client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/app/login/"})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert "<h1>Log in</h1>" in client.get("/app/login/").text
    coach = client_for(cast.coach)
    coach.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    dashboard = coach.get("/app/kracht-utrecht/")
    assert "your role" in dashboard.text and "Manage the team" in dashboard.text
    owner = client_for(cast.owner)
    owner.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    team = owner.get("/app/kracht-utrecht/team/").text
    assert "Invite a team member" in team and "Two-step verification" in team
    locked = Client()
    locked.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for n in range(settings.AXES_FAILURE_LIMIT):
        page = locked.post("/app/login/", {"username": "sanne@kracht.nl", "password": f"wrong-{n}"})
    assert "Too many wrong passwords. Try again in 15 minutes" in page.text


def test_an_unknown_language_cookie_falls_back_to_dutch(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    assert "<h1>Inloggen</h1>" in client.get("/app/login/").text


def test_the_public_site_stays_dutch_with_an_english_cookie(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get("/")
    assert '<html lang="nl">' in page.text
