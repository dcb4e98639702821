"""How a run ends, or does not: a pause, a cancellation, the conversation about renewing, the message after leaving.

The Dutch rules behind them (DOMAIN.md): a member cancels the way they signed up, online in the member area; a
contract made at a distance (online, by phone or video) may be undone within 14 days; after its first term a
membership continues only month by month, cancellable with at most a month's notice (Wet Van Dam); a marketing
message needs a yes, or goes to one's own customers about similar products with a way out in every message
(Telecommunicatiewet 11.7).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from vollegym.core import clock
from vollegym.core.tenancy import StudioOwned, StudioScopedManager, StudioScopedQuerySet

# A reason typed in the member area or the back office is at most this long.
REASON_TEXT_MAX = 500


class MembershipRules(StudioOwned):
    """A studio's own rules for pausing and for the one message after someone left; the law sets the rest."""

    pause_max_weeks = models.PositiveSmallIntegerField(
        _("pauze: hooguit zoveel weken per inschrijving"), default=8,
        help_text=_(
            "Alle pauzes van één inschrijving samen; bij een lidmaatschap alle pauzes van twaalf maanden. Het "
            "einde schuift op met de pauze."
        ),
    )  # fmt: skip
    members_may_pause = models.BooleanField(
        _("leden pauzeren zelf"), default=True,
        help_text=_("Aan: leden zetten hun lidmaatschap zelf op pauze in hun eigen omgeving. Uit: via de studio."),
    )  # fmt: skip
    win_back_weeks = models.PositiveSmallIntegerField(
        _("bericht na vertrek, na zoveel weken"), default=6,
        help_text=_(
            "Eén bericht aan wie stopte (niet aan wie terugkwam), alleen waar de wet het toelaat: met een ja op "
            "nieuws en aanbiedingen, of aan een oud-lid dat er geen nee op zei, met een afmeldlink erin. 0: geen bericht."
        ),
    )  # fmt: skip

    class Meta:
        verbose_name = _("regels voor pauzeren en opzeggen")
        verbose_name_plural = _("regels voor pauzeren en opzeggen")
        constraints = [
            models.UniqueConstraint(fields=["studio"], name="membershiprules_one_per_studio"),
            models.CheckConstraint(
                condition=Q(pause_max_weeks__gte=1, pause_max_weeks__lte=26),
                name="membershiprules_pause_weeks",
            ),
            models.CheckConstraint(
                condition=Q(win_back_weeks__lte=52), name="membershiprules_win_back_weeks"
            ),
        ]

    def __str__(self) -> str:
        return f"rules {self.studio_id}"


class PauseQuerySet(StudioScopedQuerySet["Pause"]):
    def in_force(self) -> PauseQuerySet:
        """Pauses that hold: not taken back before they began."""
        return self.filter(withdrawn_at__isnull=True)


