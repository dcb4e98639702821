"""Leads: every person who asked a studio about training, where they came from, and every contact since."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from vollegym.core import clock
from vollegym.core.tenancy import StudioOwned, StudioScopedManager, StudioScopedQuerySet
from vollegym.people.models import PersonDetails


def new_webhook_secret() -> str:
    return secrets.token_urlsafe(32)


def default_opening_hours() -> dict[str, list[list[str]]]:
    """Monday (0) to Sunday (6), each a list of [opens, closes] in the studio's local time."""
    weekday = [["07:00", "21:00"]]
    return {
        "0": weekday,
        "1": weekday,
        "2": weekday,
        "3": weekday,
        "4": weekday,
        "5": [["08:00", "14:00"]],
        "6": [],
    }


class LeadSettings(StudioOwned):
    """How a studio handles its leads: the SLA, opening hours, its webhook secret, whether leads go round."""

    sla_minutes = models.PositiveIntegerField(_("reactietijd in minuten"), default=60)
    opening_hours = models.JSONField(_("openingstijden"), default=default_opening_hours)
    webhook_secret = models.CharField(_("webhookgeheim"), max_length=64, default=new_webhook_secret)
    round_robin = models.BooleanField(_("leads om de beurt toewijzen"), default=True)

    class Meta:
        verbose_name = _("leadinstellingen")
        verbose_name_plural = _("leadinstellingen")
        constraints = [models.UniqueConstraint(fields=["studio"], name="leadsettings_one_per_studio")]

    def __str__(self) -> str:
        return f"Leadinstellingen {self.studio_id}"


class Source(models.TextChoices):
    META = "meta", _("Meta (Facebook/Instagram)")
    GOOGLE = "google", _("Google Ads")
    WEBSITE = "website", _("Website")
    REFERRAL = "referral", _("Doorverwijzing")
    IMPORT = "import", _("Import")
    WALK_IN = "walk_in", _("Binnengelopen")
    PHONE = "phone", _("Telefoon")
    INSTAGRAM = "instagram", _("Instagram DM")
    WHATSAPP = "whatsapp", _("WhatsApp")
    OTHER = "other", _("Anders")


class Stage(models.TextChoices):
    NEW = "new", _("Nieuw")
    CONTACTED = "contacted", _("Gesproken")
    INTAKE_BOOKED = "intake_booked", _("Intake gepland")
    INTAKE_HELD = "intake_held", _("Intake gehouden")
    NO_SHOW = "no_show", _("Niet verschenen")
    WON = "won", _("Gewonnen")
    LOST = "lost", _("Verloren")


CLOSED_STAGES = frozenset({Stage.WON, Stage.LOST})


class LeadQuerySet(StudioScopedQuerySet["Lead"]):
    def open(self) -> LeadQuerySet:
        return self.exclude(stage__in=CLOSED_STAGES).filter(is_test=False)

    def real(self) -> LeadQuerySet:
        return self.filter(is_test=False)


