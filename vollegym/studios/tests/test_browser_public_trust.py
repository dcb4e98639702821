"""The public site's trust in Chromium, on a phone and a desktop: the owner sets the studio's details and uploads
photos that the intake then wears (with their descriptions); the privacy statement and the footer with the
contact details and KvK number; a kennisbank post with its date and author. Nothing scrolls sideways."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import Page, expect

from vollegym.core.browser import DESKTOP, PHONE, SCREENS_DIR, assert_no_horizontal_overflow, screenshot
from vollegym.core.testing import Cast, make_studio
from vollegym.intake.services import questionnaire_install
from vollegym.intake.tests.test_browser_booking import log_in
from vollegym.studios.models import StudioPhoto
from vollegym.studios.services import studio_details_update

if TYPE_CHECKING:
    from vollegym.core.browser import NewPage

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def studio_picture(size: tuple[int, int], tint: tuple[int, int, int]) -> bytes:
    """A stand-in for a photo of a gym: a lit wall, a floor, a rack of weights."""
    width, height = size
    image = Image.new("RGB", size, tint)
    draw = ImageDraw.Draw(image)
    for y in range(height):  # light from above
        shade = int(60 * y / height)
        draw.line([(0, y), (width, y)], fill=tuple(max(0, c - shade) for c in tint))
    draw.rectangle([0, int(height * 0.72), width, height], fill=(70, 60, 52))  # the floor
    for n in range(7):  # kettlebells along the wall
        x = int(width * (0.1 + n * 0.12))
        r = int(height * 0.06)
        draw.ellipse([x - r, int(height * 0.64) - r, x + r, int(height * 0.64) + r], fill=(25, 30, 28))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def images_loaded(page: Page) -> list[bool]:
    loaded = page.locator(".studio-photos img").evaluate_all(
        "imgs => imgs.map(i => i.complete && i.naturalWidth > 0)"
    )
    return [bool(each) for each in loaded]


def test_the_owner_sets_the_details_and_photos_and_the_intake_wears_them(
    cast: Cast, new_page: NewPage, tmp_path: Path
) -> None:
    questionnaire_install(studio=cast.studio, kind="pt")
    page = new_page(viewport=PHONE)
    log_in(page, "sanne@kracht.nl")
    page.get_by_role("link", name="Gegevens en foto's wijzigen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gegevens van de studio")
    page.get_by_label("Straat en huisnummer").fill("Oudegracht 120")
    page.get_by_label("Postcode").fill("3511 AX")
    page.get_by_label("Telefoon").fill("030 234 5678")
    page.get_by_label("E-mailadres").fill("hallo@kracht.example")
    page.get_by_label("KvK-nummer").fill("12345678")
    page.get_by_label("Btw-id").fill("NL123456789B01")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.locator(".messages li")).to_have_text("De gegevens van de studio zijn opgeslagen.")

    for n, (alt, size, tint) in enumerate(
        [
            ("De zaal met de kettlebells langs de muur", (2400, 1600), (196, 214, 200)),
            ("De hoek voor het small-group circuit", (1600, 1200), (214, 200, 176)),
            ("De kleedkamer", (1200, 1600), (190, 200, 214)),
        ]
    ):
        picture = tmp_path / f"foto-{n}.jpg"
        picture.write_bytes(studio_picture(size, tint))
        page.get_by_label("Foto", exact=True).set_input_files(picture)
        page.get_by_label("Wat staat er op de foto?").fill(alt)
        page.get_by_role("button", name="Foto toevoegen").click()
        expect(page.locator(".messages li")).to_have_text("De foto staat op de pagina's van de studio.")
    expect(page.get_by_role("button", name="Foto toevoegen")).to_have_count(0)  # three is the most
    expect(page.get_by_role("img", name="De kleedkamer")).to_be_visible()
    assert_no_horizontal_overflow(page)
    screenshot(page, "studio-details-phone.png")
    assert StudioPhoto.objects.for_studio(cast.studio).count() == 3

    for viewport, name in ((PHONE, "phone"), (DESKTOP, "desktop")):
        visitor = new_page(viewport=viewport)
        visitor.goto("/s/kracht-utrecht/intake/")
        expect(visitor.get_by_role("img", name="De zaal met de kettlebells langs de muur")).to_be_visible()
        if viewport is PHONE:  # only the first, so the form stays near the top
            expect(visitor.get_by_role("img", name="De kleedkamer")).to_be_hidden()
            assert images_loaded(visitor)[0]
        else:
            expect(visitor.get_by_role("img", name="De kleedkamer")).to_be_visible()
            assert images_loaded(visitor) == [True, True, True]
        expect(visitor.get_by_role("heading", level=1)).to_be_in_viewport()
        first = visitor.locator(".studio-photos img").first.bounding_box()
        heading = visitor.get_by_role("heading", level=1).bounding_box()
        assert first and heading and first["y"] < heading["y"], "the photos head the intake"
        footer = visitor.locator("footer")
        expect(footer).to_contain_text("KvK 12345678 · btw-id NL123456789B01")
        expect(footer.get_by_role("link", name="030 234 5678")).to_have_attribute("href", "tel:+31302345678")
        assert_no_horizontal_overflow(visitor)
        screenshot(visitor, f"intake-photos-{name}.png")


def test_without_photos_the_intake_has_no_empty_frame(cast: Cast, new_page: NewPage) -> None:
    questionnaire_install(studio=cast.studio, kind="pt")
    page = new_page(viewport=PHONE)
    page.goto("/s/kracht-utrecht/intake/")
    expect(page.locator(".studio-photos")).to_have_count(0)
    expect(page.get_by_role("heading", level=1)).to_be_in_viewport()
    assert_no_horizontal_overflow(page)


def test_the_privacy_statement_from_the_intake_and_the_footer(cast: Cast, new_page: NewPage) -> None:
    studio_details_update(
        studio=cast.studio, name="Kracht Utrecht", street="Oudegracht 120", postal_code="3511 AX", city="Utrecht",
        email="hallo@kracht.example", phone="030 234 5678", kvk_number="12345678", vat_number="NL123456789B01",
    )  # fmt: skip
    questionnaire_install(studio=cast.studio, kind="pt")
    for viewport, name in ((PHONE, "phone"), (DESKTOP, "desktop")):
        for javascript in (True, False):
            page = new_page(viewport=viewport, javascript=javascript)
            page.goto("/s/kracht-utrecht/intake/")
            # from the consent text, with htmx boosting the intake's links and without
            page.locator("form").get_by_role("link", name="privacyverklaring").click()
            expect(page).to_have_url(re.compile(r"/s/kracht-utrecht/privacy/$"))
            expect(page.get_by_role("heading", level=1)).to_have_text("Privacyverklaring")
        expect(page.get_by_role("link", name="Autoriteit Persoonsgegevens")).to_be_visible()
        expect(page.locator(".statement__contact")).to_contain_text("KvK 12345678")
        assert_no_horizontal_overflow(page)
        screenshot(page, f"privacy-statement-{name}.png")
        page.locator("footer").screenshot(path=SCREENS_DIR / f"footer-studio-{name}.png")


def test_a_kennisbank_post_shows_its_date_and_author(db: None, new_page: NewPage) -> None:
    studio_details_update(
        studio=make_studio(name="Volle Gym", slug="volle-gym"), name="Volle Gym", street="Voorbeeldstraat 1",
        postal_code="3511 AA", city="Utrecht", email="intake@vollegym.example", phone="030 123 4567",
        kvk_number="87654321", vat_number="NL987654321B01",
    )  # fmt: skip
    for viewport, name in ((PHONE, "phone"), (DESKTOP, "desktop")):
        page = new_page(viewport=viewport)
        page.goto("/kennisbank/de-eerste-30-dagen/")
        byline = page.locator(".byline")
        expect(byline).to_have_text(
            "Gepubliceerd op 9 juni 2026, bijgewerkt op 15 september 2026 · door Redactie Volle Gym"
        )
        expect(byline).to_be_in_viewport()
        expect(page.locator("footer").get_by_role("link", name="Privacyverklaring")).to_have_attribute(
            "href", "/privacy/"
        )
        assert_no_horizontal_overflow(page)
        screenshot(page, f"kennisbank-post-byline-{name}.png")
        page.locator("footer").screenshot(path=SCREENS_DIR / f"footer-site-{name}.png")
