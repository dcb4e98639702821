"""The owners' weekly summary: Monday morning on the studio's clock, once per owner and week whatever the workers
do, last week's figures, and one tip from the step furthest below its reference rate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from vollegym.analytics.weekly import weakest_step, weekly_summaries
from vollegym.core.testing import Cast, make_lead
from vollegym.messaging.models import Message

pytestmark = pytest.mark.django_db

MONDAY_8 = datetime(2026, 11, 9, 7, 0, tzinfo=UTC)  # 08:00 in Amsterdam


def slow_leads(cast: Cast, n: int = 12) -> None:
    for i in range(n):
        created = MONDAY_8 - timedelta(days=10 + i)
        make_lead(
            cast.studio, name=f"Lead {i}", created_at=created, first_contact_at=created + timedelta(hours=3)
        )


def summaries(cast: Cast):
    return Message.objects.for_studio(cast.studio).filter(purpose="weekly_summary")


def test_monday_morning_once_per_owner_with_figures_and_the_weakest_step(cast: Cast) -> None:
    slow_leads(cast)
    for moment in (
        MONDAY_8 - timedelta(days=1),
        MONDAY_8 - timedelta(hours=2),
        MONDAY_8 + timedelta(hours=6),
    ):
        with time_machine.travel(moment, tick=False):
            assert weekly_summaries() == 0  # Sunday, before 07:00, after noon
    with time_machine.travel(MONDAY_8, tick=False):
        assert weekly_summaries() == 2  # each studio's owner
        assert weekly_summaries() == 0  # a second worker, the same morning
    with time_machine.travel(MONDAY_8 + timedelta(hours=1), tick=False):
        assert weekly_summaries() == 0
    mail = summaries(cast).get()
    assert mail.to == cast.owner.email and mail.channel == "email" and mail.to_user == cast.owner
    assert "Kracht Utrecht" in mail.subject
    assert "Zo ging vorige week (2 november – 8 november)" in mail.body
    assert "Nieuwe leads:" in mail.body and "Mediane reactietijd:" in mail.body
    assert "leads binnen het uur persoonlijk gesproken (0% van de 12; wij mikken op 90%)" in mail.body
    assert "Beantwoord elke lead binnen het uur" in mail.body
    assert f"/app/{cast.studio.slug}/" in mail.body
    with time_machine.travel(MONDAY_8 + timedelta(days=7), tick=False):
        assert weekly_summaries() == 2  # the next week
    assert summaries(cast).count() == 2
    # The other studio has an owner too and got its own summary, not this one's figures.
    other = Message.objects.for_studio(cast.other_studio).get(
        purpose="weekly_summary", key__contains="2026-W46"
    )
    assert other.to == cast.outsider.email and "Kracht Utrecht" not in other.subject


def test_too_few_people_give_no_tip(cast: Cast) -> None:
    slow_leads(cast, n=4)
    with time_machine.travel(MONDAY_8, tick=False):
        assert weakest_step(cast.studio, now=MONDAY_8) is None
        weekly_summaries()
    assert "Geen stap blijft achter" in summaries(cast).get().body


def test_the_weakest_is_the_furthest_below_its_rate(cast: Cast) -> None:
    slow_leads(cast, n=6)
    for i in range(6):  # half answered in ten minutes: 50% against 90%
        created = MONDAY_8 - timedelta(days=20 + i)
        make_lead(
            cast.studio,
            name=f"Quick {i}",
            created_at=created,
            first_contact_at=created + timedelta(minutes=10),
        )
    with time_machine.travel(MONDAY_8, tick=False):
        weakest = weakest_step(cast.studio, now=MONDAY_8)
    # 12 leads, none booked a conversation (0% against 35%) is further below than 50% against 90%.
    assert weakest is not None and weakest.step.key == "booked" and weakest.count == 12
