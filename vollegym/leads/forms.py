from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from vollegym.leads.models import Activity, Stage


class ContactForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[(k, Activity.Kind(k).label) for k in ("call", "whatsapp", "email", "note")], label=_("Soort")
    )
    outcome = forms.ChoiceField(
        choices=[("", "—"), *Activity.Outcome.choices], required=False, label=_("Uitkomst")
    )
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, label=_("Notitie"))


class MoveForm(forms.Form):
    stage = forms.ChoiceField(choices=Stage.choices, label=_("Fase"))
    lost_reason = forms.CharField(max_length=200, required=False, label=_("Reden (bij verloren)"))
