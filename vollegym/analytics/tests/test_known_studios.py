"""Held-out studios with a known funnel and known survival (vollegym generate's known studios): every figure of the
funnel, the owner's overview and the agency's portfolio matches the truth of what was generated, members still
active are not counted as gone, and no other studio's rows get in.

The truth is counted here from the generator's plan (plain Python, no database), the figures come from the pages'
own code on the rows the generator wrote.
"""

from __future__ import annotations

import csv
import io
import random
import statistics
from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise

import pytest
import time_machine

from vollegym.analytics.adspend import last_months, spend_report
from vollegym.analytics.funnel import STAYED_DAYS, STEPS, Row, funnel
from vollegym.analytics.money import next_month
from vollegym.analytics.overview import figures_of, weeks_back
from vollegym.analytics.portfolio import CONVERSION_WINDOW, PERIOD, RETENTION_COHORT, RETENTION_DAY, portfolio
from vollegym.core.generator.plan import Lead, StudioPlan, at, local_day, monday_of
from vollegym.core.generator.run import Generation, studio_generate
from vollegym.core.generator.spec import ClassSpec, Rates, known, realistic
from vollegym.core.testing import client_for
from vollegym.leads.models import Source

pytestmark = pytest.mark.django_db

# Wednesday 4 November 2026, noon in Amsterdam; the clocks went back on 25 October, inside the overview's weeks.
NOW = datetime(2026, 11, 4, 11, 0, tzinfo=UTC)
# Every week 20 leads (10 from Meta, 6 from the website, 4 from Google): 18 answered, 12 intakes, 6 conversations
# booked, 4 held, 2 members; each member goes on after a period of four weeks with chance 0.9.
RATES = Rates(
    leads_per_week=20, sources=(("meta", 0.5), ("website", 0.3), ("google", 0.2)), contacted=0.9,
    answer_minutes=(4, 25, 90, 600), intake=2 / 3, booked=0.5, showed=2 / 3, won=0.5, stay=0.9,
)  # fmt: skip
CLASSES = (
    ClassSpec("Kracht & conditie", 0, time(19, 0), 60, 8, "lidmaatschap", 0),
    ClassSpec("Kracht & conditie", 2, time(7, 0), 45, 8, "lidmaatschap", 1),
    ClassSpec("Bootcamp", 3, time(19, 0), 60, 10, "lidmaatschap", 1),
    ClassSpec("Kettlebell", 5, time(9, 0), 45, 6, "lidmaatschap", 0),
)


def generate(number: int, rates: Rates = RATES, *, years: int = 1) -> Generation:
    spec = known(number, prefix="bekend", rates=rates, classes=CLASSES)
    gen, _seconds = studio_generate(spec, seed=11, years=years, password_hash="!", now=NOW)
    return gen


def generate_realistic(number: int) -> Generation:
    """A studio as `vollegym generate` makes them: drawn rates, members from before, PT and groups, price raises."""
    spec = realistic(number, prefix="echt", rng=random.Random(f"vollegym-spec-5-{number}"))
    gen, _seconds = studio_generate(spec, seed=5, years=1, password_hash="!", now=NOW)
    return gen


# --- the truth, from the plan ---------------------------------------------------------------------------------------


def moments(plan: StudioPlan, lead: Lead) -> dict[str, datetime | None]:
    talk = lead.conversation
    return {
        "lead": lead.created_at,
        "contacted": lead.contacted_at,
        "intake": lead.intake_completed_at,
        "booked": talk.created_at if talk else None,
        "showed": talk.starts_at if talk and talk.status == "showed" else None,
        "won": plan.members[lead.member].created_at if lead.member is not None else None,
    }


def stayed(plan: StudioPlan, lead: Lead, days: int) -> bool | None:
    """Still a member N days after joining; None while that day has not come (not known yet, not gone)."""
    if lead.member is None:
        return None
    member = plan.members[lead.member]
    day = member.joined + timedelta(days=days)
    return None if day > plan.today else plan.covered(member, day)


def true_row(plan: StudioPlan, leads: list[Lead]) -> dict[str, object]:
    keys = [key for key, _label in STEPS]
    journeys = [moments(plan, lead) for lead in leads]
    counts = {key: sum(1 for j in journeys if j[key] is not None) for key in keys}
    went_on, medians = {}, {}
    for before, after in pairwise(keys):
        both = [(j[before], j[after]) for j in journeys if j[before] is not None and j[after] is not None]
        went_on[after] = len(both)
        gaps = [(a - b).total_seconds() for b, a in both if a >= b]  # type: ignore[operator]
        medians[after] = statistics.median(gaps) if gaps else None
    kept = {}
    for days in STAYED_DAYS:
        known_ = [s for lead in leads if (s := stayed(plan, lead, days)) is not None]
        kept[days] = (sum(known_), len(known_))
    return {"counts": counts, "went_on": went_on, "medians": medians, "stayed": kept}


