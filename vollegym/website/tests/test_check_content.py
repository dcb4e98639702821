"""Planted faults: each reported as `file: field: why`, the faulty page left out, the others served."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from vollegym.website.site import load_site
from vollegym.website.tests.conftest import write_page

pytestmark = pytest.mark.django_db

GOOD = 'title: "Goed"\ndescription: "Een goede pagina."\nslug: "goed"'


@pytest.fixture
def faulty(tmp_path: Path) -> Path:
    folder = tmp_path / "content"
    folder.mkdir()
    write_page(folder, "goed.md", GOOD, "# Goed\n\nZie [de fout](/fout) en [de blog](/kennisbank/post).\n")
    write_page(folder, "post.md", 'title: "Post"\ndescription: "Een blog."\nslug: "post"\ntype: "blog"')
    (folder / "kapot-yaml.md").write_text('---\ntitle: "Open\nslug: x: y\n---\nbody', encoding="utf-8")
    write_page(folder, "zonder-titel.md", 'description: "d"\nslug: "zonder-titel"')
    write_page(folder, "fout-type.md", 'title: "T"\ndescription: "d"\nslug: "fout-type"\ntype: "nieuws"')
    write_page(folder, "foute-slug.md", 'title: "T"\ndescription: "d"\nslug: "Foute Slug"')
    write_page(folder, "dubbel.md", 'title: "Dubbel"\ndescription: "d"\nslug: "goed"')
    write_page(folder, "onbekend.md", 'title: "T"\ndescription: "d"\nslug: "onbekend"\nauteur: "Sanne"')
    write_page(
        folder, "lijst.md", 'title: "T"\ndescription: "d"\nslug: "lijst"\nrelatedBlogs: "/kennisbank/post"'
    )
    write_page(folder, "route.md", 'title: "T"\ndescription: "d"\nslug: "kennisbank"')
    (folder / "geen-front-matter.md").write_text("# Alleen tekst\n", encoding="utf-8")
    (folder / "binair.md").write_bytes(b"---\ntitle: \xff\xfe\n---\n")
    write_page(folder, "leeg.md", 'title: "  "\ndescription: "d"\nslug: "leeg"')
    write_page(
        folder, "verwijst.md", 'title: "T"\ndescription: "d"\nslug: "verwijst"\nrelatedServices: ["/weg"]'
    )
    return folder


def test_every_planted_fault_is_reported_with_file_and_field(faulty):
    site = load_site(faulty)
    problems = {str(p) for p in site.problems}
    expected_starts = [
        "kapot-yaml.md: front matter: invalid YAML (line ",
        "zonder-titel.md: title: required field is missing",
        "fout-type.md: type: must be 'blog' or absent, not 'nieuws'",
        "foute-slug.md: slug: Value error, 'Foute Slug' is not a slug",
        "dubbel.md: slug: duplicate: / is already served by".replace(" / ", " /goed/ "),
        "onbekend.md: auteur: warning: unknown field, ignored",
        "lijst.md: relatedBlogs: Input should be a valid list",
        "route.md: slug: 'kennisbank' is taken by the application's route /kennisbank/",
        "geen-front-matter.md: front matter: missing",
        "binair.md: file: not UTF-8 text",
        "leeg.md: title: Value error, is empty",
        "goed.md: body: link to /fout/, a page or route that does not exist",
        "verwijst.md: relatedServices: /weg is not a page of this site",
    ]
    for start in expected_starts:
        assert any(p.startswith(start) for p in problems), f"not reported: {start}\n" + "\n".join(
            sorted(problems)
        )
    # a link to an existing blog is fine; an unknown field is only a warning, the page is served
    assert not any("/kennisbank/post" in p and "goed.md" in p for p in problems)
    assert set(site.pages) == {"/goed/", "/kennisbank/post/", "/onbekend/", "/verwijst/"}


def test_faulty_pages_are_404_and_never_break_the_others(client, content, faulty):
    content(faulty)
    assert client.get("/goed/").status_code == 200
    assert client.get("/onbekend/").status_code == 200
    assert client.get("/verwijst/").status_code == 200  # its related entry is simply left out
    for url in ["/zonder-titel/", "/fout-type/", "/foute-slug/", "/lijst/", "/leeg/", "/kapot-yaml/"]:
        assert client.get(url).status_code == 404, url
    assert client.get("/kennisbank/").status_code == 200
    assert client.get("/sitemap.xml").status_code == 200


def test_check_content_command_prints_problems_and_exits_non_zero(faulty):
    result = subprocess.run(
        [sys.executable, "-m", "vollegym", "check-content", str(faulty)],
        capture_output=True, text=True, timeout=60,
        env={"DJANGO_SETTINGS_MODULE": "vollegym.config.test_settings", "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert result.returncode == 1
    assert "zonder-titel.md: title: required field is missing" in result.stdout
    assert "onbekend.md: auteur: warning: unknown field, ignored" in result.stdout
    assert "4 pages served" in result.stderr


def test_the_bundled_demo_content_has_no_errors_and_no_broken_links():
    site = load_site(Path(settings.BASE_DIR) / "website" / "content")
    assert [str(p) for p in site.problems] == []
    assert len(site.pages) >= 7
    assert "/" in site.pages
    assert sum(p.is_blog for p in site.pages.values()) >= 3


def test_check_content_exits_zero_on_the_demo_content():
    result = subprocess.run(
        [sys.executable, "-m", "vollegym", "check-content"],
        capture_output=True, text=True, timeout=60,
        env={"DJANGO_SETTINGS_MODULE": "vollegym.config.test_settings", "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 errors" in result.stdout
