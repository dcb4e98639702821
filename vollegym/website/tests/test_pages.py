import time
from pathlib import Path

import pytest
from django.core.management import call_command

from vollegym.website.tests.conftest import write_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def folder(tmp_path: Path, content) -> Path:
    folder: Path = content(tmp_path / "content")
    folder.mkdir()
    write_page(
        folder, "home.md", 'title: "Thuis"\ndescription: "De homepage."\nslug: "home"',
        "# Welkom\n\nLees [de dienst](/dienst).\n",
    )  # fmt: skip
    write_page(
        folder,
        "dienst.md",
        'title: "Dienst | Volle Gym"\ndescription: "Wat we doen."\nslug: "dienst"\n'
        'relatedBlogs: ["/kennisbank/artikel", "/kennisbank/bestaat-niet"]\nrelatedServices: ["/weg"]',
        '# Dienst\n\n<script>alert(1)</script><p onclick="x()">Klik</p>\n\n'
        '<iframe src="https://evil.example"></iframe>\n\n[Link](javascript:alert(1))\n\n## Tweede kop\n\nTekst.\n\n'
        "[Plan je intake](/intake)\n",
    )
    write_page(
        folder,
        "artikel.md",
        'title: "Artikel"\ndescription: "Een artikel."\nslug: "artikel"\ntype: "blog"\n'
        'cardTitle: "Kaarttitel"\ncardDescription: "Kaarttekst."',
    )
    write_page(
        folder,
        "zonder-kaart.md",
        'title: "Zonder kaart"\ndescription: "Val terug."\nslug: "zonder-kaart"\ntype: "blog"',
    )
    return folder


def test_raw_html_in_a_body_is_sanitised(client, folder):
    page = client.get("/dienst/").text
    assert "<script" not in page.split("<main", 1)[1]
    assert "onclick" not in page
    assert "<iframe" not in page
    assert 'href="javascript:' not in page
    assert "Klik" in page


def test_seo_tags_and_language(client, folder):
    page = client.get("/dienst/").text
    assert '<html lang="nl">' in page
    assert "<title>Dienst | Volle Gym</title>" in page
    assert '<meta name="description" content="Wat we doen.">' in page
    assert '<link rel="canonical" href="http://testserver/dienst/">' in page
    assert '<meta property="og:title" content="Dienst | Volle Gym">' in page
    assert '<meta property="og:url" content="http://testserver/dienst/">' in page


def test_canonical_uses_site_url_when_set(client, folder, settings):
    settings.SITE_URL = "https://www.vollegym.nl"
    page = client.get("/dienst/").text
    assert '<link rel="canonical" href="https://www.vollegym.nl/dienst/">' in page
    assert "<loc>https://www.vollegym.nl/dienst/</loc>" in client.get("/sitemap.xml").text
    assert "Sitemap: https://www.vollegym.nl/sitemap.xml" in client.get("/robots.txt").text


def test_related_cards_leave_out_entries_without_a_page(client, folder):
    page = client.get("/dienst/").text
    assert "Kaarttitel" in page and "Kaarttekst." in page
    assert "/kennisbank/bestaat-niet" not in page and 'href="/weg/"' not in page


def test_custom_intake_label_becomes_the_call_to_action(client, folder):
    page = client.get("/dienst/").text
    assert page.count(">Plan je intake</a>") == 2  # hero and closing section
    assert '<p><a href="/intake/">' not in page  # lifted out of the body


def test_home_page_is_served_at_root_and_lists_services_and_posts(client, folder):
    page = client.get("/").text
    assert "Welkom" in page and "Dienst | Volle Gym" in page and "Kaarttitel" in page
    assert client.get("/home/").status_code == 404


def test_kennisbank_index_cards_fall_back_to_title_and_description(client, folder):
    page = client.get("/kennisbank/").text
    assert "Kaarttitel" in page and "Kaarttekst." in page
    assert "Zonder kaart" in page and "Val terug." in page
    assert "Artikel</span>" not in page  # the card title wins over the title


def test_etag_and_last_modified_give_304(client, folder):
    first = client.get("/dienst/")
    assert first["ETag"] and first["Last-Modified"]
    again = client.get("/dienst/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    since = client.get("/dienst/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert since.status_code == 304


def test_a_changed_file_is_served_without_a_restart(client, folder):
    from vollegym.website.site import site_cache

    before = client.get("/dienst/")
    time.sleep(0.01)
    path = folder / "dienst.md"
    path.write_text(path.read_text(encoding="utf-8").replace("Tweede kop", "Nieuwe kop"), encoding="utf-8")
    site_cache._checked = 0.0  # the folder is looked at again every few seconds; now, in this test
    after = client.get("/dienst/")
    assert "Nieuwe kop" in after.text
    assert after["ETag"] != before["ETag"]


def test_unknown_pages_are_404_with_a_dutch_page(client, folder):
    response = client.get("/bestaat-niet/")
    assert response.status_code == 404
    assert "Deze pagina bestaat niet" in response.text
    assert client.get("/kennisbank/bestaat-niet/").status_code == 404


def test_robots_txt_keeps_crawlers_out_of_the_back_office(client, folder):
    robots = client.get("/robots.txt")
    assert robots["Content-Type"].startswith("text/plain")
    assert "Disallow: /app/" in robots.text and "Sitemap: http://testserver/sitemap.xml" in robots.text


def test_export_site_writes_the_same_pages_as_static_files(folder, tmp_path, client):
    out = tmp_path / "export"
    call_command("export_site", str(out), base_url="https://www.vollegym.nl")
    assert (out / "index.html").exists()
    dienst = (out / "dienst" / "index.html").read_text(encoding="utf-8")
    assert '<link rel="canonical" href="https://www.vollegym.nl/dienst/">' in dienst
    assert (out / "kennisbank" / "artikel" / "index.html").exists()
    assert (out / "kennisbank" / "index.html").exists()
    assert "https://www.vollegym.nl/dienst/" in (out / "sitemap.xml").read_text()
    assert (out / "robots.txt").exists() and (out / "404.html").exists()
    assert "<h1>Privacyverklaring</h1>" in (out / "privacy" / "index.html").read_text(encoding="utf-8")
    assert (out / "static" / "vollegym" / "vollegym.css").exists()


def test_export_site_needs_a_base_url(folder, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="base-url"):
        call_command("export_site", str(tmp_path / "x"))
