"""Members and money: revenue spread over the days a run runs, recurring revenue of the memberships, cohorts and
their survival with members still training counted as censored, churn and growth per month; never another
studio's members, never a stopped run."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from vollegym.analytics.money import MONTH_DAYS, Run, money_report, recurring_on, revenue_per_month
from vollegym.core.testing import Cast, make_member
from vollegym.programs.models import Enrolment, Member, Program, ProgramPrice
from vollegym.programs.tests.test_prices_and_enrolment import make_program
from vollegym.studios.models import Studio

TODAY = date(2026, 7, 15)
NOW = datetime(2026, 7, 15, 10, 0, tzinfo=UTC)
MONTHS = [date(2026, m, 1) for m in (3, 4, 5, 6, 7)]


def test_a_twelve_week_program_counts_in_each_month_by_the_days_it_runs() -> None:
    # € 1.195 from Sunday 15 March: 84 days, 17 in March, 30 in April, 31 in May and 6 in June.
    run = Run(1, date(2026, 3, 15), date(2026, 6, 6), 119500, membership=False)
    found = revenue_per_month([run], MONTHS)
    assert found[date(2026, 3, 1)] == pytest.approx(119500 * 17 / 84)
    assert found[date(2026, 4, 1)] == pytest.approx(119500 * 30 / 84)
    assert found[date(2026, 5, 1)] == pytest.approx(119500 * 31 / 84)
    assert found[date(2026, 6, 1)] == pytest.approx(119500 * 6 / 84)
    assert found[date(2026, 7, 1)] == 0
    assert sum(found.values()) == pytest.approx(119500)


def test_recurring_revenue_is_the_memberships_running_that_day_at_their_price_per_average_month() -> None:
    membership = Run(1, date(2026, 7, 6), date(2026, 8, 2), 13900, membership=True)  # 4 weeks at € 139
    program = Run(2, date(2026, 7, 1), date(2026, 9, 22), 119500, membership=False)
    assert recurring_on([membership, program], date(2026, 7, 31)) == pytest.approx(13900 * 30.4375 / 28)
    assert round(recurring_on([membership], date(2026, 7, 31))) == 15110
    assert recurring_on([membership], date(2026, 8, 3)) == 0


def run(
    studio: Studio, member: Member, program: Program, starts_on: date, *, stopped: bool = False
) -> Enrolment:
    price = ProgramPrice.objects.for_studio(studio).filter(program=program).first()
    assert price is not None
    return Enrolment.objects.create(
        studio=studio, member=member, program=program, price=price, price_cents=price.amount_cents,
        starts_on=starts_on, ends_on=starts_on + timedelta(weeks=program.weeks) - timedelta(days=1),
        sessions_total=program.sessions_total, first_payment_cents=price.amount_cents, first_payment_due=starts_on,
        status=Enrolment.Status.STOPPED if stopped else Enrolment.Status.ACTIVE,
    )  # fmt: skip


@pytest.fixture
def history(cast: Cast) -> dict[str, Member]:
    """Anna: a 12-week program from 2 March, then gone. Bas: the membership (4 weeks, € 139) from 16 March, still
    running. Cas: one period of the membership from 6 April, then gone. Dirk: only a stopped run. Fay: starts in
    August. And a member of another studio."""
    program = make_program(cast.studio, price_cents=119500, weeks=12)
    membership = make_program(cast.studio, name="Small group", price_cents=13900, weeks=4,
                              kind=Program.Kind.MEMBERSHIP, format=Program.Format.SMALL_GROUP)  # fmt: skip
    people = {name: make_member(cast.studio, name=name) for name in ("Anna", "Bas", "Cas", "Dirk", "Fay")}
    run(cast.studio, people["Anna"], program, date(2026, 3, 2))
    for period in range(5):
        run(cast.studio, people["Bas"], membership, date(2026, 3, 16) + timedelta(weeks=4 * period))
    run(cast.studio, people["Cas"], membership, date(2026, 4, 6))
    run(cast.studio, people["Dirk"], program, date(2026, 4, 1), stopped=True)
    run(cast.studio, people["Fay"], membership, date(2026, 8, 3))
    elsewhere = make_program(cast.other_studio, weeks=12)
    run(cast.other_studio, make_member(cast.other_studio, name="Xander"), elsewhere, date(2026, 3, 2))
    return people


def report_of(cast: Cast):
    with time_machine.travel(NOW, tick=False):
        return money_report(cast.studio, first_day=date(2026, 1, 1), last_day=TODAY)


def test_cohorts_count_who_started_and_who_is_still_a_member(cast: Cast, history) -> None:
    report = report_of(cast)
    assert (report.members, report.still, report.gone, report.stopped_only) == (3, 1, 2, 1)
    assert [(c.month, c.size) for c in report.cohorts] == [(date(2026, 3, 1), 2), (date(2026, 4, 1), 1)]


def test_the_curve_drops_only_for_who_left_and_bas_still_training_is_censored(cast: Cast, history) -> None:
    report = report_of(cast)
    # Cas was a member 28 days (6 April to 3 May), Anna 84 (2 March to 24 May); Bas 122 days so far (16 March to
    # today) and counting. With three at risk Cas leaves: 2/3; with two at risk Anna leaves: 1/3; Bas does not
    # lower it.
    cas, anna, bas = 28 / MONTH_DAYS, 84 / MONTH_DAYS, 122 / MONTH_DAYS
    assert [(s.time, s.at_risk, s.left, s.censored) for s in report.steps] == [
        (pytest.approx(cas), 3, 1, 0), (pytest.approx(anna), 2, 1, 0), (pytest.approx(bas), 1, 0, 1),
    ]  # fmt: skip
    assert [round(p.survival, 4) for p in report.curve] == [1.0, 0.6667, 0.6667, 0.3333, 0.3333]
    assert report.horizon == 4
    # The mean within the first 4 months: the area under the steps.
    assert report.lifetime_months == pytest.approx(cas * 1 + (anna - cas) * 2 / 3 + (4 - anna) * 1 / 3)


def test_lifetime_value_is_revenue_per_member_month_times_the_mean_lifetime(cast: Cast, history) -> None:
    report = report_of(cast)
    # From 1 March (the first start) to today: Anna's whole program, Bas's four periods and 10 of 28 days of his
    # fifth, Cas's one period; over 84 + 122 + 28 days of membership.
    revenue = 119500 + 4 * 13900 + 13900 * 10 / 28 + 13900
    assert report.per_month_cents == pytest.approx(revenue / (84 + 122 + 28) * MONTH_DAYS)
    assert report.ltv_cents == pytest.approx(report.per_month_cents * report.lifetime_months)


def test_months_show_members_churn_growth_and_agreed_revenue(cast: Cast, history) -> None:
    rows = {row.month.month: row for row in report_of(cast).months}
    assert list(rows) == [3, 4, 5, 6, 7]  # from the month of the first start; Fay's August is not there yet
    march, april, may, june, july = (rows[m] for m in (3, 4, 5, 6, 7))
    assert (march.at_start, march.joined, march.left, march.at_end) == (0, 2, 0, 2)
    assert (april.at_start, april.joined, april.left, april.at_end) == (2, 1, 0, 3)
    assert (may.at_start, may.joined, may.left, may.net, may.at_end) == (3, 0, 2, -2, 1)
    assert may.churn == pytest.approx(2 / 3) and march.churn is None
    assert (june.left, june.churn, july.running, june.running) == (0, 0.0, True, False)
    # April: 30 of Anna's 84 days; Bas's first period 12 of 28 days and his second 18; Cas 25 of 28.
    assert april.revenue_cents == round(119500 * 30 / 84 + 13900 * (12 + 18 + 25) / 28)
    # At the end of April Bas and Cas hold a membership; Anna's program is not recurring.
    assert april.recurring_cents == round(2 * 13900 * MONTH_DAYS / 28)
    assert july.recurring_cents == round(13900 * MONTH_DAYS / 28)


def test_a_member_of_another_studio_or_with_only_a_stopped_run_is_nowhere(cast: Cast, history) -> None:
    report = report_of(cast)
    assert sum(row.joined for row in report.months) == 3
    with time_machine.travel(NOW, tick=False):
        other = money_report(cast.other_studio, first_day=date(2026, 1, 1), last_day=TODAY)
    assert other.members == 1 and other.months[0].revenue_cents == round(119500 * 30 / 84)
