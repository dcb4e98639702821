"""The part of a list's bulk form that writes the selection a message (leads and members lists alike)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from vollegym.messaging.models import Message


class SelectionMessageForm(forms.Form):
    kanaal = forms.ChoiceField(
        label=_("Via"),
        choices=[(Message.Channel.EMAIL, _("E-mail")), (Message.Channel.WHATSAPP, _("WhatsApp"))],
        required=False,
    )
    onderwerp = forms.CharField(label=_("Onderwerp (bij e-mail)"), max_length=150, required=False)
    bericht = forms.CharField(
        label=_("Bericht"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        # the placeholder is FIRST_NAME (messaging/bulk.py)
        help_text=_("{voornaam} wordt de voornaam van elke ontvanger."),
    )
    nieuws = forms.BooleanField(
        label=_("Dit is nieuws of een aanbieding"),
        required=False,
        help_text=_("Dan gaat het alleen naar wie daar ja op zei."),
    )