def page_row(row: Row) -> dict[str, object]:
    return {
        "counts": dict(row.counts), "went_on": dict(row.went_on),
        "medians": {key: row.medians.get(key) for key, _label in STEPS[1:]}, "stayed": dict(row.stayed),
    }  # fmt: skip


def leads_between(plan: StudioPlan, first: date, last: date) -> list[Lead]:
    return [lead for lead in plan.leads if first <= local_day(lead.created_at) <= last]


# --- the funnel -----------------------------------------------------------------------------------------------------


def test_the_funnel_of_whole_weeks_in_the_past_shows_the_rates_the_studio_was_made_with() -> None:
    gen = generate(1)
    plan = gen.plan
    # Every step of these leads lies in the past: they came in at least three weeks ago.
    first, last = plan.first_day, monday_of(plan.today) - timedelta(weeks=3, days=1)
    weeks = ((last - first).days + 1) // 7
    with time_machine.travel(NOW, tick=False):
        found = funnel(gen.studio, first_day=first, last_day=last)
    total = found.total
    assert total.counts == {
        "lead": 20 * weeks, "contacted": 18 * weeks, "intake": 12 * weeks, "booked": 6 * weeks,
        "showed": 4 * weeks, "won": 2 * weeks,
    }  # fmt: skip
    assert [cell.from_before for cell in total.cells] == [None, 90, 67, 50, 67, 50]
    # Answered after 4, 25, 90 and 600 minutes in turn: the median lies between 25 and 90 minutes.
    assert total.medians["contacted"] == statistics.median(
        [(lead.response_seconds or 0.0) for lead in leads_between(plan, first, last) if lead.contacted_at]
    )
    sources = {row.label: row.count("lead") for row in found.groups["bron"]}
    assert sources == {"Meta (Facebook/Instagram)": 10 * weeks, "Website": 6 * weeks, "Google Ads": 4 * weeks}
    assert page_row(total) == true_row(plan, leads_between(plan, first, last))


def test_every_table_of_the_funnel_page_matches_the_truth(client) -> None:
    gen = generate(2)
    plan, studio = gen.plan, gen.studio
    generate(3, Rates(leads_per_week=7))  # another studio's leads never count
    groups: dict[str, dict[str, list[Lead]]] = {"bron": {}, "campagne": {}, "coach": {}, "maand": {}}
    first = (plan.today.replace(day=1) - timedelta(days=335)).replace(day=1)  # the page's default: 12 months
    in_range = leads_between(plan, first, plan.today)
    labels: dict[str, Callable[[Lead], str]] = {
        "bron": lambda lead: {
            "meta": "Meta (Facebook/Instagram)",
            "website": "Website",
            "google": "Google Ads",
        }[lead.source],
        "campagne": lambda lead: lead.campaign or "(geen campagne)",
        "coach": lambda lead: plan.team[lead.coach].full_name.split()[0],
        "maand": lambda lead: f"{lead.created_at.astimezone(studio.zone):%Y-%m}",
    }
    for grouping, label_of in labels.items():
        buckets: dict[str, list[Lead]] = defaultdict(list)
        for lead in in_range:
            buckets[label_of(lead)].append(lead)
        groups[grouping] = buckets
    with time_machine.travel(NOW, tick=False):
        found = funnel(studio, first_day=first, last_day=plan.today)
        page = client_for(gen.team[0]).get(f"/app/{studio.slug}/cijfers/funnel/")
        exported = client_for(gen.team[0]).get(f"/app/{studio.slug}/cijfers/funnel/?csv=totaal")
    assert page_row(found.total) == true_row(plan, in_range)
    for grouping, buckets in groups.items():
        rows = found.groups[grouping]
        assert len(rows) == len(buckets)
        by_label = {row.label: row for row in rows}
        for label, leads in buckets.items():
            if grouping == "maand":  # the page names a month in words, in order
                label = rows[sorted(buckets).index(label)].label
            assert page_row(by_label[label]) == true_row(plan, leads), (grouping, label)
    assert page.status_code == 200 and f">{len(in_range)}<" in page.content.decode()
    line = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig")), delimiter=";"))[1]
    truth = true_row(plan, in_range)
    assert [int(line[1 + 4 * n]) for n in range(len(STEPS))] == list(truth["counts"].values())  # type: ignore[attr-defined]


