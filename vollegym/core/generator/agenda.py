"""The small-group agenda: every class's weekly sessions, each member's fixed places, and who came.

A member in a group program gets a fixed place in as many classes a week as the program has sessions, from its
first run to its last in that program, in the classes of that program with the most room when they start. A session
gives its mats to its fixed places in the order they were made, up to its capacity. Past sessions have their
attendance (a member comes to about their own share of sessions, less in the weeks before they stop); the coming
four weeks are booked, as the agenda's sweep books them.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from vollegym.core.generator.plan import Mat, Run, Session, Slot, StudioPlan, at, local_day, monday_of

WEEKS_AHEAD = 4  # the agenda's default: sessions are put on it four weeks ahead
HISTORY_BEFORE = timedelta(weeks=14)  # sessions from before the lead history, for the members already there
LEAVING = timedelta(weeks=5)  # a member who stops comes less in their last weeks


@dataclass
class _Stretch:
    """Runs of one group program that follow each other."""

    key: str
    first_day: date
    last_day: date
    made: datetime


def plan_agenda(plan: StudioPlan, rng: random.Random) -> None:
    classes = plan.spec.classes
    if classes:
        holders: dict[int, list[Slot]] = defaultdict(list)
        for member in plan.members:
            for stretch in _stretches(plan, member.runs):
                for cls in _choose(plan, stretch, holders, rng):
                    ongoing = stretch.last_day >= plan.today
                    slot = Slot(
                        member=member.index, cls=cls, first_day=stretch.first_day,
                        last_day=None if ongoing else stretch.last_day, until=stretch.last_day,
                        created_at=stretch.made,
                    )  # fmt: skip
                    holders[cls].append(slot)
                    plan.slots.append(slot)
        _sessions(plan, holders, rng)
        _used(plan)
    for run in plan.runs:  # PT is not on the agenda: sessions used are estimated from the days gone by
        if plan.programs[run.program].format != "small_group":
            days = (min(plan.today, run.ends_on + timedelta(days=1)) - run.starts_on).days
            per_week = plan.programs[run.program].per_week
            run.sessions_used = min(run.sessions_total, max(0, round(days / 7 * per_week * 0.85)))


def _stretches(plan: StudioPlan, runs: list[int]) -> list[_Stretch]:
    found: list[_Stretch] = []
    for index in runs:
        run = plan.runs[index]
        if plan.programs[run.program].format != "small_group":
            continue
        last = found[-1] if found else None
        if (
            last is not None
            and last.key == run.program
            and last.last_day + timedelta(days=1) == run.starts_on
        ):
            last.last_day = run.ends_on
        else:
            found.append(_Stretch(run.program, run.starts_on, run.ends_on, run.created_at))
    return found


def _choose(
    plan: StudioPlan, stretch: _Stretch, holders: dict[int, list[Slot]], rng: random.Random
) -> list[int]:
    """The program's classes with most room on the first day, on different days of the week where possible."""
    classes = plan.spec.classes
    options = [n for n, c in enumerate(classes) if c.program == stretch.key] or list(range(len(classes)))

    def free(n: int) -> float:
        taken = sum(1 for s in holders[n] if s.first_day <= stretch.first_day <= s.until)
        return classes[n].capacity - taken + rng.random()

    ranked = sorted(options, key=free, reverse=True)
    chosen: list[int] = []
    for n in ranked:
        if len(chosen) < plan.programs[stretch.key].per_week and all(
            classes[n].weekday != classes[c].weekday for c in chosen
        ):
            chosen.append(n)
    return chosen


def _sessions(plan: StudioPlan, holders: dict[int, list[Slot]], rng: random.Random) -> None:
    classes, now = plan.spec.classes, plan.now
    last_days = {m.index: plan.last_day(m) for m in plan.members}
    first = monday_of(plan.first_day - HISTORY_BEFORE)
    horizon = now + timedelta(weeks=WEEKS_AHEAD)
    week = first
    while week <= local_day(horizon):
        for n, cls in enumerate(classes):
            day = week + timedelta(days=cls.weekday)
            starts = at(day, cls.starts.hour, cls.starts.minute)
            if starts > horizon:
                continue
            session = Session(n, starts, starts + timedelta(minutes=cls.minutes), cls.capacity)
            for slot in holders[n]:
                if len(session.mats) >= cls.capacity:
                    break
                if slot.first_day <= day <= slot.until:
                    session.mats.append(_mat(plan, slot, session, last_days[slot.member], rng))
            plan.sessions.append(session)
        week += timedelta(weeks=1)


def _mat(plan: StudioPlan, slot: Slot, session: Session, last_day: date, rng: random.Random) -> Mat:
    booked = min(max(slot.created_at, session.starts_at - timedelta(weeks=WEEKS_AHEAD)), plan.now)
    if session.starts_at >= plan.now:
        return Mat(slot.member, "booked", booked)
    chance = plan.members[slot.member].attendance
    day = local_day(session.starts_at)
    if plan.spec.rates.realistic and last_day < plan.today and day >= last_day - LEAVING:
        chance *= 0.6
    if rng.random() < chance:
        return Mat(slot.member, "attended", booked)
    if rng.random() < 0.6:
        hours = rng.randint(2, 48)
        cancelled = max(session.starts_at - timedelta(hours=hours), booked)
        return Mat(slot.member, "cancelled", booked, cancelled)
    return Mat(slot.member, "no_show", booked)


def _used(plan: StudioPlan) -> None:
    """Each attended session counts on the member's group run of that day."""
    runs: dict[int, list[Run]] = defaultdict(list)
    for run in plan.runs:
        if plan.programs[run.program].format == "small_group":
            runs[run.member].append(run)
    for session in plan.sessions:
        day = local_day(session.starts_at)
        for mat in session.mats:
            if mat.status != "attended":
                continue
            for run in runs[mat.member]:
                if run.starts_on <= day <= run.ends_on and run.sessions_used < run.sessions_total:
                    run.sessions_used += 1
                    break
