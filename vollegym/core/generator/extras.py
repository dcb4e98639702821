"""What a realistic studio has besides the funnel and the runs: ratings, referrals and progress measurements."""

from __future__ import annotations

import random
from datetime import date, timedelta

from vollegym.core.generator.plan import Measurement, Rating, Referral, StudioPlan, at, local_day

REWARD_WEEKS = 4  # the referrals app's default: the reward is earned after four weeks as a member
MEASURED = 0.3  # share of members who agreed to measurements
SCORES = (list(range(0, 7)), list(range(7, 9)), [9, 10])
COMMENTS = ("Fijne sfeer en goede begeleiding.", "Ik merk echt verschil!", "Soms is de groep te vol.",
            "De tijden passen me niet meer zo goed.", "")  # fmt: skip


def plan_extras(plan: StudioPlan, rng: random.Random) -> None:
    _ratings(plan, rng)
    _referrals(plan, rng)
    _measurements(plan, rng)


def _ratings(plan: StudioPlan, rng: random.Random) -> None:
    """Day 30 of a member's first run, and near the end of each program: 0-10, answered by about two in three."""
    now = plan.now
    for member in plan.members:
        asks: list[tuple[int, str, date]] = []
        first = plan.runs[member.runs[0]]
        day_30 = first.starts_on + timedelta(days=30)
        if day_30 <= first.ends_on or plan.covered(member, day_30):
            asks.append((first.index, "day_30", day_30))
        for index in member.runs:
            run = plan.runs[index]
            if plan.programs[run.program].kind == "program":
                asks.append((index, "program_end", run.ends_on - timedelta(days=7)))
        for index, moment, day in asks:
            asked = at(day, 10)
            if asked >= now:
                continue
            rating = Rating(member.index, index, moment, asked)
            answered = asked + timedelta(minutes=rng.randint(20, 3 * 24 * 60))
            if rng.random() < 0.65 and answered < now:
                group = rng.choices(SCORES, weights=[12, 33, 55])[0]
                rating.score, rating.answered_at = rng.choice(group), answered
                rating.comment = rng.choice(COMMENTS)
                called = answered + timedelta(hours=rng.randint(4, 96))
                if rating.score <= 6 and called < now - timedelta(days=1):
                    rating.called_at = called
            plan.ratings.append(rating)


def _referrals(plan: StudioPlan, rng: random.Random) -> None:
    """A friend who came through a member's link: a member training when the friend came in."""
    now = plan.now
    spans = [(m.index, plan.first_start(m), plan.last_day(m)) for m in plan.members]
    for lead in plan.leads:
        if lead.source != "referral":
            continue
        day = local_day(lead.created_at)
        candidates = [n for n, first, last in spans if first <= day <= last and n != lead.member]
        if not candidates:
            continue
        lead.referrer = rng.choice(candidates)
        referral = Referral(lead.referrer, lead.index, lead.created_at)
        if lead.member is not None:
            friend = plan.members[lead.member]
            referral.member_since = plan.first_start(friend)
            earned_day = referral.member_since + timedelta(weeks=REWARD_WEEKS)
            earned = at(earned_day, 9)
            if earned < now and plan.covered(friend, earned_day):
                referral.earned_at = earned
                given = earned + timedelta(days=rng.randint(0, 10), hours=rng.randint(1, 8))
                if given < now - timedelta(days=2) or (given < now and rng.random() < 0.5):
                    referral.given_at = given
        plan.referrals.append(referral)


def _measurements(plan: StudioPlan, rng: random.Random) -> None:
    """Weight at the start and every four weeks after, for the members who agreed to be measured."""
    for member in plan.members:
        if rng.random() >= MEASURED:
            continue
        member.measured = True
        day, last = plan.first_start(member), min(plan.last_day(member), plan.today)
        weight, effort = rng.uniform(62, 102), rng.choice([1.0, 1.0, 0.8, 0.5, 0.2, -0.2])
        for _ in range(12):
            if day > last:
                break
            plan.measurements.append(Measurement(member.index, day, round(weight, 1)))
            weight -= effort * rng.uniform(0.6, 1.6)
            day += timedelta(weeks=4)
