from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from vollegym.payments.missed import PAUSE_WEEKS_MAX
from vollegym.payments.models import MissedPayment, PaymentPlan


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
        label=_("Beslissen na"), min_value=1, max_value=12,
        help_text=_("Zoveel mislukte betalingen op rij van een lid, en je beslist op de pagina van het lid: "
                    "pauzeren, opzeggen, buiten Mollie betaald, of een nieuwe betaallink."),
    )  # fmt: skip
