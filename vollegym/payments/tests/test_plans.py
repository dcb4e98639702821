from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vollegym.payments import plans
from vollegym.payments.models import Term
from vollegym.payments.services import PaymentsError, plan_set, schedules_sweep, terms_create
from vollegym.payments.tests.kit import connect, enrol, make_program
from vollegym.programs.models import Program
from vollegym.programs.services import enrolment_mark_paid


@given(total=st.integers(min_value=0, max_value=10**9), terms=st.integers(min_value=1, max_value=24))
def test_terms_add_up_to_the_price_to_the_cent(total: int, terms: int) -> None:
    amounts = plans.split(total, terms)
    assert len(amounts) == terms and sum(amounts) == total
    assert len(set(amounts[:-1])) <= 1  # all equal but the last
    assert 0 <= amounts[-1] - amounts[0] < terms  # the last takes only the rounding


def test_a_schedule_falls_due_every_few_weeks_from_the_first_day() -> None:
    dues = plans.schedule(total_cents=100000, terms=3, every_weeks=4, first_due=date(2026, 3, 2))
    assert [(d.number, d.of, d.amount_cents, d.due_on) for d in dues] == [
        (1, 3, 33333, date(2026, 3, 2)), (2, 3, 33333, date(2026, 3, 30)), (3, 3, 33334, date(2026, 4, 27)),
    ]  # fmt: skip


@pytest.mark.django_db
def test_an_enrolment_gets_its_terms_at_its_locked_price_once(cast) -> None:
    program = make_program(cast, cents=59700, terms=3, every_weeks=4)
    enrolment = enrol(cast, program)
    terms = terms_create(enrolment=enrolment)
    assert [t.amount_cents for t in terms] == [19900, 19900, 19900]
    assert terms[1].due_on == enrolment.first_payment_due + timedelta(weeks=4)
    assert terms_create(enrolment=enrolment) == terms  # once
    assert Term.objects.for_studio(cast.studio).count() == 3


@pytest.mark.django_db
def test_a_first_payment_staff_marked_received_is_the_first_term_paid_outside_mollie(cast) -> None:
    enrolment = enrol(cast, make_program(cast, cents=10000, terms=2))
    enrolment_mark_paid(enrolment=enrolment, by=cast.owner)
    first, second = terms_create(enrolment=enrolment)
    assert first.status == "paid" and first.paid_outside and second.status == "scheduled"


@pytest.mark.django_db
def test_paying_per_period_is_only_for_a_membership_and_terms_must_be_sane(cast) -> None:
    program = make_program(cast)
    with pytest.raises(PaymentsError):
        plan_set(program=program, kind="per_period")
    with pytest.raises(PaymentsError):
        plan_set(program=program, kind="terms", terms=1)
    with pytest.raises(PaymentsError):
        plan_set(program=program, kind="terms", terms=3, every_weeks=0)
    membership = make_program(cast, cents=13900, weeks=4, kind=Program.Kind.MEMBERSHIP)
    assert plan_set(program=membership, kind="per_period").every_weeks == 4


@pytest.mark.django_db
def test_the_sweep_gives_terms_only_to_enrolments_made_since_mollie_was_connected(cast, mollie) -> None:
    program = make_program(cast, cents=30000, terms=3)
    before = enrol(cast, program, email="voor@example.nl")
    connect(cast)
    after = enrol(cast, program, email="na@example.nl")
    assert schedules_sweep() == 1
    assert schedules_sweep() == 0
    assert not Term.objects.for_studio(cast.studio).filter(enrolment=before).exists()
    assert (
        sum(
            Term.objects.for_studio(cast.studio)
            .filter(enrolment=after)
            .values_list("amount_cents", flat=True)
        )
        == 30000
    )
