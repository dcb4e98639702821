"""The Django admin is the agency's tool: it crosses studios on purpose, through the named unscoped manager.

Django's admin reaches related rows through a model's default manager (the choices of a foreign key, the label
beside a raw-id field, the check that a unique field is free), and a studio-owned model's default manager refuses
to run without a studio (core/tenancy.py). Each of those reads goes through `all_studios` here instead.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.options import BaseModelAdmin
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.db.models import ForeignKey, Model, QuerySet
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.text import Truncator

from vollegym.core.tenancy import StudioOwned


def _studio_owned(model: Any) -> bool:
    return isinstance(model, type) and issubclass(model, StudioOwned)


class AllStudiosRawIdWidget(ForeignKeyRawIdWidget):
    """A raw-id field whose label (the row's name and link beside the number) is read across studios."""

    def label_and_url_for_value(self, value: Any) -> tuple[str, str]:
        model: Any = self.rel.model
        key = self.rel.get_related_field().name
        try:
            found = model.all_studios.using(self.db).get(**{key: value})
        except (ValueError, model.DoesNotExist, forms.ValidationError):
            return "", ""
        try:
            url = reverse(
                f"{self.admin_site.name}:{found._meta.app_label}_{found._meta.model_name}_change",
                args=(found.pk,),
            )
        except NoReverseMatch:
            url = ""  # the related model has no admin page of its own
        return Truncator(found).words(14), url


class AllStudiosForm(forms.ModelForm):  # type: ignore[type-arg]
    """An admin form whose unique fields are checked across every studio, as the database checks them."""

    def validate_unique(self) -> None:
        model: Any = self._meta.model
        # Only what the form holds and found valid is checked, as Django's own validate_unique() does.
        exclude = {f.name for f in model._meta.fields if f.name not in self.cleaned_data}
        unique = [
            f for f in model._meta.concrete_fields if f.unique and not f.primary_key and f.name not in exclude
        ]
        for field in unique:
            value = getattr(self.instance, field.attname)
            if value is None:
                continue
            taken = model.all_studios.filter(**{field.attname: value}).exclude(pk=self.instance.pk)
            if taken.exists():
                self.add_error(field.name, self.instance.unique_error_message(model, (field.name,)))
        try:
            # The rest (unique together, unique for a date) the way Django does it; those name the studio.
            self.instance.validate_unique(exclude={*exclude, *(f.name for f in unique)})
        except forms.ValidationError as exc:
            self.add_error(None, exc)


class AllStudiosInlineFormSet(forms.BaseInlineFormSet):  # type: ignore[type-arg]
    """The rows of an inline, each found again by its id across studios when the form is saved."""

    def add_fields(self, form: forms.ModelForm, index: int | None) -> None:  # type: ignore[type-arg]
        super().add_fields(form, index)
        # Django makes the hidden id a choice among the model's default manager, which refuses to run unscoped.
        model: Any = self.model
        found = form.fields.get(model._meta.pk.name)
        if isinstance(found, forms.ModelChoiceField) and _studio_owned(model):
            found.queryset = model.all_studios.using(form.instance._state.db)


class _AcrossStudios(BaseModelAdmin):  # type: ignore[type-arg]
    """What a model admin and an inline share: rows, choices and raw-id labels of every studio."""

    def _all_studios(self, request: HttpRequest) -> QuerySet[Any]:
        model: Any = self.model
        qs: QuerySet[Model] = model.all_studios.all()
        ordering = self.get_ordering(request)
        return qs.order_by(*ordering) if ordering else qs

    def get_field_queryset(self, db: str | None, db_field: Any, request: HttpRequest) -> QuerySet[Any] | None:
        """The choices of a foreign key or many-to-many field to a studio-owned model, of every studio."""
        related: Any = db_field.remote_field.model
        if not _studio_owned(related):
            return super().get_field_queryset(db, db_field, request)
        qs: QuerySet[Any] = related.all_studios.using(db)
        related_admin = self.admin_site._registry.get(related)
        ordering = related_admin.get_ordering(request) if related_admin is not None else ()
        return qs.order_by(*ordering) if ordering else qs

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> Any:
        if (
            "widget" not in kwargs
            and db_field.name in self.raw_id_fields
            and _studio_owned(db_field.remote_field.model)
        ):
            kwargs["widget"] = AllStudiosRawIdWidget(
                db_field.remote_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class AllStudiosAdmin(_AcrossStudios, admin.ModelAdmin):  # type: ignore[type-arg]
    form = AllStudiosForm
    list_select_related = ["studio"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return self._all_studios(request)


class AllStudiosTabularInline(_AcrossStudios, admin.TabularInline):  # type: ignore[type-arg]
    form = AllStudiosForm
    formset = AllStudiosInlineFormSet

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = self._all_studios(request)
        return qs if self.has_view_or_change_permission(request) else qs.none()
