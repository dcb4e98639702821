"""Run by every worker every so often (see `vollegym worker`): new enrolments' terms, debits announced and taken on
their day, debits cut off mid-call put back in line, and open payments reconciled with Mollie once a day.

No cache gate: terms are unique per enrolment and number, an announcement and a debit are each claimed with a
conditional update and sent with the term's idempotency key, and a payment is reconciled only when it was not looked
at for a day, so several workers sweeping at once do each thing once."""

from vollegym.payments.charging import charges_unstick, terms_announce, terms_charge_due
from vollegym.payments.services import schedules_sweep
from vollegym.payments.webhooks import payments_reconcile


def run() -> None:
    schedules_sweep()
    charges_unstick()
    terms_announce()
    terms_charge_due()
    payments_reconcile()
