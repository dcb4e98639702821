"""Two-way WhatsApp: Meta's deliveries as they came in, the messages people sent us, and one conversation per person."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vollegym.core import clock
from vollegym.core.tenancy import StudioOwned


class WhatsAppDelivery(models.Model):
    """One POST from Meta, stored raw before anything else; a worker reads the studio from its phone number id.

    Belongs to no studio on arrival: which studio it is for is only known from the content, read by the worker.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Wacht")
        PROCESSED = "processed", _("Verwerkt")
        FAILED = "failed", _("Mislukt")

    # The same body posted twice (Meta retries a delivery it saw no 200 for) is stored once.
    body_sha256 = models.CharField(_("vingerafdruk"), max_length=64, unique=True)
    payload = models.JSONField(_("inhoud"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    error = models.TextField(_("fout"), blank=True)
    attempts = models.PositiveIntegerField(_("pogingen"), default=0)
    next_attempt_at = models.DateTimeField(_("volgende poging"), default=clock.now)
    received_at = models.DateTimeField(_("ontvangen"), default=clock.now)
    processed_at = models.DateTimeField(_("verwerkt"), null=True, blank=True)

    class Meta:
        verbose_name = _("WhatsApp-bezorging")
        verbose_name_plural = _("WhatsApp-bezorgingen")
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="whatsappdelivery_due")]

    def __str__(self) -> str:
        return f"WhatsApp {self.received_at:%Y-%m-%d %H:%M} {self.status}"


class Conversation(StudioOwned):
    """The WhatsApp thread with one person: who answers it, what is unread, when it last moved."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="+", verbose_name=_("persoon")
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("beantwoord door"),
    )  # fmt: skip
    unread = models.PositiveIntegerField(_("ongelezen"), default=0)
    last_message_at = models.DateTimeField(_("laatste bericht"), default=clock.now, db_index=True)
    last_text = models.CharField(_("laatste tekst"), max_length=200, blank=True)
    is_open = models.BooleanField(_("open"), default=True)

    class Meta:
        verbose_name = _("WhatsApp-gesprek")
        verbose_name_plural = _("WhatsApp-gesprekken")
        constraints = [
            models.UniqueConstraint(fields=["studio", "person"], name="conversation_one_per_person")
        ]

    def __str__(self) -> str:
        return f"WhatsApp {self.person_id}"


class InboundMessage(StudioOwned):
    """A WhatsApp message a person sent us: once per Meta message id, whatever Meta retries."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    wa_id = models.CharField(_("bericht-id bij WhatsApp"), max_length=200)
    kind = models.CharField(_("soort"), max_length=32)
    text = models.TextField(_("tekst"))
    sent_at = models.DateTimeField(_("verstuurd"))
    received_at = models.DateTimeField(_("ontvangen"), default=clock.now)

    class Meta:
        verbose_name = _("ontvangen WhatsApp-bericht")
        verbose_name_plural = _("ontvangen WhatsApp-berichten")
        ordering = ["sent_at", "id"]
        constraints = [models.UniqueConstraint(fields=["studio", "wa_id"], name="inboundmessage_once")]

    def __str__(self) -> str:
        return f"{self.kind} {self.wa_id}"
