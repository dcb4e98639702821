"""Outbound webhooks: a studio's subscriptions to its domain events, and each event's delivery to each of them."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vollegym.core import clock
from vollegym.core.tenancy import StudioOwned
from vollegym.people.models import DomainEvent


class Subscription(StudioOwned):
    """A target URL that hears of the studio's events of the chosen kinds, signed with its own secret.

    `cursor` is the last event id fanned out to it: a new subscription starts at the newest event there is (no
    backfill), a paused one keeps its place and continues from there when resumed.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", _("Actief")
        PAUSED = "paused", _("Gepauzeerd")

    url = models.URLField(_("adres"), max_length=500)
    kinds = models.JSONField(_("gebeurtenissen"), default=list)
    secret = models.CharField(_("geheim"), max_length=80, editable=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    paused_reason = models.CharField(_("reden van pauze"), max_length=200, blank=True)
    cursor = models.BigIntegerField(_("laatste gebeurtenis"), default=0)
    start_after = models.BigIntegerField(
        _("begint na gebeurtenis"), default=0
    )  # the newest event when made: never sent
    consecutive_failures = models.PositiveIntegerField(_("mislukte pogingen op rij"), default=0)
    failing_since = models.DateTimeField(_("mislukt sinds"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("aangemaakt door"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("aangemaakt op"), default=clock.now)

    class Meta:
        verbose_name = _("webhook-abonnement")
        verbose_name_plural = _("webhook-abonnementen")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.url

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class Delivery(StudioOwned):
    """One event for one subscription: the work queue of outbound webhooks, claimed by a conditional update."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Wacht")
        SENDING = "sending", _("Wordt verstuurd")
        DELIVERED = "delivered", _("Afgeleverd")
        FAILED = "failed", _("Mislukt")

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("abonnement")
    )
    event = models.ForeignKey(
        DomainEvent, on_delete=models.CASCADE, related_name="+", verbose_name=_("gebeurtenis")
    )
    uid = models.UUIDField(
        _("kenmerk"), default=uuid.uuid4, unique=True, editable=False
    )  # X-Vollegym-Delivery
    # deliveries about one person go in order
    person_id = models.BigIntegerField(_("persoon"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("pogingen"), default=0)
    created_at = models.DateTimeField(_("aangemaakt op"), default=clock.now)
    next_attempt_at = models.DateTimeField(_("volgende poging"), default=clock.now)
    # the moment of the current claim: an attempt's result is kept only while the claim is still this one
    claimed_at = models.DateTimeField(_("opgepakt op"), null=True, blank=True)
    # the three days of retrying count from here (empty until the first attempt, and again after a replay or resume)
    first_attempt_at = models.DateTimeField(_("eerste poging"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("laatste poging"), null=True, blank=True)
    response_code = models.PositiveSmallIntegerField(_("antwoordcode"), null=True, blank=True)
    response_excerpt = models.CharField(_("begin van het antwoord"), max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(_("duur (ms)"), null=True, blank=True)
    last_error = models.CharField(_("laatste fout"), max_length=300, blank=True)
    delivered_at = models.DateTimeField(_("afgeleverd op"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook-aflevering")
        verbose_name_plural = _("webhook-afleveringen")
        ordering = ["-event_id", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["subscription", "event"], name="one_delivery_per_event"),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbound_due"),
            models.Index(fields=["subscription", "person_id", "event"], name="outbound_person_order"),
        ]

    def __str__(self) -> str:
        return f"{self.uid} ({self.status})"
