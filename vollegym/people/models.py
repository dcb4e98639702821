"""People: one record per human per studio, what they agreed to (the consent ledger), and what happened (events)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vollegym.core import clock
from vollegym.core.tenancy import StudioOwned, StudioScopedManager, StudioScopedQuerySet


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


class PersonDetails:
    """Who a lead or member is, read from their person (nothing is copied): for templates, mails and exports."""

    person: Person

    @property
    def name(self) -> str:
        return self.person.name

    @property
    def email(self) -> str:
        return self.person.email

    @property
    def phone(self) -> str:
        return self.person.phone

    @property
    def phone_as_given(self) -> str:
        return self.person.phone_as_given

    @property
    def phone_invalid(self) -> bool:
        return self.person.phone_invalid


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


class DomainEvent(StudioOwned):
    """Something that happened in the loop, written in the same transaction as the change it records.

    Reports, the audit trail and outbound webhooks read these rows, never free-form activity data. The payload is
    validated by its pydantic model in `people/events.py`; `version` is that model's schema version.
    """

    kind = models.CharField(_("soort"), max_length=40)
    version = models.PositiveSmallIntegerField(_("versie"), default=1)
    person = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("persoon")
    )
    # Most events are about one lead; kept as a plain number so the people app does not depend on leads.
    lead_id = models.BigIntegerField(_("lead"), null=True, blank=True)
    at = models.DateTimeField(_("tijdstip"), default=clock.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("door"),
    )  # fmt: skip
    payload = models.JSONField(_("gegevens"), default=dict)

    class Meta:
        verbose_name = _("gebeurtenis")
        verbose_name_plural = _("gebeurtenissen")
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["studio", "kind", "at"], name="event_by_kind"),
            models.Index(fields=["lead_id", "kind"], name="event_by_lead"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M}"


class PrivacyRequest(StudioOwned):
    """A person's request under the AVG (access, export, erasure), logged with the month the law gives to answer."""

    class Kind(models.TextChoices):
        ACCESS = "access", _("Inzage")
        EXPORT = "export", _("Gegevens meenemen")
        ERASURE = "erasure", _("Wissen")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Afgehandeld")

    kind = models.CharField(_("soort"), max_length=16, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    person = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("persoon")
    )
    received_at = models.DateTimeField(_("ontvangen"), default=clock.now)
    due_on = models.DateField(_("uiterlijk"))
    done_at = models.DateTimeField(_("afgehandeld"), null=True, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("afgehandeld door"),
    )  # fmt: skip
    note = models.CharField(_("notitie"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("privacyverzoek")
        verbose_name_plural = _("privacyverzoeken")
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.received_at:%Y-%m-%d}"


class AuditQuerySet(StudioScopedQuerySet["AuditEntry"]):
    """The audit log is append-only: no update, no delete, not even in bulk."""

    def update(self, **kwargs: Any) -> int:
        raise PermissionError("the audit log is append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("the audit log is append-only")


class AuditEntry(StudioOwned):
    """Who viewed, exported, changed, merged or erased a person's data, and every staff sign-in.

    A sign-in belongs to no studio: those rows have none, and only the agency reads them (`all_studios`).
    """

    class Action(models.TextChoices):
        VIEWED = "viewed", _("bekeken")
        EXPORTED = "exported", _("geëxporteerd")
        CHANGED = "changed", _("gewijzigd")
        MERGED = "merged", _("samengevoegd")
        ERASED = "erased", _("gewist")
        SIGNED_IN = "signed_in", _("ingelogd")
        SIGN_IN_FAILED = "sign_in_failed", _("inloggen mislukt")

    studio = models.ForeignKey(  # type: ignore[assignment]
        "studios.Studio", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("tijdstip"), default=clock.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("gebruiker"),
    )  # fmt: skip
    action = models.CharField(_("handeling"), max_length=16, choices=Action.choices)
    person = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("persoon")
    )
    # What was touched, in words without personal data ("lead 12", "export JSON", "via de pagina").
    detail = models.CharField(_("wat"), max_length=200, blank=True)
    ip_hash = models.CharField(_("hash van het IP-adres"), max_length=64, blank=True)

    objects = StudioScopedManager.from_queryset(AuditQuerySet)()  # type: ignore[misc]

    class Meta:
        verbose_name = _("auditregel")
        verbose_name_plural = _("auditlog")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["studio", "at"], name="audit_by_studio")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("the audit log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("the audit log is append-only")


class PrivacySettings(StudioOwned):
    """How long a studio keeps what it no longer needs (AVG: storage limitation), shown on its privacy page."""

    lead_months = models.PositiveSmallIntegerField(
        _("leads die geen lid werden bewaren (maanden)"),
        default=12,
        help_text=_(
            "Daarna worden naam, contactgegevens en antwoorden gewist; de telling in rapporten blijft."
        ),
    )
    raw_delivery_days = models.PositiveSmallIntegerField(
        _("ruwe binnenkomende berichten bewaren (dagen)"),
        default=30,
        help_text=_("Wat Meta, Google of een koppeling precies stuurde, na verwerking."),
    )

    class Meta:
        verbose_name = _("privacy-instellingen")
        verbose_name_plural = _("privacy-instellingen")
        constraints = [
            models.UniqueConstraint(fields=["studio"], name="privacysettings_one_per_studio"),
            models.CheckConstraint(
                condition=Q(lead_months__gte=1, lead_months__lte=120), name="privacysettings_lead_months"
            ),
            models.CheckConstraint(
                condition=Q(raw_delivery_days__gte=1, raw_delivery_days__lte=365),
                name="privacysettings_raw_delivery_days",
            ),
        ]

    def __str__(self) -> str:
        return f"Privacy {self.studio_id}"
