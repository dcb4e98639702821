"""The small-group agenda: weekly classes, the sessions they make, who booked a mat, who waits, who came."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from vollegym.core import clock
from vollegym.core.tenancy import StudioOwned, StudioScopedManager, StudioScopedQuerySet

WEEKDAYS = clock.WEEKDAY_NAMES


class ScheduleSettings(StudioOwned):
    """A studio's rules for its agenda and for capacity pricing."""

    cancel_hours = models.PositiveIntegerField(_("afmelden tot zoveel uur vooraf"), default=12)
    weeks_ahead = models.PositiveIntegerField(_("zoveel weken vooruit inroosteren"), default=4)
    full_threshold = models.PositiveIntegerField(_("vol vanaf (procent bezet)"), default=85)
    full_weeks = models.PositiveIntegerField(_("zoveel weken achter elkaar vol"), default=4)

    class Meta:
        verbose_name = _("roosterinstellingen")
        verbose_name_plural = _("roosterinstellingen")
        constraints = [models.UniqueConstraint(fields=["studio"], name="schedulesettings_one_per_studio")]


class ClassTemplate(StudioOwned):
    """A weekly class: every Tuesday at 07:00, 45 minutes, 8 mats, with a coach, in a room."""

    name = models.CharField(_("naam"), max_length=80)
    program = models.ForeignKey(
        "programs.Program", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("hoort bij programma"),
    )  # fmt: skip
    weekday = models.PositiveSmallIntegerField(_("dag"))
    starts = models.TimeField(_("begint om"))
    duration_minutes = models.PositiveIntegerField(_("duur in minuten"), default=45)
    capacity = models.PositiveIntegerField(_("plekken (matten)"), default=8)
    coach = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("coach"),
    )  # fmt: skip
    room = models.CharField(_("zaal"), max_length=60, blank=True)
    is_active = models.BooleanField(_("op het rooster"), default=True)

    class Meta:
        verbose_name = _("les")
        verbose_name_plural = _("lessen")
        ordering = ["weekday", "starts"]
        constraints = [
            models.CheckConstraint(condition=Q(weekday__lte=6), name="classtemplate_weekday"),
            models.CheckConstraint(
                condition=Q(capacity__gte=1, capacity__lte=60), name="classtemplate_capacity"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.weekday} {self.starts:%H:%M})"

    def get_weekday_display(self) -> str:
        return str(WEEKDAYS[self.weekday])


class SessionQuerySet(StudioScopedQuerySet["ClassSession"]):
    def upcoming(self) -> SessionQuerySet:
        return self.filter(status=ClassSession.Status.SCHEDULED, starts_at__gte=clock.now())


