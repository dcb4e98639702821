"""Writes of privacy rights: export one person's data, erase it everywhere, log the request and every access.

Each app keeps a `privacy` module that knows its own tables (`export`, `refs`, `erase`): this module asks all of
them, so a new app with personal data adds its module and is part of every export and erasure from then on.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Max, Q

from vollegym.core import clock
from vollegym.core.appmodules import app_modules
from vollegym.people.events import PersonErased, event_record
from vollegym.people.models import AuditEntry, Person, PrivacyRequest, PrivacySettings
from vollegym.studios.models import Studio, User

# The AVG gives a month to answer a request.
ANSWER_WITHIN = timedelta(days=30)


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def audit_record(
    *, action: str, user: User | None, studio: Studio | int | None = None, person: Person | None = None,
    detail: str = "", address: str = "",
) -> AuditEntry:  # fmt: skip
    """Appends one line to the audit log; `detail` names what was touched without personal data."""
    studio_id = studio if isinstance(studio, int) or studio is None else studio.pk
    ip_hash = hashlib.sha256(f"{settings.SECRET_KEY}:{address}".encode()).hexdigest() if address else ""
    return AuditEntry.objects.create(
        studio_id=studio_id, user=user, action=action, person=person, detail=detail[:200], ip_hash=ip_hash
    )


def privacy_request_open(*, person: Person, kind: str, by: User | None, note: str = "") -> PrivacyRequest:
    """Logs a person's request with the date by which the law wants an answer."""
    now = clock.now()
    return PrivacyRequest.objects.create(
        studio_id=person.studio_id, person=person, kind=kind, by=by, note=note[:200], received_at=now,
        due_on=clock.local(now + ANSWER_WITHIN, person.studio.zone).date(),
    )  # fmt: skip


@transaction.atomic
def privacy_request_close(*, request: PrivacyRequest, by: User | None) -> PrivacyRequest:
    """Marks a request answered (an access request answered by phone, say); the log keeps who and when."""
    _done(request)
    audit_record(action=AuditEntry.Action.CHANGED, user=by, studio=request.studio_id, person=request.person,
                 detail=f"privacyverzoek {request.pk} afgehandeld")  # fmt: skip
    return request


def _done(request: PrivacyRequest | None) -> None:
    if request is not None and request.status == PrivacyRequest.Status.OPEN:
        request.status, request.done_at = PrivacyRequest.Status.DONE, clock.now()
        request.save(update_fields=["status", "done_at"])


def consent_withdrawn_data(*, person: Person, purpose: str) -> int:
    """What a withdrawn consent covered goes with it (health answers when health data is withdrawn), in every app
    whose privacy module knows such data; returns how many rows were cleaned."""
    return sum(
        module.withdraw(person, purpose) for module in app_modules("privacy") if hasattr(module, "withdraw")
    )


def person_export(
    *, person: Person, by: User | None, request: PrivacyRequest | None = None
) -> dict[str, Any]:
    """Everything the studio keeps about one person, as data (AVG art. 15 and 20); the export itself is audited."""
    data: dict[str, Any] = {
        "studio": person.studio.name,
        "exported_at": _iso(clock.now()),
        "person": {
            "name": person.name, "email": person.email, "phone": person.phone,
            "phone_as_given": person.phone_as_given, "language": person.language,
            "known_since": _iso(person.created_at), "erased_at": _iso(person.erased_at),
        },
    }  # fmt: skip
    for module in app_modules("privacy"):
        data.update(module.export(person))
    with transaction.atomic():
        audit_record(action=AuditEntry.Action.EXPORTED, user=by, studio=person.studio_id, person=person)
        _done(request)
    return data


@dataclass(frozen=True)
class Erased:
    person_id: int
    rows: int


