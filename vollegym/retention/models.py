"""Playbooks: a program's first 30 days and a studio's lead sequences, each member's or lead's run of one; activation
checks and ratings."""

from __future__ import annotations

import string
from datetime import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from vollegym.core import clock
from vollegym.core.names import first_name
from vollegym.core.tenancy import StudioOwned

# What a touchpoint's text may fill in; anything else in braces is refused when saved. A program's playbook speaks
# to a member, a lead sequence to someone who has not started yet (the link picks a moment for the conversation).
PLACEHOLDERS = ("voornaam", "coach", "studio", "programma", "startdatum")
LEAD_PLACEHOLDERS = ("voornaam", "coach", "studio", "intakelink")
LAST_DAY = 90
QUIET_MONTHS = 4  # a lead quiet this long gets the "gone quiet" check-in, unless the studio chose otherwise
# A rating's comment is at most this long; 0 to 6 is a detractor in NPS terms, and a call for the coach.
COMMENT_MAX = 1000
LOW_SCORE = 6


def placeholders_check(text: str, names: tuple[str, ...] = PLACEHOLDERS) -> None:
    """Refuses a text with an unknown {placeholder} (or a stray brace), saying which ones may be used."""
    allowed = ", ".join(f"{{{name}}}" for name in names)
    try:
        fields = [name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name is not None]
    except ValueError:
        raise ValidationError(
            _("Een accolade staat los. Gebruik alleen deze invulplekken: %(allowed)s."),
            params={"allowed": allowed}, code="placeholder",
        ) from None  # fmt: skip
    unknown = [name for name in fields if name not in names]
    if unknown:
        raise ValidationError(
            _("Onbekende invulplek {%(name)s}. Gebruik alleen deze: %(allowed)s."),
            params={"name": unknown[0], "allowed": allowed}, code="placeholder",
        )  # fmt: skip


class Sequence(models.TextChoices):
    """A studio's follow-up of leads: three playbooks of its own, run by the same engine as a program's."""

    NOT_BOOKED = "not_booked", _("Nog geen gesprek gepland")
    NO_SHOW = "no_show", _("Niet verschenen")
    GONE_QUIET = "gone_quiet", _("Stil geworden")


class Playbook(StudioOwned):
    """A plan of touchpoints: a program's first 30 days for its members, or one of the studio's lead sequences.

    What members and leads follow is one of its published versions.
    """

    program = models.OneToOneField(
        "programs.Program", on_delete=models.CASCADE, related_name="+", verbose_name=_("programma"),
        null=True, blank=True,
    )  # fmt: skip
    sequence = models.CharField(
        _("opvolging van leads"), max_length=16, choices=Sequence.choices, blank=True, default=""
    )
    # The "gone quiet" sequence only: months without a sign of life before the one check-in.
    quiet_months = models.PositiveSmallIntegerField(_("maanden stil"), default=QUIET_MONTHS)
    created_at = models.DateTimeField(_("aangemaakt"), default=clock.now)

    class Meta:
        verbose_name = _("playbook")
        verbose_name_plural = _("playbooks")
        constraints = [
            models.CheckConstraint(
                condition=(Q(program__isnull=False) & Q(sequence=""))
                | (Q(program__isnull=True) & ~Q(sequence="")),
                name="playbook_program_or_sequence",
            ),
            models.UniqueConstraint(
                fields=["studio", "sequence"], condition=~Q(sequence=""), name="playbook_one_per_sequence"
            ),
            models.CheckConstraint(
                condition=Q(quiet_months__gte=1, quiet_months__lte=24), name="playbook_quiet_1_to_24_months"
            ),
        ]

    def __str__(self) -> str:
        return f"playbook {self.sequence or self.program_id}"

    @property
    def placeholders(self) -> tuple[str, ...]:
        return LEAD_PLACEHOLDERS if self.sequence else PLACEHOLDERS


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

    # The same kinds in a lead sequence's words.
    LEAD_KINDS = (
        (Kind.EMAIL, _("E-mail aan de lead")),
        (Kind.WHATSAPP, _("WhatsApp aan de lead")),
        (Kind.TASK, _("Taak voor de coach")),
    )

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
    # WhatsApp outside the 24 hours after the person's own message takes only a template Meta approved: its name here.
    template = models.CharField(
        _("WhatsApp-sjabloon"), max_length=120, blank=True, default="",
        validators=[RegexValidator(r"^[a-z0-9_]*$", _("Een sjabloonnaam heeft alleen kleine letters, cijfers en _."))],
        help_text=_(
            "Alleen bij WhatsApp: de naam van het sjabloon zoals Meta het goedkeurde, met {{1}} voor de voornaam, "
            "{{2}} voor de coach en {{3}} voor de studio. Zonder sjabloon gaat het bericht alleen binnen 24 uur na "
            "een bericht van de persoon zelf; daarna blijft het ongezonden, met de reden erbij."
        ),
    )  # fmt: skip
    # Not stored: what the editor's form knows of a touchpoint that has no version yet.
    lead_sequence: bool | None = None

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
        for_lead = self.for_lead
        for name in ("title", "text"):
            try:
                placeholders_check(getattr(self, name), LEAD_PLACEHOLDERS if for_lead else PLACEHOLDERS)
            except ValidationError as exc:
                errors[name] = [exc]
        if self.day is not None and self.day > LAST_DAY:
            errors["day"] = [ValidationError(_("Kies een dag van 0 tot en met 90."), code="day")]
        if self.kind != self.Kind.TASK and self.condition:
            errors["condition"] = [
                ValidationError(_("Een voorwaarde kan alleen bij een taak voor de coach."), code="condition")
            ]
        elif for_lead and self.condition:
            errors["condition"] = [
                ValidationError(_("Een voorwaarde over bezoeken past alleen bij leden."), code="condition")
            ]
        if self.template and self.kind != self.Kind.WHATSAPP:
            errors["template"] = [
                ValidationError(
                    _("Een WhatsApp-sjabloon hoort alleen bij een WhatsApp-bericht."), code="template"
                )
            ]
        if self.kind != self.Kind.TASK and not self.text.strip():
            errors["text"] = [ValidationError(_("Een bericht heeft een tekst nodig."), code="required")]
        if errors:
            raise ValidationError(errors)

    @property
    def is_task(self) -> bool:
        return self.kind == self.Kind.TASK

    @property
    def for_lead(self) -> bool:
        """A step of a lead sequence: its version's playbook says so, or the editor did for a new one."""
        if self.lead_sequence is not None:
            return self.lead_sequence
        return bool(self.version_id and self.version.playbook.sequence)


