"""The privacy statement a visitor reads: per studio and for the Volle Gym site, with the studio's own retention
periods and contact details, the rights a person has, in Dutch (and English for who chose it); linked from the
footer of every public page and from the intake's consent text."""

from __future__ import annotations

import pytest
from django.utils import translation

from vollegym.core.testing import Cast, make_person, make_studio
from vollegym.intake.services import questionnaire_install
from vollegym.messaging.services import preferences_url
from vollegym.people.models import PrivacySettings
from vollegym.people.rights import privacy_settings_update
from vollegym.studios.models import Studio
from vollegym.studios.selectors import site_owner_memo
from vollegym.studios.services import studio_details_update

pytestmark = pytest.mark.django_db

STATEMENT = "/s/kracht-utrecht/privacy/"
RIGHTS = ["Inzage", "Correctie", "Verwijdering", "Bezwaar", "Toestemming intrekken"]


@pytest.fixture
def detailed(cast: Cast) -> Studio:
    return studio_details_update(
        studio=cast.studio, name="Kracht Utrecht", street="Oudegracht 120", postal_code="3511 AX", city="Utrecht",
        email="hallo@kracht.example", phone="030 234 5678", kvk_number="12345678", vat_number="NL123456789B01",
    )  # fmt: skip


@pytest.fixture
def agency_tenant(db) -> Studio:
    site = make_studio(name="Volle Gym", slug="volle-gym")
    studio_details_update(
        studio=site, name="Volle Gym", street="Voorbeeldstraat 1", postal_code="3511 AA", city="Utrecht",
        email="privacy@vollegym.example", phone="030 123 4567", kvk_number="87654321", vat_number="",
    )  # fmt: skip
    site_owner_memo.forget()
    return site


def test_a_studios_statement_says_what_is_kept_why_how_long_and_whom_to_ask(cast: Cast, detailed, client):
    privacy_settings_update(studio=cast.studio, lead_months=6, raw_delivery_days=14, by=cast.owner)
    response = client.get(STATEMENT)
    assert response.status_code == 200
    page = response.text
    assert '<html lang="nl">' in page and "<h1>Privacyverklaring</h1>" in page
    assert "Kracht Utrecht is verantwoordelijk voor wat er met je gegevens gebeurt." in page
    for kept in ("Je naam, telefoonnummer en e-mailadres", "Je antwoorden in de intake",
                 "Antwoorden over je gezondheid", "Je toestemmingen", "Als je lid wordt"):  # fmt: skip
        assert kept in page, kept
    assert "contactgegevens en antwoorden 6 maanden na je laatste aanvraag" in page
    assert "bewaren we 14 dagen nadat we het verwerkten" in page
    for right in RIGHTS:
        assert f"<strong>{right}</strong>" in page, right
    assert (
        '<a href="https://autoriteitpersoonsgegevens.nl/" rel="external">Autoriteit Persoonsgegevens</a>'
        in page
    )
    contact = page.split('<address class="statement__contact">')[1].split("</address>")[0]
    for shown in (
        "Oudegracht 120",
        "3511 AX Utrecht",
        "mailto:hallo@kracht.example",
        "030 234 5678",
        "KvK 12345678",
    ):
        assert shown in contact, shown


def test_the_statement_follows_the_studios_settings_and_one_month_is_singular(cast: Cast, client):
    privacy_settings_update(studio=cast.studio, lead_months=1, raw_delivery_days=1, by=cast.owner)
    page = client.get(STATEMENT).text
    assert "antwoorden 1 maand na je laatste aanvraag" in page and "bewaren we 1 dag nadat" in page


def test_reading_the_statement_writes_nothing(cast: Cast, client):
    page = client.get(STATEMENT).text
    assert "antwoorden 12 maanden na" in page and "bewaren we 30 dagen" in page  # the defaults
    assert not PrivacySettings.objects.for_studio(cast.studio).exists()
    assert "Vraag het aan Kracht Utrecht" in page  # no contact details given yet: no empty address block


def test_the_volle_gym_site_has_its_own_statement(agency_tenant, client):
    page = client.get("/privacy/").text
    assert "Volle Gym is verantwoordelijk" in page
    assert "en de naam van je studio" in page  # the agency's intake asks studio owners
    assert "Als je lid wordt" not in page and "Antwoorden over je gezondheid" not in page
    assert "privacy@vollegym.example" in page and "KvK 87654321" in page
    assert '<a href="/privacy/">Privacyverklaring</a>' in page


def test_without_the_agencys_tenant_the_site_statement_still_stands(db, client):
    site_owner_memo.forget()
    response = client.get("/privacy/")
    assert response.status_code == 200 and "Volle Gym is verantwoordelijk" in response.text


def test_an_unknown_or_inactive_studio_has_no_statement(cast: Cast, client):
    assert client.get("/s/bestaat-niet/privacy/").status_code == 404
    Studio.objects.filter(pk=cast.studio.pk).update(is_active=False)
    assert client.get(STATEMENT).status_code == 404


def test_in_english_for_who_chose_english(cast: Cast, client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(STATEMENT).text
    translation.activate("nl")
    assert '<html lang="en">' in page
    assert "<h1>Privacy statement</h1>" in page
    assert "Dutch Data Protection Authority" in page and "<strong>Access</strong>" in page
    assert "12 months after your last request" in page


def test_every_public_page_links_its_statement_in_the_footer(cast: Cast, detailed, agency_tenant, client):
    questionnaire_install(studio=cast.studio, kind="pt")
    questionnaire_install(studio=agency_tenant, kind="agency")
    person = make_person(cast.studio, name="Eva", email="eva@example.nl")
    studio_pages = ["/s/kracht-utrecht/intake/", "/s/kracht-utrecht/leden/", STATEMENT,
                    preferences_url(person, cast.studio).split("testserver", 1)[-1]]  # fmt: skip
    site_pages = ["/", "/kennisbank/", "/kennisbank/intake-in-plaats-van-proefles/", "/intake/", "/privacy/"]
    for url in studio_pages:
        footer = client.get(url).text.split('<footer class="site-footer">')[1]
        assert '<a href="/s/kracht-utrecht/privacy/">Privacyverklaring</a>' in footer, url
        assert "KvK 12345678" in footer, url
    for url in site_pages:
        footer = client.get(url).text.split('<footer class="site-footer">')[1]
        assert '<a href="/privacy/">Privacyverklaring</a>' in footer, url
        assert "KvK 87654321" in footer and "privacy@vollegym.example" in footer, url


def test_the_intakes_consent_text_links_the_statement(cast: Cast, client):
    questionnaire_install(studio=cast.studio, kind="pt")
    form = client.get("/s/kracht-utrecht/intake/").text.split('<form method="post"')[1].split("</form>")[0]
    assert '<a href="/s/kracht-utrecht/privacy/" hx-boost="false">privacyverklaring</a>' in form


def test_a_change_to_the_sites_details_shows_on_its_cached_pages(
    agency_tenant, client, django_capture_on_commit_callbacks
):
    assert "KvK 87654321" in client.get("/kennisbank/").text
    with django_capture_on_commit_callbacks(execute=True):
        studio_details_update(
            studio=agency_tenant, name="Volle Gym", city="Utrecht", email="hallo@vollegym.example",
            kvk_number="11223344",
        )  # fmt: skip
    page = client.get("/kennisbank/").text
    assert "KvK 11223344" in page and "hallo@vollegym.example" in page and "87654321" not in page
