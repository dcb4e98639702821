"""Run by every worker every so often (see `vollegym worker`): new enrolments' terms, debits announced and taken on
their day, debits cut off mid-call put back in line, and open payments reconciled with Mollie once a day.

One round shares one `MollieRound`: a studio whose Mollie answers 5xx or not at all is asked nothing more until the
next round. A database error is never swallowed here: it goes up to the worker, which waits it out.

No cache gate: terms are unique per enrolment and number, an announcement and a debit are each claimed with a
conditional update and sent with the term's idempotency key, and a payment is reconciled only when it was not looked
at for a day, so several workers sweeping at once do each thing once. Invoices and credit notes missing for a paid
payment, a refund or a charge-back are issued (unique per payment and cause, numbered under the payment's lock and
then the studio's counter lock); a payment of a sign-up withdrawn within 14 days is refunded from what is left of it
under the payment's lock; refunds on their way, requested without an answer, or made in Mollie's dashboard are read
from Mollie's list of the payment's refunds."""

from vollegym.payments.charging import charges_unstick, terms_announce, terms_charge_due
from vollegym.payments.invoicing import credit_notes_sweep, invoices_sweep
from vollegym.payments.refunds import refunds_reconcile, withdrawals_refund
from vollegym.payments.rounds import MollieRound
from vollegym.payments.services import schedules_sweep
from vollegym.payments.webhooks import payments_reconcile


def run() -> None:
    mollie_round = MollieRound()
    schedules_sweep()
    charges_unstick()
    terms_announce()
    terms_charge_due(mollie_round=mollie_round)
    payments_reconcile()
    invoices_sweep()
    withdrawals_refund(mollie_round=mollie_round)
    refunds_reconcile(mollie_round=mollie_round)
    credit_notes_sweep()
