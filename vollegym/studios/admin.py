from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import BaseUserCreationForm
from django.db import models
from django.utils.translation import gettext_lazy as _

from vollegym.core.admin_base import AllStudiosTabularInline
from vollegym.studios.models import StaffMembership, Studio, User


class StaffMembershipInline(AllStudiosTabularInline):
    model = StaffMembership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Studio)
class StudioAdmin(admin.ModelAdmin[Studio]):
    list_display = ["name", "slug", "kind", "city", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "slug", "city"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [StaffMembershipInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}  # the review link


class UserCreationForm(BaseUserCreationForm):  # type: ignore[type-arg]
    class Meta:
        model = User
        fields = ("email",)


@admin.register(User)
class UserAdmin(BaseUserAdmin):  # type: ignore[type-arg]
    add_form = UserCreationForm
    ordering = ["email"]
    list_display = ["email", "full_name", "is_agency", "is_staff", "is_active"]
    list_filter = ["is_agency", "is_staff", "is_active"]
    search_fields = ["email", "full_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Persoon"), {"fields": ("full_name", "phone")}),
        (
            _("Rechten"),
            {"fields": ("is_active", "is_agency", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Data"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
