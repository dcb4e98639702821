"""Personal training recorded by the coach: one tap counts a training on the member's PT card (a double tap counts
one), a wrong tap is taken back within the week; once a studio records PT, the first 30 days and the churn risk
count PT visits like class visits, and a studio that does not is told its PT members are not counted."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from vollegym.core.testing import Cast, client_for, make_lead
from vollegym.people.models import DomainEvent
from vollegym.programs.models import Enrolment
from vollegym.programs.services import enrolment_create
from vollegym.programs.tests.test_prices_and_enrolment import make_program
from vollegym.retention.activation import activation_check
from vollegym.retention.models import ActivationCheck
from vollegym.retention.risk_selectors import risk_for
from vollegym.schedule.models import PersonalSession
from vollegym.schedule.personal import PersonalSessionError, personal_session_record, personal_session_undo

pytestmark = pytest.mark.django_db

START = date(2026, 3, 2)  # a Monday


def at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=UTC)


def pt_member(cast: Cast, name: str = "Eva", *, per_week: int = 2) -> Enrolment:
    program = make_program(cast.studio, name=f"PT {name}", format="pt", weeks=12, sessions_per_week=per_week)
    with time_machine.travel(at(START - timedelta(days=1)), tick=False):
        lead = make_lead(cast.studio, name=name, email=f"{name.lower()}@example.nl", stage="won")
        enrolment = enrolment_create(lead=lead, program=program, starts_on=START, by=None)
    enrolment.member.coach = cast.coach
    enrolment.member.save(update_fields=["coach"])
    return enrolment


def test_one_tap_counts_one_training_on_the_card(cast: Cast) -> None:
    enrolment = pt_member(cast)
    url = f"/app/{cast.studio.slug}/rooster/pt/{enrolment.member_id}/"
    with time_machine.travel(at(START + timedelta(days=2), 9) + timedelta(seconds=12), tick=False):
        first = client_for(cast.coach).post(url, {"action": "attended"})
    with time_machine.travel(at(START + timedelta(days=2), 9) + timedelta(seconds=40), tick=False):
        client_for(cast.coach).post(url, {"action": "attended"})  # a double tap within the minute
    assert first.status_code == 302 and first["Location"] == f"/app/{cast.studio.slug}/rooster/pt/"
    (session,) = PersonalSession.objects.for_studio(cast.studio)
    assert session.status == "attended" and session.coach == cast.coach and session.enrolment == enrolment
    enrolment.refresh_from_db()
    assert enrolment.sessions_used == 1
    assert DomainEvent.objects.for_studio(cast.studio).filter(kind="schedule.personal_session").count() == 1


def test_another_moment_a_missed_one_and_the_refusals(cast: Cast) -> None:
    enrolment = pt_member(cast)
    url = f"/app/{cast.studio.slug}/rooster/pt/{enrolment.member_id}/"
    with time_machine.travel(at(START + timedelta(days=3), 12), tick=False):
        client_for(cast.coach).post(url, {"action": "attended", "day": "4-3-2026", "at": "7:30"})
        client_for(cast.coach).post(url, {"action": "no_show"})
        future = client_for(cast.coach).post(
            url, {"action": "attended", "day": "9-3-2026", "at": "7:30"}, follow=True
        )
        before = client_for(cast.coach).post(url, {"action": "attended", "day": "1-3-2026"}, follow=True)
        garbage = client_for(cast.coach).post(
            url, {"action": "attended", "day": "31-2-2026\x00"}, follow=True
        )
    sessions = list(PersonalSession.objects.for_studio(cast.studio).order_by("starts_at"))
    assert [(s.starts_at, s.status) for s in sessions] == [
        (datetime(2026, 3, 4, 6, 30, tzinfo=UTC), "attended"),
        (at(START + timedelta(days=3), 12), "no_show"),
    ]  # 07:30 in Amsterdam is 06:30 UTC in winter
    assert "in de toekomst" in future.content.decode()
    assert "geen personal training lopen" in before.content.decode()
    assert "Vul een datum in" in garbage.content.decode()
    enrolment.refresh_from_db()
    assert enrolment.sessions_used == 1  # a missed training uses nothing


def test_a_wrong_tap_is_taken_back_within_the_week(cast: Cast) -> None:
    enrolment = pt_member(cast)
    with time_machine.travel(at(START + timedelta(days=1)), tick=False):
        session = personal_session_record(member=enrolment.member, at=at(START + timedelta(days=1)), attended=True,
                                          by=cast.coach)  # fmt: skip
        old = personal_session_record(member=enrolment.member, at=at(START), attended=True, by=cast.coach)
        response = client_for(cast.coach).post(
            f"/app/{cast.studio.slug}/rooster/pt/training/{session.pk}/terug/"
        )
    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.sessions_used == 1
    with time_machine.travel(at(START + timedelta(days=10)), tick=False), pytest.raises(PersonalSessionError):
        personal_session_undo(session=old, by=cast.coach)
    assert (
        client_for(cast.outsider)
        .post(f"/app/{cast.studio.slug}/rooster/pt/training/{old.pk}/terug/")
        .status_code
        == 404
    )


def test_pt_visits_count_for_activation_once_the_studio_records_pt(cast: Cast) -> None:
    slow = pt_member(cast, "Eva", per_week=2)
    steady = pt_member(cast, "Tom", per_week=2)
    with time_machine.travel(at(START + timedelta(days=10), 12), tick=False):
        before = activation_check(enrolment=slow, day=10)
        assert before is not None and before.status == "not_counted"  # nothing recorded yet
    ActivationCheck.objects.for_studio(cast.studio).all().delete()
    for day in (1, 3, 6, 8):
        personal_session_record(
            member=steady.member, at=at(START + timedelta(days=day)), attended=True, by=None
        )
    with time_machine.travel(at(START + timedelta(days=10), 12), tick=False):
        flagged = activation_check(enrolment=slow, day=10)
        ok = activation_check(enrolment=steady, day=10)
    assert flagged is not None and flagged.status == "flagged" and flagged.reason.startswith("0 van de 3")
    assert ok is not None and ok.status == "ok" and ok.attended == 4


def test_the_churn_risk_reads_pt_visits(cast: Cast) -> None:
    fading = pt_member(cast, "Eva", per_week=2)
    for week in range(6):
        for day in (0, 3):
            personal_session_record(member=fading.member, at=at(START + timedelta(days=7 * week + day)), attended=True,
                                    by=None)  # fmt: skip
    with time_machine.travel(at(START + timedelta(days=64)), tick=False):
        risk = risk_for(fading.member)
    assert any("Kwam de laatste" in reason for reason in risk.reasons), risk.reasons
    assert not any("niet vast onder Rooster" in note for note in risk.notes)


def test_the_pt_page_and_today_list_the_coachs_pt_members(cast: Cast) -> None:
    enrolment = pt_member(cast)
    with time_machine.travel(at(START + timedelta(days=2)), tick=False):
        page = client_for(cast.coach).get(f"/app/{cast.studio.slug}/rooster/pt/").content.decode()
        today = client_for(cast.coach).get(f"/app/{cast.studio.slug}/vandaag/").content.decode()
        done = client_for(cast.coach).post(
            f"/app/{cast.studio.slug}/rooster/pt/{enrolment.member_id}/",
            {"action": "attended", "next": f"/app/{cast.studio.slug}/vandaag/"},
        )
        after = client_for(cast.coach).get(f"/app/{cast.studio.slug}/vandaag/").content.decode()
    assert "Eva" in page and "0 van 24 trainingen" in page
    assert 'id="pt"' in today and "Eva" in today
    assert done["Location"] == f"/app/{cast.studio.slug}/vandaag/"
    assert 'id="pt"' not in after  # trained today: off the day's list


def test_a_moment_the_clocks_skipped_is_refused(cast: Cast) -> None:
    from datetime import time

    from vollegym.schedule.personal import pt_moment

    with pytest.raises(PersonalSessionError):
        pt_moment(cast.studio, day=date(2026, 3, 29), at=time(2, 30))  # clocks went from 02:00 to 03:00
    assert pt_moment(cast.studio, day=date(2026, 3, 29), at=time(3, 30)) == datetime(
        2026, 3, 29, 1, 30, tzinfo=UTC
    )
