"""Progress: what a studio measures (kinds), what was measured for a member, and the targets a coach set."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vollegym.core import clock
from vollegym.core.tenancy import StudioOwned
from vollegym.progress.units import plain


class Direction(models.TextChoices):
    LOWER = "lower", _("lager is beter")
    HIGHER = "higher", _("hoger is beter")


class Moment(models.TextChoices):
    START = "start", _("Start")
    HALFWAY = "halfway", _("Halverwege")
    END = "end", _("Einde")
    OTHER = "other", _("Tussendoor")


class MeasurementKind(StudioOwned):
    """Something the studio measures, in one unit, with the direction that counts as progress.

    Archived kinds are not offered for new measurements; their old values stay and are still shown.
    """

    name = models.CharField(_("naam"), max_length=80)
    unit = models.CharField(_("eenheid"), max_length=24)
    direction = models.CharField(_("richting"), max_length=8, choices=Direction.choices)
    # The range a value must lie in (a typo such as 8,5 kg or 850 kg is refused, with the range in the error).
    low = models.DecimalField(_("laagste waarde"), max_digits=9, decimal_places=2)
    high = models.DecimalField(_("hoogste waarde"), max_digits=9, decimal_places=2)
    position = models.PositiveSmallIntegerField(default=0)
    archived_at = models.DateTimeField(_("gearchiveerd"), null=True, blank=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("soort meting")
        verbose_name_plural = _("soorten metingen")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["studio", "name"], name="measurementkind_unique_name"),
            models.CheckConstraint(condition=Q(low__lt=models.F("high")), name="measurementkind_range"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.unit})"

    def better(self, value: Decimal, than: Decimal) -> bool:
        """Whether `value` is at least as good as `than` in this kind's direction."""
        return value <= than if self.direction == Direction.LOWER else value >= than


class Measurement(StudioOwned):
    """One value measured for a person on a day. Health data (AVG special category): kept only with consent."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    kind = models.ForeignKey(MeasurementKind, on_delete=models.PROTECT, related_name="measurements")
    value = models.DecimalField(_("waarde"), max_digits=9, decimal_places=2)
    measured_on = models.DateField(_("datum"))
    moment = models.CharField(_("moment"), max_length=8, choices=Moment.choices, default=Moment.OTHER)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("meting")
        verbose_name_plural = _("metingen")
        ordering = ["measured_on", "id"]
        indexes = [
            models.Index(fields=["studio", "person", "kind", "measured_on"], name="measurement_series")
        ]

    def __str__(self) -> str:
        return f"{self.kind_id} {self.value} {self.measured_on}"

    @property
    def shown(self) -> Decimal:
        return plain(self.value)


class ProgressTarget(StudioOwned):
    """A target a coach set with a member for one kind (taille 85 cm); reached once, and then congratulated once."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    kind = models.ForeignKey(MeasurementKind, on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(_("doel"), max_digits=9, decimal_places=2)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)
    reached_at = models.DateTimeField(_("gehaald"), null=True, blank=True)
    reached_value = models.DecimalField(
        _("gehaald met"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    # A new target for the same kind replaces this one; the old row stays as history.
    replaced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("doel")
        verbose_name_plural = _("doelen")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind"],
                condition=Q(replaced_at__isnull=True),
                name="progresstarget_one_current",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind_id} → {self.value}"

    @property
    def shown(self) -> Decimal:
        return plain(self.value)
