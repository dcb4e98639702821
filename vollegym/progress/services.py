"""Writes about progress: the studio's kinds, a member's measurements (only with consent), targets and milestones."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from vollegym.core import clock
from vollegym.messaging.models import Message
from vollegym.messaging.services import message_queue
from vollegym.people.events import ProgressTargetReached, event_record
from vollegym.people.models import How, Person, Purpose
from vollegym.people.selectors import consent_state
from vollegym.people.services import consent_record
from vollegym.progress.models import Direction, Measurement, MeasurementKind, Moment, ProgressTarget
from vollegym.progress.units import DEFAULT_KINDS, UNITS, plain
from vollegym.studios.models import Studio, User

# The exact words the member agrees to, kept in the consent ledger with their yes (AVG art. 9: explicit consent).
CONSENT_WORDING = (
    "Ik geef {studio} toestemming om metingen van mijn lichaam en conditie (zoals gewicht, omvang, vetpercentage, "
    "rusthartslag en testresultaten) vast te leggen om mijn voortgang te volgen. Dit zijn gezondheidsgegevens. "
    "Ik kan deze toestemming altijd intrekken; dan worden mijn metingen gewist."
)
CONSENT_VERSION = "metingen-1"


class ProgressError(ValueError):
    """A progress change that cannot be made; the message says why, and `kind_id` which value when it is one."""

    def __init__(self, message: str, kind_id: int | None = None) -> None:
        super().__init__(message)
        self.kind_id = kind_id


def consent_wording(studio: Studio) -> str:
    return CONSENT_WORDING.format(studio=studio.name)


def measurement_consent(person: Person) -> bool:
    """Whether the person's latest word on measurements is yes (never asked or withdrawn is no)."""
    return consent_state(person, person.studio_id)[Purpose.MEASUREMENTS] is True


def measurement_consent_record(*, person: Person, by: User) -> None:
    """The member said yes to measurements, to the coach: their yes goes in the ledger with the exact words."""
    consent_record(
        person=person, purpose=Purpose.MEASUREMENTS, given=True, how=How.STAFF, by=by, source="metingen",
        wording=consent_wording(person.studio), wording_version=CONSENT_VERSION, unless_standing=True,
    )  # fmt: skip


def kinds_install(*, studio: Studio) -> list[MeasurementKind]:
    """The default kinds for a studio that has none yet (archived ones count: a studio that archived all keeps that)."""
    kinds = MeasurementKind.objects.for_studio(studio)
    if kinds.exists():
        return list(kinds.filter(archived_at__isnull=True))
    try:
        with transaction.atomic():
            MeasurementKind.objects.bulk_create(
                MeasurementKind(studio=studio, name=name, unit=unit, direction=direction, low=low, high=high,
                                position=n)
                for n, (name, unit, direction, low, high) in enumerate(DEFAULT_KINDS)
            )  # fmt: skip
    except IntegrityError:  # installed at the same moment by another request
        pass
    return list(MeasurementKind.objects.for_studio(studio).filter(archived_at__isnull=True))


def _clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise ProgressError(_("Geef de meting een naam."))
    if len(name) > 80:
        raise ProgressError(_("Een naam van hoogstens 80 tekens."))
    return name


def _name_free(studio: Studio | int, name: str, *, but: int | None = None) -> None:
    taken = MeasurementKind.objects.for_studio(studio).filter(name__iexact=name)
    if but is not None:
        taken = taken.exclude(pk=but)
    if taken.exists():
        raise ProgressError(_("Er is al een meting met deze naam."))


@transaction.atomic
def kind_add(*, studio: Studio, name: str, unit: str, direction: str) -> MeasurementKind:
    """The owner adds a kind of their own: a unit from the list (its range keeps values sane) and a direction."""
    name = _clean_name(name)
    if unit not in UNITS:
        raise ProgressError(_("Kies een eenheid uit de lijst."))
    if direction not in Direction.values:
        raise ProgressError(_("Kies of hoger of lager beter is."))
    _name_free(studio, name)
    _label, low, high = UNITS[unit]
    last = MeasurementKind.objects.for_studio(studio).aggregate(n=Max("position"))["n"]
    kind = MeasurementKind(
        studio=studio, name=name, unit=unit, direction=direction, low=low, high=high,
        position=0 if last is None else last + 1,
    )  # fmt: skip
    kind.full_clean()
    kind.save()
    return kind


@transaction.atomic
def kind_rename(*, kind: MeasurementKind, name: str) -> MeasurementKind:
    """A new name for a kind; its measurements stay with it (the unit does not change, so old values stay true)."""
    name = _clean_name(name)
    _name_free(kind.studio_id, name, but=kind.pk)
    kind.name = name
    kind.full_clean()
    kind.save(update_fields=["name"])
    return kind


@transaction.atomic
def kind_archive(*, kind: MeasurementKind, archived: bool) -> MeasurementKind:
    """Archived kinds are no longer offered; their values stay and still show. Brought back the same way."""
    kind.archived_at = clock.now() if archived else None
    kind.save(update_fields=["archived_at"])
    return kind


@dataclass(frozen=True)
class Reading:
    """One value to record: the kind and the number (already read from the Dutch way of typing it)."""

    kind: MeasurementKind
    value: Decimal


