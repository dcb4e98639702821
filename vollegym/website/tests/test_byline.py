"""A kennisbank post's date and author: optional front matter (date, updated, author), shown on the post, its
card and its Open Graph tags; a malformed one is reported by the content check and left out, the post still
served; a post without a date shows none; the seeds, which have none, load as before."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from vollegym.website.site import load_site
from vollegym.website.tests.conftest import write_page

pytestmark = pytest.mark.django_db

POST = 'title: "Artikel"\ndescription: "Een artikel."\nslug: "artikel"\ntype: "blog"\n'


@pytest.fixture
def folder(tmp_path: Path, content) -> Path:
    folder: Path = content(tmp_path / "content")
    folder.mkdir()
    return folder


def test_a_post_shows_when_it_was_published_and_updated_and_by_whom(client, folder):
    write_page(
        folder, "artikel.md", POST + 'date: 2026-03-14\nupdated: "2026-05-02"\nauthor: "Sanne de Vries"'
    )
    page = client.get("/kennisbank/artikel/").text
    assert (
        '<p class="byline">Gepubliceerd op <time datetime="2026-03-14">14 maart 2026</time>, bijgewerkt op '
        '<time datetime="2026-05-02">2 mei 2026</time> · door <span class="byline__author">Sanne de Vries</span></p>'
    ) in page
    assert '<meta property="og:type" content="article">' in page
    assert '<meta property="article:published_time" content="2026-03-14">' in page
    assert '<meta property="article:modified_time" content="2026-05-02">' in page
    assert '<meta property="article:author" content="Sanne de Vries">' in page
    index = client.get("/kennisbank/").text
    assert 'Kennisbank · <time datetime="2026-03-14">14 maart 2026</time>' in index


def test_the_site_stays_dutch_for_a_visitor_who_chose_english_in_the_app(client, folder, settings):
    write_page(folder, "artikel.md", POST + "date: 2026-03-14")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "14 maart 2026" in client.get("/kennisbank/artikel/").text
    translation.activate("nl")


def test_a_post_without_a_date_shows_none(client, folder):
    write_page(folder, "artikel.md", POST)
    write_page(folder, "alleen-auteur.md", POST.replace("artikel", "alleen-auteur") + 'author: "Youssef"')
    page = client.get("/kennisbank/artikel/").text
    assert 'class="byline"' not in page and "<time" not in page and "article:published_time" not in page
    assert "Gepubliceerd" not in page
    only_author = client.get("/kennisbank/alleen-auteur/").text
    assert '<p class="byline">Door <span class="byline__author">Youssef</span></p>' in only_author
    assert "<time" not in only_author


def test_a_service_page_has_no_byline(client, folder):
    write_page(folder, "dienst.md", 'title: "Dienst"\ndescription: "D."\nslug: "dienst"\ndate: 2026-03-14')
    page = client.get("/dienst/").text
    assert 'class="byline"' not in page and "article:published_time" not in page


@pytest.mark.parametrize(
    ("front", "field", "why"),
    [
        ("date: 14-03-2026", "date", "'14-03-2026' is not a date: write it like 2026-03-14"),
        ("date: 20260314", "date", "20260314 is not a date: write it like 2026-03-14"),
        ('date: "2026-02-30"', "date", "'2026-02-30' is not a day of the calendar"),
        ("date: 2026-03-14 10:30:00", "date", "has a time: write the day only, like 2026-03-14"),
        ("date: [2026-03-14]", "date", "is not a date"),
        ("date: 2026-03-14\nupdated: 2026-03-01", "updated", "left out: it is before date 2026-03-14"),
        ("updated: 2026-03-01", "updated", "left out: give the day it was first published as date too"),
        ('author: ""', "author", "is empty"),
        ("author: 42", "author", "Input should be a valid string"),
        ('author: "' + "x" * 101 + '"', "author", "is longer than 100 characters"),
    ],
)
def test_a_malformed_byline_is_reported_and_left_out_and_the_post_still_served(
    client, folder, front, field, why
):
    write_page(folder, "artikel.md", POST + front)
    site = load_site(folder)
    (problem,) = site.problems
    assert (problem.file, problem.field, problem.level) == ("artikel.md", field, "error")
    assert why in problem.message
    page = client.get("/kennisbank/artikel/")
    assert page.status_code == 200
    left_out = {"date": "Gepubliceerd", "updated": "bijgewerkt", "author": "byline__author"}[field]
    assert left_out not in page.text
    with pytest.raises(CommandError):
        call_command("check_content", str(folder))


def test_a_bad_required_field_next_to_a_bad_date_still_keeps_the_page_out(folder):
    write_page(folder, "artikel.md", POST.replace('slug: "artikel"', 'slug: "Fout Artikel"') + "date: morgen")
    site = load_site(folder)
    assert {(p.field, p.level) for p in site.problems} == {("slug", "error"), ("date", "error")}
    assert site.pages == {}


def test_posts_with_a_date_are_listed_newest_first(client, folder):
    write_page(
        folder, "oud.md", POST.replace("artikel", "oud").replace('"Artikel"', '"Oud"') + "date: 2025-01-02"
    )
    write_page(
        folder,
        "nieuw.md",
        POST.replace("artikel", "nieuw").replace('"Artikel"', '"Nieuw"') + "date: 2026-06-01",
    )
    index = client.get("/kennisbank/").text
    assert index.index("/kennisbank/nieuw/") < index.index("/kennisbank/oud/")
    sitemap = client.get("/sitemap.xml").text
    assert "<loc>http://testserver/kennisbank/nieuw/</loc><lastmod>2026-06-01</lastmod>" in sitemap.replace(
        "\n", ""
    ).replace(" ", "")


def test_the_seeds_without_a_date_load_cleanly_and_show_no_date(client, content, seeds_dir):
    site = load_site(seeds_dir)
    assert [p for p in site.problems if p.field in ("date", "updated", "author")] == []
    content(seeds_dir)
    page = client.get("/kennisbank/small-group-leden-werven/").text
    assert "Gepubliceerd" not in page and "<time" not in page
