from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from vollegym.core.dateinputs import DayField
from vollegym.progress.models import Direction, MeasurementKind, Moment
from vollegym.progress.units import unit_choices


def decimal_from_text(text: str) -> Decimal | None:
    """84,5 and 84.5 are the same value; so are 1.250,5 and 1250,5 (a Dutch thousands dot). None when no number."""
    text = text.strip().replace(" ", "").replace("\u00a0", "")
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


class DutchDecimalField(forms.CharField):
    """A number as typed on a Dutch phone: a decimal comma (or a point), at most two decimals."""

    default_error_messages = {
        "invalid": _("Vul een getal in, bijvoorbeeld 84,5."),
        "decimals": _("Hoogstens twee cijfers achter de komma."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 16)
        super().__init__(**kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs.update({"inputmode": "decimal", "autocomplete": "off"})
        return attrs

    def clean(self, value: Any) -> Decimal | None:
        text = super().clean(value)
        if not text:
            return None
        number = decimal_from_text(text)
        if number is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        exponent = number.as_tuple().exponent
        if isinstance(exponent, int) and exponent < -2 and number != number.quantize(Decimal("0.01")):
            raise forms.ValidationError(self.error_messages["decimals"], code="decimals")
        return number.quantize(Decimal("0.01"))


def kind_field_name(kind: MeasurementKind) -> str:
    return f"kind_{kind.pk}"


class RecordForm(forms.Form):
    """The coach's quick form: the day (today unless changed), the moment, and any of the studio's kinds."""

    measured_on = DayField(label=_("Datum"), error_messages={"required": _("Vul een datum in.")})
    moment = forms.ChoiceField(label=_("Moment"), choices=Moment.choices, initial=Moment.OTHER)

    def __init__(self, *args: Any, kinds: list[MeasurementKind], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kinds = kinds
        for kind in kinds:
            self.fields[kind_field_name(kind)] = DutchDecimalField(
                label=f"{kind.name} ({kind.unit})", required=False
            )

    def readings(self) -> list[tuple[MeasurementKind, Decimal]]:
        return [
            (kind, self.cleaned_data[kind_field_name(kind)])
            for kind in self.kinds
            if self.cleaned_data.get(kind_field_name(kind)) is not None
        ]

    def kind_fields(self) -> list[forms.BoundField]:
        return [self[kind_field_name(kind)] for kind in self.kinds]


class ConsentForm(forms.Form):
    agreed = forms.BooleanField(
        label=_("Het lid heeft deze tekst gelezen en stemt ermee in."),
        error_messages={"required": _("Vink aan dat het lid ermee instemt; anders leggen we niets vast.")},
    )


class TargetForm(forms.Form):
    kind = forms.ModelChoiceField(
        label=_("Meting"), queryset=MeasurementKind.objects.none(), empty_label=None,
        error_messages={"invalid_choice": _("Kies een meting uit de lijst.")},
    )  # fmt: skip
    value = DutchDecimalField(label=_("Doel"), error_messages={"required": _("Vul het doel in.")})

    def __init__(self, *args: Any, kinds: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].queryset = kinds  # type: ignore[attr-defined]


class KindForm(forms.Form):
    name = forms.CharField(
        label=_("Naam"), max_length=80, error_messages={"required": _("Geef de meting een naam.")}
    )
    unit = forms.ChoiceField(label=_("Eenheid"), choices=unit_choices)
    direction = forms.ChoiceField(label=_("Vooruitgang is"), choices=Direction.choices)


class RenameForm(forms.Form):
    name = forms.CharField(
        label=_("Nieuwe naam"), max_length=80, error_messages={"required": _("Geef de meting een naam.")}
    )
