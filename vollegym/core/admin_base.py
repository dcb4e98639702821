"""The Django admin is the agency's tool: it crosses studios on purpose, through the named unscoped manager."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest


class AllStudiosAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_select_related = ["studio"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        model: Any = self.model
        qs: QuerySet[Model] = model.all_studios.all()
        ordering = self.get_ordering(request)
        return qs.order_by(*ordering) if ordering else qs
