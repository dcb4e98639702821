"""Mollie's webhook: stored first, the payment fetched from Mollie, statuses taken in any order, never across studios."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client

from vollegym.core import clock
from vollegym.core.testing import make_studio
from vollegym.payments.charging import checkout_start
from vollegym.payments.models import MollieCustomer, MolliePayment, MollieWebhook, Term
from vollegym.payments.mollie import Payment
from vollegym.payments.services import connection_save, terms_create
from vollegym.payments.tests.kit import OTHER_KEY, connect, deliver, enrol, make_program
from vollegym.payments.webhooks import payment_apply, payments_reconcile
from vollegym.people.models import DomainEvent

pytestmark = pytest.mark.django_db

HOOK = "/hooks/mollie/kracht-utrecht/"
FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def started(cast, mollie):
    """A member with three terms whose first is at Mollie's checkout."""
    connect(cast)
    enrolment = enrol(cast, make_program(cast, cents=59700, terms=3))
    first = terms_create(enrolment=enrolment)[0]
    url = checkout_start(term=first, redirect_url="http://testserver/s/kracht-utrecht/leden/betalingen/")
    payment = MolliePayment.objects.for_studio(cast.studio).get()
    assert url == payment.checkout_url and url.startswith(mollie.base_url)
    return first, payment


def _term(term: Term) -> Term:
    term.refresh_from_db()
    return term


def test_paying_the_checkout_pays_the_term_gives_the_mandate_and_marks_the_enrolment_paid(
    cast, mollie, started
):
    term, payment = started
    sent = mollie.payment(payment.mollie_id)
    assert (
        sent["sequenceType"] == "first"
        and sent["method"] == "ideal"
        and sent["amount"] == {"currency": "EUR", "value": "199.00"}
    )
    assert sent["webhookUrl"] == f"http://testserver{HOOK}"
    mollie.set_status(payment.mollie_id, "paid")  # the member picks "paid" at the checkout: Mollie calls us
    assert mollie.webhooks.answers == [200]
    assert _term(term).status == "open"  # stored, not yet processed
    deliver()
    assert _term(term).status == "paid" and term.paid_at is not None
    customer = MollieCustomer.objects.for_studio(cast.studio).get()
    assert customer.mandate_id.startswith("mdt_")
    term.enrolment.refresh_from_db()
    assert term.enrolment.first_payment_paid_at is not None
    kinds = list(DomainEvent.objects.for_studio(cast.studio).values_list("kind", flat=True))
    assert kinds.count("payment.term_paid") == 1 and kinds.count("member.first_payment") == 1


def test_the_same_webhook_many_times_is_one_fetch_and_one_change(cast, mollie, started):
    term, payment = started
    mollie.webhooks.hold = True
    mollie.set_status(payment.mollie_id, "paid")
    ((url, pid),) = mollie.webhooks.held
    for _ in range(4):
        mollie.webhooks.send(url, pid)
    assert MollieWebhook.objects.for_studio(cast.studio).get().calls == 4  # folded into one delivery
    fetches_before = len([c for c in mollie.calls if c == ("GET", f"/v2/payments/{pid}")])
    deliver()
    mollie.webhooks.send(url, pid)  # and once more after it was processed
    deliver()
    assert len([c for c in mollie.calls if c == ("GET", f"/v2/payments/{pid}")]) == fetches_before + 2
    assert _term(term).status == "paid"
    assert DomainEvent.objects.for_studio(cast.studio).filter(kind="payment.term_paid").count() == 1


def test_statuses_in_any_order_never_take_paid_back(cast, mollie, started):
    term, payment = started

    def seen(status: str, **more) -> Payment:
        return Payment(id=payment.mollie_id, status=status, amount_cents=19900, sequence_type="first", **more)

    locked = MolliePayment.objects.for_studio(cast.studio).get()
    assert payment_apply(payment=locked, fetched=seen("paid", mandate_id="mdt_x")) is True
    for late in ("pending", "open", "expired", "failed", "canceled"):  # an older answer arriving after paid
        assert payment_apply(payment=locked, fetched=seen(late)) is False
    locked.refresh_from_db()
    assert locked.status == "paid" and _term(term).status == "paid"


def test_an_old_checkout_expiring_after_a_new_one_was_paid_does_not_fail_the_term(
    cast, mollie, started, settings
):
    term, first = started
    with time_machine.travel(clock.now() + timedelta(minutes=20)):
        checkout_start(
            term=term, redirect_url="http://testserver/"
        )  # the first expired unseen: a second checkout
        second = MolliePayment.objects.for_studio(cast.studio).exclude(pk=first.pk).get()
        mollie.set_status(second.mollie_id, "paid")
        mollie.set_status(first.mollie_id, "expired")
        deliver()
    assert _term(term).status == "paid"
    assert not DomainEvent.objects.for_studio(cast.studio).filter(kind="payment.term_failed").exists()


