"""The first 30 days: a program's playbook of touchpoints, each member's run of it, and the activation checks."""

from __future__ import annotations

import string
from datetime import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from vollegym.core import clock
from vollegym.core.names import first_name
from vollegym.core.tenancy import StudioOwned

# What a touchpoint's text may fill in; anything else in braces is refused when saved.
PLACEHOLDERS = ("voornaam", "coach", "studio", "programma", "startdatum")
LAST_DAY = 90
# A rating's comment is at most this long; 0 to 6 is a detractor in NPS terms, and a call for the coach.
COMMENT_MAX = 1000
LOW_SCORE = 6


def placeholders_check(text: str) -> None:
    """Refuses a text with an unknown {placeholder} (or a stray brace), saying which ones may be used."""
    allowed = ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)
    try:
        fields = [name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name is not None]
    except ValueError:
        raise ValidationError(
            _("Een accolade staat los. Gebruik alleen deze invulplekken: %(allowed)s."),
            params={"allowed": allowed}, code="placeholder",
        ) from None  # fmt: skip
    unknown = [name for name in fields if name not in PLACEHOLDERS]
    if unknown:
        raise ValidationError(
            _("Onbekende invulplek {%(name)s}. Gebruik alleen deze: %(allowed)s."),
            params={"name": unknown[0], "allowed": allowed}, code="placeholder",
        )  # fmt: skip


class Playbook(StudioOwned):
    """A program's onboarding plan; what members follow is one of its published versions."""

    program = models.OneToOneField(
        "programs.Program", on_delete=models.CASCADE, related_name="+", verbose_name=_("programma")
    )
    created_at = models.DateTimeField(_("aangemaakt"), default=clock.now)

    class Meta:
        verbose_name = _("playbook")
        verbose_name_plural = _("playbooks")

    def __str__(self) -> str:
        return f"playbook {self.program_id}"


class PlaybookVersion(StudioOwned):
    """A snapshot of a playbook: never changed once published, so a member keeps the plan they started with."""

    playbook = models.ForeignKey(Playbook, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("versie"))
    created_at = models.DateTimeField(_("gepubliceerd"), default=clock.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("playbookversie")
        verbose_name_plural = _("playbookversies")
        ordering = ["playbook", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["playbook", "number"], name="playbookversion_once_per_number")
        ]

    def __str__(self) -> str:
        return f"{self.playbook_id} v{self.number}"


class Touchpoint(StudioOwned):
    """One step of a version: on day N after the start, a message to the member or a task for the coach."""

    class Kind(models.TextChoices):
        EMAIL = "email", _("E-mail aan het lid")
        WHATSAPP = "whatsapp", _("WhatsApp aan het lid")
        TASK = "task", _("Taak voor de coach")

    class Condition(models.TextChoices):
        ALWAYS = "", _("Altijd")
        NO_VISIT_7_DAYS = "no_visit_7d", _("Alleen als het lid de laatste 7 dagen niet kwam")

    version = models.ForeignKey(PlaybookVersion, on_delete=models.CASCADE, related_name="touchpoints")
    position = models.PositiveIntegerField(default=0)
    day = models.PositiveSmallIntegerField(
        _("dag"), help_text=_("Dagen na de startdatum: 0 is de startdag zelf, tot en met 90.")
    )
    at = models.TimeField(_("tijd"), default=time(9, 0), help_text=_("Tijd op de klok van de studio."))
    kind = models.CharField(_("soort"), max_length=16, choices=Kind.choices, default=Kind.EMAIL)
    title = models.CharField(_("titel"), max_length=120)
    text = models.TextField(
        _("tekst"), blank=True,
        help_text=_("Invulplekken: {voornaam}, {coach}, {studio}, {programma}, {startdatum}."),
    )  # fmt: skip
    condition = models.CharField(
        _("voorwaarde"), max_length=16, choices=Condition.choices, default=Condition.ALWAYS, blank=True
    )

    class Meta:
        verbose_name = _("contactmoment")
        verbose_name_plural = _("contactmomenten")
        ordering = ["version", "day", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(day__lte=LAST_DAY), name="touchpoint_day_within_90"),
        ]

    def __str__(self) -> str:
        return f"dag {self.day}: {self.title}"

    def clean(self) -> None:
        super().clean()
        errors: dict[str, list[ValidationError]] = {}
        for name in ("title", "text"):
            try:
                placeholders_check(getattr(self, name))
            except ValidationError as exc:
                errors[name] = [exc]
        if self.day is not None and self.day > LAST_DAY:
            errors["day"] = [ValidationError(_("Kies een dag van 0 tot en met 90."), code="day")]
        if self.kind != self.Kind.TASK and self.condition:
            errors["condition"] = [
                ValidationError(_("Een voorwaarde kan alleen bij een taak voor de coach."), code="condition")
            ]
        if self.kind != self.Kind.TASK and not self.text.strip():
            errors["text"] = [ValidationError(_("Een bericht heeft een tekst nodig."), code="required")]
        if errors:
            raise ValidationError(errors)

    @property
    def is_task(self) -> bool:
        return self.kind == self.Kind.TASK


