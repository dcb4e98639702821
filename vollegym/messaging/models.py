"""The outbox: every message the system sends, to whom, why, and what became of it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vollegym.core import clock
from vollegym.core.tenancy import StudioOwned


class Message(StudioOwned):
    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        WHATSAPP = "whatsapp", _("WhatsApp")
        SMS = "sms", _("SMS")
        APP = "app", _("In de app")

    class Status(models.TextChoices):
        QUEUED = "queued", _("In de wachtrij")
        SENDING = "sending", _("Wordt verstuurd")
        SENT = "sent", _("Verstuurd")
        FAILED = "failed", _("Mislukt")
        CANCELLED = "cancelled", _("Niet verstuurd")

    class Delivery(models.TextChoices):
        SENT = "sent", _("Verstuurd")
        DELIVERED = "delivered", _("Bezorgd")
        READ = "read", _("Gelezen")
        FAILED = "failed", _("Niet bezorgd")

    channel = models.CharField(_("kanaal"), max_length=16, choices=Channel.choices)
    to = models.CharField(_("aan"), max_length=254)
    # The person a message to a prospect or member is for: consent and the WhatsApp window are theirs.
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, null=True, blank=True, related_name="+",
        verbose_name=_("persoon"),
    )  # fmt: skip
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
        verbose_name=_("aan teamlid"),
    )  # fmt: skip
    subject = models.CharField(_("onderwerp"), max_length=200, blank=True)
    body = models.TextField(_("tekst"))
    # WhatsApp outside the 24-hour window only takes approved templates: the name and its body parameters.
    template = models.CharField(_("sjabloon"), max_length=120, blank=True)
    template_params = models.JSONField(_("sjabloonwaarden"), default=list, blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    # E-mail only: files sent along, each {"filename", "content" (text), "mimetype"}; a calendar invite, say.
    attachments = models.JSONField(_("bijlagen"), default=list, blank=True)
    # E-mail only: where a reply goes (the coach, or the studio), since the sender address takes no mail.
    reply_to = models.EmailField(_("antwoorden naar"), blank=True)
    purpose = models.CharField(_("waarom"), max_length=40)
    # News and offers, not a reply to something the person asked: needs its own consent and an opt-out.
    marketing = models.BooleanField(_("marketing"), default=False)
    ref = models.CharField(_("hoort bij"), max_length=60, blank=True, db_index=True)
    key = models.CharField(
        _("sleutel"),
        max_length=120,
        help_text=_("één bericht per sleutel en studio: nooit twee keer verstuurd"),
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("pogingen"), default=0)
    next_attempt_at = models.DateTimeField(_("volgende poging"), default=clock.now)
    last_error = models.TextField(_("laatste fout"), blank=True)
    provider_id = models.CharField(_("nummer bij de verzender"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("aangemaakt"), default=clock.now)
    claimed_at = models.DateTimeField(_("opgepakt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("verstuurd"), null=True, blank=True)
    read_at = models.DateTimeField(_("gelezen"), null=True, blank=True)
    # WhatsApp only: what Meta reported after sending (sent, delivered, read, failed); it only ever moves forward.
    delivery = models.CharField(_("bezorging"), max_length=16, choices=Delivery.choices, blank=True)
    delivered_at = models.DateTimeField(_("bezorgd"), null=True, blank=True)

    class Meta:
        verbose_name = _("bericht")
        verbose_name_plural = _("berichten")
        constraints = [models.UniqueConstraint(fields=["studio", "key"], name="message_once_per_key")]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="message_due"),
            models.Index(fields=["provider_id"], name="message_by_provider_id"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} aan {self.to}: {self.subject or self.body[:40]}"


class WhatsAppSettings(StudioOwned):
    """A studio's WhatsApp Business number in Meta's Cloud API, and the template for a lead's first message."""

    phone_number_id = models.CharField(_("telefoonnummer-id"), max_length=40)
    token = models.TextField(_("toegangstoken"))
    ack_template = models.CharField(_("sjabloon bevestiging"), max_length=120, default="lead_bevestiging")
    reminder_template = models.CharField(
        _("sjabloon herinnering gesprek"), max_length=120, default="gesprek_herinnering"
    )
    language = models.CharField(_("taal van de sjablonen"), max_length=10, default="nl")
    is_active = models.BooleanField(_("actief"), default=True)

    class Meta:
        verbose_name = _("WhatsApp-instellingen")
        verbose_name_plural = _("WhatsApp-instellingen")
        constraints = [models.UniqueConstraint(fields=["studio"], name="whatsappsettings_one_per_studio")]

    def __str__(self) -> str:
        return f"WhatsApp {self.phone_number_id}"
