from django.contrib import admin

from vollegym.core.admin_base import AllStudiosAdmin
from vollegym.leads.models import GoogleLeadForm, InboundEvent, Lead, LeadSettings, MetaPage


@admin.register(Lead)
class LeadAdmin(AllStudiosAdmin):
    list_display = ["__str__", "studio", "source", "stage", "created_at", "first_contact_at", "assigned_to"]
    list_filter = ["source", "stage", "is_test", "studio"]
    search_fields = ["name", "email", "phone"]
    raw_id_fields = ["assigned_to", "first_contact_by"]
    date_hierarchy = "created_at"


@admin.register(InboundEvent)
class InboundEventAdmin(AllStudiosAdmin):
    list_display = ["provider", "dedupe_key", "studio", "status", "attempts", "received_at"]
    list_filter = ["provider", "status"]
    search_fields = ["dedupe_key"]
    raw_id_fields = ["lead"]


@admin.register(MetaPage)
class MetaPageAdmin(AllStudiosAdmin):
    list_display = ["page_id", "name", "studio", "connected_at"]


@admin.register(GoogleLeadForm)
class GoogleLeadFormAdmin(AllStudiosAdmin):
    list_display = ["__str__", "form_id", "studio"]


@admin.register(LeadSettings)
class LeadSettingsAdmin(AllStudiosAdmin):
    list_display = ["studio", "sla_minutes", "round_robin"]
    raw_id_fields = ["last_assigned"]
