"""The renewal conversation: on the coach's list the program's days before its end (14 by default), once per run;
a moment agreed and mailed; renewed at the price the owner chose for the program (agreed or current), not going
on with a reason, or later; the tasks page and the Today page's selectors show it; other studios get a 404."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from vollegym.core.testing import assert_other_studio_gets_404, client_for
from vollegym.messaging.models import Message
from vollegym.people.models import DomainEvent
from vollegym.programs.endings import enrolment_cancel
from vollegym.programs.models import Enrolment, RenewalPrice, RenewalTalk
from vollegym.programs.renewals import (
    pauses_ending_soon,
    renewal_talk_plan,
    renewal_talk_record,
    renewal_talks_due,
    renewal_talks_plan,
)
from vollegym.programs.services import ProgramError, enrolment_create, enrolment_renew, program_price_set
from vollegym.programs.tests.endings_kit import at, enrol, membership, program, runs

pytestmark = pytest.mark.django_db

START = date(2026, 3, 2)  # a twelve-week program from here ends on 24 May 2026
END = date(2026, 5, 24)


def sweep(day: date) -> int:
    return renewal_talks_plan(now=at(day))


def test_planned_fourteen_days_before_the_end_once_for_the_members_coach(cast):
    run = enrol(cast.studio, program(cast.studio), START)
    run.member.coach = cast.coach
    run.member.save()
    assert sweep(END - timedelta(days=15)) == 0
    assert sweep(END - timedelta(days=14)) == 1
    assert sweep(END - timedelta(days=13)) == 0  # once per run, however often the workers sweep
    talk = RenewalTalk.objects.for_studio(cast.studio).get()
    assert talk.enrolment == run and talk.coach == cast.coach and talk.due_on == END - timedelta(days=14)
    notice = Message.objects.for_studio(cast.studio).get(channel="app")
    assert notice.to_user == cast.coach and "Verlenggesprek met Eva de Boer" in notice.body
    assert notice.url.endswith(f"/app/kracht-utrecht/leden/verlenggesprekken/{talk.pk}/")


def test_each_program_says_how_many_days_ahead_and_zero_means_none(cast):
    early = enrol(cast.studio, program(cast.studio, name="Vroeg", renewal_talk_days=30), START)
    enrol(cast.studio, program(cast.studio, name="Nooit", renewal_talk_days=0), START, name="Tom Bakker")
    assert sweep(END - timedelta(days=30)) == 1
    assert sweep(END) == 0
    assert RenewalTalk.objects.for_studio(cast.studio).get().enrolment == early


def test_no_talk_for_a_membership_a_renewed_or_cancelled_run_or_one_followed_by_another(cast):
    offer = program(cast.studio)
    enrol(cast.studio, membership(cast.studio, weeks=12), START, name="Lid Maatschap")
    renewed = enrol(cast.studio, offer, START, name="Tom Bakker")
    cancelled = enrol(cast.studio, offer, START, name="Ilse Jansen")
    followed = enrol(cast.studio, offer, START, name="Joep Smit")
    with time_machine.travel(at(END - timedelta(days=20)), tick=False):
        enrolment_renew(enrolment=renewed, by=None)
        enrolment_cancel(enrolment=cancelled, by=None, by_member=True)
        enrolment_create(member=followed.member, program=membership(cast.studio), starts_on=END + timedelta(days=1),
                         by=None)  # fmt: skip
    assert len(runs(followed)) == 2
    assert sweep(END - timedelta(days=14)) == 0


def test_a_moment_is_agreed_and_mailed_to_the_member(cast):
    run = enrol(cast.studio, program(cast.studio), START)
    sweep(END - timedelta(days=14))
    talk = RenewalTalk.objects.for_studio(cast.studio).get()
    moment = datetime(2026, 5, 14, 16, 30, tzinfo=UTC)  # 18:30 in Amsterdam
    with time_machine.travel(at(END - timedelta(days=14)), tick=False):
        with pytest.raises(ProgramError, match="nog moet komen"):
            renewal_talk_plan(talk=talk, starts_at=at(END - timedelta(days=15)), by=cast.coach)
        with pytest.raises(ProgramError, match="komende 60 dagen"):
            renewal_talk_plan(talk=talk, starts_at=moment + timedelta(days=90), by=cast.coach)
        renewal_talk_plan(talk=talk, starts_at=moment, by=cast.coach)
        renewal_talk_plan(talk=talk, starts_at=moment, by=cast.coach)  # sent twice: one mail
    mail = Message.objects.for_studio(cast.studio).get(purpose="renewal_talk")
    assert mail.subject == "Even bijpraten: donderdag 14 mei om 18:30" and mail.to == "eva@example.nl"
    assert "Transformatie 12 weken loopt tot en met 24 mei" in mail.body
    assert DomainEvent.objects.for_studio(cast.studio).filter(kind="renewal.talk_planned").count() == 1
    assert run.pk == talk.enrolment_id


@pytest.mark.parametrize(("choice", "cents"), [(RenewalPrice.LOCKED, 119500), (RenewalPrice.CURRENT, 139500)])
def test_renewed_in_the_talk_at_the_price_the_owner_chose_for_the_program(cast, choice, cents):
    offer = program(cast.studio, renewal_price=choice)
    run = enrol(cast.studio, offer, START)
    with time_machine.travel(at(START), tick=False):
        program_price_set(program=offer, amount_cents=139500, effective_from=date(2026, 4, 1), by=cast.owner)
    sweep(END - timedelta(days=14))
    talk = RenewalTalk.objects.for_studio(cast.studio).get()
    with time_machine.travel(at(END - timedelta(days=10)), tick=False):
        done = renewal_talk_record(talk=talk, outcome="renewed", by=cast.coach, note="Doel: 5 km hardlopen")
    renewal = Enrolment.objects.for_studio(cast.studio).get(renewal_of=run)
    assert done.status == "renewed" and done.renewal == renewal and done.note == "Doel: 5 km hardlopen"
    assert renewal.price_cents == cents and renewal.starts_on == END + timedelta(days=1)
    assert renewal.origin == "renewed" and not renewal.continues
    event = DomainEvent.objects.for_studio(cast.studio).get(kind="renewal.talk_recorded")
    assert event.payload["outcome"] == "renewed" and event.payload["renewal_id"] == renewal.pk


def test_the_renew_button_also_closes_the_talk(cast):
    run = enrol(cast.studio, program(cast.studio), START)
    sweep(END - timedelta(days=14))
    with time_machine.travel(at(END - timedelta(days=5)), tick=False):
        client_for(cast.owner).post(f"/app/kracht-utrecht/leden/inschrijvingen/{run.pk}/verlengen/")
    talk = RenewalTalk.objects.for_studio(cast.studio).get()
    assert talk.status == "renewed" and talk.renewal is not None and talk.recorded_by == cast.owner


def test_not_going_on_keeps_the_reason_and_later_puts_it_back_on_the_list(cast):
    first = enrol(cast.studio, program(cast.studio), START)
    second = enrol(cast.studio, program(cast.studio, name="Sterk"), START, name="Tom Bakker")
    sweep(END - timedelta(days=14))
    one, two = RenewalTalk.objects.for_studio(cast.studio).order_by("id")
    day = END - timedelta(days=12)
    with time_machine.travel(at(day), tick=False):
        renewal_talk_record(talk=one, outcome="declined", reason="goal", by=cast.coach)
        with pytest.raises(ProgramError, match="al afgerond"):
            renewal_talk_record(talk=one, outcome="later", by=cast.coach)
        with pytest.raises(ProgramError, match="na vandaag"):
            renewal_talk_record(talk=two, outcome="later", later_on=day, by=cast.coach)
        with pytest.raises(ProgramError, match="daarna kan verlengen niet meer"):
            renewal_talk_record(talk=two, outcome="later", later_on=END + timedelta(days=30), by=cast.coach)
        renewal_talk_record(talk=two, outcome="later", by=cast.coach)
        with pytest.raises(ProgramError, match="Kies wat"):
            renewal_talk_record(talk=two, outcome="misschien", by=cast.coach)
        assert renewal_talks_due(cast.studio) == []
    one.refresh_from_db()
    two.refresh_from_db()
    assert one.status == "declined" and one.reason == "goal" and one.enrolment == first
    assert two.status == "open" and two.due_on == day + timedelta(days=7) and two.enrolment == second
    assert not Enrolment.objects.for_studio(cast.studio).filter(renewal_of__isnull=False).exists()
    with time_machine.travel(at(day + timedelta(days=7)), tick=False):
        assert renewal_talks_due(cast.studio) == [two]


def test_a_talk_nobody_answered_lapses_once_renewing_is_over(cast):
    enrol(cast.studio, program(cast.studio), START)
    sweep(END - timedelta(days=14))
    sweep(END + timedelta(days=14))
    assert RenewalTalk.objects.for_studio(cast.studio).get().status == "open"
    sweep(END + timedelta(days=15))
    assert RenewalTalk.objects.for_studio(cast.studio).get().status == "lapsed"


def test_today_selectors_per_coach(cast):
    mine = enrol(cast.studio, program(cast.studio), START)
    theirs = enrol(cast.studio, program(cast.studio, name="Sterk"), START, name="Tom Bakker")
    mine.member.coach = cast.coach
    mine.member.save()
    theirs.member.coach = cast.owner
    theirs.member.save()
    sweep(END - timedelta(days=14))
    day = END - timedelta(days=14)
    assert [t.enrolment for t in renewal_talks_due(cast.studio, coach=cast.coach, on=day)] == [mine]
    assert len(renewal_talks_due(cast.studio, on=day)) == 2
    from vollegym.programs.pauses import enrolment_pause

    with time_machine.travel(at(day), tick=False):
        enrolment_pause(
            enrolment=theirs, starts_on=day, ends_on=day + timedelta(days=5), by=None, by_member=False
        )
    assert pauses_ending_soon(cast.studio, coach=cast.coach, on=day) == []
    (soon,) = pauses_ending_soon(cast.studio, on=day)
    assert soon.pause.member == theirs.member and soon.back_on == day + timedelta(days=6)
    assert pauses_ending_soon(cast.studio, on=day, within_days=2) == []


# ---- the pages ----------------------------------------------------------------------------------------------------


def test_the_tasks_page_and_the_list_show_the_talk_a_coach_only_their_own(cast):
    mine = enrol(cast.studio, program(cast.studio), START)
    enrol(cast.studio, program(cast.studio, name="Sterk"), START, name="Tom Bakker")
    mine.member.coach = cast.coach
    mine.member.save()
    sweep(END - timedelta(days=14))
    with time_machine.travel(at(END - timedelta(days=14)), tick=False):
        coach_tasks = client_for(cast.coach).get("/app/kracht-utrecht/taken/").text
        owner_list = client_for(cast.owner).get("/app/kracht-utrecht/leden/verlenggesprekken/").text
    assert "Verlenggesprek met Eva" in coach_tasks and "Tom Bakker" not in coach_tasks
    assert "nog geen moment afgesproken" in coach_tasks
    assert "Verlenggesprek met Eva" in owner_list and "Verlenggesprek met Tom" in owner_list


def test_a_coach_plans_and_records_on_the_talks_page(cast):
    run = enrol(cast.studio, program(cast.studio), START)
    sweep(END - timedelta(days=14))
    talk = RenewalTalk.objects.for_studio(cast.studio).get()
    url = f"/app/kracht-utrecht/leden/verlenggesprekken/{talk.pk}/"
    coach = client_for(cast.coach)
    with time_machine.travel(at(END - timedelta(days=14)), tick=False):
        page = coach.get(url).text
        assert "€ 1.195,00" in page and "de afgesproken prijs" in page
        bad = coach.post(f"{url}afspreken/", {"day": "31-02-2026", "at": "18:30"})
        assert bad.status_code == 400 and "dd-mm-jjjj" in bad.text
        planned = coach.post(f"{url}afspreken/", {"day": "14-05-2026", "at": "18:30"})
        assert planned.status_code == 302
        assert "Verlenggesprek" in coach.get(f"/app/kracht-utrecht/leden/{run.member_id}/").text
        refused = coach.post(f"{url}uitkomst/", {"outcome": "stoppen"})
        assert refused.status_code == 400
        done = coach.post(
            f"{url}uitkomst/", {"outcome": "declined", "reason": "moving", "note": "Naar Groningen"}
        )
        assert done.status_code == 302
    talk.refresh_from_db()
    assert talk.planned_at == datetime(2026, 5, 14, 16, 30, tzinfo=UTC)
    assert talk.status == "declined" and talk.reason == "moving" and talk.note == "Naar Groningen"


def test_another_studios_talk_is_404_and_an_outsider_gets_404(cast):
    enrol(cast.studio, program(cast.studio), START)
    sweep(END - timedelta(days=14))
    talk = RenewalTalk.objects.for_studio(cast.studio).get()
    for suffix, method in (("", "get"), ("afspreken/", "post"), ("uitkomst/", "post")):
        assert_other_studio_gets_404(
            f"/app/kracht-utrecht/leden/verlenggesprekken/{talk.pk}/{suffix}", cast.outsider, method
        )
        # the other studio's own owner, on their own studio's address, asking for this studio's talk
        response = getattr(client_for(cast.outsider), method)(
            f"/app/andere-studio/leden/verlenggesprekken/{talk.pk}/{suffix}"
        )
        assert response.status_code == 404
    assert (
        client_for(cast.owner).get("/app/kracht-utrecht/leden/verlenggesprekken/999999/").status_code == 404
    )
    talk.refresh_from_db()
    assert talk.status == "open" and talk.planned_at is None
