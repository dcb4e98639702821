"""Members and their runs: who joined when, how long they meant to stay, and the enrolments that carried them.

A member's runs follow each other without a gap, so they are a member from their first run's start to their last
run's end. How long they stay is drawn once per member: with `stay` the share that goes on after each period of four
weeks, the chance of staying at least m periods is stay^(m-1). A membership's next period is made when the current
one starts (a period's notice), a program's follow-up a few days before it ends; nothing is made after `now`, so a
member who is still training has their current run (and perhaps the next) and is not counted as gone.
"""

from __future__ import annotations

import math
import random
from datetime import date, datetime, timedelta

from vollegym.core.generator.plan import Member, Person, Run, StudioPlan, at, local_day
from vollegym.core.generator.spec import PERIOD_DAYS

MAX_PERIODS = 100  # longer than any history: the member is still there
GOLDEN = (math.sqrt(5) - 1) / 2


def plan_members(plan: StudioPlan, rng: random.Random) -> None:
    spec, now = plan.spec, plan.now
    joiners: list[tuple[datetime, int, int | None, int]] = []  # joined at, person, lead, coach
    for n in range(spec.base_members):
        day = plan.first_day - timedelta(days=rng.randint(1, 90))
        joined = at(day, rng.randint(9, 20), rng.choice([0, 15, 30, 45]))
        plan.people.append(
            Person(
                name=f"Lid {n + 1} van {spec.name}", email=f"lid{n + 1}@{spec.slug}.example.nl",
                phone=f"+316{20_000_000 + spec.number * 1_000 + n}", created_at=joined,
            )
        )  # fmt: skip
        joiners.append((joined, len(plan.people) - 1, None, rng.randrange(len(plan.team))))
    for planned in plan.leads:
        if planned.won_at is None:
            continue
        if not spec.rates.realistic:
            joined = planned.won_at + timedelta(minutes=10)
        elif rng.random() < 0.35:
            joined = planned.won_at + timedelta(minutes=rng.randint(4, 40))
        else:
            day = local_day(planned.won_at) + timedelta(days=rng.randint(1, 2))
            joined = at(day, rng.randint(9, 20), rng.randint(0, 59))
        if joined < now:
            joiners.append((joined, planned.person, planned.index, planned.coach))
    joiners.sort(key=lambda j: (j[0], j[1]))
    for n, (joined, person, lead, coach) in enumerate(joiners):
        member = Member(index=n, person=person, created_at=joined, coach=coach, lead=lead)
        member.lifetime = _lifetime(n, spec.rates.stay, rng, realistic=spec.rates.realistic)
        member.attendance = rng.uniform(0.7, 0.95) if spec.rates.realistic else 0.9
        plan.members.append(member)
        if lead is not None:
            plan.leads[lead].member = n
        _runs(plan, member, rng)
    for run in plan.runs:
        _paid(plan, run, rng)


def _lifetime(n: int, stay: float, rng: random.Random, *, realistic: bool) -> int:
    """Periods of four weeks: at least m with chance stay^(m-1). Known studios use an even spread (the golden
    ratio's sequence) instead of chance, so any run of members who joined one after another shows the rate."""
    share = 1.0 - rng.random() if realistic else ((n + 1) * GOLDEN) % 1.0 or GOLDEN
    if stay >= 1.0:
        return MAX_PERIODS
    if stay <= 0.0:
        return 1
    return min(MAX_PERIODS, 1 + math.floor(math.log(share) / math.log(stay)))


def _first_offer(plan: StudioPlan, rng: random.Random) -> str:
    weights = plan.spec.offer_weights
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _next_offer(plan: StudioPlan, key: str, rng: random.Random) -> str:
    """After a program: the group membership (where there is one), or the same program again."""
    group = "lidmaatschap" if "lidmaatschap" in plan.programs else None
    if key == "sterk" and group:
        return group
    if key == "transformatie" and group and rng.random() < 0.5:
        return group
    return key


def _runs(plan: StudioPlan, member: Member, rng: random.Random) -> None:
    key = _first_offer(plan, rng)
    program = plan.programs[key]
    joined = member.joined
    starts = joined
    if plan.spec.start_later:
        group = program.format == "small_group"
        starts = joined + timedelta(days=7 - joined.weekday() if group else rng.randint(2, 6))
    price = program.price_on(joined)
    run = _add(plan, member, key, price, program.prices[price].cents, starts, member.created_at, None)
    covered = (run.ends_on - run.starts_on).days + 1
    while covered < member.lifetime * PERIOD_DAYS:
        key = _next_offer(plan, run.program, rng)
        program = plan.programs[key]
        if program.kind == "membership" and key == run.program:
            made = at(run.starts_on, 7)  # the next period is set when the current one starts
        else:
            made = at(run.ends_on - timedelta(days=3), 18)
        made = max(made, run.created_at + timedelta(minutes=1))
        if made >= plan.now:
            return
        if key == run.program:  # a renewal keeps the price agreed
            run = _add(
                plan, member, key, run.price, run.cents, run.ends_on + timedelta(days=1), made, run.index
            )
        else:
            price = program.price_on(local_day(made))
            run = _add(
                plan,
                member,
                key,
                price,
                program.prices[price].cents,
                run.ends_on + timedelta(days=1),
                made,
                None,
            )
        covered += (run.ends_on - run.starts_on).days + 1


def _add(
    plan: StudioPlan, member: Member, key: str, price: int, cents: int, starts: date, made: datetime,
    renewal_of: int | None,
) -> Run:  # fmt: skip
    program = plan.programs[key]
    run = Run(
        index=len(plan.runs), member=member.index, program=key, price=price, cents=cents, starts_on=starts,
        ends_on=starts + timedelta(weeks=program.weeks) - timedelta(days=1), created_at=made,
        sessions_total=program.weeks * program.per_week, renewal_of=renewal_of,
    )  # fmt: skip
    plan.runs.append(run)
    member.runs.append(run.index)
    return run


def _paid(plan: StudioPlan, run: Run, rng: random.Random) -> None:
    """A renewal is collected when it is made; a newcomer pays within minutes to two days; a few recent ones not yet."""
    if not plan.spec.rates.realistic:
        run.paid_at = run.created_at + timedelta(minutes=5)
    elif run.created_at > plan.now - timedelta(days=14) and rng.random() < 0.15:
        run.paid_at = None
    elif run.renewal_of is not None:
        run.paid_at = run.created_at + timedelta(minutes=rng.randint(1, 120))
    else:
        run.paid_at = run.created_at + timedelta(
            minutes=rng.randint(1, rng.choice([3, 10, 45, 600, 1500, 2900]))
        )
    if run.paid_at is not None and run.paid_at >= plan.now:
        run.paid_at = None
