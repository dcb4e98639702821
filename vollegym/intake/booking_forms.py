"""The forms around the kennismakingsgesprek: picking a moment (public), and the staff's settings and outcomes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django import forms
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from vollegym.core import clock
from vollegym.core.dateinputs import ClockField, DayField
from vollegym.intake.models import Booking, ConsultationType
from vollegym.intake.models.consultations import UNIT_MINUTES
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
        field = self.fields["slot"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(slot_value(s), slot_value(s)) for s in slots]

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


WEEKDAYS = clock.WEEKDAY_NAMES
BLOCKS = 2  # two blocks a day covers "mornings and evenings"; more is rare enough to leave out


class AvailabilityForm(forms.Form):
    """A coach's week: per weekday up to two blocks, each from–to, in the studio's local time."""

    def __init__(self, data: Any = None, *, windows: list[Any] | None = None) -> None:
        initial: dict[str, Any] = {}
        seen: dict[int, int] = {}
        for window in windows or []:
            n = seen.get(window.weekday, 0) + 1
            seen[window.weekday] = n
            if n <= BLOCKS:
                initial[f"d{window.weekday}_{n}_from"], initial[f"d{window.weekday}_{n}_to"] = (
                    window.starts,
                    window.ends,
                )
        super().__init__(data, initial=initial)
        for day, name in enumerate(WEEKDAYS):
            for n in range(1, BLOCKS + 1):
                for part, label in (("from", _("van")), ("to", _("tot"))):
                    self.fields[f"d{day}_{n}_{part}"] = ClockField(label=f"{name} {label}", required=False)

    def rows(self) -> list[tuple[Any, list[tuple[Any, Any]]]]:
        return [
            (name, [(self[f"d{day}_{n}_from"], self[f"d{day}_{n}_to"]) for n in range(1, BLOCKS + 1)])
            for day, name in enumerate(WEEKDAYS)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for day in range(7):
            for n in range(1, BLOCKS + 1):
                start, end = data.get(f"d{day}_{n}_from"), data.get(f"d{day}_{n}_to")
                if (start is None) != (end is None) and f"d{day}_{n}_from" not in self.errors:
                    self.add_error(f"d{day}_{n}_to" if end is None else f"d{day}_{n}_from",
                                   _("Vul zowel het begin als het eind in."))  # fmt: skip
                elif start is not None and end is not None and end <= start:
                    self.add_error(f"d{day}_{n}_to", _("Het eind moet na het begin liggen."))
        return data

    def windows(self) -> list[tuple[int, Any, Any]]:
        found = []
        for day in range(7):
            for n in range(1, BLOCKS + 1):
                start, end = (
                    self.cleaned_data.get(f"d{day}_{n}_from"),
                    self.cleaned_data.get(f"d{day}_{n}_to"),
                )
                if start is not None and end is not None:
                    found.append((day, start, end))
        return found


class ExceptionForm(forms.Form):
    first_day = DayField(label=_("Vanaf"), error_messages={"required": _("Vul een datum in.")})
    last_day = DayField(label=_("Tot en met"), required=False, help_text=_("Leeg: alleen die ene dag."))
    starts = ClockField(label=_("Van (uur)"), required=False, help_text=_("Leeg: de hele dag."))
    ends = ClockField(label=_("Tot (uur)"), required=False)
    reason = forms.CharField(label=_("Reden"), required=False, max_length=120)
    whole_studio = forms.BooleanField(
        label=_("Voor de hele studio (bijvoorbeeld een feestdag)"), required=False
    )

    def __init__(self, *args: Any, can_close_studio: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not can_close_studio:
            del self.fields["whole_studio"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("first_day"), data.get("last_day")
        if first and last and last < first:
            self.add_error("last_day", _("De einddatum ligt voor de begindatum."))
        starts, ends = data.get("starts"), data.get("ends")
        if (starts is None) != (ends is None):
            self.add_error("ends", _("Vul beide tijden in, of geen van beide voor hele dagen."))
        elif starts and ends and ends <= starts:
            self.add_error("ends", _("Het eind moet na het begin liggen."))
        return data


class ConsultationTypeForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = ConsultationType
        fields = ["name", "place", "location", "duration_minutes", "buffer_minutes", "min_notice_hours",
                  "horizon_days", "is_active", "position"]  # fmt: skip

    def _minutes(self, name: str) -> int:
        value: int = self.cleaned_data[name]
        if value % UNIT_MINUTES:
            raise forms.ValidationError(_("Gebruik stappen van %(n)s minuten.") % {"n": UNIT_MINUTES})
        return value

    def clean_duration_minutes(self) -> int:
        value = self._minutes("duration_minutes")
        if value < UNIT_MINUTES or value > 240:
            raise forms.ValidationError(_("Een gesprek duurt tussen 5 minuten en 4 uur."))
        return value

    def clean_buffer_minutes(self) -> int:
        return self._minutes("buffer_minutes")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        location = (data.get("location") or "").strip()
        if data.get("place") == ConsultationType.Place.VIDEO and location:
            try:
                URLValidator(schemes=["https"])(location)
            except forms.ValidationError:
                self.add_error("location", _("Vul de link van het videogesprek in, beginnend met https://."))
        return data

    def clean_horizon_days(self) -> int:
        value: int = self.cleaned_data["horizon_days"]
        if not 1 <= value <= 120:
            raise forms.ValidationError(_("Kies tussen 1 en 120 dagen."))
        return value
