"""The demo's playbooks: members' and leads' runs as the sweep made them, open tasks and flags on the task page, the
follow-up table of the speed report, nothing added twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from vollegym.analytics.speed import speed_to_lead
from vollegym.core.management.commands.demo import load_demo_data
from vollegym.core.testing import client_for
from vollegym.messaging.models import Message
from vollegym.people.models import DomainEvent
from vollegym.retention.activation import activation_sweep
from vollegym.retention.models import ActivationCheck, Run, Sequence, Step, StopReason
from vollegym.retention.services import lead_runs_start, lead_runs_stop, runs_start, steps_carry_out
from vollegym.studios.models import StaffMembership, Studio

pytestmark = pytest.mark.django_db

# A Monday night in November, and a Wednesday afternoon before the clocks go forward.
MOMENTS = [datetime(2026, 11, 23, 2, 5, tzinfo=UTC), datetime(2026, 3, 25, 14, 0, tzinfo=UTC)]


def snapshot(studio: Studio) -> dict[str, object]:
    return {
        "runs": sorted(Run.objects.for_studio(studio).values_list("pk", "version_id")),
        "steps": sorted(Step.objects.for_studio(studio).values_list("pk", "status", "done_at")),
        "checks": sorted(ActivationCheck.objects.for_studio(studio).values_list("pk", "status")),
        "messages": Message.objects.for_studio(studio).filter(purpose__in=["onboarding", "followup"]).count(),
        "events": DomainEvent.objects.for_studio(studio).filter(kind__startswith="touchpoint.").count(),
    }


@pytest.mark.parametrize("moment", MOMENTS, ids=["monday-night", "before-dst"])
def test_the_demo_shows_open_tasks_done_tasks_and_flags_with_their_reasons(moment):
    with time_machine.travel(moment, tick=False):
        load_demo_data()
        studio = Studio.objects.get(slug="demo")
        now = moment
        steps = Step.objects.for_studio(studio).select_related("touchpoint")
        assert Run.objects.for_studio(studio).count() >= 5
        open_tasks = steps.filter(status=Step.Status.OPEN, due_at__lte=now)
        assert open_tasks.exists()
        assert steps.filter(status=Step.Status.DONE, done_at__lte=now).exists()
        assert steps.filter(status=Step.Status.PLANNED, due_at__gt=now).exists()
        # The mails of the past went out then: none is left for the demo's worker to send now.
        onboarding = Message.objects.for_studio(studio).filter(purpose="onboarding")
        assert onboarding.filter(status=Message.Status.SENT).exists()
        assert not onboarding.filter(status=Message.Status.QUEUED).exists()
        # The day-21 call went only to who had not come for a week.
        for step in steps.filter(touchpoint__day=21).exclude(status=Step.Status.PLANNED):
            recent = step.last_visit_at is not None and step.last_visit_at >= step.due_at - timedelta(days=7)
            assert recent == (step.reason == Step.Reason.VISITED), step
        flags = ActivationCheck.objects.for_studio(studio).filter(status=ActivationCheck.Status.FLAGGED)
        assert flags.exists()
        assert all(check.attended < check.planned for check in flags)
        # The leads' follow-up: every sequence has leads; most stopped at a reply, some still run.
        runs = Run.objects.for_studio(studio).filter(lead__isnull=False)
        assert set(runs.values_list("sequence", flat=True)) == set(Sequence.values)
        assert runs.filter(stop_reason=StopReason.REPLIED).count() > runs.count() / 2
        assert runs.filter(stopped_at__isnull=True, sequence=Sequence.NOT_BOOKED).exists()
        followups = Message.objects.for_studio(studio).filter(purpose="followup")
        assert followups.filter(status=Message.Status.SENT).exists()
        assert not followups.filter(status=Message.Status.QUEUED).exists()
        # A check-in went only to who said yes to news by e-mail; the others' stayed unsent, with the reason.
        quiet = (
            Step.objects.for_studio(studio)
            .filter(run__sequence=Sequence.GONE_QUIET)
            .select_related("message")
        )
        assert quiet.filter(status=Step.Status.SENT).exists()
        assert all(s.message is not None and "news and offers" in s.message.last_error
                   for s in quiet.filter(status=Step.Status.NOT_SENT))  # fmt: skip
        # No step went out after its lead's reply: what came after the stop was skipped.
        for run in runs.filter(stopped_at__isnull=False):
            carried = Step.objects.for_studio(studio).filter(run=run, status__in=["sent", "not_sent"])
            assert not carried.filter(due_at__gt=run.stopped_at).exists(), run
        rows = speed_to_lead(studio).by_step
        assert {r.sequence for r in rows} == {str(s.label) for s in Sequence}
        assert sum(r.brought for r in rows) > 0 and all(r.brought <= r.received for r in rows)
        # The sweep, run now, finds it all done already: the demo is what it would have made.
        assert runs_start(now=now) == 0
        assert lead_runs_start(now=now) == 0
        assert lead_runs_stop(now=now) == 0
        assert steps_carry_out(now=now) == 0
        assert activation_sweep(now=now) == 0

        owner = StaffMembership.objects.for_studio(studio).get(role=StaffMembership.Role.OWNER).user
        page = client_for(owner).get(reverse("retention:tasks", kwargs={"studio": studio.slug}))
        assert page.status_code == 200
        html = page.content.decode()
        assert all(step.touchpoint.title in html for step in open_tasks)
        # One row per enrolment: its latest flag (day 21 stands for day 10).
        latest = {c.enrolment_id: c for c in sorted(flags, key=lambda c: c.day)}
        assert all(check.reason in html for check in latest.values())

        before = snapshot(studio)
        load_demo_data()
        assert snapshot(studio) == before


def test_the_demo_has_a_year_of_ratings_as_the_sweep_asks_them() -> None:
    from vollegym.retention.models import Rating
    from vollegym.retention.ratings import ratings_sweep
    from vollegym.retention.selectors import nps_report

    with time_machine.travel(MOMENTS[0], tick=False):
        load_demo_data()
        studio = Studio.objects.get(slug="demo")
        ratings = Rating.objects.for_studio(studio)
        answered = ratings.filter(score__isnull=False)
        assert {"day_30", "program_end"} <= set(answered.values_list("moment", flat=True))
        months = {r.answered_at.strftime("%Y-%m") for r in answered if r.answered_at}
        assert len(months) >= 6, months
        assert ratings.filter(score__isnull=True).exists()  # not everyone answers
        # Asked as the sweep asks: the sweep finds nothing left to ask now, and every question went out as mail.
        assert ratings_sweep() == 0
        assert not Message.objects.for_studio(studio).filter(purpose="rating", status="queued").exists()
        assert all(r.answered_at is not None and r.answered_at > r.asked_at for r in answered)
        # Low scores: the older ones were called back, at least one waits on a coach.
        low = answered.filter(score__lte=6)
        assert low.filter(called_at__isnull=False).exists() and low.filter(called_at__isnull=True).exists()
        report = nps_report(studio, since=MOMENTS[0].date().replace(year=2025))
        assert report.total.score is not None and 20 <= report.total.score <= 80
        assert len(report.coaches) == 2
