"""Refunds by the owner through Mollie (full or partial, never more than is left), and withdrawal within 14 days."""

from datetime import timedelta

import pytest
import time_machine

from vollegym.core import clock
from vollegym.core.testing import assert_other_studio_gets_404, client_for
from vollegym.payments import refunds
from vollegym.payments.books import bookkeeping_rows, collected_per_month
from vollegym.payments.invoicing import credit_notes_sweep
from vollegym.payments.models import Invoice, InvoiceLine, MolliePayment, Refund
from vollegym.payments.refunds import refund_create, refundable_cents, refunds_reconcile, withdrawals_refund
from vollegym.payments.services import PaymentsError
from vollegym.payments.tests.books_kit import enrolled, paid, started
from vollegym.payments.tests.kit import OTHER_KEY, connect, deliver, make_program
from vollegym.payments.tests.test_invoices import pdf_text
from vollegym.payments.webhooks import payments_reconcile
from vollegym.people.models import DomainEvent
from vollegym.programs.endings import enrolment_cancel

pytestmark = pytest.mark.django_db


@pytest.fixture
def payment(cast, mollie):
    connect(cast)
    return paid(mollie, enrolled(cast, make_program(cast, cents=59700, terms=3)))  # € 199,00


def _refund_posts(mollie, payment):
    return [c for c in mollie.calls if c == ("POST", f"/v2/payments/{payment.mollie_id}/refunds")]


def test_a_partial_then_the_rest_is_refunded_at_mollie_with_a_credit_note_and_an_event_each(
    cast, mollie, payment
):
    first = refund_create(payment=payment, cents=5000, by=cast.owner, description="Les gemist")
    assert first.mollie_id.startswith("re_") and first.status == "pending" and first.amount_cents == 5000
    at_mollie = mollie.payment(payment.mollie_id)
    assert at_mollie["amountRefunded"] == {"currency": "EUR", "value": "50.00"}
    assert refundable_cents(payment) == 14900
    second = refund_create(payment=payment, cents=14900, by=cast.owner)
    assert at_mollie["amountRefunded"]["value"] == "199.00" and refundable_cents(payment) == 0
    notes = list(Invoice.objects.for_studio(cast.studio).filter(kind="credit_note").order_by("number"))
    assert [n.total_cents for n in notes] == [-5000, -14900]
    assert {n.refund_id for n in notes} == {first.pk, second.pk}
    events = DomainEvent.objects.for_studio(cast.studio).filter(kind="payment.refunded").order_by("pk")
    assert [e.payload["amount_cents"] for e in events] == [5000, 14900]
    assert events[0].payload["reason"] == "owner" and events[0].by == cast.owner


def test_more_than_is_left_is_refused_before_mollie_is_asked(cast, mollie, payment):
    refund_create(payment=payment, cents=19000, by=cast.owner)
    with pytest.raises(PaymentsError, match="€ 9,00"):
        refund_create(payment=payment, cents=901, by=cast.owner)
    assert len(_refund_posts(mollie, payment)) == 1
    assert Refund.objects.for_studio(cast.studio).count() == 1


def test_a_charge_back_lowers_what_can_be_refunded(cast, mollie, payment):
    mollie.charge_back(payment.mollie_id, 4900)
    deliver()
    payment.refresh_from_db()
    assert payment.charged_back_cents == 4900 and refundable_cents(payment) == 15000
    with pytest.raises(PaymentsError):
        refund_create(payment=payment, cents=15001, by=cast.owner)


@pytest.mark.parametrize("cents", [0, -100, 10_000_001, 2**63])
def test_nonsense_amounts_are_refused_by_the_service(cast, mollie, payment, cents):
    with pytest.raises(PaymentsError):
        refund_create(payment=payment, cents=cents, by=cast.owner)
    assert not _refund_posts(mollie, payment)


def test_an_unpaid_payment_cannot_be_refunded(cast, mollie):
    connect(cast)
    open_payment = started(enrolled(cast, make_program(cast)))
    with pytest.raises(PaymentsError, match="betaalde"):
        refund_create(payment=open_payment, cents=100, by=cast.owner)


