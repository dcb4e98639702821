"""People: one record per human per studio, what they agreed to (the consent ledger), and what happened (events)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vollegym.core import clock
from vollegym.core.tenancy import StudioOwned


class Person(StudioOwned):
    """A human a studio knows: a prospect, a member, or both over time. Leads, members and messages point here."""

    name = models.CharField(_("naam"), max_length=150, blank=True)
    email = models.EmailField(_("e-mailadres"), blank=True)
    phone = models.CharField(_("telefoon (E.164)"), max_length=20, blank=True)
    phone_as_given = models.CharField(_("telefoon zoals opgegeven"), max_length=64, blank=True)
    language = models.CharField(_("taal"), max_length=8, default="nl")
    # The last message this person sent us (WhatsApp): free-form WhatsApp replies only within 24 hours of it.
    last_inbound_at = models.DateTimeField(_("laatste bericht van deze persoon"), null=True, blank=True)
    created_at = models.DateTimeField(_("bekend sinds"), default=clock.now)
    updated_at = models.DateTimeField(_("bijgewerkt"), auto_now=True)
    erased_at = models.DateTimeField(_("gewist"), null=True, blank=True)

    class Meta:
        verbose_name = _("persoon")
        verbose_name_plural = _("personen")
        indexes = [
            models.Index(fields=["studio", "email"], name="person_by_email"),
            models.Index(fields=["studio", "phone"], name="person_by_phone"),
        ]

    def __str__(self) -> str:
        return self.name or self.email or self.phone or self.phone_as_given or f"Persoon {self.pk}"

    @property
    def phone_invalid(self) -> bool:
        return bool(self.phone_as_given) and not self.phone


class Purpose(models.TextChoices):
    """What a person can agree to, each on its own (AVG: consent is specific)."""

    CONTACT = "contact", _("Contact over de aanvraag")
    MARKETING = "marketing", _("Nieuws en aanbiedingen per e-mail")
    WHATSAPP = "whatsapp", _("Berichten via WhatsApp")
    HEALTH = "health", _("Gezondheidsgegevens")
    MEASUREMENTS = "measurements", _("Metingen van je voortgang")
    OTHER = "other", _("Anders")


class How(models.TextChoices):
    FORM = "form", _("Formulier")
    WEBHOOK = "webhook", _("Koppeling")
    IMPORT = "import", _("Import")
    STAFF = "staff", _("Door de studio vastgelegd")
    REPLY = "reply", _("Antwoord van de persoon")
    UNSUBSCRIBE = "unsubscribe", _("Afmeldlink")


class ConsentEntry(StudioOwned):
    """One line of the consent ledger: given or withdrawn, when, how, and the exact words the person saw.

    The ledger is append-only; the current state of a purpose is its latest entry.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    purpose = models.CharField(_("doel"), max_length=16, choices=Purpose.choices)
    given = models.BooleanField(_("gegeven"))
    how = models.CharField(_("hoe"), max_length=16, choices=How.choices)
    # Where it came from in more detail: the lead source, the intake, the channel the wording was shown on.
    source = models.CharField(_("bron"), max_length=32, blank=True)
    wording = models.TextField(_("tekst"), blank=True)
    wording_version = models.CharField(_("versie van de tekst"), max_length=64, blank=True)
    at = models.DateTimeField(_("vastgelegd"), default=clock.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("toestemming")
        verbose_name_plural = _("toestemmingen")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["person", "purpose", "at"], name="consent_latest")]
        constraints = [
            models.CheckConstraint(
                condition=Q(given=False) | ~Q(wording=""), name="consent_given_keeps_wording"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.purpose} {'ja' if self.given else 'nee'}"
