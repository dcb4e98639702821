from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from vollegym.payments.models import PaymentPlan


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
