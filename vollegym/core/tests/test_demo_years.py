"""`vollegym demo` tells three years of history: a studio that grew, with members who stayed from its first year, and
the numbers pages read all of it. One test only: three years take a while to load (the other demo tests load one)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import Min

from vollegym.core import clock
from vollegym.core.management.commands.demo import load_demo_data
from vollegym.core.testing import client_for
from vollegym.leads.models import Lead
from vollegym.programs.models import Enrolment
from vollegym.schedule.models import SessionBooking
from vollegym.studios.demo import OWNER_EMAIL
from vollegym.studios.models import Studio, User

pytestmark = pytest.mark.django_db


def test_three_years_of_demo_history_reach_back_to_the_first_year_and_onto_the_cohorts_page() -> None:
    load_demo_data(years=3)
    studio = Studio.objects.get(slug="demo")
    now = clock.now()
    today = clock.local(now, studio.zone).date()

    def year(n: int) -> tuple[timedelta, timedelta]:
        return timedelta(days=365 * (n + 1)), timedelta(days=365 * n)

    # Leads in each of the three years, fewer the longer ago: the studio grew.
    leads = Lead.objects.for_studio(studio).real()
    per_year = [
        leads.filter(created_at__gte=now - older, created_at__lt=now - newer).count()
        for older, newer in map(year, range(3))
    ]
    assert all(per_year) and per_year[2] < per_year[1] < per_year[0], per_year

    # Members who joined more than two years ago and are members today.
    enrolments = Enrolment.objects.for_studio(studio).exclude(status=Enrolment.Status.STOPPED)
    joined = dict(
        enrolments.values("member_id").annotate(first=Min("starts_on")).values_list("member_id", "first")
    )
    today_members = set(
        enrolments.filter(starts_on__lte=today, ends_on__gte=today).values_list("member_id", flat=True)
    )
    stayed = [m for m in today_members if joined[m] < today - timedelta(days=730)]
    assert len(stayed) >= 3, stayed

    # The earliest year has its attendance.
    older, newer = year(2)
    attended = SessionBooking.objects.for_studio(studio).filter(
        status=SessionBooking.Status.ATTENDED,
        session__starts_at__gte=now - older,
        session__starts_at__lt=now - newer,
    )
    assert attended.count() > 100

    # The members page: cohorts of every month of the three years, the earliest followed for two years and more,
    # and revenue in the months of the earliest year.
    owner = User.objects.get(email=OWNER_EMAIL)
    response = client_for(owner).get(f"/app/{studio.slug}/cijfers/leden/")
    assert response.status_code == 200
    cohorts = [cohort for cohort, _cells in response.context["cohort_rows"]]
    months = sorted(cohort.month for cohort in cohorts if cohort.size)
    assert len(months) >= 30 and months[0] <= today - timedelta(days=31 * 33), months[:3]
    assert any(len(c.survival) > 24 and (c.survival[24] or 0) > 0 for c in cohorts)
    report = response.context["report"]
    earliest_year = [row for row in report.months if row.month < today - newer]
    assert earliest_year and all(row.revenue_cents > 0 for row in earliest_year)
    assert report.months[-1].at_end > 2 * earliest_year[0].at_start  # and it grew
