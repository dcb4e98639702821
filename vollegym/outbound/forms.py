from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from vollegym.outbound.kinds import kind_choices
from vollegym.outbound.services import SubscriptionError, subscription_url_check


class SubscriptionForm(forms.Form):
    url = forms.URLField(
        label=_("Adres van de ontvanger"),
        max_length=500,
        assume_scheme="https",
        help_text=_(
            "Een https-adres dat van buiten bereikbaar is, zoals dat van Zapier, Make of jullie eigen site."
        ),
        error_messages={"required": _("Vul het adres in waar de berichten heen moeten.")},
    )
    kinds = forms.MultipleChoiceField(
        label=_("Gebeurtenissen"),
        choices=kind_choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Kies minstens één gebeurtenis.")},
    )

    def clean_url(self) -> Any:
        url = self.cleaned_data["url"]
        try:
            subscription_url_check(url)
        except SubscriptionError as exc:
            raise forms.ValidationError(exc.messages) from exc
        return url