def test_a_failed_checkout_fails_the_term_and_the_member_can_pay_again(cast, mollie, started):
    term, payment = started
    mollie.set_status(payment.mollie_id, "failed")
    deliver()
    assert _term(term).status == "failed"
    checkout_start(term=term, redirect_url="http://testserver/")
    assert MolliePayment.objects.for_studio(cast.studio).count() == 2 and _term(term).status == "open"


def test_paid_then_charged_back_weeks_later(cast, mollie, started):
    term, payment = started
    mollie.set_status(payment.mollie_id, "paid")
    deliver()
    with time_machine.travel(clock.now() + timedelta(weeks=5)):
        mollie.charge_back(payment.mollie_id)
        deliver()
    payment.refresh_from_db()
    assert payment.status == "paid" and payment.charged_back_cents == 19900
    assert _term(term).status == "charged_back"
    assert DomainEvent.objects.for_studio(cast.studio).filter(kind="payment.term_charged_back").count() == 1


def test_mollie_answering_5xx_for_a_while_is_waited_out_and_then_resumes_by_itself(cast, mollie, started):
    term, payment = started
    mollie.webhooks.hold = True
    mollie.set_status(payment.mollie_id, "paid")
    mollie.fail_next(3)
    ((url, pid),) = mollie.webhooks.held
    mollie.webhooks.send(url, pid)
    now = clock.now()
    for minutes in (0, 1, 2):  # backoff: each try waits longer; the worker keeps the delivery
        with time_machine.travel(now + timedelta(minutes=minutes)):
            deliver()
        assert _term(term).status == "open"
    delivery = MollieWebhook.objects.for_studio(cast.studio).get()
    assert delivery.status == "pending" and delivery.attempts == 3 and "503" in delivery.error
    with time_machine.travel(now + timedelta(minutes=10)):
        deliver()
    assert _term(term).status == "paid"
    delivery.refresh_from_db()
    assert delivery.status == "processed"


def test_another_studios_payment_id_changes_nothing_and_asks_mollie_nothing(cast, mollie, started):
    term, payment = started
    other = make_studio(name="Buren", slug="buren")
    connection_save(studio=other, api_key=OTHER_KEY, by=None)
    mollie.set_status(payment.mollie_id, "paid", notify=False)
    calls = len(mollie.calls)
    answer = Client().post("/hooks/mollie/buren/", f"id={payment.mollie_id}", content_type=FORM)
    assert answer.status_code == 200  # stored; it tells the sender nothing about whose payment it is
    deliver()
    assert len(mollie.calls) == calls
    assert MollieWebhook.objects.for_studio(other).get().status == "ignored"
    assert _term(term).status == "open"
    # and a guessed id in the right studio is ignored the same way
    Client().post(HOOK, "id=tr_Geraden123", content_type=FORM)
    deliver()
    assert MollieWebhook.objects.for_studio(cast.studio).get(payment_id="tr_Geraden123").status == "ignored"


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b"id=tr_abc\x00", FORM, 400),
        (b"id=tr_" + b"a" * 2000, FORM, 413),
        (b'{"id": "tr_abc"}', "application/json", 415),
        (b"id=tr_abc&id=tr_def", FORM, 400),
        (b"id=ord_abc", FORM, 400),
        (b"id=tr_%00abc", FORM, 400),
        (b"id=tr_\xc3\xa9", FORM, 400),
        (b"", FORM, 415),  # the test client, like a browser, sends no content type without a body
        (b"garbage", FORM, 400),
    ],
)
def test_forged_bodies_are_refused_and_nothing_is_stored(cast, body, content_type, status):
    answer = Client().post(HOOK, body, content_type=content_type)
    assert answer.status_code == status
    assert not MollieWebhook.objects.for_studio(cast.studio).exists()


def test_an_unknown_studio_is_404_and_get_is_not_allowed(cast):
    assert Client().post("/hooks/mollie/bestaat-niet/", "id=tr_abc", content_type=FORM).status_code == 404
    assert Client().get(HOOK).status_code == 405


def test_the_daily_reconcile_catches_a_webhook_that_never_came(cast, mollie, started):
    term, payment = started
    mollie.set_status(payment.mollie_id, "paid", notify=False)  # Mollie's call got lost
    assert payments_reconcile() == 0  # looked at less than a day ago
    with time_machine.travel(clock.now() + timedelta(days=1, minutes=1)):
        assert payments_reconcile() == 1
        deliver()
        assert payments_reconcile() == 0  # paid, and just looked at
    assert _term(term).status == "paid"