def test_mollie_down_keeps_the_request_and_the_reconcile_makes_it_once(cast, mollie, payment):
    mollie.fail_next(1)
    asked = refund_create(payment=payment, cents=100, by=cast.owner)
    assert asked.status == "requested" and asked.mollie_id == "" and asked.idempotency_key
    assert not Invoice.objects.for_studio(cast.studio).filter(kind="credit_note").exists()
    assert (
        refundable_cents(payment) == 19800
    )  # the request holds its amount: nobody refunds it twice meanwhile
    assert refunds_reconcile() == 0  # its own request may still be on its way: not asked again yet
    with time_machine.travel(clock.now() + timedelta(minutes=6)):
        assert refunds_reconcile() == 1
        assert refunds_reconcile() == 0
    asked.refresh_from_db()
    assert asked.status == "pending" and asked.mollie_id.startswith("re_")
    assert mollie.payment(payment.mollie_id)["amountRefunded"]["value"] == "1.00"
    assert len(_refund_posts(mollie, payment)) == 2  # the one that got a 503, and the one that made it
    (note,) = Invoice.objects.for_studio(cast.studio).filter(kind="credit_note")
    assert note.refund_id == asked.pk and note.total_cents == -100


def test_mollie_refusing_a_refund_says_so_and_holds_nothing(cast, mollie, payment):
    mollie.charge_back(payment.mollie_id, 19900)  # at Mollie nothing is left; we do not know it yet
    with pytest.raises(PaymentsError, match="niets terugbetaald"):
        refund_create(payment=payment, cents=100, by=cast.owner)
    (refused,) = Refund.objects.for_studio(cast.studio)
    assert refused.status == "failed" and not refused.counts
    assert not Invoice.objects.for_studio(cast.studio).filter(kind="credit_note").exists()


def test_the_owner_refunds_from_the_payments_page(cast, mollie, payment):
    owner = client_for(cast.owner)
    page = owner.get(f"/app/kracht-utrecht/betalingen/betaling/{payment.pk}/")
    assert page.status_code == 200 and "Er kan nog € 199,00 terug" in page.text
    done = owner.post(
        f"/app/kracht-utrecht/betalingen/betaling/{payment.pk}/terugbetalen/",
        {"amount": "49,75", "description": "Twee lessen gemist"},
    )
    assert done.status_code == 302
    after = owner.get(done["Location"])
    assert "Terugbetaald via Mollie: € 49,75" in after.text and "Creditfactuur" in after.text
    member_page = owner.get(f"/app/kracht-utrecht/betalingen/lid/{payment.term.member_id}/")
    assert member_page.status_code == 200 and "€ 49,75" in member_page.text


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("-10", "Vul een bedrag in euro"),
        ("0", "vanaf € 0,01"),
        ("99999999999999999999", "hoger dan wat er ooit"),
        ("tien euro", "Vul een bedrag in euro"),
        ("199,01", "te veel"),
        ("", "Vul het bedrag in"),
    ],
)
def test_hostile_amounts_get_a_dutch_error_and_change_nothing(cast, mollie, payment, typed, says):
    response = client_for(cast.owner).post(
        f"/app/kracht-utrecht/betalingen/betaling/{payment.pk}/terugbetalen/", {"amount": typed}
    )
    assert response.status_code == 400 and says in response.text
    assert not Refund.objects.for_studio(cast.studio).exists() and not _refund_posts(mollie, payment)


def test_another_studios_payment_is_404_and_a_coach_cannot_refund(cast, mollie, payment):
    connect_other = cast.other_studio
    from vollegym.payments.services import connection_save

    connection_save(studio=connect_other, api_key=OTHER_KEY, by=cast.outsider)
    # The outsider, in their own studio's URL, with this studio's payment id: not theirs.
    outsider = client_for(cast.outsider)
    for url in (
        f"/app/andere-studio/betalingen/betaling/{payment.pk}/",
        f"/app/andere-studio/betalingen/betaling/{payment.pk}/terugbetalen/",
    ):
        assert outsider.post(url, {"amount": "1,00"}).status_code == 404
    assert_other_studio_gets_404(f"/app/kracht-utrecht/betalingen/betaling/{payment.pk}/", cast.outsider)
    coach = client_for(cast.coach)
    assert coach.get(f"/app/kracht-utrecht/betalingen/betaling/{payment.pk}/").status_code == 404
    refused = coach.post(
        f"/app/kracht-utrecht/betalingen/betaling/{payment.pk}/terugbetalen/", {"amount": "1"}
    )
    assert refused.status_code == 404
    assert client_for(cast.owner).get("/app/kracht-utrecht/betalingen/betaling/999999/").status_code == 404
    assert not Refund.objects.for_studio(cast.studio).exists()


