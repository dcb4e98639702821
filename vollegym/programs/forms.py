"""Back-office forms of programs and members; amounts are typed in euros the Dutch way and kept in cents."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from vollegym.core.dateinputs import DayField
from vollegym.core.money import euro, parse_euro
from vollegym.programs.models import Program, ProgramPrice
from vollegym.studios.models import Studio


class EuroField(forms.CharField):
    """An amount in euros ("1.195,00" or "1195") that cleans to cents."""

    default_error_messages = {"invalid": _("Vul een bedrag in euro's in, zoals 1.195,00.")}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "1.195,00"})
        )
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        return euro(value).replace("€ ", "") if isinstance(value, int) else value

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            cents = parse_euro(text)
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if cents <= 0:
            raise forms.ValidationError(_("Een prijs moet meer zijn dan € 0,00."), code="invalid")
        return cents


class ProgramForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Program
        fields = ["name", "promise", "kind", "format", "weeks", "sessions_per_week", "is_active", "position"]
        widgets = {"promise": forms.Textarea(attrs={"rows": 3})}


class NewProgramForm(ProgramForm):
    price = EuroField(label=_("Prijs voor het hele programma (of per periode)"))


class PriceForm(forms.Form):
    price = EuroField(label=_("Nieuwe prijs"))
    effective_from = DayField(label=_("Geldt vanaf"), error_messages={"required": _("Vul een datum in.")})
    reason = forms.CharField(label=_("Waarom"), required=False, max_length=200)


class EnrolForm(forms.Form):
    program = forms.ModelChoiceField(
        label=_("Programma"), queryset=Program.objects.none(), empty_label=None,
        error_messages={"required": _("Kies een programma."), "invalid_choice": _("Kies een programma.")},
    )  # fmt: skip
    starts_on = DayField(label=_("Start"), error_messages={"required": _("Vul een startdatum in.")})
    first_payment_due = DayField(
        label=_("Eerste betaling op"), required=False, help_text=_("Leeg: op de startdatum.")
    )

    health_cleared = forms.BooleanField(
        label=_("De huisarts gaf akkoord om te trainen (besproken in het gesprek)"), required=False,
        help_text=_("Deze persoon gaf in de intake een gezondheidsrisico aan."),
    )  # fmt: skip

    def __init__(
        self,
        *args: Any,
        studio: Studio,
        offers: list[tuple[Program, ProgramPrice]],
        needs_clearance: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if not needs_clearance:
            del self.fields["health_cleared"]
        field = self.fields["program"]
        assert isinstance(field, forms.ModelChoiceField)
        prices = {program.pk: price for program, price in offers}
        field.queryset = Program.objects.for_studio(studio).filter(pk__in=list(prices))
        field.label_from_instance = lambda p: f"{p.name} · {euro(prices[p.pk].amount_cents)}"  # type: ignore[method-assign,assignment]