class ClassSession(StudioOwned):
    """One session of a class on one day. `booked` counts its bookings; the database keeps it within capacity."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Gepland")
        CANCELLED = "cancelled", _("Vervalt")

    template = models.ForeignKey(ClassTemplate, on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField(_("begint"), db_index=True)
    ends_at = models.DateTimeField(_("eindigt"))
    capacity = models.PositiveIntegerField(_("plekken"))
    booked = models.PositiveIntegerField(_("geboekt"), default=0)
    coach = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.SCHEDULED)
    cancel_reason = models.CharField(_("waarom vervalt"), max_length=200, blank=True)

    objects = StudioScopedManager.from_queryset(SessionQuerySet)()  # type: ignore[misc]

    class Meta:
        verbose_name = _("lesmoment")
        verbose_name_plural = _("lesmomenten")
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["template", "starts_at"], name="classsession_once_per_moment"),
            # The last mat: however many people try at once, the count never passes the capacity.
            models.CheckConstraint(
                condition=Q(booked__lte=F("capacity")), name="classsession_within_capacity"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template_id} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def open_spots(self) -> int:
        return max(self.capacity - self.booked, 0)


class Closure(StudioOwned):
    """Days the studio is closed (a holiday): no sessions, and booked members are told."""

    first_day = models.DateField(_("vanaf"))
    last_day = models.DateField(_("tot en met"))
    reason = models.CharField(_("reden"), max_length=120)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("sluiting")
        verbose_name_plural = _("sluitingen")
        ordering = ["first_day"]
        constraints = [
            models.CheckConstraint(condition=Q(last_day__gte=F("first_day")), name="closure_days_order")
        ]


class FixedSlot(StudioOwned):
    """A member's own weekly place in a class, booked in every session their program runs (a renewal included)."""

    member = models.ForeignKey("programs.Member", on_delete=models.CASCADE, related_name="+")
    template = models.ForeignKey(ClassTemplate, on_delete=models.CASCADE, related_name="+")
    first_day = models.DateField(_("vanaf"))
    # Empty: for as long as the member has a running program.
    last_day = models.DateField(_("tot en met"), null=True, blank=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("vaste plek")
        verbose_name_plural = _("vaste plekken")


class SessionBooking(StudioOwned):
    """A member's mat in one session."""

    class Status(models.TextChoices):
        BOOKED = "booked", _("Geboekt")
        CANCELLED = "cancelled", _("Afgemeld")
        ATTENDED = "attended", _("Aanwezig")
        NO_SHOW = "no_show", _("Niet gekomen")

    class Via(models.TextChoices):
        FIXED = "fixed", _("Vaste plek")
        SINGLE = "single", _("Losse les")
        WAITLIST = "waitlist", _("Van de wachtlijst")

    HOLDS_A_MAT = ("booked", "attended", "no_show")

    session = models.ForeignKey(ClassSession, on_delete=models.CASCADE, related_name="bookings")
    member = models.ForeignKey("programs.Member", on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.BOOKED)
    via = models.CharField(_("via"), max_length=16, choices=Via.choices, default=Via.SINGLE)
    created_at = models.DateTimeField(_("geboekt"), default=clock.now)
    cancelled_at = models.DateTimeField(_("afgemeld"), null=True, blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("boeking")
        verbose_name_plural = _("boekingen")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "member"], condition=Q(status__in=["booked", "attended", "no_show"]),
                name="sessionbooking_one_mat_per_member",
            ),
        ]  # fmt: skip


class WaitlistEntry(StudioOwned):
    """Waiting for a mat in a full session; the first in line gets the next free mat and a message."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Op de wachtlijst")
        PROMOTED = "promoted", _("Doorgeschoven")
        LEFT = "left", _("Van de lijst af")

    session = models.ForeignKey(ClassSession, on_delete=models.CASCADE, related_name="waitlist")
    member = models.ForeignKey("programs.Member", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.WAITING)
    created_at = models.DateTimeField(_("op de lijst"), default=clock.now)
    promoted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("wachtlijstplek")
        verbose_name_plural = _("wachtlijst")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "member"], condition=Q(status="waiting"), name="waitlist_once_per_session"
            )
        ]


class PersonalSession(StudioOwned):
    """A personal training (1-on-1 or duo) a coach gave or the member missed: PT is not a class in the agenda, so
    the coach records it here, and the first 30 days and the churn risk count it like a class visit."""

    class Status(models.TextChoices):
        ATTENDED = "attended", _("Getraind")
        NO_SHOW = "no_show", _("Niet gekomen")

    member = models.ForeignKey(
        "programs.Member", on_delete=models.CASCADE, related_name="+", verbose_name=_("lid")
    )
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    enrolment = models.ForeignKey(
        "programs.Enrolment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("inschrijving"),
    )  # fmt: skip
    coach = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("coach"),
    )  # fmt: skip
    starts_at = models.DateTimeField(_("moment"), db_index=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ATTENDED)
    created_at = models.DateTimeField(_("vastgelegd"), default=clock.now)

    class Meta:
        verbose_name = _("personal training")
        verbose_name_plural = _("personal trainingen")
        ordering = ["-starts_at", "-id"]
        constraints = [
            # A double tap records one training, not two.
            models.UniqueConstraint(fields=["member", "starts_at"], name="personalsession_once_per_moment"),
        ]

    def __str__(self) -> str:
        return f"pt {self.member_id} {self.starts_at:%Y-%m-%d %H:%M} {self.status}"
