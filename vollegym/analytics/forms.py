"""The reports' filters: a range of days, typed the Dutch way."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from vollegym.core.dateinputs import DayField

LONGEST = timedelta(days=3 * 366)


class FunnelForm(forms.Form):
    van = DayField(label=_("Van"), required=False)
    tot = DayField(label=_("Tot en met"), required=False)

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("van"), data.get("tot")
        if first and last and first > last:
            raise forms.ValidationError(_("De eerste dag ligt na de laatste: draai ze om."), code="order")
        if first and last and last - first > LONGEST:
            raise forms.ValidationError(_("Kies hoogstens drie jaar."), code="too_long")
        return data

    def days(self) -> tuple[date, date]:
        """The days asked for; the last twelve months (this month included) when nothing or nothing valid was."""
        default_last = self.today
        default_first = (self.today.replace(day=1) - timedelta(days=335)).replace(day=1)
        if not self.is_bound or not self.is_valid():
            return default_first, default_last
        first = self.cleaned_data.get("van") or default_first
        last = self.cleaned_data.get("tot") or default_last
        if first > last:
            return default_first, default_last
        return first, last