def test_a_refund_that_fails_at_mollie_no_longer_counts(cast, mollie, payment):
    made = refund_create(payment=payment, cents=19900, by=cast.owner)
    assert refundable_cents(payment) == 0
    mollie.set_refund_status(made.mollie_id, "failed")
    with time_machine.travel(clock.now() + timedelta(hours=7)):
        assert refunds_reconcile() == 1
        deliver()  # the payment is fetched again: Mollie's amountRefunded dropped
    made.refresh_from_db()
    payment.refresh_from_db()
    assert made.status == "failed" and payment.refunded_cents == 0 and refundable_cents(payment) == 19900


def test_a_failed_refund_keeps_its_credit_note_gets_a_correction_and_the_books_do_not_count_it(
    cast, mollie, payment
):
    made = refund_create(payment=payment, cents=5000, by=cast.owner, description="Les gemist")
    note = Invoice.objects.for_studio(cast.studio).get(refund=made)
    mollie.set_refund_status(made.mollie_id, "canceled")
    with time_machine.travel(clock.now() + timedelta(hours=7)):
        assert refunds_reconcile() == 1
        assert refunds_reconcile() == 0 and credit_notes_sweep() == 0  # once
    docs = list(
        Invoice.objects.for_studio(cast.studio)
        .order_by("number")
        .values_list("number", "kind", "total_cents")
    )
    assert docs == [(1, "invoice", 19900), (2, "credit_note", -5000), (3, "correction", 5000)]
    correction = Invoice.objects.for_studio(cast.studio).get(kind="correction")
    assert correction.credits_id == note.pk and correction.vat_cents == -note.vat_cents
    (line,) = InvoiceLine.objects.for_studio(cast.studio).filter(invoice=correction)
    assert line.description == "Correctie op creditfactuur 000002: de terugbetaling is niet gelukt"
    assert sum(total for _n, _k, total in docs) == 19900  # what was collected and kept
    month = clock.today().replace(day=1)
    rows = [[str(cell) for cell in row] for row in bookkeeping_rows(cast.studio, month)]
    (refund_row,) = [row for row in rows if row[0] == "Terugbetaling"]
    assert refund_row[9] == "" and refund_row[11] == "Geannuleerd"  # listed, no amount
    assert any(row[0] == "Correctiefactuur" and row[3] == "000002" for row in rows)
    assert collected_per_month(cast.studio, month, month) == {month: 19900}
    text = client_for(cast.owner).get(f"/app/kracht-utrecht/betalingen/betaling/{payment.pk}/").text
    assert "Correctiefactuur 000003" in text and "Er kan nog € 199,00 terug" in text
    download = client_for(cast.owner).get(f"/app/kracht-utrecht/betalingen/facturen/{correction.pk}/")
    assert 'filename="correctiefactuur-000003.pdf"' in download["Content-Disposition"]
    pdf = pdf_text(download.content)
    assert "Correctiefactuur" in pdf and "Corrigeert" in pdf and "000002" in pdf and "€ 50,00" in pdf


def test_a_refund_mollie_made_whose_settling_rolled_back_is_settled_by_the_reconcile_not_made_again(
    cast, mollie, payment, monkeypatch
):
    def boom(**kwargs):
        raise RuntimeError("the database said no halfway")

    monkeypatch.setattr(refunds, "credit_note_issue", boom)
    asked = refund_create(payment=payment, cents=2500, by=cast.owner)
    assert asked.status == "requested"  # Mollie made it; our transaction after it rolled back
    assert mollie.payment(payment.mollie_id)["amountRefunded"]["value"] == "25.00"
    assert Refund.objects.for_studio(cast.studio).get().mollie_id == ""
    assert refundable_cents(payment) == 17400  # still held: nobody gives it back twice meanwhile
    monkeypatch.undo()
    with time_machine.travel(clock.now() + timedelta(minutes=6)):
        assert refunds_reconcile() == 1
    asked.refresh_from_db()
    assert asked.status == "pending" and asked.mollie_id.startswith("re_")
    assert len(_refund_posts(mollie, payment)) == 1  # found in Mollie's list: not asked again
    assert Invoice.objects.for_studio(cast.studio).get(refund=asked).total_cents == -2500
    assert DomainEvent.objects.for_studio(cast.studio).filter(kind="payment.refunded").count() == 1


