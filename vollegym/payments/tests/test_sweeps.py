"""The payments sweeps in a round of the worker: a database error goes up to the worker (which waits it out) instead of
being logged away, and a studio whose Mollie answers 5xx is asked once per round, not once per term or payment."""

from __future__ import annotations

import pytest
from django.db import InterfaceError, OperationalError

from vollegym.core import clock
from vollegym.core.testing import Cast
from vollegym.payments import invoicing
from vollegym.payments.charging import checkout_start, terms_charge_due
from vollegym.payments.invoicing import credit_notes_sweep, invoices_sweep
from vollegym.payments.models import Chargeback, Invoice, MolliePayment, MollieWebhook, Term
from vollegym.payments.rounds import MollieRound
from vollegym.payments.services import connection_save, terms_create
from vollegym.payments.standin import MollieStandin
from vollegym.payments.tests.books_kit import enrolled, paid, started
from vollegym.payments.tests.kit import OTHER_KEY, connect, deliver, enrol, make_program
from vollegym.payments.tests.test_missed import with_mandate
from vollegym.payments.webhooks import webhook_store, webhooks_process_due

pytestmark = pytest.mark.django_db


def _posts(mollie: MollieStandin) -> list[tuple[str, str]]:
    return [call for call in mollie.calls if call == ("POST", "/v2/payments")]


@pytest.mark.parametrize("error", [OperationalError("server closed the connection"), InterfaceError("gone")])
def test_a_database_error_in_the_invoice_sweep_goes_up_to_the_worker(cast, mollie, monkeypatch, error):
    connect(cast)
    payment = started(enrolled(cast, make_program(cast)))
    MolliePayment.objects.for_studio(cast.studio).filter(pk=payment.pk).update(status="paid")

    def lost(**kwargs):
        raise error

    monkeypatch.setattr(invoicing, "invoice_issue", lost)
    with pytest.raises(type(error)):
        invoices_sweep()


def test_a_database_error_in_the_credit_note_sweep_goes_up_to_the_worker(cast, mollie, monkeypatch):
    connect(cast)
    payment = paid(mollie, enrolled(cast, make_program(cast, cents=30000)))
    Chargeback.objects.create(studio=cast.studio, payment=payment, amount_cents=100, total_cents=100)

    def lost(**kwargs):
        raise OperationalError("deadlock detected")

    monkeypatch.setattr(invoicing, "credit_note_issue", lost)
    with pytest.raises(OperationalError):
        credit_notes_sweep()


def test_any_other_error_in_a_sweep_is_logged_and_the_other_rows_go_on(cast, mollie, monkeypatch):
    connect(cast)
    program = make_program(cast)
    first, second = started(enrolled(cast, program)), started(enrolled(cast, program))
    MolliePayment.objects.for_studio(cast.studio).update(status="paid")
    real = invoicing.invoice_issue

    def one_bad(*, payment):
        if payment.pk == first.pk:
            raise ValueError("a bad row")
        return real(payment=payment)

    monkeypatch.setattr(invoicing, "invoice_issue", one_bad)
    assert invoices_sweep() == 1
    assert Invoice.objects.for_studio(cast.studio).get().payment_id == second.pk


def _due_terms(cast: Cast, mollie: MollieStandin) -> list[Term]:
    """Two of a member's terms announced and due today, on their mandate."""
    _first, second, third = with_mandate(cast, mollie)
    Term.objects.for_studio(cast.studio).filter(pk__in=[second.pk, third.pk]).update(
        announced_at=clock.now(), charge_on=clock.today()
    )
    return [second, third]


def _due_elsewhere(cast: Cast, mollie: MollieStandin) -> Term:
    """A member of the other studio (its own Mollie account) with a mandate and a term due today."""
    other = Cast(
        studio=cast.other_studio, other_studio=cast.studio, owner=cast.outsider, coach=cast.outsider,
        outsider=cast.owner, agency=cast.agency,
    )  # fmt: skip
    connection_save(studio=other.studio, api_key=OTHER_KEY, by=other.owner)
    made = terms_create(
        enrolment=enrol(other, make_program(other, cents=20000, terms=2), email="olga@example.nl")
    )
    checkout_start(term=made[0], redirect_url="http://testserver/")
    mollie.set_status(MolliePayment.objects.for_studio(other.studio).get().mollie_id, "paid")
    deliver()
    Term.objects.for_studio(other.studio).filter(pk=made[1].pk).update(
        announced_at=clock.now(), charge_on=clock.today()
    )
    return made[1]


def test_mollie_down_stops_a_studios_debits_for_the_round_and_not_another_studios(cast, mollie):
    ours = _due_terms(cast, mollie)
    theirs = _due_elsewhere(cast, mollie)
    before = len(_posts(mollie))
    mollie.fail_next(1)  # the first debit of the round gets a 503, then Mollie answers again
    assert terms_charge_due() == 1
    assert len(_posts(mollie)) == before + 2  # ours once (the 503) and theirs; our second term is not asked
    statuses = dict(
        Term.all_studios.filter(pk__in=[t.pk for t in [*ours, theirs]]).values_list("pk", "status")
    )
    assert statuses == {ours[0].pk: "scheduled", ours[1].pk: "scheduled", theirs.pk: "open"}
    assert terms_charge_due() == 1  # the next round: our second term (the first waits for its own backoff)


def test_mollie_down_asks_once_per_studio_in_the_webhook_queue(cast, mollie):
    connect(cast)
    program = make_program(cast)
    payments = [started(enrolled(cast, program)) for _ in range(3)]
    for payment in payments:
        webhook_store(studio=cast.studio, payment_id=payment.mollie_id)
    fetches = len([c for c in mollie.calls if c[0] == "GET"])
    mollie.fail_next(100)
    assert webhooks_process_due() == 1  # the first one's 503 leaves the others for their own next attempt
    assert len([c for c in mollie.calls if c[0] == "GET"]) == fetches + 1
    assert MollieWebhook.objects.for_studio(cast.studio).filter(status="pending", attempts=0).count() == 2


def test_a_round_remembers_only_its_own_studios():
    first, second = MollieRound(), MollieRound()
    first.down(7, RuntimeError("503"))
    assert first.skips(7) and not first.skips(8) and not second.skips(7)
