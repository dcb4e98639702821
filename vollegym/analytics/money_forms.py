"""The forms of the money pages: a month of ad spend typed in, an export uploaded, and the period of the cohorts."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import dateformat
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from vollegym.analytics.adspend_import import MAX_BYTES
from vollegym.analytics.forms import FunnelForm
from vollegym.analytics.models import CAMPAIGN_MAX, MAX_CENTS, AdSpend
from vollegym.core.money import euro, parse_euro

MONTHS_BACK = 36


def months_back(today: date, count: int) -> date:
    month = today.year * 12 + today.month - 1 - count
    return date(month // 12, month % 12 + 1, 1)


class SpendForm(forms.Form):
    platform = forms.ChoiceField(label=_("Platform"), choices=AdSpend.Platform.choices)
    campaign = forms.CharField(
        label=_("Campagne"), max_length=CAMPAIGN_MAX,
        help_text=_("Zoals de leads hem hebben (hoofdletters en spaties tellen niet)."),
    )  # fmt: skip
    month = forms.ChoiceField(label=_("Maand"))
    amount = forms.CharField(
        label=_("Bedrag"), max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "1.250,00", "autocomplete": "off"}),
    )  # fmt: skip

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        months = [months_back(today, n) for n in range(MONTHS_BACK + 1)]
        self.fields["month"] = forms.ChoiceField(
            label=_("Maand"), initial=f"{today:%Y-%m}",
            choices=[(f"{m:%Y-%m}", dateformat.format(m, "F Y")) for m in months],
        )  # fmt: skip

    def clean_campaign(self) -> str:
        value: str = self.cleaned_data["campaign"].strip()
        if not value or "\x00" in value:
            raise ValidationError(_("Vul de naam van de campagne in."), code="empty")
        return value

    def clean_month(self) -> date:
        year, month = (int(part) for part in self.cleaned_data["month"].split("-"))
        return date(year, month, 1)

    def clean_amount(self) -> int:
        try:
            cents = parse_euro(self.cleaned_data["amount"])
        except ValueError:
            raise ValidationError(
                _("Schrijf een bedrag in euro's, zoals 1.250,00."), code="invalid"
            ) from None
        if cents > MAX_CENTS:
            raise ValidationError(
                _("Meer dan %(most)s voor één campagne in één maand? Kijk het bedrag na.")
                % {"most": euro(MAX_CENTS)},
                code="too_much",
            )
        return cents


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Export van Meta Ads Manager of Google Ads"),
        help_text=format_lazy(
            _("Een CSV, in het Nederlands of Engels, per maand of per dag uitgesplitst. Hoogstens {mb} MB."),
            mb=MAX_BYTES // (1024 * 1024),
        ),
        widget=forms.FileInput(attrs={"accept": ".csv,.tsv,.txt,text/csv,text/tab-separated-values"}),
    )


class CohortForm(FunnelForm):
    """The period of the cohorts: members who joined then. By default the last three years (this month included)."""

    def days(self) -> tuple[date, date]:
        first, last = super().days()
        if not self.is_bound or not self.is_valid() or not self.cleaned_data.get("van"):
            first = months_back(self.today, MONTHS_BACK - 1)
        return first, last
