"""Dates and times typed the Dutch way (3-1-2027, 9:30), the same in every browser and without JavaScript.

A browser's own date and time pickers (an input of type date or time) follow the browser's language, not
the page's: an English browser shows mm/dd/yyyy and a 12-hour clock to a Dutch studio owner. These are plain
text inputs with a numeric keyboard and a dd-mm-jjjj / uu:mm hint, and fields that read what Dutch people type,
whatever language the page is in. There is no `pattern` attribute: a browser would refuse a mismatch with a
message in its own language; the field's error says in ours how to write it.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

# Day first, never month first: 3-1-2027 is the 3rd of January. ISO (2027-01-03) is read too.
DATE_INPUT_FORMATS = [
    "%d-%m-%Y",
    "%d-%m-%y",
    "%d/%m/%Y",
    "%d/%m/%y",
    "%d.%m.%Y",
    "%d.%m.%y",
    "%d %m %Y",
    "%Y-%m-%d",
]
# A phone's numeric keyboard may have no dash: 03012027 or 030127 is a day too (exactly 8 or 6 digits).
DIGITS_DATE_FORMATS = {8: "%d%m%Y", 6: "%d%m%y"}
TIME_INPUT_FORMATS = ["%H:%M", "%H.%M", "%H:%M:%S", "%H %M"]
# 930, 0930 and 9 are 9:30, 9:30 and 9:00; and 2130 is 21:30.
DIGITS_TIME_FORMATS = {1: "%H", 2: "%H", 3: "%H%M", 4: "%H%M"}
DATE_SHOWN = "%d-%m-%Y"
TIME_SHOWN = "%H:%M"
EARLIEST, LATEST = date(1900, 1, 1), date(2100, 12, 31)


class DayInput(forms.DateInput):
    """A text input for a date, shown as 03-01-2027."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        base = {
            "inputmode": "numeric",
            "placeholder": _("dd-mm-jjjj"),
            "autocomplete": "off",
            "class": "day-input",
        }
        super().__init__(attrs={**base, **(attrs or {})}, format=DATE_SHOWN)


class ClockInput(forms.TimeInput):
    """A text input for a time of day on a 24-hour clock, shown as 09:30."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        base = {
            "inputmode": "numeric",
            "placeholder": _("uu:mm"),
            "autocomplete": "off",
            "class": "clock-input",
        }
        super().__init__(attrs={**base, **(attrs or {})}, format=TIME_SHOWN)


def day_from_text(value: str | None) -> date | None:
    """The day in what someone typed (3-1-2027, 03-01-2027, 2027-01-03, 03012027); None when it is no day."""
    text = (value or "").strip()
    formats = [DIGITS_DATE_FORMATS[len(text)]] if text.isdigit() and len(text) in DIGITS_DATE_FORMATS else []
    for pattern in formats or ([] if text.isdigit() else DATE_INPUT_FORMATS):
        try:
            found = datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        return found if EARLIEST <= found <= LATEST else None
    return None


def _any_day(text: str) -> bool:
    """Whether the text is a real day in one of the accepted forms, however far away."""
    text = text.strip()
    for pattern in DATE_INPUT_FORMATS:
        try:
            datetime.strptime(text, pattern)
        except ValueError:
            continue
        return True
    return False


def time_from_text(value: str | None) -> time | None:
    """The time of day in what someone typed (9:30, 09.30, 930, 21:00, 9); None when it is no time."""
    text = (value or "").strip()
    formats = [DIGITS_TIME_FORMATS[len(text)]] if text.isdigit() and len(text) in DIGITS_TIME_FORMATS else []
    for pattern in formats or ([] if text.isdigit() else TIME_INPUT_FORMATS):
        try:
            return datetime.strptime(text, pattern).time()
        except ValueError:
            continue
    return None


class DayField(forms.DateField):
    """A date as Dutch people type it, in whatever language the page is shown."""

    widget = DayInput
    default_error_messages = {
        "invalid": _("Vul een datum in als dd-mm-jjjj, bijvoorbeeld 3-1-2027."),
        "out_of_range": _("Die datum ligt te ver weg: kies een dag tussen %(first)s en %(last)s."),
    }

    def to_python(self, value: Any) -> date | None:
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        found = day_from_text(str(value))
        if found is None:
            if _any_day(str(value)):  # a real day, only far outside what any studio plans
                raise forms.ValidationError(
                    self.error_messages["out_of_range"] % {"first": EARLIEST.year, "last": LATEST.year},
                    code="out_of_range",
                )
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return found


class ClockField(forms.TimeField):
    """A time of day on a 24-hour clock as Dutch people type it, in whatever language the page is shown."""

    widget = ClockInput
    default_error_messages = {"invalid": _("Vul een tijd in als uu:mm, bijvoorbeeld 9:30 of 21:00.")}

    def to_python(self, value: Any) -> time | None:
        if value in self.empty_values:
            return None
        if isinstance(value, time):
            return value
        found = time_from_text(str(value))
        if found is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return found