def test_members_still_training_are_not_counted_as_gone() -> None:
    gen = generate(4, years=2)
    plan = gen.plan
    with time_machine.travel(NOW, tick=False):
        total = funnel(gen.studio, first_day=plan.first_day, last_day=plan.today).total
    members = len(plan.members)
    for days in STAYED_DAYS:
        kept, known_ = total.stayed[days]
        # Only members whose day N has come count at all; those that joined later are not known yet.
        assert (
            known_ == sum(1 for m in plan.members if m.joined + timedelta(days=days) <= plan.today) < members
        )
        assert kept == sum(
            1
            for m in plan.members
            if m.joined + timedelta(days=days) <= plan.today
            and plan.covered(m, m.joined + timedelta(days=days))
        )
    # After 30, 90 and 180 days (a second, fourth and seventh period of four weeks): 0.9, 0.9^3 and 0.9^6 of them.
    assert total.stayed_share(30) == pytest.approx(0.9, abs=0.03)
    assert total.stayed_share(90) == pytest.approx(0.9**3, abs=0.04)
    assert total.stayed_share(180) == pytest.approx(0.9**6, abs=0.05)
    # Members still training now: their last run ends today or later, and nothing counts them as gone.
    training = [m for m in plan.members if plan.last_day(m) >= plan.today]
    assert training and all(plan.covered(m, plan.today) for m in training)


# --- the owner's overview ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["known", "realistic"])
def test_the_overviews_figures_of_each_week_match_the_truth(kind: str) -> None:
    gen = generate(5) if kind == "known" else generate_realistic(2)
    plan, studio = gen.plan, gen.studio
    generate(6, Rates(leads_per_week=9, contacted=0.5))
    with time_machine.travel(NOW, tick=False):
        weeks = weeks_back(studio)
        figures = {f.key: f for f in figures_of(studio, weeks)}
    zone = studio.zone

    def week_of(moment: datetime | None) -> int | None:
        if moment is None:
            return None
        return next((n for n, w in enumerate(weeks) if w.start <= moment < w.end), None)

    def per_week(items: list[tuple[datetime | None, float]]) -> list[float]:
        found = [0.0] * len(weeks)
        for moment, value in items:
            if (n := week_of(moment)) is not None:
                found[n] += value
        return found

    speeds: list[list[float]] = [[] for _ in weeks]
    for lead in plan.leads:
        if lead.contacted_at is not None and (n := week_of(lead.created_at)) is not None:
            speeds[n].append(max(0.0, lead.response_seconds or 0.0))
    left = [0.0] * len(weeks)
    for member in plan.members:
        last = plan.last_day(member)
        for n, week in enumerate(weeks):
            if week.monday <= last <= week.sunday and last < plan.today:
                left[n] += 1
    fill: list[float | None] = []
    for week in weeks:
        sessions = [s for s in plan.sessions if week.start <= s.starts_at < week.end]
        capacity = sum(s.capacity for s in sessions)
        fill.append(sum(s.taken for s in sessions) / capacity if capacity else None)
    held = [
        lead.conversation for lead in plan.leads if lead.conversation and lead.conversation.status == "showed"
    ]
    truth: dict[str, list[float | None]] = {
        "leads": list(per_week([(lead.created_at, 1) for lead in plan.leads])),
        "speed": [statistics.median(s) if s else None for s in speeds],
        "intakes": list(per_week([(lead.intake_completed_at, 1) for lead in plan.leads])),
        "conversations": list(per_week([(talk.starts_at, 1) for talk in held])),
        "members": list(per_week([(m.created_at, 1) for m in plan.members])),
        "active": [float(sum(1 for m in plan.members if plan.covered(m, w.sunday))) for w in weeks],
        "fill": list(fill),
        "sold": list(per_week([(run.created_at, run.cents) for run in plan.runs])),
        "left": list(left),
    }
    if kind == "known":
        assert truth["leads"] == [20.0] * 5  # whole weeks: exactly the rate
    assert sum(left) > 0 and (truth["active"][-1] or 0) > 0
    for key, values in truth.items():
        figure = figures[key]
        known_ = [v for v in values[:-1] if v is not None]
        assert figure.week == pytest.approx(values[-1]), key
        assert figure.before == pytest.approx(sum(known_) / len(known_) if known_ else None), key
    assert zone.key == "Europe/Amsterdam"


# --- the agency's portfolio -------------------------------------------------------------------------------------------


