from django.contrib import admin

from vollegym.core.admin_base import AllStudiosAdmin
from vollegym.outbound.models import Delivery, Subscription


@admin.register(Subscription)
class SubscriptionAdmin(AllStudiosAdmin):
    """The secret is never shown here: the owner rotates it on the settings page and sees the new one once."""

    list_display = ["url", "studio", "status", "consecutive_failures", "cursor", "created_at"]
    list_filter = ["status", "studio"]
    exclude = ["secret"]


@admin.register(Delivery)
class DeliveryAdmin(AllStudiosAdmin):
    list_display = ["uid", "studio", "status", "attempts", "response_code", "next_attempt_at"]
    list_filter = ["status", "studio"]
    raw_id_fields = ["subscription", "event"]
