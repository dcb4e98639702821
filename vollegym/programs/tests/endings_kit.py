"""Builders for the tests of how runs end: programs and memberships, members enrolled on a fixed day.

The clock of these tests: the studio's programs take their first price on Monday 5 January 2026; members enrol on
the day their run starts unless said otherwise.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

import time_machine

from vollegym.core.testing import make_lead
from vollegym.leads.models import Stage
from vollegym.programs.models import Enrolment, Program
from vollegym.programs.services import enrolment_create, program_create
from vollegym.studios.models import Studio

PRICES_FROM = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def at(day: date, hour: int = 10) -> datetime:
    """A moment on a day, in UTC (10:00 UTC is 11:00 or 12:00 in Amsterdam: the same day)."""
    return datetime.combine(day, time(hour, 0), tzinfo=UTC)


def program(
    studio: Studio,
    *,
    name: str = "Transformatie 12 weken",
    weeks: int = 12,
    price_cents: int = 119500,
    kind: str = Program.Kind.PROGRAM,
    format: str = Program.Format.SMALL_GROUP,
    **fields: Any,
) -> Program:
    with time_machine.travel(PRICES_FROM, tick=False):
        return program_create(
            studio=studio, price_cents=price_cents,
            program=Program(name=name, weeks=weeks, kind=kind, format=format, sessions_per_week=2, **fields),
        )  # fmt: skip


def membership(studio: Studio, *, weeks: int = 4, price_cents: int = 13900, **fields: Any) -> Program:
    return program(
        studio, name="Small group lidmaatschap", weeks=weeks, price_cents=price_cents,
        kind=Program.Kind.MEMBERSHIP, **fields,
    )  # fmt: skip


def enrol(
    studio: Studio,
    offer: Program,
    starts_on: date,
    *,
    name: str = "Eva de Boer",
    signed_on: date | None = None,
    at_distance: bool = False,
) -> Enrolment:
    """A won lead enrolled in `offer` from `starts_on`, agreed on `signed_on` (the start unless said otherwise)."""
    lead = make_lead(
        studio, name=name, email=f"{name.split()[0].lower()}@example.nl", phone="0612345678", stage=Stage.WON
    )
    with time_machine.travel(at(signed_on or starts_on), tick=False):
        return enrolment_create(
            lead=lead, program=offer, starts_on=starts_on, by=None, at_distance=at_distance
        )


def runs(enrolment: Enrolment) -> list[Enrolment]:
    """The member's runs, first to last."""
    return list(
        Enrolment.objects.for_studio(enrolment.studio_id)
        .filter(member_id=enrolment.member_id)
        .order_by("starts_on", "id")
    )
