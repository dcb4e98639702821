"""The agency's view of the people tables in the Django admin: readable, and the audit log read-only."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from vollegym.core.admin_base import AllStudiosAdmin
from vollegym.people.models import AuditEntry, DomainEvent, Person, PrivacyRequest


@admin.register(Person)
class PersonAdmin(AllStudiosAdmin):
    list_display = ["__str__", "studio", "created_at", "erased_at"]
    list_filter = ["studio"]
    search_fields = ["name", "email", "phone"]


@admin.register(PrivacyRequest)
class PrivacyRequestAdmin(AllStudiosAdmin):
    list_display = ["kind", "studio", "status", "received_at", "due_on"]
    list_filter = ["status", "kind"]


class ReadOnly(AllStudiosAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnly):
    list_display = ["at", "action", "user", "studio", "person", "detail"]
    list_filter = ["action"]


@admin.register(DomainEvent)
class DomainEventAdmin(ReadOnly):
    list_display = ["at", "kind", "studio", "person", "lead_id"]
    list_filter = ["kind"]
