"""The owner's page of the studio's details and photos: name, address, phone, e-mail, KvK number and btw-id as the
public pages show them, and up to three photos that are checked and re-encoded before anyone sees them."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from vollegym.core.testing import Cast, client_for
from vollegym.intake.services import questionnaire_install
from vollegym.studios.models import Studio, StudioPhoto

pytestmark = pytest.mark.django_db

DETAILS = "/app/kracht-utrecht/gegevens/"
PHOTOS = "/app/kracht-utrecht/gegevens/fotos/"
INTAKE = "/s/kracht-utrecht/intake/"


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def photo_bytes(size=(2400, 1800), *, kind="JPEG", mode="RGB", exif_orientation: int | None = None) -> bytes:
    """A photo-like picture (a gradient, so it compresses like a photo does)."""
    image = Image.linear_gradient("L").resize(size).convert(mode)
    out = io.BytesIO()
    if exif_orientation:
        exif = Image.Exif()
        exif[0x0112] = exif_orientation  # Orientation: turned on its side, as a phone holds it
        exif[0x8825] = {2: (52.0, 5.0, 0.0)}  # GPSInfo: a place the studio did not mean to publish
        image.save(out, kind, exif=exif)
    else:
        image.save(out, kind)
    return out.getvalue()


def upload(data: bytes, name: str = "studio.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def add_photo(client, data: bytes, alt: str = "De zaal met kettlebells", **kwargs):
    return client.post(PHOTOS, {"image": upload(data, **kwargs), "alt_text": alt})


def details(**changes: str) -> dict[str, str]:
    form = {
        "name": "Kracht Utrecht", "street": "Oudegracht 120", "postal_code": "3511 ax", "city": "Utrecht",
        "phone": "030-2345678", "email": "Hallo@Kracht.example", "kvk_number": "1234 5678",
        "vat_number": "nl 1234.56789 b01",
    }  # fmt: skip
    return {**form, **changes}


def test_the_owner_sets_the_studios_details_and_the_public_pages_show_them(cast: Cast, client):
    owner = client_for(cast.owner)
    response = owner.post(DETAILS, details())
    assert response.status_code == 302 and response["Location"] == DETAILS
    studio = Studio.objects.get(pk=cast.studio.pk)
    assert (studio.kvk_number, studio.vat_number, studio.phone, studio.email, studio.postal_code) == (
        "12345678", "NL123456789B01", "+31302345678", "hallo@kracht.example", "3511 AX",
    )  # fmt: skip
    page = owner.get(DETAILS).text
    assert 'value="12345678"' in page and 'value="NL123456789B01"' in page and 'value="030 234 5678"' in page
    questionnaire_install(studio=cast.studio, kind="pt")
    footer = client.get(INTAKE).text.split('<footer class="site-footer">')[1]
    assert "Oudegracht 120, 3511 AX Utrecht" in footer
    assert '<a href="tel:+31302345678">030 234 5678</a>' in footer
    assert '<a href="mailto:hallo@kracht.example">hallo@kracht.example</a>' in footer
    assert "KvK 12345678 · btw-id NL123456789B01" in footer
    assert '<a href="/s/kracht-utrecht/privacy/">Privacyverklaring</a>' in footer


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("kvk_number", "1234", "Een KvK-nummer heeft 8 cijfers"),
        ("vat_number", "NL12345678B01", "Een Nederlands btw-id ziet eruit als NL123456789B01."),
        ("phone", "12", "Dit telefoonnummer klopt niet."),
        ("name", "", "Dit veld is verplicht."),
    ],
)
def test_a_wrong_detail_is_said_by_its_field_and_nothing_is_saved(cast: Cast, field, value, message):
    response = client_for(cast.owner).post(DETAILS, details(**{field: value}))
    assert response.status_code == 200
    assert message in response.text
    studio = Studio.objects.get(pk=cast.studio.pk)
    assert studio.kvk_number == "" and studio.name == "Kracht Utrecht"


def test_a_studio_without_details_shows_only_its_name_in_the_footer(cast: Cast, client):
    questionnaire_install(studio=cast.studio, kind="pt")
    footer = client.get(INTAKE).text.split('<footer class="site-footer">')[1]
    assert "Kracht Utrecht" in footer and "<span>Utrecht</span>" in footer  # its city, from when it was made
    assert "KvK" not in footer and "btw-id" not in footer and "tel:" not in footer and "mailto:" not in footer
    assert '<a href="/s/kracht-utrecht/privacy/">Privacyverklaring</a>' in footer


def test_only_owners_and_the_agency_change_the_details_or_photos(cast: Cast):
    photo_owner = client_for(cast.owner)
    add_photo(photo_owner, photo_bytes())
    photo = StudioPhoto.objects.for_studio(cast.studio).get()
    urls = [DETAILS, PHOTOS, f"{PHOTOS}{photo.pk}/eerst/", f"{PHOTOS}{photo.pk}/weg/"]
    for user in (cast.coach, cast.outsider):
        client = client_for(user)
        for url in urls:
            assert client.get(url).status_code == 404, url
            assert client.post(url, details()).status_code == 404, url
    assert client_for(cast.agency).get(DETAILS).status_code == 200
    assert StudioPhoto.objects.for_studio(cast.studio).count() == 1
    assert Studio.objects.get(pk=cast.studio.pk).kvk_number == ""
    # another studio's owner cannot touch this photo through their own studio's address either
    assert (
        client_for(cast.outsider).post(f"/app/andere-studio/gegevens/fotos/{photo.pk}/weg/").status_code
        == 404
    )
    assert StudioPhoto.objects.for_studio(cast.studio).count() == 1


def test_a_photo_is_stored_upright_smaller_without_its_metadata_and_served_as_a_jpeg(cast: Cast, client):
    owner = client_for(cast.owner)
    response = add_photo(owner, photo_bytes((2400, 1800), exif_orientation=6), alt="  Twee leden  trainen ")
    assert response.status_code == 302
    photo = StudioPhoto.objects.for_studio(cast.studio).get()
    assert photo.alt_text == "Twee leden trainen"
    assert (photo.width, photo.height) == (1200, 1600)  # turned upright, at most 1600 pixels
    assert photo.image.name.startswith(f"studios/{cast.studio.pk}/") and photo.image.name.endswith(".jpg")
    with default_storage.open(photo.image.name) as stored, Image.open(stored) as image:
        assert image.format == "JPEG" and image.size == (1200, 1600)
        assert not image.getexif(), "no orientation, no GPS: nothing of the original's metadata"

    served = client.get(f"/s/kracht-utrecht/fotos/{photo.file_name}")
    assert served.status_code == 200
    assert served["Content-Type"] == "image/jpeg"
    assert served["Cache-Control"] == "public, max-age=31536000, immutable"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert b"".join(served.streaming_content).startswith(b"\xff\xd8\xff")
    assert client.get(f"/s/andere-studio/fotos/{photo.file_name}").status_code == 404
    assert client.get("/s/kracht-utrecht/fotos/0123456789abcdef.jpg").status_code == 404


def test_a_png_with_transparency_becomes_a_jpeg_on_white(cast: Cast):
    add_photo(client_for(cast.owner), photo_bytes((800, 600), kind="PNG", mode="RGBA"), name="logo.png")
    photo = StudioPhoto.objects.for_studio(cast.studio).get()
    with default_storage.open(photo.image.name) as stored, Image.open(stored) as image:
        assert image.format == "JPEG" and image.mode == "RGB" and image.size == (800, 600)


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script></svg>'
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"


@pytest.mark.parametrize(
    ("data", "name", "content_type", "message"),
    [
        (SVG, "foto.svg", "image/svg+xml", "Dit is geen foto die we kunnen tonen."),
        (SVG, "foto.jpg", "image/jpeg", "Dit is geen foto die we kunnen tonen."),
        (HTML, "foto.jpg", "image/jpeg", "Dit is geen foto die we kunnen tonen."),
        (
            photo_bytes((64, 64), kind="GIF", mode="P"),
            "foto.gif",
            "image/gif",
            "Dit is geen foto die we kunnen tonen.",
        ),
        (photo_bytes((64, 64))[:300], "half.jpg", "image/jpeg", "Dit is geen foto die we kunnen tonen."),
        (b"\xff\xd8\xff" + b"\0" * (10 * 1024 * 1024), "groot.jpg", "image/jpeg", "groter dan 10 MB"),
    ],
    ids=["svg", "svg-named-jpg", "html-named-jpg", "gif", "truncated-jpeg", "over-10-mb"],
)
def test_what_is_no_photo_we_show_is_refused_and_nothing_stored(
    cast: Cast, media, data, name, content_type, message
):
    response = add_photo(client_for(cast.owner), data, name=name, content_type=content_type)
    assert response.status_code == 200
    assert message in response.text
    assert not StudioPhoto.objects.for_studio(cast.studio).exists()
    assert not any(p.is_file() for p in Path(media).rglob("*"))


def test_a_photo_needs_a_description_and_there_are_at_most_three(cast: Cast):
    owner = client_for(cast.owner)
    assert "Dit veld is verplicht." in add_photo(owner, photo_bytes((300, 200)), alt="").text
    for n in range(3):
        assert add_photo(owner, photo_bytes((300, 200)), alt=f"Foto {n}").status_code == 302
    refused = add_photo(owner, photo_bytes((300, 200)), alt="Foto 4")
    assert "Er staan al drie foto&#x27;s. Haal er eerst een weg." in refused.text
    assert StudioPhoto.objects.for_studio(cast.studio).count() == 3


def test_the_intake_shows_the_photos_with_their_descriptions_first_chosen_first(
    cast: Cast, client, media, django_capture_on_commit_callbacks
):
    questionnaire_install(studio=cast.studio, kind="pt")
    assert 'class="studio-photos' not in client.get(INTAKE).text  # without photos: no empty frame
    owner = client_for(cast.owner)
    add_photo(owner, photo_bytes((1600, 900)), alt="De zaal")
    add_photo(owner, photo_bytes((900, 1600)), alt="Sanne coacht een deadlift")
    first, second = StudioPhoto.objects.for_studio(cast.studio).order_by("position")
    page = client.get(INTAKE).text
    assert page.index('alt="De zaal"') < page.index('alt="Sanne coacht een deadlift"')
    assert f'src="/s/kracht-utrecht/fotos/{first.file_name}" alt="De zaal" width="1600" height="900"' in page

    owner.post(f"{PHOTOS}{second.pk}/eerst/")
    page = client.get(INTAKE).text
    assert page.index('alt="Sanne coacht een deadlift"') < page.index('alt="De zaal"')

    with django_capture_on_commit_callbacks(execute=True):
        owner.post(f"{PHOTOS}{second.pk}/weg/")
    assert 'alt="Sanne coacht een deadlift"' not in client.get(INTAKE).text
    assert not default_storage.exists(second.image.name)  # the file goes with it
    assert client.get(f"/s/kracht-utrecht/fotos/{second.file_name}").status_code == 404