class Run(StudioOwned):
    """A member following a playbook version from the start of one enrolment."""

    enrolment = models.OneToOneField("programs.Enrolment", on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey("programs.Member", on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(PlaybookVersion, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(_("gestart"), default=clock.now)

    class Meta:
        verbose_name = _("onboarding van een lid")
        verbose_name_plural = _("onboarding van leden")

    def __str__(self) -> str:
        return f"run {self.enrolment_id} v{self.version_id}"


class Step(StudioOwned):
    """One touchpoint of one member's run, due at a moment; carried out once."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Gepland")
        WORKING = "working", _("Wordt uitgevoerd")
        SENT = "sent", _("Naar de verzendlijst")
        NOT_SENT = "not_sent", _("Niet verstuurd")
        OPEN = "open", _("Te doen")
        DONE = "done", _("Gedaan")
        SKIPPED = "skipped", _("Overgeslagen")

    class Reason(models.TextChoices):
        NONE = "", "-"
        VISITED = "visited", _("Niet nodig: het lid kwam de laatste 7 dagen")
        TOO_LATE = "too_late", _("Niet verstuurd: het moment was al meer dan twee dagen voorbij")
        STOPPED = "stopped", _("Niet nodig: de inschrijving is gestopt")
        BY_STAFF = "by_staff", _("Overgeslagen door de studio")

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="steps", verbose_name=_("doorloop"))
    touchpoint = models.ForeignKey(
        Touchpoint, on_delete=models.PROTECT, related_name="+", verbose_name=_("contactmoment")
    )
    due_at = models.DateTimeField(_("moment"), db_index=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PLANNED)
    reason = models.CharField(_("waarom"), max_length=16, choices=Reason.choices, default="", blank=True)
    message = models.ForeignKey(
        "messaging.Message", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("bericht"),
    )  # fmt: skip
    claimed_at = models.DateTimeField(_("opgepakt"), null=True, blank=True)
    done_at = models.DateTimeField(_("afgehandeld"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("afgehandeld door"),
    )  # fmt: skip
    # The member's last visit before the moment, when the touchpoint asked about visits (the "why" of a task).
    last_visit_at = models.DateTimeField(_("laatste bezoek"), null=True, blank=True)

    class Meta:
        verbose_name = _("contactmoment van een lid")
        verbose_name_plural = _("contactmomenten van leden")
        ordering = ["due_at", "id"]
        constraints = [models.UniqueConstraint(fields=["run", "touchpoint"], name="step_once_per_touchpoint")]
        indexes = [models.Index(fields=["status", "due_at"], name="step_due")]

    def __str__(self) -> str:
        return f"step {self.pk} {self.status}"


class ActivationCheck(StudioOwned):
    """Day 10 or 21 of an enrolment: visits so far against the program's planned frequency."""

    class Status(models.TextChoices):
        OK = "ok", _("Op schema")
        FLAGGED = "flagged", _("Achter op schema")
        NOT_COUNTED = "not_counted", _("Niet geteld")
        SEEN = "seen", _("Opgepakt")

    enrolment = models.ForeignKey(
        "programs.Enrolment", on_delete=models.CASCADE, related_name="+", verbose_name=_("inschrijving")
    )
    member = models.ForeignKey(
        "programs.Member", on_delete=models.CASCADE, related_name="+", verbose_name=_("lid")
    )
    day = models.PositiveSmallIntegerField(_("dag"))
    attended = models.PositiveSmallIntegerField(_("bezocht"), default=0)
    planned = models.PositiveSmallIntegerField(_("gepland"), default=0)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OK)
    checked_at = models.DateTimeField(_("bekeken"), default=clock.now)
    seen_at = models.DateTimeField(_("opgepakt"), null=True, blank=True)
    seen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("opgepakt door"),
    )  # fmt: skip

    class Meta:
        verbose_name = _("activatiecheck")
        verbose_name_plural = _("activatiechecks")
        ordering = ["-checked_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["enrolment", "day"], name="activation_once_per_day")]

    def __str__(self) -> str:
        return f"activation {self.enrolment_id} day {self.day}: {self.status}"

    @property
    def reason(self) -> str:
        """The flag in words: "2 van de 6 geplande trainingen in de eerste 10 dagen"."""
        if self.status == self.Status.NOT_COUNTED:
            return str(
                _(
                    "Niet geteld: personal training staat niet als les in het rooster, dus bezoeken in de "
                    "eerste %(day)s dagen zijn hier niet te zien."
                )
                % {"day": self.day}
            )
        return ngettext(
            "%(attended)s van de %(planned)s geplande training in de eerste %(day)s dagen",
            "%(attended)s van de %(planned)s geplande trainingen in de eerste %(day)s dagen",
            self.planned,
        ) % {"attended": self.attended, "planned": self.planned, "day": self.day}


class Rating(StudioOwned):
    """One question to a member, on day 30 of an enrolment or near its end: 0 to 10, and an optional comment.

    Private: a score is never shown on a public page. Everyone who answers gets the same thank-you with the studio's
    review link, whatever the score (Google forbids asking only the happy ones); 0 to 6 makes a call for the coach.
    """

    class Moment(models.TextChoices):
        DAY_30 = "day_30", _("Dag 30")
        PROGRAM_END = "program_end", _("Einde van het programma")

    member = models.ForeignKey(
        "programs.Member", on_delete=models.CASCADE, related_name="+", verbose_name=_("lid")
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="+", verbose_name=_("persoon")
    )
    enrolment = models.ForeignKey(
        "programs.Enrolment", on_delete=models.CASCADE, related_name="+", verbose_name=_("inschrijving")
    )
    moment = models.CharField(_("moment"), max_length=16, choices=Moment.choices)
    coach = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("coach op dat moment"),
    )  # fmt: skip
    asked_at = models.DateTimeField(_("gevraagd"), default=clock.now)
    message = models.ForeignKey(
        "messaging.Message", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("bericht"),
    )  # fmt: skip
    score = models.PositiveSmallIntegerField(_("cijfer"), null=True, blank=True)
    comment = models.TextField(_("opmerking"), max_length=COMMENT_MAX, blank=True)
    answered_at = models.DateTimeField(_("beantwoord"), null=True, blank=True)
    called_at = models.DateTimeField(_("gebeld"), null=True, blank=True)
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("gebeld door"),
    )  # fmt: skip

    class Meta:
        verbose_name = _("beoordeling")
        verbose_name_plural = _("beoordelingen")
        ordering = ["-asked_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["studio", "enrolment", "moment"], name="rating_once_per_enrolment_and_moment"
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=10), name="rating_score_0_to_10"
            ),
        ]

    def __str__(self) -> str:
        return f"rating {self.enrolment_id} {self.moment}: {self.score}"

    @property
    def first_name(self) -> str:
        return first_name(self.person.name, fallback="")

    @property
    def is_low(self) -> bool:
        return self.score is not None and self.score <= LOW_SCORE


