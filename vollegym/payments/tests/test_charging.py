"""Later terms: announced at least three working days ahead, then debited on the mandate by our worker, once."""

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection

from vollegym.core.races import BARRIER_TIMEOUT
from vollegym.messaging.models import Message
from vollegym.payments.charging import checkout_start, term_charge, terms_announce, terms_charge_due
from vollegym.payments.models import MolliePayment, Term
from vollegym.payments.mollie import Mollie
from vollegym.payments.services import customer_of, terms_create
from vollegym.payments.tests.kit import KEY, connect, deliver, enrol, make_program
from vollegym.payments.workdays import holidays, is_working_day, working_days_after

MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # term 1 due today, term 2 on Monday 30 March


def test_dutch_working_days_skip_weekends_and_holidays():
    assert date(2026, 4, 6) in holidays(2026)  # Easter Monday
    assert date(2026, 4, 27) in holidays(2026) and date(2025, 4, 26) in holidays(
        2025
    )  # King's Day (2025: Sunday)
    assert date(2025, 5, 5) in holidays(2025) and date(2026, 5, 5) not in holidays(
        2026
    )  # Liberation Day, lustrum
    assert date(2026, 5, 14) in holidays(2026) and date(2026, 5, 25) in holidays(
        2026
    )  # Ascension, Whit Monday
    assert not is_working_day(date(2026, 12, 26)) and is_working_day(date(2026, 12, 28))
    assert working_days_after(date(2026, 4, 24), 3) == date(2026, 4, 30)  # Friday; Monday is King's Day
    assert working_days_after(date(2026, 3, 27), 3) == date(2026, 4, 1)


def _with_mandate(cast, mollie) -> tuple[Term, Term, Term]:
    connect(cast)
    enrolment = enrol(cast, make_program(cast, cents=59700, terms=3, every_weeks=4))
    terms = terms_create(enrolment=enrolment)
    checkout_start(term=terms[0], redirect_url="http://testserver/")
    mollie.set_status(MolliePayment.objects.for_studio(cast.studio).get().mollie_id, "paid")
    deliver()
    return terms[0], terms[1], terms[2]


@pytest.mark.django_db
def test_a_debit_is_announced_three_working_days_ahead_then_taken_once_on_its_day(cast, mollie):
    with time_machine.travel(MONDAY, tick=False):
        _first, second, _third = _with_mandate(cast, mollie)
    with time_machine.travel(datetime(2026, 3, 20, 9, tzinfo=UTC), tick=False):
        assert terms_announce() == 0  # ten days ahead: not yet
    with time_machine.travel(datetime(2026, 3, 27, 9, tzinfo=UTC), tick=False):  # a Friday, three days before
        assert terms_announce() == 1
        assert terms_announce() == 0
    second.refresh_from_db()
    assert second.charge_on == date(2026, 4, 1)  # moved: at least three working days after the announcement
    mail = Message.objects.for_studio(cast.studio).get(key=f"term:{second.pk}:announce")
    assert "woensdag 1 april" in mail.body and "€ 199,00" in mail.body
    with time_machine.travel(datetime(2026, 3, 31, 9, tzinfo=UTC), tick=False):
        assert terms_charge_due() == 0  # its announced day has not come
    with time_machine.travel(datetime(2026, 4, 1, 7, tzinfo=UTC), tick=False):
        assert terms_charge_due() == 1
        assert terms_charge_due() == 0
    debits = [p for p in mollie.payments_of(KEY) if p["sequenceType"] == "recurring"]
    assert (
        len(debits) == 1
        and debits[0]["amount"]["value"] == "199.00"
        and debits[0]["mandateId"].startswith("mdt_")
    )
    second.refresh_from_db()
    assert second.status == "open" and second.attempts == 1
    mollie.set_status(debits[0]["id"], "paid")  # the bank pays the debit a few days later
    deliver()
    second.refresh_from_db()
    assert second.status == "paid"


@pytest.mark.django_db
def test_a_member_without_a_mandate_gets_a_pay_link_instead_of_a_debit(cast, mollie):
    connect(cast)
    with time_machine.travel(MONDAY, tick=False):
        first = terms_create(enrolment=enrol(cast, make_program(cast, cents=10000)))[0]
        assert terms_announce() == 1
    mail = Message.objects.for_studio(cast.studio).get(key=f"term:{first.pk}:pay:0")
    assert "/s/kracht-utrecht/betalen/" in mail.body and "iDEAL | Wero" in mail.body
    first.refresh_from_db()
    assert first.charge_on is None
    with time_machine.travel(MONDAY + timedelta(days=10), tick=False):
        assert terms_charge_due() == 0
    assert not mollie.payments_of(KEY)


