from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from vollegym.core.money import parse_euro
from vollegym.payments.missed import PAUSE_WEEKS_MAX
from vollegym.payments.models import DECIDE_AFTER_MOST, MAX_CENTS, MissedPayment, PaymentPlan


class ConnectionForm(forms.Form):
    api_key = forms.CharField(
        label=_("API-sleutel van Mollie"),
        max_length=200,
        help_text=_(
            "In Mollie onder Ontwikkelaars → API-sleutels. Begint met test_ (proberen) of live_ (echt geld)."
        ),
        widget=forms.PasswordInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"required": _("Plak de API-sleutel uit Mollie.")},
    )


class PlanForm(forms.Form):
    kind = forms.ChoiceField(label=_("Betaalwijze"), choices=PaymentPlan.Kind.choices)
    terms = forms.IntegerField(label=_("Aantal termijnen"), min_value=2, max_value=24, required=False)
    every_weeks = forms.IntegerField(label=_("Elke … weken"), min_value=1, max_value=52, required=False)


class DecisionForm(forms.Form):
    """The answer to a missed payment: a pause takes its number of weeks (the studio's pause rules still apply)."""

    decision = forms.ChoiceField(choices=MissedPayment.Decision.choices)
    weeks = forms.IntegerField(label=_("Weken pauze"), min_value=1, max_value=PAUSE_WEEKS_MAX, required=False)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("decision") == MissedPayment.Decision.PAUSED and not data.get("weeks"):
            self.add_error("weeks", _("Hoeveel weken pauze?"))
        return data


class DecideAfterForm(forms.Form):
    decide_after = forms.IntegerField(
        label=_("Beslissen na"), min_value=1, max_value=DECIDE_AFTER_MOST,
        help_text=_("Zoveel mislukte betalingen op rij van een lid, en je beslist op de pagina van het lid: "
                    "pauzeren, opzeggen, buiten Mollie betaald, of een nieuwe betaallink."),
    )  # fmt: skip


class RefundForm(forms.Form):
    """How much of a payment goes back; the service checks it against what is left (under a lock)."""

    amount = forms.CharField(
        label=_("Bedrag terug"), max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "49,75", "autocomplete": "off"}),
        error_messages={"required": _("Vul het bedrag in dat terug moet, zoals 49,75.")},
    )  # fmt: skip
    description = forms.CharField(
        label=_("Omschrijving voor het lid (optioneel)"), max_length=140, required=False,
        help_text=_("Staat bij de terugbetaling op het bankafschrift en op de creditfactuur."),
    )  # fmt: skip

    def clean_amount(self) -> int:
        try:
            cents = parse_euro(self.cleaned_data["amount"])
        except ValueError:
            raise forms.ValidationError(_("Vul een bedrag in euro's in, zoals 49,75.")) from None
        if cents < 1:
            raise forms.ValidationError(_("Vul een bedrag in vanaf € 0,01."))
        if cents > MAX_CENTS:
            raise forms.ValidationError(_("Dat bedrag is hoger dan wat er ooit betaald kan zijn."))
        return cents


class MonthForm(forms.Form):
    maand = forms.RegexField(
        label=_("Maand"), regex=r"^\d{4}-(0[1-9]|1[0-2])$", max_length=7,
        widget=forms.TextInput(attrs={"type": "month"}),
        error_messages={"invalid": _("Kies een maand, zoals 2026-11."), "required": _("Kies een maand.")},
    )  # fmt: skip

    def clean_maand(self) -> str:
        month: str = self.cleaned_data["maand"]
        if not "2000" <= month[:4] <= "2100":
            raise forms.ValidationError(_("Kies een maand tussen 2000 en 2100."))
        return month
