"""Capacity pricing: when the groups run structurally full, a higher price for new members (existing ones keep theirs).

It lives with the agenda because it reads the agenda's fill rates; the price itself changes through the programs
app's own service (program_price_set), so programs never depend on the agenda.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

from vollegym.programs.models import Enrolment, Program, ProgramPrice
from vollegym.programs.selectors import programs_overview, today
from vollegym.schedule.selectors import Fill, fill_rates
from vollegym.schedule.services import settings_for
from vollegym.studios.models import Studio

# The advice is a raise of one tenth, rounded up to whole fives of euros: large enough to matter, small enough to sell.
ROUND_TO_CENTS = 500
WEEKS_PER_MONTH = 52 / 12


@dataclass(frozen=True)
class Recommendation:
    program: Program
    price: ProgramPrice
    fill: Fill
    full_weeks: int  # the latest weeks in a row at or above the threshold
    suggested_cents: int
    new_per_month: float  # new enrolments a month over the last three months
    yearly_effect_cents: int  # extra revenue over 12 months at the same inflow
    break_even_drop: float  # the share fewer newcomers at which the raise earns nothing extra

    @property
    def raise_cents(self) -> int:
        return self.suggested_cents - self.price.amount_cents


def suggested_price(cents: int) -> int:
    """A tenth more, rounded up to whole fives of euros, in whole numbers (floats would round € 250 to € 280)."""
    raised = cents * 11  # tenths of a cent
    step = ROUND_TO_CENTS * 10
    return -(-raised // step) * ROUND_TO_CENTS


def _full_weeks(fill: Fill, threshold: float) -> int:
    streak = 0
    for _monday, rate in reversed(fill.weeks):
        if rate is None:
            continue  # a closed week (no sessions) neither counts nor breaks the run
        if rate < threshold:
            break
        streak += 1
    return streak


def yearly_effect(program: Program, raise_cents: int, new_per_month: float) -> int:
    """Extra revenue over the next 12 months if as many new members keep coming, each paying `raise_cents` more.

    A program is paid once; a membership every period, so who joins early in the year pays the raise more often.
    Members who stop within the year are not counted out: the number is an upper bound, said as such on the page.
    """
    if program.kind == Program.Kind.PROGRAM:
        return round(new_per_month * 12 * raise_cents)
    # who joins in month m pays for every period that starts in the months left (the first one at once)
    periods = sum(math.ceil((12 - month + 1) * WEEKS_PER_MONTH / program.weeks) for month in range(1, 13))
    return round(new_per_month * periods * raise_cents)


def recommendations(studio: Studio) -> tuple[list[Recommendation], Fill, list[Fill], list[Fill]]:
    """A raise for each small-group program whose classes ran at or above the threshold for the set number of weeks."""
    rules = settings_for(studio)
    threshold = rules.full_threshold / 100
    overall, per_class, per_program = fill_rates(studio, weeks=max(8, rules.full_weeks))
    by_program = {fill.key: fill for fill in per_program}
    since = today() - timedelta(days=90)
    found = []
    for row in programs_overview(studio):
        program, price = row.program, row.price
        if price is None or not program.is_active or program.format != Program.Format.SMALL_GROUP:
            continue
        if row.next_price is not None:
            continue  # a raise is already set for a later day
        fill = by_program.get(f"program:{program.pk}")
        if fill is None:
            continue  # no classes of this program on the agenda: its fill is unknown, so no advice
        streak = _full_weeks(fill, threshold)
        if streak < rules.full_weeks:
            continue
        joined = Enrolment.objects.for_studio(studio).filter(
            program=program, starts_on__gte=since, starts_on__lte=today(), renewal_of__isnull=True
        )
        new_per_month = joined.count() / 3
        suggested = suggested_price(price.amount_cents)
        raise_cents = suggested - price.amount_cents
        found.append(
            Recommendation(
                program=program,
                price=price,
                fill=fill,
                full_weeks=streak,
                suggested_cents=suggested,
                new_per_month=new_per_month,
                yearly_effect_cents=yearly_effect(program, raise_cents, new_per_month),
                break_even_drop=raise_cents / suggested,
            )
        )
    return found, overall, per_class, per_program