def test_the_refund_keeps_the_amount_mollie_made(cast, mollie, payment):
    from vollegym.payments import mollie as api
    from vollegym.payments.refunds import refund_settle

    asked = Refund.objects.create(
        studio=cast.studio, payment=payment, amount_cents=5000, status="requested", idempotency_key="k-made"
    )
    made = api.Refund(id="re_Made4000", payment_id=payment.mollie_id, status="pending", amount_cents=4000)
    settled = refund_settle(refund=asked, made=made)
    assert (settled.mollie_id, settled.amount_cents, settled.status) == ("re_Made4000", 4000, "pending")
    assert Invoice.objects.for_studio(cast.studio).get(refund=settled).total_cents == -4000
    assert refund_settle(refund=asked, made=made) == settled  # once
    assert Invoice.objects.for_studio(cast.studio).filter(kind="credit_note").count() == 1


def test_a_refund_made_in_mollies_dashboard_reaches_the_books(cast, mollie, payment):
    mollie.refund_in_dashboard(payment.mollie_id, 2500, "Gebaar van de studio")
    with time_machine.travel(clock.now() + timedelta(days=1, minutes=1)):
        assert payments_reconcile() >= 1  # the daily reconcile: Mollie's refunded amount is not ours
        deliver()
        deliver()
    (found,) = Refund.objects.for_studio(cast.studio)
    assert (found.reason, found.amount_cents, found.created_by) == ("mollie", 2500, None)
    assert found.mollie_id.startswith("re_") and found.description == "Gebaar van de studio"
    assert Invoice.objects.for_studio(cast.studio).get(refund=found).total_cents == -2500
    payment.refresh_from_db()
    assert payment.refunded_cents == 2500 and refundable_cents(payment) == 17400
    events = DomainEvent.objects.for_studio(cast.studio).filter(kind="payment.refunded")
    assert [e.payload["reason"] for e in events] == ["mollie"]
    with pytest.raises(PaymentsError, match="€ 174,00"):
        refund_create(payment=payment, cents=19900, by=cast.owner)


def test_withdrawal_within_14_days_refunds_everything_paid_once(cast, mollie):
    connect(cast)
    run = enrolled(cast, make_program(cast, cents=59700, terms=3), at_distance=True)
    payment = paid(mollie, run)
    refund_create(payment=payment, cents=1000, by=cast.owner)  # the owner already gave something back
    cancellation = enrolment_cancel(enrolment=run, by=None, by_member=True)
    assert cancellation.rule == "cooling_off"
    assert withdrawals_refund() == 1
    assert withdrawals_refund() == 0  # nothing left: nothing more
    refunds = list(Refund.objects.for_studio(cast.studio).order_by("pk"))
    assert [(r.amount_cents, r.reason) for r in refunds] == [(1000, "owner"), (18900, "withdrawal")]
    assert refunds[1].cancellation_id == cancellation.pk
    assert mollie.payment(payment.mollie_id)["amountRefunded"]["value"] == "199.00"


def test_a_checkout_paid_after_the_withdrawal_is_refunded_too(cast, mollie):
    connect(cast)
    run = enrolled(cast, make_program(cast, cents=30000), at_distance=True)
    payment = started(run)
    enrolment_cancel(enrolment=run, by=None, by_member=True)
    assert withdrawals_refund() == 0  # nothing paid yet
    mollie.set_status(payment.mollie_id, "paid")
    deliver()
    assert withdrawals_refund() == 1
    assert MolliePayment.objects.for_studio(cast.studio).get().refunded_cents == 30000


def test_a_cancellation_after_the_14_days_refunds_nothing(cast, mollie):
    connect(cast)
    run = enrolled(cast, make_program(cast, cents=30000), at_distance=True)
    paid(mollie, run)
    with time_machine.travel(clock.now() + timedelta(days=20)):
        enrolment_cancel(enrolment=run, by=None, by_member=True)
        assert withdrawals_refund() == 0
    assert not Refund.objects.for_studio(cast.studio).exists()
