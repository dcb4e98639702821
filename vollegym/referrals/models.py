"""Members who bring a friend: their personal link, the friends who came through it, and the reward it earns."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vollegym.core import clock
from vollegym.core.tenancy import StudioOwned

# No 0/o, 1/l/i: a code read aloud or typed from a poster comes out right.
CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


class ReferralSettings(StudioOwned):
    """What a studio gives a member for a friend who stays, and after how long."""

    class Reward(models.TextChoices):
        FREE_WEEK = "free_week", _("Een gratis week")
        AMOUNT = "amount", _("Een bedrag van de volgende betaling af")
        GIFT = "gift", _("Een cadeau")

    reward = models.CharField(_("beloning"), max_length=16, choices=Reward.choices, default=Reward.FREE_WEEK)
    reward_text = models.CharField(
        _("zo noemen we de beloning"), max_length=120, default="een gratis week trainen",
        help_text=_("Wat het lid leest, bijvoorbeeld 'een gratis week trainen' of 'een shaker van de studio'."),
    )  # fmt: skip
    amount_cents = models.PositiveIntegerField(_("bedrag in centen"), default=0)
    weeks_required = models.PositiveSmallIntegerField(
        _("weken lid voordat de beloning verdiend is"), default=4,
        help_text=_("Pas als de vriend of vriendin zo lang lid is, is de beloning verdiend: zo beloon je wie blijft."),
    )  # fmt: skip

    class Meta:
        verbose_name = _("instellingen doorverwijzen")
        verbose_name_plural = _("instellingen doorverwijzen")
        constraints = [models.UniqueConstraint(fields=["studio"], name="referralsettings_one_per_studio")]


class ReferralLink(StudioOwned):
    """A member's own link to the studio's intake: /s/<studio>/r/<code>/."""

    person = models.ForeignKey(
        "people.Person", verbose_name=_("lid"), on_delete=models.CASCADE, related_name="+"
    )
    code = models.CharField(_("code"), max_length=16, unique=True, default=new_code)
    visits = models.PositiveIntegerField(_("bezoeken"), default=0)
    created_at = models.DateTimeField(_("aangemaakt"), default=clock.now)

    class Meta:
        verbose_name = _("doorverwijslink")
        verbose_name_plural = _("doorverwijslinks")
        constraints = [
            models.UniqueConstraint(fields=["studio", "person"], name="referrallink_one_per_person")
        ]


class Referral(StudioOwned):
    """A friend who came through a member's link: from lead to member to reward."""

    link = models.ForeignKey(
        ReferralLink, verbose_name=_("doorverwijslink"), on_delete=models.CASCADE, related_name="referrals"
    )
    lead = models.ForeignKey("leads.Lead", verbose_name=_("lead"), on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(
        "people.Person", verbose_name=_("vriend(in)"), on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(_("aangemeld"), default=clock.now)
    member_since = models.DateField(_("lid sinds"), null=True, blank=True)
    reward_earned_at = models.DateTimeField(_("beloning verdiend"), null=True, blank=True)
    reward_given_at = models.DateTimeField(_("beloning gegeven"), null=True, blank=True)
    reward_given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("beloning gegeven door"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = _("doorverwijzing")
        verbose_name_plural = _("doorverwijzingen")
        constraints = [models.UniqueConstraint(fields=["studio", "lead"], name="referral_one_per_lead")]
