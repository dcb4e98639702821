from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from vollegym.referrals.models import ReferralSettings


class ReferralSettingsForm(forms.Form):
    reward = forms.ChoiceField(label=_("Beloning"), choices=ReferralSettings.Reward.choices)
    reward_text = forms.CharField(
        label=_("Zo noemen we de beloning"), max_length=120,
        help_text=_("Wat het lid leest, bijvoorbeeld 'een gratis week trainen'."),
    )  # fmt: skip
    amount = forms.DecimalField(
        label=_("Bedrag in euro's (alleen bij een bedrag)"), required=False, min_value=0, max_value=1000,
        decimal_places=2,
    )  # fmt: skip
    weeks_required = forms.IntegerField(
        label=_("Weken lid voordat de beloning verdiend is"), min_value=1, max_value=26,
        help_text=_("Beloon wie blijft: pas na zoveel weken lidmaatschap van de vriend(in) is de beloning verdiend."),
    )  # fmt: skip
