"""The owner's form for the studio's WhatsApp connection; its rules are the service's (messaging)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from vollegym.messaging.models import WhatsAppSettings

# Django's own check of the length comes before the service's rules: said in the same plain words.
_TOO_LONG = _("Dat is te lang: hoogstens %(limit_value)d tekens.")


class WhatsAppSettingsForm(forms.Form):
    phone_number_id = forms.CharField(
        label=_("Telefoonnummer-ID"),
        max_length=40,
        help_text=_(
            "In Meta onder WhatsApp → API-instellingen: een lange reeks cijfers, niet het telefoonnummer."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "inputmode": "numeric"}),
        error_messages={"required": _("Vul het telefoonnummer-ID uit Meta in."), "max_length": _TOO_LONG},
    )
    token = forms.CharField(
        label=_("Toegangstoken"),
        max_length=1000,
        required=False,
        help_text=_(
            "Het permanente token van een systeemgebruiker in Meta Business. Het is daarna alleen aan de laatste "
            "tekens te herkennen; laat het leeg om het huidige te houden."
        ),
        widget=forms.PasswordInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"max_length": _TOO_LONG},
    )
    ack_template = forms.CharField(
        label=_("Sjabloon bevestiging aanvraag"),
        max_length=120,
        help_text=_("Het goedgekeurde sjabloon voor het eerste bericht aan een nieuwe lead."),
        error_messages={"required": _("Vul de naam van het sjabloon in."), "max_length": _TOO_LONG},
    )
    reminder_template = forms.CharField(
        label=_("Sjabloon herinnering gesprek"),
        max_length=120,
        help_text=_("Het goedgekeurde sjabloon voor de herinnering aan een kennismakingsgesprek."),
        error_messages={"required": _("Vul de naam van het sjabloon in."), "max_length": _TOO_LONG},
    )
    language = forms.CharField(
        label=_("Taal van de sjablonen"),
        max_length=10,
        error_messages={"required": _("Vul een taalcode in, zoals nl."), "max_length": _TOO_LONG},
    )
    is_active = forms.BooleanField(
        label=_("Aan: berichten gaan via WhatsApp en binnenkomende berichten komen in Berichten"),
        required=False,
    )

    @staticmethod
    def initial_of(current: WhatsAppSettings | None) -> dict[str, object]:
        """What the form shows: the kept settings (never the token), or the model's defaults for a first time."""
        shown = current if current is not None else WhatsAppSettings()
        names = ("phone_number_id", "ack_template", "reminder_template", "language", "is_active")
        return {name: getattr(shown, name) for name in names}