class Pause(StudioOwned):
    """A run on hold from one day to another (both included): its end, and every run after it, moves by its days."""

    enrolment = models.ForeignKey(
        "programs.Enrolment", on_delete=models.CASCADE, related_name="+", verbose_name=_("inschrijving")
    )
    member = models.ForeignKey("programs.Member", on_delete=models.CASCADE, related_name="+")
    starts_on = models.DateField(_("pauze vanaf"))
    ends_on = models.DateField(_("pauze tot en met"))
    reason = models.CharField(_("waarom"), max_length=200, blank=True)
    by_member = models.BooleanField(_("door het lid zelf"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("vastgelegd"), default=clock.now)
    # Taken back before it began: it moved nothing any more (the row stays, as history).
    withdrawn_at = models.DateTimeField(_("ingetrokken"), null=True, blank=True)

    objects = StudioScopedManager.from_queryset(PauseQuerySet)()  # type: ignore[misc]

    class Meta:
        verbose_name = _("pauze")
        verbose_name_plural = _("pauzes")
        ordering = ["starts_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="pause_dates"),
        ]

    def __str__(self) -> str:
        return f"pause {self.enrolment_id} {self.starts_on}–{self.ends_on}"

    @property
    def days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1


class Reason(models.TextChoices):
    """Why someone stops: asked, never required (the same list when a renewal conversation says no)."""

    NONE = "", _("Zeg ik liever niet")
    MOVING = "moving", _("Ik ga verhuizen")
    MONEY = "money", _("Het is me te duur")
    TIME = "time", _("Ik heb er geen tijd meer voor")
    HEALTH = "health", _("Een blessure of mijn gezondheid")
    GOAL = "goal", _("Ik heb mijn doel bereikt")
    NOT_HAPPY = "not_happy", _("Het bevalt me niet")
    OTHER = "other", _("Iets anders")


class Cancellation(StudioOwned):
    """A member's notice: which run it ends, on which day, by which rule, and why (if they said)."""

    class Rule(models.TextChoices):
        COOLING_OFF = (
            "cooling_off",
            _("Bedenktijd: binnen 14 dagen na een inschrijving op afstand, meteen gestopt"),
        )
        PROGRAM_END = "program_end", _("Een programma loopt tot het afgesproken einde")
        FIRST_TERM = "first_term", _("Een lidmaatschap loopt tot het einde van de eerste termijn")
        MONTHLY = (
            "monthly",
            _("Na de eerste termijn maandelijks opzegbaar: tot het einde van de lopende maand"),
        )

    enrolment = models.OneToOneField(
        "programs.Enrolment", on_delete=models.CASCADE, related_name="+", verbose_name=_("inschrijving")
    )
    member = models.ForeignKey("programs.Member", on_delete=models.CASCADE, related_name="+")
    effective_on = models.DateField(_("lid tot en met"))
    rule = models.CharField(_("regel"), max_length=16, choices=Rule.choices)
    reason = models.CharField(_("reden"), max_length=16, choices=Reason.choices, blank=True, default="")
    reason_text = models.CharField(_("toelichting"), max_length=REASON_TEXT_MAX, blank=True)
    ends_before = models.DateField(_("einde voor het opzeggen"))
    by_member = models.BooleanField(_("door het lid zelf"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("opgezegd op"), default=clock.now)
    message = models.ForeignKey(
        "messaging.Message", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("bevestiging"),
    )  # fmt: skip

    class Meta:
        verbose_name = _("opzegging")
        verbose_name_plural = _("opzeggingen")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"cancellation {self.enrolment_id} per {self.effective_on}"


class RenewalTalk(StudioOwned):
    """The conversation about going on, planned some days before a program's end: a task for the member's coach."""

    class Status(models.TextChoices):
        OPEN = "open", _("Te doen")
        RENEWED = "renewed", _("Verlengd")
        DECLINED = "declined", _("Stopt")
        LAPSED = "lapsed", _("Vervallen")  # the run ended or was cancelled before anyone recorded an outcome

    enrolment = models.OneToOneField(
        "programs.Enrolment", on_delete=models.CASCADE, related_name="+", verbose_name=_("inschrijving")
    )
    member = models.ForeignKey("programs.Member", on_delete=models.CASCADE, related_name="+")
    coach = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("coach"),
    )  # fmt: skip
    # On the coach's list from this day ("later" moves it).
    due_on = models.DateField(_("op de lijst vanaf"))
    planned_at = models.DateTimeField(_("afgesproken moment"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    reason = models.CharField(_("reden"), max_length=16, choices=Reason.choices, blank=True, default="")
    note = models.CharField(_("notitie"), max_length=REASON_TEXT_MAX, blank=True)
    renewal = models.ForeignKey(
        "programs.Enrolment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("verlenging"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("gepland"), default=clock.now)
    recorded_at = models.DateTimeField(_("vastgelegd"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("verlenggesprek")
        verbose_name_plural = _("verlenggesprekken")
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["status", "due_on"], name="renewaltalk_due")]

    def __str__(self) -> str:
        return f"renewal talk {self.enrolment_id}: {self.status}"


class WinBack(StudioOwned):
    """The one message after someone left, some weeks later: once per leaving, and not to whoever came back."""

    member = models.ForeignKey("programs.Member", on_delete=models.CASCADE, related_name="+")
    # The member's last run: the leaving this message is about.
    enrolment = models.OneToOneField(
        "programs.Enrolment", on_delete=models.CASCADE, related_name="+", verbose_name=_("inschrijving")
    )
    left_on = models.DateField(_("lid tot en met"))
    sent_at = models.DateTimeField(_("verstuurd"), default=clock.now)
    message = models.ForeignKey(
        "messaging.Message", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("bericht"),
    )  # fmt: skip
    # Why it did not go out (no consent, no address); empty when it went to the outbox.
    refused = models.CharField(_("niet verstuurd omdat"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("bericht na vertrek")
        verbose_name_plural = _("berichten na vertrek")
        ordering = ["-sent_at", "-id"]

    def __str__(self) -> str:
        return f"win-back {self.enrolment_id}"
