"""Step two of charge-backs as rows: every payment the bank charged back before there were rows gets one, dated by
its charge-back event (or, without one, by when the payment was last fetched). Their credit notes are issued by the
worker's sweep (`credit_notes_sweep`), numbered like any other, so this migration takes no invoice number."""

from django.db import migrations


def chargebacks_fill(apps, schema_editor):
    MolliePayment = apps.get_model("payments", "MolliePayment")
    Chargeback = apps.get_model("payments", "Chargeback")
    DomainEvent = apps.get_model("people", "DomainEvent")
    for payment in MolliePayment._base_manager.filter(charged_back_cents__gt=0).iterator():
        if Chargeback._base_manager.filter(payment_id=payment.pk).exists():
            continue
        event = (
            DomainEvent._base_manager.filter(studio_id=payment.studio_id, kind="payment.term_charged_back")
            .filter(payload__payment_id=payment.mollie_id)
            .order_by("at")
            .first()
        )
        Chargeback._base_manager.create(
            studio_id=payment.studio_id,
            payment_id=payment.pk,
            amount_cents=payment.charged_back_cents,
            total_cents=payment.charged_back_cents,
            received_at=event.at if event is not None else payment.checked_at,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0005_chargebacks_corrections_refund_requests"),
        ("people", "0006_verbose_names_in_dutch"),
    ]

    operations = [migrations.RunPython(chargebacks_fill, migrations.RunPython.noop)]
