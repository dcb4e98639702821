"""The kennismakingsgesprek: what kinds a studio offers, when its coaches are free, and who booked which moment."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vollegym.core import clock
from vollegym.core.tenancy import StudioOwned, StudioScopedManager, StudioScopedQuerySet

# Bookings claim the coach's time in units of this many minutes; every time and length is a multiple of it.
UNIT_MINUTES = 5


class ConsultationType(StudioOwned):
    """A kind of conversation a prospect can book: how long, where, and the studio's rules for booking it."""

    class Place(models.TextChoices):
        STUDIO = "studio", _("In de studio")
        VIDEO = "video", _("Videogesprek")
        PHONE = "phone", _("Telefonisch")

    name = models.CharField(_("naam"), max_length=80)
    place = models.CharField(_("waar"), max_length=16, choices=Place.choices, default=Place.STUDIO)
    location = models.CharField(
        _("adres of link"),
        max_length=300,
        blank=True,
        help_text=_("Het adres, of de link van het videogesprek."),
    )
    duration_minutes = models.PositiveIntegerField(_("duur in minuten"), default=30)
    buffer_minutes = models.PositiveIntegerField(
        _("rust tussen gesprekken in minuten"),
        default=15,
        help_text=_("Vrij na elk gesprek, voor het volgende."),
    )
    min_notice_hours = models.PositiveIntegerField(_("minstens zoveel uur vooraf boeken"), default=12)
    horizon_days = models.PositiveIntegerField(_("hoeveel dagen vooruit te boeken"), default=21)
    is_active = models.BooleanField(_("te boeken"), default=True)
    position = models.PositiveIntegerField(_("volgorde"), default=0)

    class Meta:
        verbose_name = _("soort gesprek")
        verbose_name_plural = _("soorten gesprekken")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=UNIT_MINUTES), name="consultationtype_duration"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def where(self) -> str:
        """Where the conversation happens: the link or address given; the studio's address only for the studio."""
        if self.location:
            return self.location
        return self.studio.address if self.place == self.Place.STUDIO else ""


class Availability(StudioOwned):
    """A coach's weekly window for conversations, in the studio's local time (weekday 0 is Monday)."""

    coach = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    weekday = models.PositiveSmallIntegerField(_("dag"))
    starts = models.TimeField(_("van"))
    ends = models.TimeField(_("tot"))

    class Meta:
        verbose_name = _("beschikbaarheid")
        verbose_name_plural = _("beschikbaarheid")
        ordering = ["weekday", "starts"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends__gt=models.F("starts")), name="availability_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="availability_weekday"),
        ]

    def __str__(self) -> str:
        return f"{self.coach_id} {self.weekday} {self.starts:%H:%M}-{self.ends:%H:%M}"


class AvailabilityException(StudioOwned):
    """Days (or hours) off: for one coach, or for the whole studio when no coach is named (a holiday)."""

    coach = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    first_day = models.DateField(_("vanaf"))
    last_day = models.DateField(_("tot en met"))
    starts = models.TimeField(_("van"), null=True, blank=True)
    ends = models.TimeField(_("tot"), null=True, blank=True)
    reason = models.CharField(_("reden"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("uitzondering")
        verbose_name_plural = _("uitzonderingen")
        ordering = ["first_day"]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_day__gte=models.F("first_day")), name="exception_days_order"
            ),
            models.CheckConstraint(
                condition=Q(starts__isnull=True, ends__isnull=True)
                | Q(starts__isnull=False, ends__isnull=False, ends__gt=models.F("starts")),
                name="exception_hours",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_day}–{self.last_day} {self.reason}"


class BookingQuerySet(StudioScopedQuerySet["Booking"]):
    def planned(self) -> BookingQuerySet:
        return self.filter(status=Booking.Status.BOOKED)

    def upcoming(self) -> BookingQuerySet:
        return self.planned().filter(ends_at__gte=clock.now())


class Booking(StudioOwned):
    """A planned kennismakingsgesprek with one lead; what became of it is recorded here and on the lead."""

    class Status(models.TextChoices):
        BOOKED = "booked", _("Gepland")
        CANCELLED = "cancelled", _("Geannuleerd")
        SHOWED = "showed", _("Verschenen")
        NO_SHOW = "no_show", _("Niet verschenen")

    class Outcome(models.TextChoices):
        WON = "won", _("Gewonnen: klaar om in te schrijven")
        LOST = "lost", _("Verloren")

    lead = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    response = models.ForeignKey(
        "intake.IntakeResponse", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.ForeignKey(
        ConsultationType, on_delete=models.RESTRICT, related_name="+", verbose_name=_("soort")
    )
    coach = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("coach")
    )
    starts_at = models.DateTimeField(_("begint"), db_index=True)
    ends_at = models.DateTimeField(_("eindigt"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.BOOKED)
    outcome = models.CharField(_("uitkomst"), max_length=8, choices=Outcome.choices, blank=True)
    lost_reason = models.CharField(_("reden verloren"), max_length=200, blank=True)
    # Raised with every change, so calendar apps replace the invite they have (RFC 5545 SEQUENCE).
    sequence = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(_("geboekt"), default=clock.now)
    cancelled_at = models.DateTimeField(_("geannuleerd"), null=True, blank=True)
    recorded_at = models.DateTimeField(_("vastgelegd"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = StudioScopedManager.from_queryset(BookingQuerySet)()  # type: ignore[misc]

    class Meta:
        verbose_name = _("kennismakingsgesprek")
        verbose_name_plural = _("kennismakingsgesprekken")
        ordering = ["starts_at"]
        constraints = [
            # One planned conversation per lead: a second booking is a reschedule.
            models.UniqueConstraint(
                fields=["lead"], condition=Q(status="booked"), name="booking_one_planned_per_lead"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="booking_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind_id} {self.starts_at:%Y-%m-%d %H:%M} ({self.lead_id})"


class BookingClaim(StudioOwned):
    """One unit of a coach's time taken by a booking (and its rest after it).

    The unique constraint is what makes a double booking impossible, on PostgreSQL and SQLite alike: two bookings
    that overlap by a single unit cannot both commit, however close together they arrive.
    """

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="+")
    coach = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    unit = models.DateTimeField()

    class Meta:
        verbose_name = _("bezette tijd")
        verbose_name_plural = _("bezette tijd")
        constraints = [
            models.UniqueConstraint(fields=["studio", "coach", "unit"], name="bookingclaim_coach_unit_once")
        ]


def new_calendar_token() -> str:
    return secrets.token_urlsafe(32)


def calendar_token_hash(token: str) -> str:
    """What is kept of a feed's secret token: its sha256, so the database alone opens no one's calendar."""
    return hashlib.sha256(token.encode()).hexdigest()


class CoachCalendar(StudioOwned):
    """A coach's private ICS feed. Its address is shown once, like a password: only the token's hash is kept,
    and renewing it cuts off every calendar subscribed to the old address."""

    coach = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(_("hash van het geheime adres"), max_length=64, unique=True, editable=False)

    class Meta:
        verbose_name = _("agenda-abonnement")
        verbose_name_plural = _("agenda-abonnementen")
        constraints = [
            models.UniqueConstraint(fields=["studio", "coach"], name="coachcalendar_one_per_coach")
        ]