class Lead(PersonDetails, StudioOwned):
    """One question of one person to a studio; a person who comes back after a closed lead gets a new one."""

    person = models.ForeignKey(
        "people.Person", verbose_name=_("persoon"), on_delete=models.CASCADE, related_name="+"
    )
    source = models.CharField(_("bron"), max_length=16, choices=Source.choices)
    campaign = models.CharField(_("campagne"), max_length=200, blank=True)
    ad = models.CharField(_("advertentie"), max_length=200, blank=True)
    form = models.CharField(_("formulier"), max_length=200, blank=True)
    utm = models.JSONField(_("UTM"), default=dict, blank=True)
    answers = models.JSONField(_("antwoorden"), default=dict, blank=True)
    stage = models.CharField(
        _("fase"), max_length=16, choices=Stage.choices, default=Stage.NEW, db_index=True
    )
    lost_reason = models.CharField(_("reden verloren"), max_length=200, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("coach"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    is_test = models.BooleanField(_("testlead"), default=False)
    # The intake found a health answer that asks for a doctor's word before training: shown in the inbox and on
    # the lead, and enrolment asks the coach to confirm the clearance.
    needs_clearance = models.BooleanField(_("eerst akkoord huisarts"), default=False)
    clearance_confirmed_at = models.DateTimeField(_("akkoord huisarts bevestigd"), null=True, blank=True)
    created_at = models.DateTimeField(_("binnengekomen"), default=clock.now, db_index=True)
    due_at = models.DateTimeField(_("reageren voor"), null=True, blank=True)
    first_contact_at = models.DateTimeField(_("eerste contact"), null=True, blank=True)
    first_contact_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("eerste contact door"),
    )  # fmt: skip
    escalated_at = models.DateTimeField(_("geëscaleerd"), null=True, blank=True)
    updated_at = models.DateTimeField(_("bijgewerkt"), auto_now=True)

    objects = StudioScopedManager.from_queryset(LeadQuerySet)()  # type: ignore[misc]

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        indexes = [models.Index(fields=["studio", "stage", "due_at"], name="lead_inbox")]

    def __str__(self) -> str:
        return str(self.person)

    @property
    def is_open(self) -> bool:
        return self.stage not in CLOSED_STAGES

    @property
    def response_seconds(self) -> int | None:
        if self.first_contact_at is None:
            return None
        return int((self.first_contact_at - self.created_at).total_seconds())


class Activity(StudioOwned):
    """One line of a lead's timeline: a contact attempt, a note, a submission, a stage change."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Binnengekomen")
        SUBMISSION = "submission", _("Nieuwe aanvraag")
        CALL = "call", _("Gebeld")
        WHATSAPP = "whatsapp", _("WhatsApp")
        EMAIL = "email", _("E-mail")
        IN_PERSON = "in_person", _("Persoonlijk gesproken")
        NOTE = "note", _("Notitie")
        STAGE = "stage", _("Fase gewijzigd")
        ESCALATED = "escalated", _("Te laat: eigenaar gewaarschuwd")
        MESSAGE = "message", _("Bericht verstuurd")
        BOOKING = "booking", _("Kennismakingsgesprek")
        WHATSAPP_IN = "whatsapp_in", _("WhatsApp ontvangen")

    class Outcome(models.TextChoices):
        REACHED = "reached", pgettext_lazy("outcome of a call", "Gesproken")
        NO_ANSWER = "no_answer", _("Geen gehoor")
        VOICEMAIL = "voicemail", _("Voicemail ingesproken")
        SENT = "sent", _("Verstuurd")

    PERSONAL_CONTACT = frozenset({Kind.CALL, Kind.WHATSAPP, Kind.EMAIL, Kind.IN_PERSON})

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("soort"), max_length=16, choices=Kind.choices)
    outcome = models.CharField(_("uitkomst"), max_length=16, choices=Outcome.choices, blank=True)
    body = models.TextField(_("tekst"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("tijdstip"), default=clock.now, db_index=True)

    class Meta:
        verbose_name = _("activiteit")
        verbose_name_plural = _("activiteiten")
        ordering = ["-at", "-id"]


class InboundEvent(StudioOwned):
    """A delivery from outside (a webhook), stored raw before anything else, processed in the background."""

    class Provider(models.TextChoices):
        META = "meta", "Meta"
        GOOGLE = "google", "Google"
        GENERIC = "generic", _("Webhook")

    class Status(models.TextChoices):
        PENDING = "pending", _("Wacht")
        PROCESSED = "processed", _("Verwerkt")
        FAILED = "failed", _("Mislukt")
        UNROUTABLE = "unroutable", _("Geen studio")

    # Null only for a delivery no studio could be found for (an unknown Meta page).
    studio = models.ForeignKey(  # type: ignore[assignment]
        "studios.Studio", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    provider = models.CharField(_("bron"), max_length=16, choices=Provider.choices)
    dedupe_key = models.CharField(_("sleutel tegen dubbel"), max_length=200)
    payload = models.JSONField(_("inhoud"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    error = models.TextField(_("fout"), blank=True)
    attempts = models.PositiveIntegerField(_("pogingen"), default=0)
    # The table is the work queue: a worker claims the oldest pending event that is due.
    next_attempt_at = models.DateTimeField(_("volgende poging"), default=clock.now)
    lead = models.ForeignKey(
        Lead, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("lead")
    )
    received_at = models.DateTimeField(_("ontvangen"), default=clock.now)
    processed_at = models.DateTimeField(_("verwerkt"), null=True, blank=True)

    class Meta:
        verbose_name = _("binnenkomend bericht")
        verbose_name_plural = _("binnenkomende berichten")
        constraints = [
            models.UniqueConstraint(fields=["provider", "dedupe_key"], name="inboundevent_once_per_delivery")
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="inboundevent_due")]

    def __str__(self) -> str:
        return f"{self.provider} {self.dedupe_key}"


class MetaPage(StudioOwned):
    """A Facebook page whose Lead Ads deliver to this studio; the page id routes each delivery."""

    page_id = models.CharField(_("pagina-id"), max_length=40, unique=True)
    name = models.CharField(_("naam"), max_length=120, blank=True)
    page_token = models.TextField(_("pagina-token"))
    connected_at = models.DateTimeField(_("gekoppeld op"), default=clock.now)

    class Meta:
        verbose_name = _("Meta-pagina")
        verbose_name_plural = _("Meta-pagina's")

    def __str__(self) -> str:
        return self.name or self.page_id


class GoogleLeadForm(StudioOwned):
    """A Google Ads lead form's webhook key; form id empty means: any form of this studio."""

    form_id = models.CharField(_("formulier-id"), max_length=40, blank=True)
    key = models.CharField(_("sleutel"), max_length=200, default=new_webhook_secret)
    name = models.CharField(_("naam"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("Google-leadformulier")
        verbose_name_plural = _("Google-leadformulieren")
        constraints = [
            models.UniqueConstraint(fields=["studio", "form_id"], name="googleleadform_one_key_per_form")
        ]

    def __str__(self) -> str:
        return self.name or self.form_id or "*"
