from django.contrib import admin
from django.http import HttpRequest

from vollegym.core.admin_base import AllStudiosAdmin
from vollegym.payments.models import (
    Chargeback,
    Invoice,
    MandateSwitch,
    MissedPayment,
    MollieConnection,
    MollieCustomer,
    MolliePayment,
    MollieWebhook,
    PaymentPlan,
    Refund,
    Term,
)


@admin.register(MollieConnection)
class MollieConnectionAdmin(AllStudiosAdmin):
    """The key itself is never shown, not even encrypted: the owner pastes a new one on the settings page."""

    list_display = ["studio", "mode", "key_hint", "checked_at", "connected_at"]
    exclude = ["api_key_encrypted"]
    readonly_fields = ["mode", "key_hint", "checked_at", "connected_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # pasted by the owner, and checked with Mollie


@admin.register(PaymentPlan)
class PaymentPlanAdmin(AllStudiosAdmin):
    list_display = ["program", "studio", "kind", "terms", "every_weeks"]


@admin.register(Term)
class TermAdmin(AllStudiosAdmin):
    list_display = ["__str__", "studio", "amount_cents", "due_on", "status", "charge_on", "attempts"]
    list_filter = ["status", "studio"]
    raw_id_fields = ["enrolment", "member"]


@admin.register(MolliePayment)
class MolliePaymentAdmin(AllStudiosAdmin):
    list_display = [
        "mollie_id",
        "studio",
        "sequence_type",
        "status",
        "amount_cents",
        "charged_back_cents",
        "created_at",
    ]
    list_filter = ["status", "sequence_type"]
    search_fields = ["mollie_id"]
    raw_id_fields = ["term"]


@admin.register(MollieCustomer)
class MollieCustomerAdmin(AllStudiosAdmin):
    list_display = ["customer_id", "studio", "member", "mandate_id", "mandate_at"]
    raw_id_fields = ["member"]


@admin.register(MollieWebhook)
class MollieWebhookAdmin(AllStudiosAdmin):
    list_display = ["payment_id", "studio", "status", "calls", "attempts", "received_at", "error"]
    list_filter = ["status"]
    search_fields = ["payment_id"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # calls come from Mollie


@admin.register(MissedPayment)
class MissedPaymentAdmin(AllStudiosAdmin):
    list_display = ["term", "studio", "reason", "detail", "opened_at", "paid_at", "decision", "decided_at"]
    list_filter = ["reason", "decision"]
    readonly_fields = ["term", "member", "reason", "detail", "payment_id", "amount_cents", "opened_at"]


@admin.register(MandateSwitch)
class MandateSwitchAdmin(AllStudiosAdmin):
    list_display = ["payment_id", "studio", "member", "term", "created_at"]
    readonly_fields = ["member", "term", "payment_id", "created_at"]


class _BooksAdmin(AllStudiosAdmin):
    """The books are read here, never changed: a refund goes through Mollie, an invoice is fixed once issued."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Refund)
class RefundAdmin(_BooksAdmin):
    list_display = ["mollie_id", "studio", "amount_cents", "status", "reason", "created_at"]
    list_filter = ["status", "reason"]
    search_fields = ["mollie_id"]


@admin.register(Chargeback)
class ChargebackAdmin(_BooksAdmin):
    list_display = ["payment", "studio", "amount_cents", "total_cents", "received_at"]
    raw_id_fields = ["payment"]


@admin.register(Invoice)
class InvoiceAdmin(_BooksAdmin):
    list_display = ["code", "studio", "kind", "issued_at", "buyer_name", "total_cents", "vat_cents"]
    list_filter = ["kind"]
