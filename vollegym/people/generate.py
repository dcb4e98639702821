"""Benchmark data of the people app (`vollegym generate`): everyone the studio knows, and the domain events the
other apps' writers record with their rows."""

from __future__ import annotations

from datetime import datetime

from vollegym.core.generator.run import Generation
from vollegym.people.events import Event
from vollegym.people.models import DomainEvent, Person


def write(gen: Generation) -> None:
    people = gen.create(
        Person,
        (
            Person(
                studio=gen.studio, name=p.name, email=p.email, phone=p.phone, phone_as_given="0" + p.phone[3:],
                created_at=p.created_at,
            )
            for p in gen.plan.people
        ),
    )  # fmt: skip
    gen.keep("person", people)


def event_row(gen: Generation, event: Event, *, at: datetime, person: int | None = None) -> DomainEvent:
    """One event as the services write it (people/events.py), for a bulk insert; `person` indexes the plan's people."""
    return DomainEvent(
        studio=gen.studio, kind=event.kind, version=event.version, lead_id=getattr(event, "lead_id", None), at=at,
        person_id=None if person is None else gen.ids["person"][person], payload=event.model_dump(mode="json"),
    )  # fmt: skip