@transaction.atomic
def person_erase(
    *, person: Person, by: User | None, request: PrivacyRequest | None = None, reason: str = ""
) -> Erased:
    """Removes a person's name, addresses and free text from every place (AVG art. 17); rows stay for the counts.

    What the law makes us keep (invoices, once there are payments) keeps only what the law requires.
    """
    person = Person.objects.for_studio(person.studio_id).select_for_update().get(pk=person.pk)
    modules = list(app_modules("privacy"))
    refs: set[str] = set()
    for module in modules:
        refs |= module.refs(person)
    rows = sum(module.erase(person, refs) for module in modules)
    _scrub_admin_log(person)
    person.name = person.email = person.phone = person.phone_as_given = ""
    person.erased_at, person.last_inbound_at = clock.now(), None
    person.save()
    event_record(
        studio=person.studio_id, person=person, by=by,
        event=PersonErased(request_id=request.pk if request else None),
    )  # fmt: skip
    audit_record(
        action=AuditEntry.Action.ERASED,
        user=by,
        studio=person.studio_id,
        person=person,
        detail=reason or "op verzoek",
    )
    _done(request)
    return Erased(person.pk, rows)


def _scrub_admin_log(person: Person) -> None:
    """Django's admin history names the objects it changed; for this person's rows it keeps no name."""
    from django.apps import apps

    for label in ("people.Person", "leads.Lead", "programs.Member", "messaging.Message"):
        model = apps.get_model(label)
        ids = (
            [person.pk]
            if label == "people.Person"
            else list(model.all_studios.filter(person=person).values_list("pk", flat=True))
        )
        if ids:
            LogEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(model), object_id__in=[str(i) for i in ids]
            ).update(object_repr="—", change_message="")


def privacy_settings_for(studio: Studio | int) -> PrivacySettings:
    studio_id = studio if isinstance(studio, int) else studio.pk
    found = PrivacySettings.objects.for_studio(studio_id).first()
    if found is None:
        found, _created = PrivacySettings.objects.for_studio(studio_id).get_or_create(studio_id=studio_id)
    return found


@transaction.atomic
def privacy_settings_update(
    *, studio: Studio, lead_months: int, raw_delivery_days: int, by: User
) -> PrivacySettings:
    """Sets how long the studio keeps leads that never became members, and raw deliveries."""
    config = privacy_settings_for(studio)
    config.lead_months, config.raw_delivery_days = lead_months, raw_delivery_days
    config.full_clean()
    config.save()
    audit_record(action=AuditEntry.Action.CHANGED, user=by, studio=studio, detail="bewaartermijnen")
    return config


def retention_candidates(studio_id: int, now: datetime) -> list[int]:
    """People never a member whose last lead came in longer ago than the studio keeps them, not yet erased."""
    from django.apps import apps

    config = privacy_settings_for(studio_id)
    cutoff = now - timedelta(days=30 * config.lead_months)
    Lead = apps.get_model("leads", "Lead")
    Member = apps.get_model("programs", "Member")
    members = Member.objects.for_studio(studio_id).values("person_id")
    # The latest change, not the latest lead: asking again while a lead is open updates that lead.
    recent = Lead.objects.for_studio(studio_id).values("person_id").annotate(last=Max("updated_at"))
    stale = [row["person_id"] for row in recent if row["last"] < cutoff]
    keep = set(members.values_list("person_id", flat=True))
    return [
        pk
        for pk in Person.objects.for_studio(studio_id)
        .filter(pk__in=stale, erased_at__isnull=True)
        .values_list("pk", flat=True)
        if pk not in keep
    ]


def retention_sweep(*, now: datetime | None = None, limit: int = 200) -> int:
    """Anonymises what a studio no longer keeps: old leads that never became members, processed raw deliveries."""
    from django.apps import apps

    now = now or clock.now()
    InboundEvent = apps.get_model("leads", "InboundEvent")
    done = 0
    for studio_id in Studio.objects.values_list(
        "pk", flat=True
    ):  # a studio switched off keeps no data longer
        config = privacy_settings_for(studio_id)
        done += (
            InboundEvent.objects.for_studio(studio_id)
            .filter(
                ~Q(payload={"purged": True}),
                status__in=["processed", "failed"],  # a failed body may hold a person too
                processed_at__lt=now - timedelta(days=config.raw_delivery_days),
            )
            .update(payload={"purged": True})
        )
        for person_id in retention_candidates(studio_id, now)[:limit]:
            person = Person.objects.for_studio(studio_id).get(pk=person_id)
            person_erase(person=person, by=None, reason=f"bewaartermijn van {config.lead_months} maanden")
            done += 1
    return done
