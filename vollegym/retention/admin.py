"""The agency's view of onboarding in the Django admin."""

from django.contrib import admin

from vollegym.core.admin_base import AllStudiosAdmin
from vollegym.retention.models import ActivationCheck, Outreach, Playbook, Rating, Step


@admin.register(Playbook)
class PlaybookAdmin(AllStudiosAdmin):
    list_display = ["studio", "program", "sequence", "created_at"]
    list_filter = ["studio"]


@admin.register(Step)
class StepAdmin(AllStudiosAdmin):
    list_display = ["studio", "due_at", "status", "reason"]
    list_filter = ["studio", "status"]


@admin.register(ActivationCheck)
class ActivationCheckAdmin(AllStudiosAdmin):
    list_display = ["studio", "day", "attended", "planned", "status"]
    list_filter = ["studio", "status"]


@admin.register(Rating)
class RatingAdmin(AllStudiosAdmin):
    list_display = ["studio", "moment", "asked_at", "score", "answered_at"]
    list_filter = ["studio", "moment"]


@admin.register(Outreach)
class OutreachAdmin(AllStudiosAdmin):
    list_display = ["studio", "at", "way", "outcome", "score"]
    list_filter = ["studio", "way", "outcome"]
