"""The forms around the kennismakingsgesprek: picking a moment (public), and the staff's settings and outcomes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from vollegym.intake.models import Booking
from vollegym.intake.slots import Slot

SLOT_FORMAT = "%Y-%m-%dT%H:%MZ"


def slot_value(slot: Slot) -> str:
    return slot.starts_at.astimezone(UTC).strftime(SLOT_FORMAT)


class SlotForm(forms.Form):
    """One of the free moments shown; a moment taken since the page loaded is refused with a clear message."""

    slot = forms.ChoiceField(
        label=_("Kies een moment"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Kies een moment voor het gesprek."),
            "invalid_choice": _("Dat moment is niet meer vrij. Kies een ander moment."),
        },
    )

    def __init__(self, *args: Any, slots: list[Slot], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["slot"].choices = [(slot_value(s), slot_value(s)) for s in slots]

    def starts_at(self) -> datetime:
        return datetime.strptime(self.cleaned_data["slot"], SLOT_FORMAT).replace(tzinfo=UTC)


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Wil je laten weten waarom?"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class OutcomeForm(forms.Form):
    """What the coach records after the conversation."""

    outcome = forms.ChoiceField(
        label=_("Uitkomst"),
        choices=Booking.Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Kies een uitkomst.")},
    )
    lost_reason = forms.CharField(label=_("Reden (bij verloren)"), required=False, max_length=200)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("outcome") == Booking.Outcome.LOST and not (data.get("lost_reason") or "").strip():
            self.add_error("lost_reason", _("Geef een reden op waarom het niet doorgaat."))
        return data
