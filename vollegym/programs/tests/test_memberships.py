"""Wet Van Dam: after its first term a membership goes on only a term of at most four weeks at a time, cancellable
month by month; the next term is set once the current one has begun, at the price the owner chose, once; a first
term of more than a year is refused."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError

from vollegym.programs.endings import memberships_continue
from vollegym.programs.models import Program, RenewalPrice
from vollegym.programs.services import program_price_set
from vollegym.programs.tests.endings_kit import at, enrol, membership, program, runs

pytestmark = pytest.mark.django_db

START = date(2026, 3, 2)


def test_the_next_term_is_set_once_the_current_one_has_begun_and_only_once(cast):
    run = enrol(cast.studio, membership(cast.studio), START + timedelta(days=7), signed_on=START)
    assert run.continues and run.origin == "enrolled"
    with time_machine.travel(at(START), tick=False):
        assert memberships_continue() == 0  # not begun yet
    with time_machine.travel(at(START + timedelta(days=7)), tick=False):
        assert memberships_continue() == 1
        assert memberships_continue() == 0  # every worker sweeps; a term is continued once
    first, second = runs(run)
    assert second.renewal_of == first and second.starts_on == first.ends_on + timedelta(days=1)
    assert second.price_cents == 13900 and second.sessions_total == 8 and second.continues
    with time_machine.travel(at(second.starts_on), tick=False):
        assert memberships_continue() == 1
    assert len(runs(run)) == 3


@pytest.mark.parametrize(("choice", "cents"), [(RenewalPrice.LOCKED, 13900), (RenewalPrice.CURRENT, 14900)])
def test_a_term_goes_on_at_the_price_the_owner_chose(cast, choice, cents):
    group = membership(cast.studio, renewal_price=choice)
    run = enrol(cast.studio, group, START)
    with time_machine.travel(at(START), tick=False):
        program_price_set(program=group, amount_cents=14900, effective_from=START, by=cast.owner)
        memberships_continue()
    assert run.price_cents == 13900 and runs(run)[1].price_cents == cents


def test_a_program_does_not_go_on_by_itself(cast):
    run = enrol(cast.studio, program(cast.studio, weeks=4), START)
    with time_machine.travel(at(START + timedelta(days=3)), tick=False):
        assert memberships_continue() == 0
    assert not run.continues and len(runs(run)) == 1


def test_a_lapsed_membership_is_not_brought_back_long_after(cast):
    run = enrol(cast.studio, membership(cast.studio), START)
    with time_machine.travel(at(run.ends_on + timedelta(days=15)), tick=False):
        assert memberships_continue() == 0  # a worker down for weeks does not restart who was let go


def test_a_first_term_of_more_than_a_year_is_refused(cast):
    with pytest.raises(ValidationError, match="Wet Van Dam"):
        membership(cast.studio, weeks=53)
    assert program(cast.studio, weeks=60, kind=Program.Kind.PROGRAM).weeks == 60  # a program is its own thing
