"""The rate limit under requests at the same moment: each counts once, in the database every web process shares."""

from __future__ import annotations

import pytest

from vollegym.api.models import RateWindow
from vollegym.api.services import rate_count
from vollegym.api.tests.kit import make_token
from vollegym.core.races import race

pytestmark = pytest.mark.django_db(transaction=True)

LEADS = "/api/v1/studios/kracht-utrecht/leads"


def test_requests_at_once_are_each_counted_and_only_the_limit_gets_through(cast, settings):
    settings.API_RATE_PER_MINUTE = 4
    secret = make_token(cast.studio, cast.owner).secret
    headers = {"Authorization": f"Bearer {secret}"}
    outcomes = race([lambda client: client.get(LEADS, headers=headers) for _ in range(7)])
    statuses = sorted(o.status for o in outcomes)
    # Seven at once within one minute (a minute that turns during the race would let more through: rare, allowed).
    counted = sorted(RateWindow.objects.values_list("count", flat=True))
    assert sum(counted) == 7
    if len(counted) == 1:
        assert statuses == [200] * 4 + [429] * 3


def test_an_old_window_is_cleared_when_the_next_minute_opens(cast):
    token = make_token(cast.studio, cast.owner).token
    assert [rate_count(token=token, minute=100) for _ in range(3)] == [1, 2, 3]
    assert rate_count(token=token, minute=101) == 1
    assert rate_count(token=token, minute=103) == 1  # 100 and 101 are past the last minute
    assert sorted(RateWindow.objects.values_list("minute", flat=True)) == [103]