def test_the_portfolios_figures_of_each_studio_match_the_truth() -> None:
    made = [
        generate(7),
        generate(8, Rates(leads_per_week=12, contacted=0.75, answer_minutes=(2, 3), intake=0.5, booked=0.5,
                          showed=0.5, won=0.5, stay=0.8)),
        generate(9, Rates(leads_per_week=30, contacted=1.0, answer_minutes=(300, 1440), intake=0.4, booked=0.75,
                          showed=0.8, won=0.6, stay=0.95)),
        generate(10, Rates(leads_per_week=5, contacted=0.6, answer_minutes=(45,), stay=0.7)),
        generate_realistic(3),
        generate_realistic(4),
    ]  # fmt: skip
    with time_machine.travel(NOW, tick=False):
        found = portfolio([gen.studio for gen in made])
    rows = {row.studio.pk: row for row in found.rows}
    start, before = NOW - PERIOD, NOW - 2 * PERIOD
    for gen in made:
        plan = gen.plan
        recent = [lead for lead in plan.leads if start <= lead.created_at < NOW]
        earlier = [lead for lead in plan.leads if before <= lead.created_at < start]
        decided = [
            lead for lead in plan.leads
            if lead.intake_completed_at is not None and NOW - CONVERSION_WINDOW <= lead.intake_completed_at < NOW
        ]  # fmt: skip
        joined_before = NOW - timedelta(days=RETENTION_DAY)
        cohort = [m for m in plan.members if joined_before - RETENTION_COHORT <= m.created_at < joined_before]
        sessions = [s for s in plan.sessions if start <= s.starts_at < NOW]

        def speed(leads: list[Lead]) -> float | None:
            times = [lead.response_seconds for lead in leads if lead.response_seconds is not None]
            return statistics.median(times) if times else None

        truth = {
            "leads": (float(len(recent)), float(len(earlier))),
            "speed": (speed(recent), speed(earlier)),
            "conversion": (
                sum(1 for lead in decided if lead.member is not None) / len(decided) if decided else None,
                None,
            ),
            "fill": (
                sum(s.taken for s in sessions) / capacity
                if (capacity := sum(s.capacity for s in sessions))
                else None,
                None,
            ),
            "retention": (
                sum(1 for m in cohort if plan.covered(m, m.joined + timedelta(days=RETENTION_DAY)))
                / len(cohort)
                if cohort
                else None,
                None,
            ),
            "revenue": (float(sum(r.cents for r in plan.runs if start <= r.created_at < NOW)), None),
        }
        figures = {column.key: figure for column, figure in rows[gen.studio.pk].cells}
        for key, (value, previous) in truth.items():
            assert figures[key].value == pytest.approx(value), (gen.studio.slug, key)
            if previous is not None:
                assert figures[key].before == pytest.approx(previous), (gen.studio.slug, key)
    # The slow studio (answers after 5 hours or a day) is the one marked on speed.
    slow = rows[made[2].studio.pk].cells[1][1]
    assert slow.against_median == "worse"


def test_a_realistic_studios_funnel_matches_the_truth() -> None:
    gen = generate_realistic(1)
    plan = gen.plan
    with time_machine.travel(NOW, tick=False):
        found = funnel(gen.studio, first_day=plan.first_day, last_day=plan.today)
    assert page_row(found.total) == true_row(plan, plan.leads)
    for row in found.groups["bron"]:
        leads = [lead for lead in plan.leads if str(Source(lead.source).label) == row.label]
        assert page_row(row) == true_row(plan, leads), row.label


# --- ad spend ---------------------------------------------------------------------------------------------------------


def test_the_ad_spend_report_shows_the_known_cost_per_lead_and_what_it_bought() -> None:
    gen = generate(11, replace(RATES, cost_per_lead_cents=3000))
    plan, studio = gen.plan, gen.studio
    generate(12, Rates(leads_per_week=8, cost_per_lead_cents=9900))  # another studio's spend never counts
    first, last = last_months(plan.today)
    with time_machine.travel(NOW, tick=False):
        report = spend_report(studio, first_month=first, last_month=last)
        page = client_for(gen.team[0]).get(f"/app/{studio.slug}/cijfers/advertenties/")
    start, end = at(first, 0), at(next_month(last), 0)
    paid = [
        lead for lead in plan.leads if lead.source in ("meta", "google") and start <= lead.created_at < end
    ]
    total = report.total
    assert total.spend_cents == sum(s.cents for s in plan.spend if first <= s.month <= last)
    assert (total.leads, total.booked, total.won) == (
        len(paid),
        sum(1 for lead in paid if lead.conversation),
        sum(1 for lead in paid if lead.member is not None),
    )
    assert total.per_lead == 3000  # every campaign, every month: 30 euros a lead
    assert total.cac == total.spend_cents / total.won
    by_campaign = {bought.label: bought for bought in report.campaigns}
    for name in {lead.campaign for lead in paid}:
        leads = [lead for lead in paid if lead.campaign == name]
        bought = by_campaign[name]
        assert (bought.leads, bought.won, bought.per_lead) == (
            len(leads),
            sum(1 for lead in leads if lead.member is not None),
            3000,
        ), name
    assert report.leads_without_spend == [] and report.spend_without_leads == []
    assert page.status_code == 200 and ">€\u00a030,00<" in page.content.decode()  # per lead, on the page
