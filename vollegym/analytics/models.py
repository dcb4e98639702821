"""What the numbers need that no other part of the loop records: what the studio paid for its ads.

Analytics is the only reader of ad spend (CAC, cost per lead, payback), so the rows live here; nothing imports them.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vollegym.core import clock
from vollegym.core.tenancy import StudioOwned

# A month of one campaign above this is a typing or export error, not a PT studio's ad budget (€ 1 million).
MAX_CENTS = 100_000_000
CAMPAIGN_MAX = 200


def campaign_key(name: str) -> str:
    """A campaign name as the matching sees it: case and spaces do not count ("Najaar 40+" is "najaar40+")."""
    return "".join(unicodedata.normalize("NFKC", name).casefold().split())[:CAMPAIGN_MAX]


class AdSpend(StudioOwned):
    """What one campaign cost on one platform in one month, typed in or imported from the platform's export."""

    class Platform(models.TextChoices):
        META = "meta", _("Meta (Facebook en Instagram)")
        GOOGLE = "google", _("Google Ads")
        OTHER = "other", _("Anders")

    class Source(models.TextChoices):
        TYPED = "typed", _("Ingetypt")
        IMPORTED = "imported", _("Geïmporteerd")

    platform = models.CharField(_("platform"), max_length=16, choices=Platform.choices)
    campaign = models.CharField(_("campagne"), max_length=CAMPAIGN_MAX)
    # The name as matched: one row per campaign however its name was typed, so a re-import replaces it.
    campaign_key = models.CharField(max_length=CAMPAIGN_MAX, editable=False)
    # The platform's own number for the campaign (Google's export has it): a Google lead form gives only that.
    campaign_ref = models.CharField(_("campagne-ID"), max_length=64, blank=True)
    month = models.DateField(_("maand"), help_text=_("De eerste dag van de maand."))
    amount_cents = models.PositiveIntegerField(
        _("bedrag in centen"), validators=[MaxValueValidator(MAX_CENTS)]
    )
    currency = models.CharField(_("valuta"), max_length=3, default="EUR")
    source = models.CharField(_("herkomst"), max_length=16, choices=Source.choices, default=Source.TYPED)
    file_name = models.CharField(_("bestand"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("bijgewerkt"), default=clock.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("advertentiekosten")
        verbose_name_plural = _("advertentiekosten")
        ordering = ["-month", "campaign", "platform"]
        constraints = [
            models.UniqueConstraint(
                fields=["studio", "platform", "campaign_key", "month"], name="adspend_once_per_month"
            ),
            # Every figure is in euros: a row in another currency would be added to them as if it were.
            models.CheckConstraint(condition=Q(currency="EUR"), name="adspend_in_euros"),
            models.CheckConstraint(condition=Q(amount_cents__lte=MAX_CENTS), name="adspend_sane_amount"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} {self.month:%Y-%m}: {self.amount_cents}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.campaign_key = campaign_key(self.campaign)
        super().save(*args, **kwargs)
