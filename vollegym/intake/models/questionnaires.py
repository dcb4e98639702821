"""Questionnaires per studio, versioned; and each prospect's answers against the version they answered."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vollegym.core import clock
from vollegym.core.tenancy import StudioOwned
from vollegym.intake.definition import Definition


def new_token() -> str:
    return secrets.token_urlsafe(24)


class Questionnaire(StudioOwned):
    class Kind(models.TextChoices):
        PT = "pt", _("Personal training")
        SMALL_GROUP = "small_group", _("Small group training")
        AGENCY = "agency", _("Studio-eigenaren (bureau)")

    name = models.CharField(_("naam"), max_length=120)
    kind = models.CharField(_("soort"), max_length=16, choices=Kind.choices)
    is_active = models.BooleanField(_("in gebruik"), default=True)
    created_at = models.DateTimeField(_("aangemaakt"), default=clock.now)

    class Meta:
        verbose_name = _("vragenlijst")
        verbose_name_plural = _("vragenlijsten")

    def __str__(self) -> str:
        return self.name


class QuestionnaireVersion(StudioOwned):
    """One published state of a questionnaire; never changed once answered, a change makes a new version."""

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="+")
    number = models.PositiveIntegerField(_("versie"))
    definition = models.JSONField(_("inhoud"))
    created_at = models.DateTimeField(_("aangemaakt"), default=clock.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("versie van een vragenlijst")
        verbose_name_plural = _("versies van vragenlijsten")
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "number"], name="questionnaireversion_unique_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire_id} v{self.number}"

    @property
    def content(self) -> Definition:
        return Definition.model_validate(self.definition)


class IntakeResponse(StudioOwned):
    """A prospect's way through the intake: started at the contact step, so an abandoned intake still counts."""

    class Temperature(models.TextChoices):
        HOT = "hot", _("Heet")
        WARM = "warm", _("Warm")
        COLD = "cold", _("Koud")

    version = models.ForeignKey(QuestionnaireVersion, on_delete=models.RESTRICT, related_name="+")
    lead = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64, unique=True, default=new_token)
    answers = models.JSONField(default=dict, blank=True)
    step = models.CharField(_("stap"), max_length=40, default="contact")
    score = models.IntegerField(_("score"), default=0)
    temperature = models.CharField(
        _("temperatuur"), max_length=8, choices=Temperature.choices, default="cold"
    )
    disqualified = models.BooleanField(_("gemarkeerd"), default=False)
    reasons = models.JSONField(_("redenen"), default=list, blank=True)
    # Health answers that ask for the huisarts first; kept only with health consent, like every health answer.
    health_flags = models.JSONField(_("eerst naar de huisarts"), default=list, blank=True)
    ip_hash = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(_("begonnen"), default=clock.now)
    updated_at = models.DateTimeField(_("bijgewerkt"), auto_now=True)
    completed_at = models.DateTimeField(_("afgerond"), null=True, blank=True)

    class Meta:
        verbose_name = _("ingevulde intake")
        verbose_name_plural = _("ingevulde intakes")
        # The intakes finished in a period: the overview's weeks, the agency's portfolio (each studio's range).
        indexes = [models.Index(fields=["studio", "completed_at"], name="intake_completed")]

    def __str__(self) -> str:
        return f"Intake {self.pk} ({self.lead_id})"