@pytest.mark.django_db
def test_mollie_down_while_debiting_is_tried_again_with_the_same_idempotency_key(cast, mollie):
    with time_machine.travel(MONDAY, tick=False):
        _first, second, _third = _with_mandate(cast, mollie)
    with time_machine.travel(datetime(2026, 3, 27, 9, tzinfo=UTC), tick=False):
        terms_announce()
    day = datetime(2026, 4, 1, 7, tzinfo=UTC)
    with time_machine.travel(day, tick=False):
        mollie.fail_next(1)
        assert term_charge(term_id=second.pk) == "retry"
        second.refresh_from_db()
        assert second.status == "scheduled" and second.retries == 1 and second.attempts == 0
        assert term_charge(term_id=second.pk) == "not due or taken"  # waits its backoff
    with time_machine.travel(day + timedelta(minutes=5), tick=False):
        assert terms_charge_due() == 1
    keys = [p for p in mollie.payments_of(KEY) if p["sequenceType"] == "recurring"]
    assert len(keys) == 1
    assert MolliePayment.objects.for_studio(cast.studio).get(mollie_id=keys[0]["id"]).idempotency_key == (
        f"vollegym-term-{second.pk}-1"
    )


@pytest.mark.django_db
def test_a_lost_answer_sent_again_with_the_same_key_is_the_same_payment_at_mollie(cast, mollie):
    with time_machine.travel(MONDAY, tick=False):
        _first, second, _third = _with_mandate(cast, mollie)
    found = customer_of(second.member_id, cast.studio)
    assert found is not None

    def send() -> str:
        return Mollie(KEY).payment_recurring(
            cents=100, description="x", customer_id=found.customer_id, mandate_id=found.mandate_id,
            webhook_url="http://testserver/", metadata={}, idempotency_key=f"vollegym-term-{second.pk}-1",
        ).id  # fmt: skip

    assert send() == send()


@pytest.mark.django_db(transaction=True)
def test_one_term_is_never_debited_twice_by_two_workers_at_once(cast, mollie):
    with time_machine.travel(MONDAY, tick=False):
        _first, second, _third = _with_mandate(cast, mollie)
    with time_machine.travel(datetime(2026, 3, 27, 9, tzinfo=UTC), tick=False):
        terms_announce()
    barrier = threading.Barrier(4, timeout=BARRIER_TIMEOUT)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            outcomes.append(term_charge(term_id=second.pk))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    with time_machine.travel(datetime(2026, 4, 1, 7, tzinfo=UTC), tick=False):
        threads = [threading.Thread(target=worker) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    assert not errors, errors
    assert sorted(outcomes) == ["charged", "not due or taken", "not due or taken", "not due or taken"]
    assert len([p for p in mollie.payments_of(KEY) if p["sequenceType"] == "recurring"]) == 1
    assert MolliePayment.objects.for_studio(cast.studio).filter(sequence_type="recurring").count() == 1


@pytest.mark.django_db
def test_nothing_is_announced_or_debited_after_a_cancellation_or_during_a_pause(cast, mollie):
    from vollegym.programs.models import Cancellation, Enrolment, Pause

    with time_machine.travel(MONDAY, tick=False):
        _first, second, third = _with_mandate(cast, mollie)
    enrolment = second.enrolment
    # A pause over term 2's day: it is neither announced nor debited while the pause holds.
    pause = Pause.objects.create(
        studio=cast.studio, member=enrolment.member, enrolment=enrolment, starts_on=second.due_on - timedelta(days=3),
        ends_on=second.due_on + timedelta(days=3),
    )  # fmt: skip
    with time_machine.travel(datetime(2026, 3, 27, 9, tzinfo=UTC), tick=False):
        assert terms_announce() == 0
    Pause.objects.for_studio(cast.studio).filter(pk=pause.pk).update(
        withdrawn_at=MONDAY
    )  # taken back: it goes
    with time_machine.travel(datetime(2026, 3, 27, 9, tzinfo=UTC), tick=False):
        assert terms_announce() == 1
    # Cancelled with the last day before term 3's: term 3 is never announced nor taken.
    Cancellation.objects.create(
        studio=cast.studio, enrolment=enrolment, member=enrolment.member, effective_on=third.due_on - timedelta(days=1),
        rule="program_end", ends_before=enrolment.ends_on,
    )  # fmt: skip
    with time_machine.travel(datetime.combine(third.due_on, datetime.min.time(), tzinfo=UTC), tick=False):
        assert terms_announce() == 0
        assert terms_charge_due() == 1  # term 2, announced before, still falls inside the membership
    # A stopped run owes nothing more, even a term already announced.
    Term.objects.for_studio(cast.studio).filter(pk=third.pk).update(
        announced_at=MONDAY, charge_on=third.due_on
    )
    Enrolment.objects.for_studio(cast.studio).filter(pk=enrolment.pk).update(status="stopped")
    with time_machine.travel(datetime.combine(third.due_on, datetime.min.time(), tzinfo=UTC), tick=False):
        assert terms_charge_due() == 0
    assert len([p for p in mollie.payments_of(KEY) if p["sequenceType"] == "recurring"]) == 1
