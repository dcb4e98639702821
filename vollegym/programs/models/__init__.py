"""Programs a studio sells, their prices through time, its members, and each member's enrolment at a locked price.

How a run ends (a pause, a cancellation, the renewal conversation, a win-back) lives in `endings.py`.
"""

from __future__ import annotations

import secrets
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vollegym.core import clock
from vollegym.core.tenancy import StudioOwned, StudioScopedManager, StudioScopedQuerySet
from vollegym.people.models import PersonDetails
from vollegym.programs.models.endings import Cancellation, MembershipRules, Pause, RenewalTalk, WinBack

# A gym contract longer than a year without a yearly way out is presumed unreasonable (Wet Van Dam).
MEMBERSHIP_FIRST_TERM_MAX = 52


class RenewalPrice(models.TextChoices):
    """The owner's choice per program: what a member pays for the next run."""

    LOCKED = "locked", _("Tegen de afgesproken prijs")
    CURRENT = "current", _("Tegen de actuele prijs")


class VatRate(models.IntegerChoices):
    """The BTW rates a program can have (Wet OB, tabel I post b.14: sport in a sports facility at 9%)."""

    SPORT = 9, _("9% – sporten in de studio")
    GENERAL = 21, _("21% – thuis, buiten of anders")


class Program(StudioOwned):
    """A transformation program (8 or 12 weeks, a clear promise) or an ongoing small-group membership."""

    class Kind(models.TextChoices):
        PROGRAM = "program", _("Transformatieprogramma")
        MEMBERSHIP = "membership", _("Doorlopend lidmaatschap")

    class Format(models.TextChoices):
        PT = "pt", _("Personal training 1-op-1")
        DUO = "duo", _("Duo-training")
        SMALL_GROUP = "small_group", _("Small group")

    name = models.CharField(_("naam"), max_length=120)
    promise = models.TextField(_("belofte"), blank=True)
    kind = models.CharField(_("soort"), max_length=16, choices=Kind.choices, default=Kind.PROGRAM)
    format = models.CharField(_("vorm"), max_length=16, choices=Format.choices, default=Format.PT)
    weeks = models.PositiveIntegerField(
        _("aantal weken"), help_text=_("Voor een lidmaatschap: de looptijd van één periode (bijvoorbeeld 4).")
    )
    sessions_per_week = models.PositiveIntegerField(_("trainingen per week"), default=2)
    is_active = models.BooleanField(_("te koop"), default=True)
    renewal_price = models.CharField(
        _("verlengen"), max_length=8, choices=RenewalPrice.choices, default=RenewalPrice.LOCKED,
        help_text=_(
            "Tegen de afgesproken prijs houdt het lid de prijs waarvoor het instapte, ook na een prijsverhoging; "
            "tegen de actuele prijs betaalt het bij verlengen wat het programma dan kost."
        ),
    )  # fmt: skip
    renewal_talk_days = models.PositiveSmallIntegerField(
        _("verlenggesprek, dagen voor het einde"), default=14,
        help_text=_(
            "Zoveel dagen voor het einde komt een verlenggesprek op de lijst van de coach (0: geen gesprek). "
            "Een lidmaatschap loopt vanzelf per maand door en krijgt er geen."
        ),
    )  # fmt: skip
    position = models.PositiveIntegerField(_("volgorde"), default=0)
    created_at = models.DateTimeField(_("aangemaakt"), default=clock.now)
    vat_rate = models.PositiveSmallIntegerField(
        _("btw-tarief"), choices=VatRate.choices, default=VatRate.SPORT,
        help_text=_(
            "9% als je mensen de gelegenheid geeft om te sporten in een sportaccommodatie, lessen daar "
            "inbegrepen (ook personal training in je studio). 21% voor personal training bij iemand thuis of "
            "buiten, en voor andere diensten (zoals alleen voedingsadvies). Het tarief staat op elke factuur."
        ),
    )  # fmt: skip

    class Meta:
        verbose_name = _("programma")
        verbose_name_plural = _("programma's")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(weeks__gte=1, weeks__lte=104), name="program_weeks"),
            models.CheckConstraint(
                condition=Q(sessions_per_week__gte=1, sessions_per_week__lte=14),
                name="program_sessions_per_week",
            ),
            models.CheckConstraint(condition=Q(renewal_talk_days__lte=90), name="program_renewal_talk_days"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if (
            self.kind == self.Kind.MEMBERSHIP
            and self.weeks is not None
            and self.weeks > MEMBERSHIP_FIRST_TERM_MAX
        ):
            raise ValidationError(
                {
                    "weeks": _(
                        "Een eerste termijn van meer dan een jaar geldt als onredelijk (Wet Van Dam): kies hooguit 52 weken."
                    )
                }
            )

    @property
    def sessions_total(self) -> int:
        return self.weeks * self.sessions_per_week


class ProgramPrice(StudioOwned):
    """One price of a program, in force from a date until the next price; history is never rewritten."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    amount_cents = models.PositiveIntegerField(_("prijs in centen"))
    effective_from = models.DateField(_("geldt vanaf"))
    reason = models.CharField(_("waarom"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("vastgelegd"), default=clock.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("prijs")
        verbose_name_plural = _("prijzen")
        ordering = ["program", "effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["program", "effective_from"], name="programprice_one_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.program_id}: {self.amount_cents} vanaf {self.effective_from}"


def new_member_key() -> str:
    return secrets.token_urlsafe(16)


class Member(PersonDetails, StudioOwned):
    """A person who trains at the studio; a member who came in as a lead keeps the lead and its history."""

    lead = models.OneToOneField(
        "leads.Lead",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lead"),
    )
    person = models.ForeignKey(
        "people.Person", verbose_name=_("persoon"), on_delete=models.CASCADE, related_name="+"
    )
    # The coach who looks after this member (the lead's coach at enrolment); the members list filters on it.
    coach = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("coach"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Part of every magic link; a new key signs every earlier link out.
    login_key = models.CharField(max_length=32, default=new_member_key)
    # The one sign-in link that still works: a new link replaces it, signing in with it empties it.
    link_nonce = models.CharField(max_length=32, blank=True, default="", editable=False)
    created_at = models.DateTimeField(_("lid sinds"), default=clock.now)

    class Meta:
        verbose_name = _("lid")
        verbose_name_plural = _("leden")
        ordering = ["person__name", "id"]

    def __str__(self) -> str:
        return str(self.person)


class EnrolmentQuerySet(StudioScopedQuerySet["Enrolment"]):
    def current(self, on: date | None = None) -> EnrolmentQuerySet:
        day = on or clock.today()
        return self.filter(status=Enrolment.Status.ACTIVE, starts_on__lte=day, ends_on__gte=day)


class Enrolment(StudioOwned):
    """A member in a program, at the price of the day they enrolled; that price stays theirs."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Loopt")
        STOPPED = "stopped", _("Gestopt")

    class Origin(models.TextChoices):
        ENROLLED = "enrolled", _("Ingeschreven")
        RENEWED = "renewed", _("Verlengd")
        CONTINUED = "continued", _("Vanzelf doorgelopen")

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    program = models.ForeignKey(Program, on_delete=models.RESTRICT, related_name="+")
    price = models.ForeignKey(ProgramPrice, on_delete=models.RESTRICT, related_name="+")
    price_cents = models.PositiveIntegerField(_("afgesproken prijs in centen"))
    starts_on = models.DateField(_("start"))
    ends_on = models.DateField(_("einde"))
    sessions_total = models.PositiveIntegerField(_("trainingen in totaal"))
    sessions_used = models.PositiveIntegerField(_("trainingen gebruikt"), default=0)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    renewal_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verlenging van"),
    )
    origin = models.CharField(_("hoe"), max_length=12, choices=Origin.choices, default=Origin.ENROLLED)
    # Wet Van Dam: a membership's run is followed by the next term, one month at a time, until it is cancelled (the
    # sweep sets the next term once this one has begun; cancelling turns this off). A fixed program never continues.
    continues = models.BooleanField(_("loopt per maand door"), default=False)
    # Online, by phone or by video: 14 days to change one's mind (herroepingsrecht bij een overeenkomst op afstand).
    at_distance = models.BooleanField(
        _("op afstand gesloten"), default=False,
        help_text=_("Online, telefonisch of per video afgesloten: het lid heeft 14 dagen bedenktijd."),
    )  # fmt: skip
    first_payment_cents = models.PositiveIntegerField(_("eerste betaling in centen"))
    first_payment_due = models.DateField(_("eerste betaling op"))
    first_payment_paid_at = models.DateTimeField(_("eerste betaling ontvangen"), null=True, blank=True)
    created_at = models.DateTimeField(_("ingeschreven"), default=clock.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = StudioScopedManager.from_queryset(EnrolmentQuerySet)()  # type: ignore[misc]

    class Meta:
        verbose_name = _("inschrijving")
        verbose_name_plural = _("inschrijvingen")
        ordering = ["-starts_on", "-id"]
        # What was sold in a period (the enrolments made in it): the overview's weeks, the agency's portfolio.
        indexes = [models.Index(fields=["studio", "created_at"], name="enrolment_made")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="enrolment_dates"),
            models.CheckConstraint(
                condition=Q(sessions_used__lte=models.F("sessions_total")), name="enrolment_sessions_used"
            ),
            # A run is renewed once, and the same run is not entered twice (a double click).
            models.UniqueConstraint(
                fields=["renewal_of"], condition=Q(renewal_of__isnull=False), name="enrolment_renewed_once"
            ),
            models.UniqueConstraint(
                fields=["member", "program", "starts_on"], name="enrolment_once_per_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} in {self.program_id} vanaf {self.starts_on}"

    @property
    def is_paid(self) -> bool:
        return self.first_payment_paid_at is not None


__all__ = [
    "Cancellation",
    "Enrolment",
    "EnrolmentQuerySet",
    "Member",
    "MembershipRules",
    "Pause",
    "Program",
    "ProgramPrice",
    "RenewalPrice",
    "RenewalTalk",
    "WinBack",
    "new_member_key",
]
