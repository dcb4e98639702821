"""Every kind of page carries a Content-Security-Policy that allows no inline script or style, and holds none.

One page of each kind, on the demo's data (so the bars, the meters, the switcher and the progress bar are there):
the public site, a studio's intake and member pages, the back office, the Django admin, and the error pages.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import TYPE_CHECKING

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import include, path

from vollegym.core.management.commands.demo import load_demo_data
from vollegym.core.testing import client_for
from vollegym.leads.models import Lead
from vollegym.programs.models import Member
from vollegym.schedule.models import ClassSession
from vollegym.schedule.services import member_link
from vollegym.studios.models import Studio, User

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

pytestmark = pytest.mark.django_db

UNSAFE = ("'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*", "data:", "http:", "https:")


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a view that breaks, for the 500 page")


urlpatterns = [path("kapot/", boom), path("", include("vollegym.config.urls"))]


def directives(response: Response) -> dict[str, list[str]]:
    header = response.get("Content-Security-Policy")
    assert header, f"{response.status_code} without a Content-Security-Policy"
    policy: dict[str, list[str]] = {}
    for part in header.split(";"):
        name, *sources = part.split()
        policy[name] = sources
    return policy


def assert_strict_policy(response: Response) -> None:
    policy = directives(response)
    for name in ("script-src", "style-src"):
        sources = policy.get(name, policy.get("default-src"))
        assert sources, f"no {name} (nor default-src) in the policy"
        assert not set(sources) & set(UNSAFE), f"{name} {' '.join(sources)} lets inline or foreign code in"
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]


class _Inline(HTMLParser):
    """What a strict policy would block in a page: inline scripts, <style>, style and on* attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        if tag == "style":
            self.found.append("<style>")
        if tag == "script" and not names.get("src") and names.get("type") not in ("application/json",):
            self.found.append("<script> without src")
        for name, value in attrs:
            if name == "style" or re.fullmatch(r"on[a-z]+", name):
                self.found.append(f'<{tag} {name}="{value}">')


def assert_no_inline(response: Response) -> None:
    parser = _Inline()
    parser.feed(response.content.decode())
    assert not parser.found, f"inline code the policy blocks: {parser.found}"


def check(response: Response, status: int = 200) -> str:
    assert response.status_code == status, response.status_code
    assert_strict_policy(response)
    assert_no_inline(response)
    return response.content.decode()


@pytest.fixture
def demo() -> Studio:
    load_demo_data()
    return Studio.objects.get(slug="demo")


@pytest.mark.urls(__name__)
def test_every_kind_of_page_has_a_strict_policy_and_no_inline_code(demo: Studio) -> None:
    visitor = Client()
    # The public site and its error pages.
    check(visitor.get("/"))
    check(visitor.get("/kennisbank/"))
    check(visitor.get("/bestaat-niet/"), 404)
    visitor.raise_request_exception = False
    assert "Er ging iets mis" in check(visitor.get("/kapot/"), 500)
    refused = Client(enforce_csrf_checks=True).post("/app/login/", {"username": "x", "password": "y"})
    assert "Dit formulier is verlopen" in check(refused, 403)

    # A studio's public pages: the intake's first step (its progress bar) and the member pages.
    assert 'class="progress__bar"' in check(visitor.get("/s/demo/intake/"))
    check(visitor.get("/s/demo/leden/"))
    member = Member.objects.for_studio(demo).filter(person__email__gt="").select_related("studio").first()
    assert member is not None
    signed_in = Client()
    signed_in.get(member_link(member))
    check(signed_in.get("/s/demo/leden/rooster/"))

    # The back office: the agency has the studio switcher; the week's meters, the speed bars, the pipeline.
    agency = User.objects.get(email="bureau@vollegym.nl")
    office = client_for(agency)
    assert "data-autosubmit" in check(office.get("/app/demo/"))
    assert 'class="meter"' in check(office.get("/app/demo/rooster/"))
    assert "<rect" in check(office.get("/app/demo/cijfers/snelheid/"))
    chart = '<img class="chart-image" src="data:image/svg+xml;base64,'  # pygal's SVG as an image: its <style> is its own
    assert check(office.get("/app/demo/cijfers/leden/")).count(chart) == 2
    assert chart in check(office.get("/app/demo/cijfers/advertenties/"))
    assert check(office.get("/app/demo/cijfers/groei/")).count(chart) == 2
    check(office.get("/app/demo/leads/"))
    lead = Lead.objects.for_studio(demo).order_by("-id").first()
    assert lead is not None
    check(office.get(f"/app/demo/leads/{lead.pk}/"))
    check(office.get("/app/demo/leads/pipeline/"))
    session = ClassSession.objects.for_studio(demo).order_by("starts_at").last()
    assert session is not None
    check(office.get(f"/app/demo/rooster/les/{session.pk}/"))

    # The Django admin: its index, a list and a change form.
    check(office.get("/admin/"))
    check(office.get("/admin/studios/studio/"))
    check(office.get(f"/admin/studios/studio/{demo.pk}/change/"))
