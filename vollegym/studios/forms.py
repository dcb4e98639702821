from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from vollegym.studios.models import StaffMembership


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("E-mailadres"), widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )
    error_messages = {
        "invalid_login": _("Dit e-mailadres en wachtwoord horen niet bij elkaar. Let op hoofdletters."),
        "inactive": _("Dit account is niet actief."),
    }


class StaffAddForm(forms.Form):
    email = forms.EmailField(label=_("E-mailadres"))
    full_name = forms.CharField(label=_("Naam"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("Rol"), choices=StaffMembership.Role.choices, initial="coach")
    password = forms.CharField(
        label=_("Wachtwoord (voor een nieuw account)"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        required=False,
        min_length=10,
        help_text=_("Minstens 10 tekens. Leeg laten voor iemand die al een account heeft."),
    )
