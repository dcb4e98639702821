"""The agency's portfolio: every active studio in one table, each figure against the median of all studios, the
ones far off on the bad side marked; only the agency has it; the same number of queries for three studios or ten."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vollegym.analytics.portfolio import portfolio
from vollegym.core.testing import Cast, client_for, make_lead, make_studio
from vollegym.studios.models import Studio

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 4, 11, 0, tzinfo=UTC)


def leads(studio: Studio, n: int, *, answered_after: timedelta, days_ago: int = 3) -> None:
    created = NOW - timedelta(days=days_ago)
    for i in range(n):
        make_lead(studio, name=f"Lead {i}", created_at=created, first_contact_at=created + answered_after)


def studios_with_leads(cast: Cast) -> list[Studio]:
    """Five studios: four alike, one with far fewer leads and far slower answers."""
    found = [cast.studio, cast.other_studio] + [
        make_studio(name=f"Studio {c}", slug=f"studio-{c}") for c in "abc"
    ]
    for studio, n in zip(found[:4], (20, 22, 24, 26), strict=True):
        leads(studio, n, answered_after=timedelta(minutes=10))
    leads(found[4], 2, answered_after=timedelta(hours=30))
    leads(found[0], 10, answered_after=timedelta(minutes=10), days_ago=40)  # the four weeks before
    return found


def test_each_figure_against_the_median_and_the_far_off_one_marked(cast: Cast) -> None:
    studios = studios_with_leads(cast)
    with time_machine.travel(NOW, tick=False):
        found = portfolio(studios)
    assert found.medians[0] == "22"  # leads: 2, 20, 22, 24, 26
    rows = {row.studio.slug: row for row in found.rows}
    slow = rows["studio-c"]
    assert slow.figures[0].outlier and slow.figures[0].against_median == "worse"
    assert slow.figures[1].outlier and slow.figures[1].shown == "30,0 uur"  # slower is worse
    assert found.rows[0].studio.slug == "studio-c"  # the most marked figures first
    kracht = rows[cast.studio.slug]
    assert (
        kracht.figures[0].against_median == "worse" and not kracht.figures[0].outlier
    )  # 20 < 22, not far off
    assert kracht.figures[0].trend == "up"  # 20 against 10 in the four weeks before
    assert rows["studio-b"].figures[0].against_median == "better"


def test_only_the_agency_has_the_portfolio(cast: Cast, client) -> None:
    studios_with_leads(cast)
    own = make_studio(
        name="Volle Gym", slug="volle-gym"
    )  # the agency's own tenant is no gym: not in the table
    leads(own, 3, answered_after=timedelta(days=2))
    with time_machine.travel(NOW, tick=False):
        page = client_for(cast.agency).get("/app/bureau/")
        owner = client_for(cast.owner).get("/app/bureau/")
        anonymous = client.get("/app/bureau/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Studio c" in html and "Kracht Utrecht" in html and "let op" in html
    assert f'href="/app/{cast.studio.slug}/"' in html
    assert 'href="/app/volle-gym/"' not in html
    assert "Wat telt hier?" in html and "eerste contact" in html  # every column explained in one click
    assert owner.status_code == 404
    assert anonymous.status_code == 302 and "/app/login/" in anonymous["Location"]


def test_the_same_queries_for_three_studios_or_ten(cast: Cast) -> None:
    def count(studios: list[Studio]) -> int:
        with time_machine.travel(NOW, tick=False), CaptureQueriesContext(connection) as queries:
            portfolio(studios)
        return len(queries)

    few = [cast.studio, cast.other_studio, make_studio(name="Drie", slug="drie")]
    many = few + [make_studio(name=f"S{i}", slug=f"s-{i}") for i in range(7)]
    for studio in many:
        leads(studio, 3, answered_after=timedelta(minutes=5))
    assert count(many) == count(few)
