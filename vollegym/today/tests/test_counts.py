"""The overview's counts of waiting work are COUNT queries, one per kind of work; each equals the length of the
Today list it stands for, for the owner (the whole studio) and for a coach (their own), on the demo's data and on a
studio with a year of generated history."""

from __future__ import annotations

import random

import pytest

from vollegym.core.generator.run import studio_generate
from vollegym.core.generator.spec import realistic
from vollegym.core.management.commands.demo import load_demo_data
from vollegym.studios.models import StaffMembership, Studio
from vollegym.today.selectors import day_counts, day_of

pytestmark = pytest.mark.django_db


def assert_counts_match_the_lists(studio: Studio) -> int:
    """Compares for the owner and for each coach; returns how much work there was, so the data is known to hold
    some."""
    seen = 0
    for staff in StaffMembership.objects.filter(studio=studio).select_related("user"):
        role, mine = str(staff.role), staff.role == StaffMembership.Role.COACH
        day = day_of(studio, staff.user, mine=mine, role=role)
        counts = day_counts(studio, staff.user, mine=mine, role=role)
        assert counts.late == day.late, staff
        assert counts.waiting == len(day.leads) - day.late, staff
        assert counts.lead_steps == len(day.lead_steps), staff
        assert counts.later_today == len(day.later_today), staff
        assert counts.to_record == len(day.to_record), staff
        assert counts.calls == day.calls, staff
        assert counts.steps == len(day.steps), staff
        assert counts.talks == len(day.talks), staff
        assert counts.rewards == len(day.rewards), staff
        assert counts.payments == len(day.payments), staff
        seen += (
            counts.late + counts.waiting + counts.lead_steps + counts.to_record + counts.calls + counts.steps
        )
    return seen


def test_the_counts_equal_the_today_lists_on_the_demo() -> None:
    load_demo_data()
    assert assert_counts_match_the_lists(Studio.objects.get(slug="demo")) > 0


def test_the_counts_equal_the_today_lists_on_a_generated_studio() -> None:
    spec = realistic(1, prefix="tel", rng=random.Random("counts"))
    generation, _seconds = studio_generate(spec, seed=7, years=1, password_hash="!")
    assert assert_counts_match_the_lists(generation.studio) > 0
