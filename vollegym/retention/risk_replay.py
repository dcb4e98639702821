"""Churn risk replayed through time: the weekly checks the call list would have made, and who stayed or left.

The report on outreach and the back-test (`vollegym churn-backtest`) both replay the studio's history with the same
rule as the live list (`risk.risk_of`): every Monday morning, each member's risk from what had happened before it.
Whether a member stayed or left is read from all their runs as they stand now.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from vollegym.core import clock
from vollegym.programs.models import Member
from vollegym.retention.models import Outreach
from vollegym.retention.risk import History, Risk, risk_of
from vollegym.retention.risk_selectors import LOOK_BACK, histories_of
from vollegym.studios.models import Studio

CHECK_AT = time(6, 0)  # Monday, before the first class
STAY_WEEKS = 8  # a member still a member this long after a flag stayed
REACHED_BEFORE = timedelta(days=7)  # an outreach this long before a flag, or
REACHED_AFTER = timedelta(days=21)  # this long after it, counts as reaching the flagged member


def mondays(first: date, last: date) -> list[date]:
    day = first + timedelta(days=(7 - first.weekday()) % 7)
    found = []
    while day <= last:
        found.append(day)
        day += timedelta(weeks=1)
    return found


def member_on(history: History, day: date) -> bool:
    """Whether the member had a run (not stopped) on the day, as their runs stand now."""
    return any(not r.stopped and r.starts_on <= day <= r.ends_on for r in history.runs)


def departures(history: History, before: date) -> list[date]:
    """The days the member left before `before`: the day after a stretch of runs ended with nothing after it.

    A stretch ended by a stopped run is left out: the day it stopped is not kept.
    """
    runs = sorted(history.runs, key=lambda r: (r.starts_on, r.pk))
    stretches: list[list[date]] = []
    for run in (r for r in runs if not r.stopped):
        if stretches and run.starts_on <= stretches[-1][1] + timedelta(days=1):
            stretches[-1][1] = max(stretches[-1][1], run.ends_on)
        else:
            stretches.append([run.starts_on, run.ends_on])
    stopped = [r for r in runs if r.stopped]
    found = []
    for start, end in stretches:
        left_on = end + timedelta(days=1)
        # A stopped run going on from inside the stretch: the member stopped, on a day that is not kept.
        went_on = any(start <= r.starts_on <= left_on and r.ends_on > end for r in stopped)
        if left_on < before and not went_on:
            found.append(left_on)
    return found


@dataclass(frozen=True)
class Check:
    moment: datetime
    risk: Risk


@dataclass
class Replay:
    studio: Studio
    today: date
    histories: dict[int, History]
    checks: dict[int, list[Check]] = field(default_factory=dict)  # member: their checks with a score above 0
    moments: list[datetime] = field(default_factory=list)


def replay(studio: Studio, *, first: date, last: date, now: datetime | None = None) -> Replay:
    """Every Monday from `first` to `last`, each member's risk then. Three queries for the whole studio."""
    now = now or clock.now()
    zone = studio.zone
    moments = [clock.wall_time(d, CHECK_AT, zone) or clock.now() for d in mondays(first, last)]
    moments = [m for m in moments if m <= now]
    since = (moments[0] if moments else now) - LOOK_BACK
    histories = histories_of(studio, Member.objects.for_studio(studio), since=since, until=now)
    found = Replay(studio, clock.local(now, zone).date(), histories, moments=moments)
    for member_id, history in histories.items():
        checks = [Check(m, risk) for m in moments if (risk := risk_of(history, m)).score > 0]
        if checks:
            found.checks[member_id] = checks
    return found


@dataclass(frozen=True)
class MonthRow:
    """One month of the outreach report: who was on the call list, who was reached, and who stayed."""

    month: date
    flagged: int
    contacted: int  # any outreach (a message, a call not answered)
    reached: int  # spoken to
    reached_stayed: int
    reached_known: int  # reached members whose STAY_WEEKS have passed
    others_stayed: int
    others_known: int  # flagged members not reached, whose STAY_WEEKS have passed

    @property
    def reached_share(self) -> int | None:
        return round(100 * self.reached / self.flagged) if self.flagged else None

    @property
    def reached_stayed_share(self) -> int | None:
        return round(100 * self.reached_stayed / self.reached_known) if self.reached_known else None

    @property
    def others_stayed_share(self) -> int | None:
        return round(100 * self.others_stayed / self.others_known) if self.others_known else None


def report_total(rows: list[MonthRow]) -> MonthRow | None:
    """The months added up (a member on the list in two months counts in both)."""
    if not rows:
        return None
    return MonthRow(
        rows[-1].month, *(sum(getattr(r, name) for r in rows) for name in (
            "flagged", "contacted", "reached", "reached_stayed", "reached_known", "others_stayed", "others_known"
        ))
    )  # fmt: skip


def _month_start(day: date, back: int) -> date:
    n = day.year * 12 + day.month - 1 - back
    return date(n // 12, n % 12 + 1, 1)


def outreach_report(studio: Studio, *, months: int = 6, now: datetime | None = None) -> list[MonthRow]:
    """Per month, newest first: the members on the call list at a Monday check, how many of them someone reached
    (from a week before to three weeks after their first check that month), and how many were still members
    eight weeks later, reached or not. Four queries."""
    now = now or clock.now()
    today = clock.local(now, studio.zone).date()
    starts = [_month_start(today, back) for back in range(months - 1, -1, -1)]
    found = replay(studio, first=starts[0], last=today, now=now)
    contacts: dict[int, list[Outreach]] = defaultdict(list)
    for outreach in (
        Outreach.objects.for_studio(studio)
        .filter(
            at__gte=clock.wall_time(starts[0], CHECK_AT, studio.zone) or now - timedelta(days=31 * months),
            at__lte=now,
        )
        .order_by("at")
    ):
        contacts[outreach.member_id].append(outreach)
    rows = []
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else today + timedelta(days=1)
        if not any(start <= clock.local(m, studio.zone).date() < end for m in found.moments):
            continue  # a month whose first Monday is still to come
        flagged = 0
        counts: dict[str, int] = defaultdict(int)
        for member_id, checks in found.checks.items():
            first = next(
                (
                    c
                    for c in checks
                    if c.risk.at_risk and start <= clock.local(c.moment, studio.zone).date() < end
                ),
                None,
            )
            if first is None:
                continue
            flagged += 1
            window = (first.moment - REACHED_BEFORE, first.moment + REACHED_AFTER)
            near = [o for o in contacts.get(member_id, []) if window[0] <= o.at <= window[1]]
            reached = any(o.reached for o in near)
            counts["contacted"] += bool(near)
            counts["reached"] += reached
            later = clock.local(first.moment, studio.zone).date() + timedelta(weeks=STAY_WEEKS)
            if later > today:
                continue
            stayed = member_on(found.histories[member_id], later)
            key = "reached" if reached else "others"
            counts[f"{key}_known"] += 1
            counts[f"{key}_stayed"] += stayed
        rows.append(
            MonthRow(
                start, flagged, counts["contacted"], counts["reached"], counts["reached_stayed"],
                counts["reached_known"], counts["others_stayed"], counts["others_known"],
            )
        )  # fmt: skip
    return list(reversed(rows))
