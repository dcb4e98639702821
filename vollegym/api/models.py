"""API tokens: one per integration, of one studio or of the agency (every studio it runs)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vollegym.core import clock
from vollegym.core.tenancy import StudioOwned


class ApiToken(StudioOwned):
    """A bearer token for the API, shown once; only its SHA-256 and a short prefix (to recognise it) are kept.

    A studio's token reaches that studio; the agency's (no studio) reaches every studio its maker may open, for as
    long as they are the agency.
    """

    # Null for an agency token: it belongs to no one studio.
    studio = models.ForeignKey(  # type: ignore[assignment]
        "studios.Studio", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("naam"), max_length=80)
    prefix = models.CharField(_("begint met"), max_length=16)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    scopes = models.JSONField(_("rechten"), default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("aangemaakt door"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("aangemaakt op"), default=clock.now)
    last_used_at = models.DateTimeField(_("laatst gebruikt"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("ingetrokken op"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("ingetrokken door"),
    )  # fmt: skip

    class Meta:
        verbose_name = _("API-sleutel")
        verbose_name_plural = _("API-sleutels")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_agency(self) -> bool:
        return self.studio_id is None

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class RateWindow(models.Model):
    """A token's requests in one minute, counted by an UPDATE that adds one in the database, so every web process
    counts together and no two requests read the same count (the database cache's incr reads, then writes)."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="+")
    minute = models.BigIntegerField()  # minutes since 1970, UTC
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["token", "minute"], name="one_rate_window_per_minute")]

    def __str__(self) -> str:
        return f"{self.token_id} @ {self.minute}: {self.count}"
