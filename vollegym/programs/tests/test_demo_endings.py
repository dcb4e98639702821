"""The demo's endings: a pause now (back within a week), one to come and one past; cancellations by every rule;
renewal conversations on the coaches' lists and behind them; the message after leaving, marked sent; the sweeps
find nothing left to do; and the member's pages and the tasks page show it."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
import time_machine

from vollegym.core import clock
from vollegym.core.management.commands.demo import load_demo_data
from vollegym.core.testing import client_for
from vollegym.messaging.models import Message
from vollegym.programs.endings import memberships_continue
from vollegym.programs.models import Cancellation, Pause, RenewalTalk, WinBack
from vollegym.programs.renewals import pauses_ending_soon, renewal_talks_due, renewal_talks_plan
from vollegym.programs.winback import win_backs_send
from vollegym.studios.models import StaffMembership, Studio

pytestmark = pytest.mark.django_db

# A Monday morning in November, and a Wednesday afternoon before the clocks go forward.
MOMENTS = [datetime(2026, 11, 23, 8, 5, tzinfo=UTC), datetime(2026, 3, 25, 14, 0, tzinfo=UTC)]


@pytest.mark.parametrize("moment", MOMENTS, ids=["november", "before-dst"])
def test_the_demo_shows_pauses_cancellations_renewal_talks_and_win_backs(moment):
    with time_machine.travel(moment, tick=False):
        load_demo_data()
        studio = Studio.objects.get(slug="demo")
        today = clock.today()
        pauses = Pause.objects.for_studio(studio)
        assert pauses.filter(starts_on__lte=today, ends_on__gte=today).count() == 1
        assert (
            pauses.filter(starts_on__gt=today).count() == 1 and pauses.filter(ends_on__lt=today).count() == 1
        )
        assert len(pauses_ending_soon(studio)) == 1
        rules = set(Cancellation.objects.for_studio(studio).values_list("rule", flat=True))
        assert rules == {"cooling_off", "program_end", "first_term", "monthly"}
        assert renewal_talks_due(studio)
        statuses = set(RenewalTalk.objects.for_studio(studio).values_list("status", flat=True))
        assert {"open", "renewed", "declined"} <= statuses
        assert WinBack.objects.for_studio(studio).exists()
        win_back = Message.objects.for_studio(studio).filter(purpose="win_back")
        assert win_back.filter(status=Message.Status.SENT).exists()
        assert not win_back.filter(status=Message.Status.QUEUED).exists()
        # The worker's sweeps, run now, find it all done already.
        assert memberships_continue() == 0
        assert renewal_talks_plan() == 0
        assert win_backs_send(now=clock.wall_time(today, time(12, 0))) == 0
        # And the pages show it.
        owner = (
            StaffMembership.objects.for_studio(studio).filter(role="owner").select_related("user").get().user
        )
        paused = pauses.get(starts_on__lte=today, ends_on__gte=today)
        page = client_for(owner).get(f"/app/demo/leden/{paused.member_id}/").text
        assert "Eerder terug" in page and paused.reason in page
        assert "Verlenggesprek met" in client_for(owner).get("/app/demo/taken/").text
    with time_machine.travel(moment, tick=False):
        load_demo_data()  # again: nothing is added
        assert Pause.objects.for_studio(studio).count() == 3
