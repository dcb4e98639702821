"""Run by every worker every so often (see `vollegym worker`): new enrolments' terms, debits announced and taken on
their day, debits cut off mid-call put back in line, and open payments reconciled with Mollie once a day.

No cache gate: terms are unique per enrolment and number, an announcement and a debit are each claimed with a
conditional update and sent with the term's idempotency key, and a payment is reconciled only when it was not looked
at for a day, so several workers sweeping at once do each thing once. Invoices and credit notes missing for a paid
payment or a refund are issued (unique per payment and refund, numbered under the studio's counter lock); a payment
of a sign-up withdrawn within 14 days is refunded from what is left of it under the payment's lock."""

from vollegym.payments.charging import charges_unstick, terms_announce, terms_charge_due
from vollegym.payments.invoicing import credit_notes_sweep, invoices_sweep
from vollegym.payments.refunds import refunds_refresh, withdrawals_refund
from vollegym.payments.services import schedules_sweep
from vollegym.payments.webhooks import payments_reconcile


def run() -> None:
    schedules_sweep()
    charges_unstick()
    terms_announce()
    terms_charge_due()
    payments_reconcile()
    invoices_sweep()
    withdrawals_refund()
    refunds_refresh()
    credit_notes_sweep()