def _check_range(reading: Reading) -> None:
    kind = reading.kind
    if not kind.low <= reading.value <= kind.high:
        raise ProgressError(
            _("%(name)s ligt tussen %(low)s en %(high)s %(unit)s; controleer de waarde.")
            % {"name": kind.name, "low": number_format(plain(kind.low)), "unit": kind.unit,
               "high": number_format(plain(kind.high))},
            kind_id=kind.pk,
        )  # fmt: skip


@transaction.atomic
def measurements_record(
    *,
    studio: Studio,
    person: Person,
    readings: list[Reading],
    measured_on: date,
    moment: str,
    by: User | None,
) -> list[Measurement]:
    """Stores a member's measurements of one day; refused without their consent, outside a kind's range, or later
    than today. A value that reaches a target congratulates the member (once per target)."""
    if person.studio_id != studio.pk:
        raise ProgressError(_("Deze persoon hoort niet bij deze studio."))
    if not measurement_consent(person):
        raise ProgressError(_("Zonder toestemming van het lid leggen we geen metingen vast."))
    if not readings:
        raise ProgressError(_("Vul minstens één meting in."))
    if moment not in Moment.values:
        raise ProgressError(_("Kies een moment uit de lijst."))
    if measured_on > clock.today(studio.zone):
        raise ProgressError(_("Een meting kan niet in de toekomst liggen."))
    for reading in readings:
        if reading.kind.studio_id != studio.pk:
            raise ProgressError(_("Deze meting hoort niet bij deze studio."))
        if reading.kind.archived_at is not None:
            raise ProgressError(
                _("%(name)s is gearchiveerd.") % {"name": reading.kind.name}, kind_id=reading.kind.pk
            )
        _check_range(reading)
    stored = []
    for reading in readings:
        measurement = Measurement(
            studio=studio, person=person, kind=reading.kind, value=reading.value, measured_on=measured_on,
            moment=moment, recorded_by=by,
        )  # fmt: skip
        measurement.full_clean()
        measurement.save()
        stored.append(measurement)
        _milestone(measurement)
    return stored


def _milestone(measurement: Measurement) -> None:
    """The current target of this kind is reached by this value: marked, an event, and one message to the member."""
    target = (
        ProgressTarget.objects.for_studio(measurement.studio_id)
        .select_for_update()
        .filter(person_id=measurement.person_id, kind=measurement.kind, replaced_at__isnull=True,
                reached_at__isnull=True)
        .first()
    )  # fmt: skip
    if target is None or not measurement.kind.better(measurement.value, target.value):
        return
    now = clock.now()
    target.reached_at, target.reached_value = now, measurement.value
    target.save(update_fields=["reached_at", "reached_value"])
    person = measurement.person
    event_record(
        studio=measurement.studio_id, person=person, by=measurement.recorded_by, at=now,
        event=ProgressTargetReached(target_id=target.pk, kind_id=measurement.kind_id, measurement_id=measurement.pk),
    )  # fmt: skip
    studio = measurement.studio
    message_queue(
        studio=studio, channel=Message.Channel.EMAIL, person=person, purpose="progress_milestone",
        key=f"progress-target:{target.pk}:reached", ref=f"progress-target:{target.pk}", reply_to=studio.email,
        subject=_("Doel gehaald: %(kind)s") % {"kind": measurement.kind.name},
        body=render_to_string("progress/mail/milestone.txt", {
            "first_name": (person.name.split() or [""])[0], "studio": studio, "kind": measurement.kind,
            "value": plain(measurement.value), "target": plain(target.value),
        }),
    )  # fmt: skip


@transaction.atomic
def target_set(
    *, studio: Studio, person: Person, kind: MeasurementKind, value: Decimal, by: User
) -> ProgressTarget:
    """The coach sets a member's target for one kind; it replaces the current one. A target the latest value
    already reached is refused: it would congratulate nobody for nothing."""
    if person.studio_id != studio.pk or kind.studio_id != studio.pk:
        raise ProgressError(_("Deze meting hoort niet bij deze studio."))
    if not measurement_consent(person):
        raise ProgressError(_("Zonder toestemming van het lid leggen we geen metingen vast."))
    _check_range(Reading(kind=kind, value=value))
    latest = (
        Measurement.objects.for_studio(studio)
        .filter(person=person, kind=kind)
        .order_by("-measured_on", "-id")
        .first()
    )
    if latest is not None and kind.better(latest.value, value):
        raise ProgressError(
            _("Dat doel is al gehaald: de laatste meting is %(value)s %(unit)s.")
            % {"value": number_format(plain(latest.value)), "unit": kind.unit},
            kind_id=kind.pk,
        )
    now = clock.now()
    ProgressTarget.objects.for_studio(studio).filter(
        person=person, kind=kind, replaced_at__isnull=True
    ).update(replaced_at=now)
    target = ProgressTarget(studio=studio, person=person, kind=kind, value=value, set_by=by, created_at=now)
    # The one-current-target constraint is the database's (its check in Python would query across studios).
    target.full_clean(validate_constraints=False)
    target.save()
    return target


def measurements_forget(*, person: Person) -> int:
    """Removes every measurement and target of a person (consent withdrawn, or the person erased)."""
    targets = ProgressTarget.objects.for_studio(person.studio_id).filter(person=person)
    removed = targets.count()
    targets.delete()
    measurements = Measurement.objects.for_studio(person.studio_id).filter(person=person)
    removed += measurements.count()
    measurements.delete()
    return removed
