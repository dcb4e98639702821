"""The owner's own mix of the growth simulator's levers: a GET form, so a mix is a link that can be shared."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from vollegym.analytics.growth import MIX
from vollegym.analytics.simulator import Scenario

WHOLE = {
    "invalid": _("Vul een heel getal in, zoals 20."),
    "required": _("Vul een getal in (0 laat deze knop zoals hij is)."),
    "min_value": _("Kies %(limit_value)s of meer."),
    "max_value": _("Kies hoogstens %(limit_value)s."),
}


class MixForm(forms.Form):
    retentie = forms.IntegerField(
        label=_("Retentie: zoveel procent minder opzeggingen"), min_value=-50, max_value=90,
        initial=round(MIX.retention * 100), error_messages=WHOLE,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": 5}),
    )  # fmt: skip
    leads = forms.DecimalField(
        label=_("Leads: zoveel keer zoveel als nu"), min_value=Decimal(0), max_value=Decimal(5), max_digits=3,
        decimal_places=1, localize=True, initial=str(MIX.leads).replace(".", ","),
        error_messages={
            "invalid": _("Vul een getal in, zoals 1,5."),
            "required": _("Vul een getal in (1 laat de leads zoals ze zijn)."),
            "min_value": _("Minder dan geen leads kan niet: kies 0 of meer."),
            "max_value": _("Kies hoogstens 5 keer zoveel leads."),
            "max_digits": _("Vul een getal in met hoogstens één cijfer achter de komma, zoals 1,5."),
            "max_decimal_places": _("Vul een getal in met hoogstens één cijfer achter de komma, zoals 1,5."),
            "max_whole_digits": _("Kies hoogstens 5 keer zoveel leads."),
        },
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )  # fmt: skip
    prijs = forms.IntegerField(
        label=_("Prijs voor nieuwe leden: zoveel procent erbij"), min_value=-50, max_value=50,
        initial=round(MIX.price * 100), error_messages=WHOLE,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": 5}),
    )  # fmt: skip
    snel = forms.BooleanField(
        label=_("Elke lead binnen 5 minuten antwoord"), required=False, initial=MIX.fast
    )

    def scenario(self) -> Scenario:
        """The mix asked for; the default mix when the form is empty or wrong (its errors say what to fix)."""
        if not self.is_bound or not self.is_valid():
            return MIX
        data = self.cleaned_data
        return Scenario(
            "mix", retention=data["retentie"] / 100, leads=float(data["leads"]), price=data["prijs"] / 100,
            fast=bool(data["snel"]),
        )  # fmt: skip