class StopReason(models.TextChoices):
    """Why a lead's sequence stopped: the first sign that a person, not a sequence, should carry on."""

    REPLIED = "replied", _("de lead reageerde")
    BOOKED = "booked", _("de lead plande een gesprek")
    SAID_NO = "said_no", _("de lead zei nee (verloren)")
    MEMBER = "member", _("de lead werd lid")
    CAME_BACK = "came_back", _("de lead vroeg opnieuw iets aan")
    ERASED = "erased", _("de gegevens zijn gewist")


class Run(StudioOwned):
    """One member following a program's playbook from an enrolment, or one lead following a sequence.

    Exactly one of the two: an enrolment (and its member), or a lead (and the sequence, once per lead).
    """

    enrolment = models.OneToOneField(
        "programs.Enrolment", on_delete=models.CASCADE, related_name="+", null=True, blank=True
    )
    member = models.ForeignKey(
        "programs.Member", on_delete=models.CASCADE, related_name="+", null=True, blank=True
    )
    lead = models.ForeignKey(
        "leads.Lead",
        on_delete=models.CASCADE,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("lead"),
    )
    sequence = models.CharField(
        _("opvolging"), max_length=16, choices=Sequence.choices, blank=True, default=""
    )
    version = models.ForeignKey(PlaybookVersion, on_delete=models.PROTECT, related_name="+")
    # Day 0 of the touchpoints: the enrolment's start, the day a lead came in, the no-show, the check-in.
    starts_on = models.DateField(_("dag 0"))
    # For a lead: the moment its cause happened (captured, no-show recorded, found quiet); a reply from then on
    # stops the sequence.
    started_at = models.DateTimeField(_("gestart"), default=clock.now)
    stopped_at = models.DateTimeField(_("gestopt"), null=True, blank=True)
    stop_reason = models.CharField(_("gestopt omdat"), max_length=16, choices=StopReason.choices, blank=True)

    class Meta:
        verbose_name = _("doorloop van een playbook")
        verbose_name_plural = _("doorlopen van playbooks")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(enrolment__isnull=False, member__isnull=False, lead__isnull=True, sequence="")
                    | (Q(enrolment__isnull=True, member__isnull=True, lead__isnull=False) & ~Q(sequence=""))
                ),
                name="run_follows_an_enrolment_or_a_lead",
            ),
            models.UniqueConstraint(
                fields=["lead", "sequence"],
                condition=Q(lead__isnull=False),
                name="run_once_per_lead_and_sequence",
            ),
        ]

    def __str__(self) -> str:
        return f"run {self.enrolment_id or self.sequence} v{self.version_id}"


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
        # A lead's sequence stopped: every StopReason, with the same value, skips what was still to come.
        REPLIED = "replied", _("Niet nodig: de lead reageerde")
        BOOKED = "booked", _("Niet nodig: de lead plande een gesprek")
        SAID_NO = "said_no", _("Niet nodig: de lead zei nee (verloren)")
        MEMBER = "member", _("Niet nodig: de lead werd lid")
        CAME_BACK = "came_back", _("Niet nodig: de lead vroeg opnieuw iets aan")
        ERASED = "erased", _("Niet nodig: de gegevens zijn gewist")

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
                    "Niet geteld: de studio legt personal training (nog) niet vast onder Rooster → PT, dus "
                    "bezoeken in de eerste %(day)s dagen zijn hier niet te zien."
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
