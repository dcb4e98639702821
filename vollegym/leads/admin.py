from django.contrib import admin
from django.http import HttpRequest

from vollegym.core.admin_base import AllStudiosAdmin
from vollegym.leads.models import GoogleLeadForm, InboundEvent, Lead, LeadSettings, MetaPage


@admin.register(Lead)
class LeadAdmin(AllStudiosAdmin):
    list_display = ["__str__", "studio", "source", "stage", "created_at", "first_contact_at", "assigned_to"]
    list_filter = ["source", "stage", "is_test", "studio"]
    search_fields = ["person__name", "person__email", "person__phone"]
    raw_id_fields = ["person", "assigned_to", "first_contact_by"]
    list_select_related = ["studio", "person"]
    date_hierarchy = "created_at"


@admin.register(InboundEvent)
class InboundEventAdmin(AllStudiosAdmin):
    """What arrived stays as it arrived; the agency may route it to a studio, repair it and queue it again."""

    list_display = ["provider", "dedupe_key", "studio", "status", "attempts", "received_at", "error"]
    list_filter = ["provider", "status"]
    search_fields = ["dedupe_key", "error"]
    raw_id_fields = ["lead"]
    readonly_fields = ["provider", "dedupe_key", "received_at", "processed_at", "attempts"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # deliveries come from outside


@admin.register(MetaPage)
class MetaPageAdmin(AllStudiosAdmin):
    list_display = ["page_id", "name", "studio", "connected_at"]


@admin.register(GoogleLeadForm)
class GoogleLeadFormAdmin(AllStudiosAdmin):
    list_display = ["__str__", "form_id", "studio"]


@admin.register(LeadSettings)
class LeadSettingsAdmin(AllStudiosAdmin):
    list_display = ["studio", "sla_minutes", "round_robin"]