# An outreach note (churn risk) is at most this long.
NOTE_MAX = 1000


class Outreach(StudioOwned):
    """A coach reaching out to a member on the churn-risk list: how, whether they got through, and what came of it.

    The score and the reasons the coach saw are kept with it, so the report can tell who was at risk when called.
    """

    class Way(models.TextChoices):
        REACHED = "reached", _("Gebeld en gesproken")
        NOT_REACHED = "not_reached", _("Gebeld, niet bereikt")
        MESSAGE = "message", _("Bericht gestuurd")
        IN_PERSON = "in_person", _("Gesproken in de studio")

    class Outcome(models.TextChoices):
        NONE = "", _("Nog niet bekend")
        STAYS = "stays", _("Blijft trainen")
        DOUBTS = "doubts", _("Twijfelt")
        LEAVING = "leaving", _("Wil stoppen")

    REACHED_WAYS = ("reached", "in_person")

    member = models.ForeignKey(
        "programs.Member", on_delete=models.CASCADE, related_name="+", verbose_name=_("lid")
    )
    way = models.CharField(_("contact"), max_length=16, choices=Way.choices)
    outcome = models.CharField(_("uitkomst"), max_length=16, choices=Outcome.choices, default="", blank=True)
    note = models.TextField(_("notitie"), max_length=NOTE_MAX, blank=True)
    score = models.PositiveSmallIntegerField(_("risico op dat moment"), default=0)
    reasons = models.JSONField(_("redenen op dat moment"), default=list, blank=True)
    at = models.DateTimeField(_("wanneer"), default=clock.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("door"),
    )  # fmt: skip

    class Meta:
        verbose_name = _("contact bij risico")
        verbose_name_plural = _("contacten bij risico")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["studio", "member", "at"], name="outreach_member_at"),
            models.Index(fields=["studio", "at"], name="outreach_studio_at"),
        ]

    def __str__(self) -> str:
        return f"outreach {self.member_id} {self.way} {self.at:%Y-%m-%d}"

    @property
    def reached(self) -> bool:
        return self.way in self.REACHED_WAYS
