"""The coach's form on the churn-risk call list: how they reached out, whether it got through, what came of it."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from vollegym.retention.models import NOTE_MAX, Outreach


class OutreachForm(forms.Form):
    way = forms.ChoiceField(
        label=_("Contact"),
        choices=Outreach.Way.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Kies hoe je contact had."),
            "invalid_choice": _("Kies hoe je contact had."),
        },
    )
    outcome = forms.ChoiceField(
        label=_("Uitkomst"),
        choices=Outreach.Outcome.choices,
        required=False,
        help_text=_("Alleen als je het lid sprak."),
        error_messages={"invalid_choice": _("Kies een uitkomst uit de lijst.")},
    )
    note = forms.CharField(
        label=_("Notitie"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": NOTE_MAX}),
        help_text=_("Wat speelt er, wat spraken jullie af? Alleen het team ziet dit."),
    )
