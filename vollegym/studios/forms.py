from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import forms
from django.contrib.auth import forms as auth_forms
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from vollegym.core.phones import display_phone
from vollegym.studios.models import StaffMembership, Studio, User

RESET_MAIL_SECONDS = 15 * 60


class LoginForm(auth_forms.AuthenticationForm):
    username = forms.EmailField(
        label=_("E-mailadres"), widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )
    error_messages = {
        "invalid_login": _("Dit e-mailadres en wachtwoord horen niet bij elkaar. Let op hoofdletters."),
        "inactive": _("Dit account is niet actief."),
    }

    def clean_username(self) -> str:
        # Addresses are stored in lower case; a phone that capitalises the first letter still signs in.
        return str(self.cleaned_data["username"]).strip().lower()


class OneTimeCodeInput(forms.TextInput):
    def format_value(self, value: Any) -> str | None:
        return None  # a code that was refused is typed anew, not shown again


class CodeForm(forms.Form):
    """The second step: the six digits from the app, or (phone gone) one of the backup codes."""

    code = forms.CharField(
        label=_("Code uit je app"),
        required=False,
        max_length=12,
        widget=OneTimeCodeInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True, "size": 8}
        ),
    )
    backup = forms.CharField(
        label=_("Reservecode"),
        required=False,
        max_length=20,
        widget=OneTimeCodeInput(
            attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("code") or data.get("backup")):
            raise forms.ValidationError(_("Vul de code uit je app in, of een reservecode."))
        return data

    @property
    def given(self) -> str:
        return str(self.cleaned_data.get("code") or self.cleaned_data.get("backup") or "")


class SetupCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code uit je app"),
        max_length=12,
        widget=OneTimeCodeInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "size": 8}),
        error_messages={"required": _("Vul de zes cijfers uit je app in.")},
    )


class StaffInviteForm(forms.Form):
    full_name = forms.CharField(label=_("Naam"), max_length=150)
    email = forms.EmailField(
        label=_("E-mailadres"),
        help_text=_("Hier komt de uitnodiging. Het nieuwe teamlid kiest zelf een wachtwoord."),
    )
    role = forms.ChoiceField(label=_("Rol"), choices=StaffMembership.Role.choices, initial="coach")


class TeamTwoFactorForm(forms.Form):
    required = forms.BooleanField(
        label=_("Tweestapsverificatie verplicht voor iedereen in dit team"),
        required=False,
        help_text=_("Inloggen vraagt dan naast het wachtwoord een code uit een app op de telefoon."),
    )


class NewPasswordForm(auth_forms.SetPasswordForm):  # type: ignore[type-arg]
    """Choosing one's own password (invitation, new password by mail), with the rules said in one plain line."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = _(
            "Minstens 8 tekens, niet te veel zoals je naam of e-mailadres, en geen veelgebruikt wachtwoord."
        )
        self.fields["new_password2"].help_text = ""


class PasswordResetForm(auth_forms.PasswordResetForm):
    email = forms.EmailField(
        label=_("E-mailadres"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )

    def get_users(self, email: str) -> Iterator[User]:
        for user in super().get_users(email):
            # One mail per account per quarter of an hour, however often the form is sent: nobody can flood an
            # inbox from here. The cache is shared by all web processes (database or Redis).
            if cache.add(f"vollegym:password-reset-mail:{user.pk}", True, timeout=RESET_MAIL_SECONDS):
                yield user


class StudioDetailsForm(forms.Form):
    """The studio's name and contact details, as its public pages show them (the footer, the privacy page)."""

    name = forms.CharField(label=_("Naam van de studio"), max_length=120)
    street = forms.CharField(
        label=_("Straat en huisnummer"), max_length=120, required=False,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )  # fmt: skip
    postal_code = forms.CharField(
        label=_("Postcode"), max_length=10, required=False,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code"}),
    )  # fmt: skip
    city = forms.CharField(label=_("Plaats"), max_length=80, required=False)
    phone = forms.CharField(
        label=_("Telefoon"), max_length=32, required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )  # fmt: skip
    email = forms.EmailField(
        label=_("E-mailadres"), required=False,
        help_text=_("Voor vragen van bezoekers, ook over hun gegevens (de privacyverklaring noemt het)."),
    )  # fmt: skip
    kvk_number = forms.CharField(
        label=_("KvK-nummer"),
        max_length=12,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    vat_number = forms.CharField(
        label=_("Btw-id"), max_length=20, required=False, help_text=_("Zoals NL123456789B01.")
    )

    google_review_url = forms.URLField(
        label=_("Link naar je Google-reviews"), max_length=500, required=False, assume_scheme="https",
        help_text=_(
            "Wie een beoordeling invult, krijgt daarna deze link, welk cijfer ook (Google verbiedt alleen tevreden "
            "klanten om een review te vragen). Leeg: we bedanken zonder link."
        ),
        widget=forms.URLInput(attrs={"inputmode": "url", "placeholder": "https://g.page/r/.../review"}),
    )  # fmt: skip

    @classmethod
    def of(cls, studio: Studio, data: Any = None) -> StudioDetailsForm:
        fields = [
            "name",
            "street",
            "postal_code",
            "city",
            "email",
            "kvk_number",
            "vat_number",
            "google_review_url",
        ]
        initial = {name: getattr(studio, name) for name in fields}
        return cls(data, initial={**initial, "phone": display_phone(studio.phone) if studio.phone else ""})


class StudioPhotoForm(forms.Form):
    image = forms.FileField(
        label=_("Foto"),
        help_text=_(
            "JPEG, PNG of WebP, tot 10 MB. We maken er een lichte JPEG van, zonder de plaats waar hij is gemaakt."
        ),
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    alt_text = forms.CharField(
        label=_("Wat staat er op de foto?"),
        max_length=200,
        help_text=_("Voor wie de foto niet ziet, zoals 'Twee leden trainen met kettlebells in de zaal'."),
    )


class NewStudioForm(forms.Form):
    """The agency's new studio: its name and address on the web, its owner, and the studio to copy from."""

    name = forms.CharField(label=_("Naam van de studio"), max_length=120)
    slug = forms.SlugField(
        label=_("Webadres"), max_length=50,
        help_text=_("Kleine letters, cijfers en streepjes: de intake komt op /s/<webadres>/intake/."),
        error_messages={"invalid": _("Gebruik alleen kleine letters, cijfers en streepjes.")},
    )  # fmt: skip
    kind = forms.ChoiceField(label=_("Soort studio"), choices=Studio.Kind.choices)
    city = forms.CharField(label=_("Plaats"), max_length=80, required=False)
    owner_name = forms.CharField(label=_("Naam van de eigenaar"), max_length=150)
    owner_email = forms.EmailField(
        label=_("E-mailadres van de eigenaar"),
        help_text=_("Hier komt de uitnodiging; de eigenaar kiest zelf een wachtwoord."),
    )
    template = forms.ModelChoiceField(
        label=_("Voorbeeldstudio"), queryset=Studio.objects.none(), empty_label=None,
        help_text=_("Vragenlijst, programma's en prijzen, lessen, teksten en playbooks komen hiervandaan."),
        error_messages={"invalid_choice": _("Kies een studio uit de lijst.")},
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = Studio.objects.filter(is_active=True).order_by("name")  # type: ignore[attr-defined]
