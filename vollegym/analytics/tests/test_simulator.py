"""The growth simulator on tiny inputs worked out by hand: the retention lever on a known curve, each lever's
direction and size, the capacity ceiling with its waiting list, the curve read from members who left and members
still training, and a range from resampling that is the same for the same seed.

The numbers in these tests are written out by hand (the comments show the sums), not copied from the code.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vollegym.analytics.bootstrap import History, inflows_of, resample
from vollegym.analytics.growth import seeds_rule
from vollegym.analytics.simulator import (
    BASE,
    FAST,
    LEADS,
    PRICE,
    RETENTION,
    Baseline,
    Curve,
    Inflow,
    Scenario,
    curve_from,
    project,
    weighted_curve,
)
from vollegym.analytics.survival import at_risk_at, kaplan_meier, survival_at

# Half of the members leave in every month: S = 1, 0.5, 0.25, then half a month again.
HALF = Curve((1.0, 0.5, 0.25), tail=0.5)


def baseline(
    *, curve: Curve = HALF, leads: float = 20, conversion: float = 0.5, existing: tuple[tuple[int, int], ...] = (),
    existing_cents: float = 10_000, new_cents: float = 10_000, places: int | None = None, patience: int = 2,
) -> Baseline:  # fmt: skip
    return Baseline(
        inflows=(Inflow("meta", leads, conversion, conversion),), direct_per_month=0.0, curve=curve,
        existing=existing, revenue_existing_cents=existing_cents, revenue_new_cents=new_cents,
        weekly_mats=places or 0, mats_per_member=1.0 if places else 0.0, patience=patience,
    )  # fmt: skip


def members(projection, months: int = 3) -> list[float]:
    return [round(m.members, 6) for m in projection.months[:months]]


def test_retention_plus_twenty_percent_means_a_fifth_fewer_leave_each_month() -> None:
    # Hazard 1/2 each month becomes 0.8 × 1/2 = 0.4: S' = 1, 0.6, 0.6 × 0.6 = 0.36; the tail 0.4.
    better = HALF.improved(0.2)
    assert better.survival == pytest.approx((1.0, 0.6, 0.36))
    assert better.tail == pytest.approx(0.4)
    assert better.at(3) == pytest.approx(0.216)


def test_retention_scenario_agrees_with_the_hand_calculation_on_a_known_curve() -> None:
    # 20 leads a month, half become a member: 10 newcomers a month, € 100 a member-month.
    # A cohort counts in its k-th month for (S(k) + S(k+1)) / 2:
    #   S = 1, .5, .25, .125:       .75, .375, .1875
    #   S' = 1, .6, .36, .216:      .8,  .48,  .288
    # Month 1: 10 × .75 = 7.5              | 10 × .8 = 8
    # Month 2: 7.5 + 10 × .375 = 11.25     | 8 + 4.8 = 12.8
    # Month 3: 11.25 + 10 × .1875 = 13.125 | 12.8 + 2.88 = 15.68
    now = project(baseline(), BASE, months=3)
    better = project(baseline(), RETENTION, months=3)
    assert members(now) == [7.5, 11.25, 13.125]
    assert members(better) == [8.0, 12.8, 15.68]
    # Revenue over three months: (7.5 + 11.25 + 13.125) × € 100 = € 3.187,50; (8 + 12.8 + 15.68) × € 100 = € 3.648.
    assert now.revenue_until(3) == pytest.approx(318_750)
    assert better.revenue_until(3) == pytest.approx(364_800)


def test_retention_keeps_todays_members_too_and_they_keep_their_price() -> None:
    # Ten members one month in, paying € 80 a month, no newcomers: month 1 (1 + .5) / 2 × 10 = 7.5 members;
    # with 20% less churn (1 + .6) / 2 × 10 = 8. Their price stays € 80 in every scenario, the price lever too.
    start = baseline(leads=0, existing=((1, 10),), existing_cents=8_000)
    assert members(project(start, BASE), 1) == [7.5]
    assert members(project(start, RETENTION), 1) == [8.0]
    assert project(start, PRICE).month(1).revenue_cents == pytest.approx(7.5 * 8_000)


def test_twice_the_leads_doubles_the_newcomers_and_converts_as_before() -> None:
    # 40 leads × 1/2 = 20 newcomers: 15, 22.5, 26.25 members.
    assert members(project(baseline(), LEADS)) == [15.0, 22.5, 26.25]


def test_a_tenth_more_for_new_members_leaves_todays_members_at_their_price() -> None:
    # Ten of today's members (1 month in) at € 80 and ten newcomers at € 100, month 1:
    # 7.5 × € 80 + 7.5 × € 100 = € 1.350; with the raise 7.5 × € 80 + 7.5 × € 110 = € 1.425. Members do not change.
    start = baseline(existing=((1, 10),), existing_cents=8_000)
    assert project(start, BASE).month(1).revenue_cents == pytest.approx(135_000)
    assert project(start, PRICE).month(1).revenue_cents == pytest.approx(142_500)
    assert members(project(start, PRICE)) == members(project(start, BASE))


def test_answering_within_five_minutes_converts_each_source_as_the_fast_leads_did() -> None:
    # Meta: 10 leads answered within 5 minutes (5 members), 30 later (3). Walk-ins: 10, all at once (4).
    # Within 5 minutes 9 of 20 became a member (.45); later 3 of 30 (.1).
    # Meta converts 8 / 40 = .2; its own mix would give (10 × .45 + 30 × .1) / 40 = .1875 → .2 × .45 / .1875 = .48.
    # Walk-ins: .4, and their mix gives .45 → .4 × .45 / .45 = .4: already answered at once, nothing changes.
    totals = {("meta", "fast"): (10, 5), ("meta", "late"): (30, 3), ("walk_in", "fast"): (10, 4)}
    meta, walk_in = inflows_of(totals, months=1, fast_bucket="fast")
    assert (meta.key, walk_in.key) == ("meta", "walk_in")
    assert (meta.conversion, meta.fast_conversion) == pytest.approx((0.2, 0.48))
    assert (walk_in.conversion, walk_in.fast_conversion) == pytest.approx((0.4, 0.4))
    start = Baseline(
        inflows=(meta, walk_in), direct_per_month=1.0, curve=HALF, existing=(),
        revenue_existing_cents=0, revenue_new_cents=0,
    )  # fmt: skip
    assert start.newcomers(BASE) == pytest.approx(40 * 0.2 + 10 * 0.4 + 1)  # 13
    assert start.newcomers(FAST) == pytest.approx(40 * 0.48 + 10 * 0.4 + 1)  # 24.2
    # Twice the leads, answered fast: the members without a lead stay one a month.
    assert start.newcomers(Scenario("mix", leads=2.0, fast=True)) == pytest.approx(2 * (19.2 + 4) + 1)


def test_beyond_the_capacity_newcomers_wait_the_longest_first_and_give_up_after_two_months() -> None:
    # Places for 10; 10 newcomers a month; half leave each month; a cohort counts .75, .375, .1875, .09375, ...
    # Month 1: room 10 / .75 = 13.3: all 10 join, 7.5 members.
    # Month 2: earlier 10 × .375 = 3.75, room (10 − 3.75) / .75 = 8.33: 8.33 join, 1.67 wait, 10 members.
    # Month 3: earlier 10 × .1875 + 8.33 × .375 = 5, room 6.67: month 2's 1.67 first, then 5 of month 3; 5 wait.
    # Month 4: earlier again 5, room 6.67: month 3's 5, then 1.67 of month 4; 8.33 wait.
    # Month 5: room 6.67 goes to month 4's 8.33: 1.67 of them have now waited two months and give up; 10 wait.
    found = project(baseline(places=10), BASE, months=5)
    assert [round(m.joined, 4) for m in found.months] == [10, 8.3333, 6.6667, 6.6667, 6.6667]
    assert [round(m.waiting, 4) for m in found.months] == [0, 1.6667, 5, 8.3333, 10]
    assert [round(m.gave_up, 4) for m in found.months] == [0, 0, 0, 0, 1.6667]
    assert members(found, 5) == [7.5, 10, 10, 10, 10]
    assert [m.fill for m in found.months] == pytest.approx([0.75, 1, 1, 1, 1])
    assert found.first_waiting == 2


def test_a_full_studio_gains_nothing_from_more_leads_but_more_waiting() -> None:
    # Nobody leaves (S = 1 throughout); 10 places, 8 newcomers: 8, then 2 join and 6 wait; month 3 nobody joins and
    # month 2's 6 give up; twice the leads fills the same 10 places, only more wait.
    still = Curve((1.0,), tail=0.0)
    now = project(baseline(curve=still, leads=16, places=10), BASE, months=4)
    assert [m.joined for m in now.months] == pytest.approx([8, 2, 0, 0])
    assert [m.gave_up for m in now.months] == pytest.approx([0, 0, 6, 8])
    assert [m.waiting for m in now.months] == pytest.approx([0, 6, 8, 8])
    more = project(baseline(curve=still, leads=16, places=10), LEADS, months=4)
    assert members(now, 4) == [8, 10, 10, 10]
    assert members(more, 4) == [10, 10, 10, 10]  # full a month sooner, and then no more
    assert more.month(4).waiting == pytest.approx(16)


def test_the_price_advice_applies_to_newcomers_after_the_first_month_someone_waited() -> None:
    # As the capacity test above: someone waits from month 2, so from month 3 newcomers pay 10% more.
    # Month 3: earlier cohorts at € 100 (5 members), 6.67 newcomers × .75 = 5 members at € 110: € 1.050.
    advised = project(baseline(places=10), Scenario("advies", raise_when_full=0.1), months=3)
    assert advised.month(2).revenue_cents == pytest.approx(10 * 10_000)
    assert advised.month(3).revenue_cents == pytest.approx(5 * 10_000 + 5 * 11_000)


def test_the_curve_counts_members_still_training_as_censored_and_has_a_tail() -> None:
    # Four members: left after .5 and 1.5 months, still a member after 2.5, left after 3.
    # Kaplan–Meier: 3/4 after .5 (4 at risk), 3/4 × 2/3 = 1/2 after 1.5 (3 at risk); the one still training does
    # not lower it. Followed at least 2 months: 2.5 and 3, two members: the curve reaches month 2 at 2 at risk.
    # The tail: 3 left over .5 + 1.5 + 2.5 + 3 = 7.5 member-months: 1 − e^(−3 / 7.5) = 0.3297 a month.
    curve = curve_from([(0.5, True), (1.5, True), (2.5, False), (3.0, True)], min_at_risk=2)
    assert curve.survival == pytest.approx((1.0, 0.75, 0.5))
    assert curve.tail == pytest.approx(1 - math.exp(-0.4))


def test_the_tail_never_lets_members_stay_forever() -> None:
    curve = curve_from([(12.0, False)] * 20)
    assert curve.survival[-1] == 1.0
    assert curve.tail == pytest.approx(0.01)


def history(*, seed_months: int = 12) -> History:
    months = tuple(
        {("meta", "fast"): (10 + m % 4, 3 + m % 3), ("meta", "late"): (20 - m % 5, 2 + m % 2)}
        for m in range(seed_months)
    )
    lives = tuple((0.5 + (i % 17) * 0.7, i % 3 != 0) for i in range(60))
    return History(
        months=months, direct=tuple(m % 2 for m in range(seed_months)), lives=lives, existing=((2, 20), (8, 10)),
        revenue_existing_cents=15_000, revenue_new_cents=16_000, fast_bucket="fast", weekly_mats=80,
        mats_per_member=1.5,
    )  # fmt: skip


def test_the_range_from_resampling_is_the_same_for_the_same_seed_and_holds_the_estimate() -> None:
    scenarios = [BASE, RETENTION, LEADS]
    first = resample(history(), scenarios, samples=40, seed=7)
    again = resample(history(), scenarios, samples=40, seed=7)
    other = resample(history(), scenarios, samples=40, seed=8)
    assert first.outcomes == again.outcomes
    assert first.outcomes != other.outcomes
    assert len(first.outcomes[("basis", 36)]) == 40
    band = first.band("basis", 36, "revenue_cents")
    assert band is not None and band.low < band.high
    estimate = project(history().baseline(), BASE).revenue_until(36)
    assert band.low <= estimate <= band.high
    extra = first.extra_band("leads", 12)
    assert extra is not None and extra.low > 0  # twice the leads never brings less on the same draw


def test_the_baseline_of_a_history_averages_its_months() -> None:
    found = history().baseline()
    # Meta, fast: 10..13 over m % 4 → 3 × (10 + 11 + 12 + 13) = 138 leads; late: 20 − m % 5 → 240 − (2 × 10 + 0 + 1) = 219.
    (meta,) = found.inflows
    assert meta.leads_per_month == pytest.approx((138 + 219) / 12)
    assert found.direct_per_month == pytest.approx(0.5)
    assert found.places == pytest.approx(80 / 1.5)
    assert found.members_now == 30


def rule(start: Baseline) -> tuple[bool, str]:
    return seeds_rule(
        base=project(start, BASE), retention=project(start, RETENTION), leads=project(start, LEADS), baseline=start,
        share_ahead=0.25,
    )  # fmt: skip


def test_the_page_says_plainly_when_the_seeds_rule_does_not_hold() -> None:
    # Half the members leave every month and ten join: after a while 15 members. Twice the leads: 30;
    # 20% less churn: 10 × (.8 + .48 + .288 + ...) = 10 × .8 / .4 = 20. Twice the leads wins.
    holds, text = rule(baseline())
    assert not holds
    assert text.startswith("Bij jouw cijfers levert twee keer zoveel leads meer op dan 20% betere retentie")
    assert "omdat twee keer zoveel leads elke maand ongeveer 10 nieuwe leden extra brengt" in text
    assert "na 36 maanden ongeveer 15 leden meer, tegen 5 met 20% minder opzeggingen" in text
    assert "In 50 van de 200 trekkingen" in text


def test_the_page_says_so_when_the_seeds_rule_holds() -> None:
    # 200 members a year in, 5% leaving every month; half a newcomer a month. In month 36:
    #   today's members   200 × .95^35 × (1 + .95) / 2 = 32.4   | 20% less churn: 200 × .96^35 × .98 = 47.0
    #   newcomers         .5 × .975 × (1 − .95^36) / .05 = 8.2  | .5 × .98 × (1 − .96^36) / .04 = 9.4
    # 20% less churn: 47.0 + 9.4 − 32.4 − 8.2 ≈ 16 more; twice the leads: another 8.2 ≈ 8 more.
    still = Curve((1.0,), tail=0.05)
    holds, text = rule(baseline(curve=still, leads=1, existing=((12, 200),)))
    assert holds
    assert text.startswith(
        "Bij jouw cijfers klopt de vuistregel: 20% betere retentie levert in 36 maanden meer op"
    )
    assert "ongeveer 16 leden meer oplevert en twee keer zoveel leads ongeveer 8" in text


def test_when_the_classes_are_full_the_rule_says_the_ceiling_decides() -> None:
    # 10 places. Twice the leads: 20 newcomers, room for 10 / .75 = 13.3 in month 1, so 6.7 wait at once.
    # 20% less churn: 10 newcomers fit in month 1 (room 10 / .8 = 12.5); in month 2 10 × .48 = 4.8 are still
    # there, room (10 − 4.8) / .8 = 6.5 of 10: the first wait in month 2.
    holds, text = rule(baseline(places=10))
    assert not holds
    assert ("je lessen dan al in maand 1 vol zitten (plek voor ongeveer 10 leden) en met 20% betere retentie pas "
            "in maand 2") in text  # fmt: skip


# A member is a member for at least a day (money.py counts the first day), so no time is 0 and S(0) is 1.
lives_strategy = st.lists(
    st.tuples(st.integers(1, 120).map(lambda n: n / 4), st.booleans()), min_size=1, max_size=60
)


@given(lives=lives_strategy, least=st.integers(1, 12))
def test_the_curve_reads_the_members_pages_kaplan_meier_month_by_month(lives, least) -> None:
    steps = kaplan_meier(lives)
    curve = curve_from(lives, min_at_risk=least)
    reach = 0
    while at_risk_at(steps, reach + 1.0) >= least:
        reach += 1
    assert curve.reach == reach
    assert curve.survival == pytest.approx(tuple(survival_at(steps, float(m)) for m in range(reach + 1)))


@given(lives=lives_strategy, picks=st.lists(st.integers(0, 10**6), min_size=1, max_size=80))
def test_a_resample_counts_each_member_as_often_as_drawn(lives, picks) -> None:
    ordered = sorted(lives)
    drawn = [ordered[p % len(ordered)] for p in picks]
    weights = [0] * len(ordered)
    for p in picks:
        weights[p % len(ordered)] += 1
    found, expected = weighted_curve(ordered, weights), curve_from(drawn)
    assert found.survival == pytest.approx(expected.survival)
    assert found.tail == pytest.approx(expected.tail)
