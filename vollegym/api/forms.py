from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from vollegym.api.scopes import READ, scope, scope_choices


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Naam"),
        max_length=80,
        help_text=_("Waarvoor de sleutel is, zoals 'Boekhouding' of 'Zapier'."),
        error_messages={"required": _("Geef de sleutel een naam, zodat je hem later herkent.")},
    )
    scopes = forms.MultipleChoiceField(
        label=_("Wat de sleutel mag"),
        choices=scope_choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Kies minstens één recht.")},
        initial=[scope("leads", READ)],
    )
