"""Programs through the API carry the price in force and the price history, read in one query per page."""

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vollegym.api.tests.kit import ApiClient, make_token
from vollegym.core import clock
from vollegym.programs.services import program_price_set
from vollegym.programs.tests.test_prices_and_enrolment import make_program

pytestmark = pytest.mark.django_db


def listed(api: ApiClient, slug: str) -> tuple[list[dict[str, Any]], int]:
    with CaptureQueriesContext(connection) as queries:
        answer = api.get(f"/api/v1/studios/{slug}/programs")
    assert answer.status_code == 200
    return answer.json()["items"], len(queries)


# Time stands still: one minute of the rate limit, so its row is made once.
@time_machine.travel("2026-11-02 10:00:00+00:00", tick=False)
def test_each_program_has_its_price_today_and_its_history_at_the_same_cost_for_two_or_six(cast):
    api = ApiClient(make_token(cast.studio, cast.owner).secret)
    # The token's first request of the minute also notes its use and opens a window: not counted below.
    listed(api, cast.studio.slug)
    first = make_program(cast.studio, name="Programma 0", price_cents=100_00)
    make_program(cast.studio, name="Programma 1", price_cents=110_00)
    program_price_set(program=first, amount_cents=120_00, effective_from=clock.today() + timedelta(days=30),
                      by=cast.owner)  # fmt: skip
    items, two = listed(api, cast.studio.slug)
    by_name = {item["name"]: item for item in items}
    assert by_name["Programma 0"]["price_cents"] == 100_00  # the later price is not in force yet
    assert [p["amount_cents"] for p in by_name["Programma 0"]["prices"]] == [120_00, 100_00]
    for n in range(2, 6):
        make_program(cast.studio, name=f"Programma {n}", price_cents=100_00 + n)
    items, six = listed(api, cast.studio.slug)
    assert len(items) == 6 and six == two
