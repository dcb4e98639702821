"""The two seed pages, loaded as they are, read as a visitor reads them."""

import html
import re

import pytest

from vollegym.website.site import load_site
from vollegym.website.tests.conftest import PT_SEED as PT
from vollegym.website.tests.conftest import SG_SEED as SG

pytestmark = pytest.mark.django_db


def _text(page_html: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", page_html))


def _headings(page_html: str) -> list[str]:
    return [_text(h) for h in re.findall(r"<h[1-6][^>]*>(.*?)</h[1-6]>", page_html, flags=re.S)]


def test_service_seed_renders_what_a_reader_sees(client, content, seeds_dir):
    content(seeds_dir)
    response = client.get("/personal-training-klanten-werven/")
    assert response.status_code == 200
    page = response.text
    assert "<title>Goede en zekere personal training klanten werven in de buurt</title>" in page
    # the four hero lines, in order, the third with its leading space kept
    lines = re.findall(r'<span class="hero__line[^"]*">(.*?)</span>', page)
    assert lines == ["Slimme en", "juiste mensen", " werven als PT", "klant op termijn."]
    assert 'class="hero__line hero__line--indent"> werven als PT<' in page
    assert "Moeite met je uurtarief verkopen ten aanzien van kortingsprijzen?" in page
    assert "Waar zoek ik exact de serieuzer betalende leden voor mij?" in page
    headings = _headings(page)
    for heading in [
        "Goede en zekere personal training klanten werven in de buurt",
        "Het probleem zit in de eerste stap",
        "Jouw tarief verdient een betere context",
        "De mensen in jouw buurt zijn geen koude markt",
        "Wat \u201cwerven\u201d eigenlijk betekent voor een PT studio".replace("\u201c", '"').replace(
            "\u201d", '"'
        ),
        "Retentie is de stille motor achter groei",
    ]:
        assert heading in headings, heading
    # the body's closing "Doe de intake" is the call to action, pointing at the intake
    assert '<a class="button button--light" href="/intake/">Doe de intake</a>' in page
    # internal links are written canonically, even to pages that do not exist (yet)
    assert 'href="/pt-studio-marketing/"' in page


def test_blog_seed_renders_at_kennisbank_with_its_parts(client, content, seeds_dir):
    content(seeds_dir)
    assert client.get("/small-group-leden-werven/").status_code == 404  # a blog is not a service page
    response = client.get("/kennisbank/small-group-leden-werven/")
    assert response.status_code == 200
    page = response.text
    assert "<title>Small Group Leden Werven - De #1 Groeistrategie | Volle Gym</title>" in page
    lines = re.findall(r'<span class="hero__line[^"]*">(.*?)</span>', page)
    assert lines == ["Slim small", "group nieuwe", " vaste leden", "online werven."]
    assert "Wij vullen wekelijks de open plekken in jouw small group agenda" in page
    assert "Behoud de club dynamiek prachtig" in page
    headings = _headings(page)
    for heading in [
        "Structureel en in rust small group leden online werven",
        "Waarom small group marketing anders werkt",
        "Het probleem met mond-tot-mondreclame als enige groeistrategie",
        "Wat een werkende funnel voor small group er concreet uitziet",
        "Prijsstelling en capaciteit als groeihefboom",
        "Retentie is de stille motor achter groei",
        "Structureel werven vraagt om een systeem, niet om geluk",
    ]:
        assert heading in headings, heading
    # its related blogs do not exist in this folder: left out of the page, not broken links
    assert "Verder lezen" not in page
    assert 'href="/kennisbank/fitness-leadgeneratie/"' not in page


def test_seed_pages_in_the_kennisbank_index_and_sitemap(client, content, seeds_dir):
    content(seeds_dir)
    index = client.get("/kennisbank/").text
    assert "Small group klassen continu vol plannen zonder losse aanwas" in index  # cardTitle
    assert "capaciteit altijd tot de laatste mat" in index  # cardDescription
    assert "Goede en zekere personal training" in index  # service page, by its title (no cardTitle)
    sitemap = client.get("/sitemap.xml").text
    assert "http://testserver/kennisbank/small-group-leden-werven/" in sitemap
    assert "http://testserver/personal-training-klanten-werven/" in sitemap


def test_check_content_reports_the_seeds_broken_links(seeds_dir):
    site = load_site(seeds_dir)
    assert len(site.pages) == 2
    broken = sorted(str(p) for p in site.errors)
    assert broken == sorted(
        [
            PT + ": body: link to /pt-studio-marketing/, a page or route that does not exist",
            PT + ": body: link to /fitness-leadgeneratie/, a page or route that does not exist",
            PT + ": body: link to /leden-werven-sportschool/, a page or route that does not exist",
            SG + ": body: link to /small-group-training-marketing/, a page or route that does not exist",
            SG + ": body: link to /fitness-leads-opvolgen/, a page or route that does not exist",
            SG + ": body: link to /leden-werven-sportschool/, a page or route that does not exist",
            SG + ": relatedBlogs: /kennisbank/fitness-leadgeneratie is not a page of this site",
            SG + ": relatedBlogs: /kennisbank/leden-werven-sportschool is not a page of this site",
        ]
    )
    # "/intake" is the application's own route, so the call to action is not a broken link
    assert not any("/intake" in str(p) for p in site.problems)
