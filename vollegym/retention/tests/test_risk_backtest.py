"""The back-test on the demo's year at a fixed moment, the demo's call list and report, and who counts as leaving."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command

from vollegym.core.management.commands.demo import load_demo_data
from vollegym.retention.backtest import BEHAVIOUR_ONLY, backtest_run
from vollegym.retention.models import Outreach
from vollegym.retention.risk import THRESHOLD, History, RunFact
from vollegym.retention.risk_replay import departures, outreach_report
from vollegym.retention.risk_selectors import risk_calls_for, risk_rows
from vollegym.studios.models import Studio

MONDAY_NIGHT = datetime(2026, 11, 23, 2, 5, tzinfo=UTC)


@pytest.mark.django_db
def test_the_back_test_on_the_demo_year_catches_the_fading_leavers_and_says_so_in_docs(tmp_path):
    with time_machine.travel(MONDAY_NIGHT, tick=False):
        load_demo_data()
        studio = Studio.objects.get(slug="demo")
        result = backtest_run(studio)
        out = tmp_path / "churn-backtest.md"
        call_command("churn_backtest", studio="demo", output=str(out))

    assert result.checks >= 40  # a year of Mondays, less the first eight weeks
    chosen, alone = result.at(THRESHOLD), result.at(THRESHOLD, BEHAVIOUR_ONLY)
    assert len(chosen.leavers) >= 20 and len(chosen.group) >= 10
    # Behaviour alone catches most group members who left, two weeks or more ahead, without flagging everyone.
    assert alone.group_recall is not None and alone.group_recall >= 0.5
    assert alone.precision is not None and 0.2 <= alone.precision <= 0.9
    assert chosen.flagged_stayed > 0 and chosen.per_week < result.per_week / 3
    assert all(x.days_ahead is None or x.days_ahead >= 14 for x in chosen.leavers)
    # Raising the threshold never flags more members.
    flagged = [s.flagged for s in result.scores if s.signals == "all"]
    assert flagged == sorted(flagged, reverse=True)

    text = out.read_text(encoding="utf-8")
    assert (
        f"Of the {len(chosen.leavers)} members who left, {chosen.caught} were flagged at least two weeks"
        in text
    )
    assert f"Of the {chosen.flagged} members flagged, {chosen.flagged_stayed} did not leave" in text
    assert f"flagged **{alone.group_caught} of the {len(alone.group)} group members who left**" in text
    assert "## How the threshold was chosen" in text and f"| **{THRESHOLD}** |" in text


@pytest.mark.django_db
def test_the_demo_call_list_and_report_have_every_story_to_show():
    with time_machine.travel(MONDAY_NIGHT, tick=False):
        load_demo_data()
        studio = Studio.objects.get(slug="demo")
        calls = risk_calls_for(studio)
        watch = risk_rows(studio, at_risk_only=False)
        months = outreach_report(studio)
        outreach = Outreach.objects.for_studio(studio).count()
        load_demo_data()
        assert Outreach.objects.for_studio(studio).count() == outreach  # loading again adds nothing

    reasons = " | ".join(reason for row in calls for reason in row.reasons)
    assert len(calls) >= 5
    for words in ("Kwam de laatste", "geboekte les", "eindigt over"):
        assert words in reasons, words
    assert any(row.risk.notes for row in calls), "no personal-training member on the list"
    assert any(not row.risk.at_risk for row in watch), "nobody to keep an eye on"
    assert any(row.contact is not None for row in calls), "no call logged on the list"
    assert outreach >= 20
    assert any(m.reached_known and m.others_known for m in months), "no month tells reached from not reached"


def _run(pk: int, starts_on: date, weeks: int, **fields) -> RunFact:
    return RunFact(
        pk=pk, program="Small group", format="small_group", kind="membership", sessions_per_week=2,
        starts_on=starts_on, ends_on=starts_on + timedelta(weeks=weeks) - timedelta(days=1),
        created_at=datetime(2025, 1, 1, tzinfo=UTC), **fields,
    )  # fmt: skip


def test_leaving_is_the_day_after_a_stretch_of_runs_ends_with_nothing_after_it():
    today = date(2026, 12, 1)
    # Two periods in a row, then nothing: left once, the day after the second.
    assert departures(History(1, [_run(1, date(2026, 1, 5), 4), _run(2, date(2026, 2, 2), 4)]), today) == [
        date(2026, 3, 2)
    ]
    # Left, came back in May, still a member: one departure.
    back = [_run(1, date(2026, 1, 5), 4), _run(2, date(2026, 5, 4), 52)]
    assert departures(History(2, back), today) == [date(2026, 2, 2)]
    # A run that ends after today has not ended; a stopped run's day is not kept, so it is no departure.
    assert departures(History(3, [_run(1, date(2026, 11, 2), 8)]), today) == []
    stopped = [_run(1, date(2026, 1, 5), 4), _run(2, date(2026, 2, 2), 12, stopped=True)]
    assert departures(History(4, stopped), today) == []
