"""Onboarding playbooks: each touchpoint once, on its day at its hour in Amsterdam, only with consent; a member keeps
the version they started with; the day-21 call only for who stayed away; activation flags with the reason."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection

from vollegym.core import clock
from vollegym.core.races import BARRIER_TIMEOUT, meet_before
from vollegym.core.testing import assert_other_studio_gets_404, client_for, make_lead
from vollegym.messaging.models import Message
from vollegym.people.models import DomainEvent, Person
from vollegym.people.services import consent_record
from vollegym.programs.models import Enrolment, Member, Program
from vollegym.programs.services import enrolment_create
from vollegym.programs.tests.test_prices_and_enrolment import make_program
from vollegym.retention import services, sweeps
from vollegym.retention.activation import activation_sweep
from vollegym.retention.models import ActivationCheck, Step, Touchpoint
from vollegym.retention.selectors import versions_current
from vollegym.retention.services import playbook_for, runs_start, steps_carry_out
from vollegym.schedule.models import ClassSession, ClassTemplate, SessionBooking

# Friday 20 March 2026; the clocks go forward on Sunday 29 March, so day 7 is in winter time and day 14 in summer.
START = date(2026, 3, 20)


def at_utc(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


def enrolled(
    studio, name: str, *, program: Program | None = None, starts_on: date = START, coach=None
) -> Enrolment:
    program = program or make_program(
        studio, format="small_group", name=f"Small group {name}", sessions_per_week=2
    )
    with time_machine.travel(at_utc(starts_on, 6), tick=False):
        lead = make_lead(studio, name=name, email=f"{name.lower()}@example.nl")
        enrolment = enrolment_create(lead=lead, program=program, starts_on=starts_on, by=None)
    if coach is not None:
        Member.objects.for_studio(studio).filter(pk=enrolment.member_id).update(coach=coach)
    return enrolment


def sweep_at(moment: datetime) -> None:
    with time_machine.travel(moment, tick=False):
        sweeps.run()


def visit(member: Member, moment: datetime) -> SessionBooking:
    """The member came to a class at this moment (marked present)."""
    template, _ = ClassTemplate.objects.for_studio(member.studio_id).get_or_create(
        studio_id=member.studio_id, name="Kracht", weekday=moment.weekday(), starts=time(7), capacity=8
    )
    session = ClassSession.objects.create(
        studio_id=member.studio_id, template=template, starts_at=moment, ends_at=moment + timedelta(minutes=45),
        capacity=8, booked=1,
    )  # fmt: skip
    return SessionBooking.objects.create(
        studio_id=member.studio_id, session=session, member=member, person_id=member.person_id,
        status=SessionBooking.Status.ATTENDED,
    )  # fmt: skip


@pytest.mark.django_db
class TestOnSchedule:
    def test_each_message_goes_once_at_nine_in_amsterdam_across_the_change_to_summer_time(self, cast):
        enrolment = enrolled(cast.studio, "Eva")
        playbook_for(enrolment.program)
        version_mails = Touchpoint.objects.for_studio(cast.studio).filter(
            version__playbook__program=enrolment.program, kind="email"
        )
        assert sorted(version_mails.values_list("day", flat=True)) == [0, 3, 14]
        # Each day of the month, a minute before and on the hour either side of 09:00 in Amsterdam (07:00 and 08:00
        # UTC, summer and winter time), and once more in the afternoon.
        for day in range(32):
            for hour, minute in ((6, 59), (7, 0), (7, 59), (8, 0), (13, 0)):
                sweep_at(at_utc(START + timedelta(days=day), hour, minute))
        sent = Message.objects.for_studio(cast.studio).filter(purpose="onboarding").order_by("created_at")
        assert [clock.local(m.created_at).date() for m in sent] == [
            START + timedelta(days=d) for d in (0, 3, 14)
        ]
        assert {clock.local(m.created_at).time() for m in sent} == {time(9, 0)}
        # 09:00 is 08:00 UTC in winter time and 07:00 UTC in summer time.
        assert [m.created_at.hour for m in sent] == [8, 8, 7]
        assert len({m.key for m in sent}) == 3
        assert sent[0].subject == f"Welkom bij {cast.studio.name}"
        assert sent[0].body.startswith("Hoi Eva,") and "vrijdag 20 maart" in sent[0].body
        assert DomainEvent.objects.for_studio(cast.studio).filter(kind="touchpoint.sent").count() == 3

    def test_nothing_goes_before_its_moment(self, cast):
        enrolled(cast.studio, "Eva")
        sweep_at(at_utc(START, 7, 59))  # 08:59 in Amsterdam
        assert not Message.objects.for_studio(cast.studio).filter(purpose="onboarding").exists()
        sweep_at(at_utc(START, 8, 0))
        assert Message.objects.for_studio(cast.studio).filter(purpose="onboarding").count() == 1

    def test_without_consent_a_message_is_kept_as_not_sent_with_the_reason(self, cast):
        enrolment = enrolled(cast.studio, "Eva")
        consent_record(person=enrolment.member.person, purpose="contact", given=False, how="staff")
        sweep_at(at_utc(START, 9))
        message = Message.objects.for_studio(cast.studio).get(purpose="onboarding")
        assert message.status == Message.Status.CANCELLED and "withdrew consent" in message.last_error
        step = Step.objects.for_studio(cast.studio).get(message=message)
        assert step.status == Step.Status.NOT_SENT
        page = (
            client_for(cast.owner)
            .get(f"/app/{cast.studio.slug}/leden/{enrolment.member_id}/")
            .content.decode()
        )
        assert "Niet verstuurd" in page and "withdrew consent" in page

    def test_whatsapp_outside_the_window_is_kept_as_not_sent(self, cast):
        enrolment = enrolled(cast.studio, "Eva")
        playbook_for(enrolment.program)
        Touchpoint.objects.for_studio(cast.studio).filter(
            version__playbook__program=enrolment.program, day=0
        ).update(kind="whatsapp")
        Person.objects.for_studio(cast.studio).filter(pk=enrolment.member.person_id).update(
            phone="+31612345678"
        )
        consent_record(
            person=enrolment.member.person,
            purpose="whatsapp",
            given=True,
            how="staff",
            wording="Ja, stuur me berichten via WhatsApp",
        )
        sweep_at(at_utc(START, 9))
        message = Message.objects.for_studio(cast.studio).get(purpose="onboarding")
        assert message.channel == "whatsapp" and message.status == Message.Status.CANCELLED
        assert "24-hour window" in message.last_error

    def test_a_message_long_overdue_is_not_sent_late(self, cast):
        enrolled(cast.studio, "Eva")
        with time_machine.travel(at_utc(START, 6), tick=False):
            runs_start()
        with time_machine.travel(at_utc(START + timedelta(days=5), 9), tick=False):
            steps_carry_out()
        day0 = Step.objects.for_studio(cast.studio).get(touchpoint__day=0)
        assert day0.status == Step.Status.NOT_SENT and day0.reason == Step.Reason.TOO_LATE
        assert (
            not Message.objects.for_studio(cast.studio)
            .filter(purpose="onboarding", status="queued")
            .exclude(subject__startswith="Wat zou")
            .exists()
        )


@pytest.mark.django_db
def test_a_member_keeps_the_version_they_started_with_after_the_owner_edits(cast):
    first = enrolled(cast.studio, "Eva")
    program = first.program
    sweep_at(at_utc(START, 6))
    day3 = Touchpoint.objects.for_studio(cast.studio).get(version__playbook__program=program, day=3)
    owner = client_for(cast.owner)
    url = f"/app/{cast.studio.slug}/programmas/{program.pk}/playbook/{day3.pk}/"
    prefix = f"t{day3.pk}"
    data = {
        f"{prefix}-day": 4,
        f"{prefix}-at": "10:30",
        f"{prefix}-kind": "email",
        f"{prefix}-title": "Hoe gaat het, {voornaam}?",
        f"{prefix}-text": "Hoi {voornaam}",
        f"{prefix}-condition": "",
    }
    assert client_for(cast.coach).post(url, data).status_code == 404  # owners only
    response = owner.post(url, data)
    assert response.status_code == 302, response.content.decode()
    second = enrolled(cast.studio, "Tom", program=program, starts_on=START + timedelta(days=1))
    sweep_at(at_utc(START, 6, 15))
    eva, tom = (Step.objects.for_studio(cast.studio).filter(run__enrolment=e) for e in (first, second))
    assert eva.filter(touchpoint__day=3, touchpoint__title="Wat zou je in de weg kunnen zitten?").exists()
    assert not eva.filter(touchpoint__day=4).exists()
    tom_step = tom.get(touchpoint__day=4)
    assert tom_step.touchpoint.title == "Hoe gaat het, {voornaam}?"
    assert clock.local(tom_step.due_at) == datetime(2026, 3, 25, 10, 30, tzinfo=clock.AMSTERDAM)
    page = owner.get(f"/app/{cast.studio.slug}/programmas/{program.pk}/playbook/").content.decode()
    assert "Versie 2" in page


@pytest.mark.django_db
def test_an_unknown_placeholder_is_refused_in_dutch(cast):
    program = make_program(cast.studio, format="pt")
    playbook_for(program)
    response = client_for(cast.owner).post(
        f"/app/{cast.studio.slug}/programmas/{program.pk}/playbook/nieuw/",
        {"nieuw-day": 5, "nieuw-at": "09:00", "nieuw-kind": "email", "nieuw-title": "Hoi",
         "nieuw-text": "Hoi {naam}, tot {startdatum}", "nieuw-condition": ""},
    )  # fmt: skip
    assert response.status_code == 400
    assert "Onbekende invulplek {naam}" in response.content.decode()
    too_late = client_for(cast.owner).post(
        f"/app/{cast.studio.slug}/programmas/{program.pk}/playbook/nieuw/",
        {
            "nieuw-day": 91,
            "nieuw-at": "09:00",
            "nieuw-kind": "task",
            "nieuw-title": "Later",
            "nieuw-text": "",
        },
    )
    assert too_late.status_code == 400 and "Kies een dag van 0 tot en met 90." in too_late.content.decode()


@pytest.mark.django_db
def test_the_owner_adds_removes_and_reorders_touchpoints_without_javascript(cast):
    program = make_program(cast.studio, format="small_group")
    owner = client_for(cast.owner)
    base = f"/app/{cast.studio.slug}/programmas/{program.pk}/playbook/"
    assert owner.get(base).status_code == 200
    added = owner.post(
        base + "nieuw/",
        {
            "nieuw-day": 7,
            "nieuw-at": "09:00",
            "nieuw-kind": "task",
            "nieuw-title": "Extra check",
            "nieuw-text": "",
            "nieuw-condition": "",
        },
    )
    assert added.status_code == 302

    def day7() -> list[str]:
        current = versions_current(playbook_for(program))
        return [t.title for t in Touchpoint.objects.for_studio(cast.studio).filter(version=current, day=7)]

    assert day7() == ["Weekevaluatie en de volgende twee trainingen geboekt", "Extra check"]
    extra = Touchpoint.objects.for_studio(cast.studio).filter(title="Extra check").latest("id")
    assert owner.post(base + f"{extra.pk}/verplaatsen/", {"richting": "omhoog"}).status_code == 302
    assert day7() == ["Extra check", "Weekevaluatie en de volgende twee trainingen geboekt"]
    extra = Touchpoint.objects.for_studio(cast.studio).filter(title="Extra check").latest("id")
    assert owner.post(base + f"{extra.pk}/verwijderen/").status_code == 302
    assert day7() == ["Weekevaluatie en de volgende twee trainingen geboekt"]
    stale = owner.post(base + f"{extra.pk}/verwijderen/", follow=True)  # from a page that was open before
    assert "intussen gewijzigd" in stale.content.decode()


@pytest.mark.django_db
def test_the_day_21_call_is_only_for_members_without_a_visit_in_the_last_seven_days(cast):
    came = enrolled(cast.studio, "Eva", coach=cast.coach)
    away = enrolled(cast.studio, "Tom", coach=cast.coach)
    visit(came.member, at_utc(START + timedelta(days=17), 17))
    visit(away.member, at_utc(START + timedelta(days=12), 17))
    sweep_at(at_utc(START, 6))
    sweep_at(at_utc(START + timedelta(days=21), 9))
    eva = Step.objects.for_studio(cast.studio).get(run__enrolment=came, touchpoint__day=21)
    tom = Step.objects.for_studio(cast.studio).get(run__enrolment=away, touchpoint__day=21)
    assert (eva.status, eva.reason) == (Step.Status.SKIPPED, Step.Reason.VISITED)
    assert tom.status == Step.Status.OPEN
    with time_machine.travel(at_utc(START + timedelta(days=21), 9), tick=False):
        page = client_for(cast.coach).get(f"/app/{cast.studio.slug}/taken/").content.decode()
    assert "Belletje: even niet gezien" in page and "laatste bezoek 1 apr" in page
    assert page.count("Belletje: even niet gezien") == 1
    response = client_for(cast.coach).post(f"/app/{cast.studio.slug}/taken/{tom.pk}/gedaan/")
    assert response.status_code == 302
    tom.refresh_from_db()
    assert tom.status == Step.Status.DONE and tom.done_by == cast.coach
    assert DomainEvent.objects.for_studio(cast.studio).filter(kind="touchpoint.done").count() == 1
    assert DomainEvent.objects.for_studio(cast.studio).filter(kind="touchpoint.skipped").count() == 1


@pytest.mark.django_db
def test_a_coach_sees_the_tasks_of_their_own_members_and_the_owner_sees_all(cast):
    enrolled(cast.studio, "Eva", coach=cast.coach)
    enrolled(cast.studio, "Tom")
    sweep_at(at_utc(START, 6))
    sweep_at(at_utc(START + timedelta(days=1), 9))
    with time_machine.travel(at_utc(START + timedelta(days=1), 9), tick=False):
        coach = client_for(cast.coach).get(f"/app/{cast.studio.slug}/taken/").content.decode()
        owner = client_for(cast.owner).get(f"/app/{cast.studio.slug}/taken/").content.decode()
    assert "Eva" in coach and "Tom" not in coach
    assert "Eva" in owner and "Tom" in owner


@pytest.mark.django_db
class TestActivation:
    def test_members_below_the_planned_frequency_are_flagged_on_day_10_with_the_reason(self, cast):
        slow = enrolled(cast.studio, "Eva", coach=cast.coach)
        steady = enrolled(cast.studio, "Tom", coach=cast.coach)
        visit(slow.member, at_utc(START + timedelta(days=2), 17))
        for day in (1, 4, 8):
            visit(steady.member, at_utc(START + timedelta(days=day), 17))
        visit(slow.member, at_utc(START + timedelta(days=10), 17))  # day 11 locally begins after: not counted
        with time_machine.travel(at_utc(START + timedelta(days=9), 12), tick=False):
            assert activation_sweep() == 0  # not day 10 yet
        with time_machine.travel(at_utc(START + timedelta(days=10), 12), tick=False):
            assert activation_sweep() == 2
            assert activation_sweep() == 0  # once
            page = client_for(cast.coach).get(f"/app/{cast.studio.slug}/taken/").content.decode()
        flag = ActivationCheck.objects.for_studio(cast.studio).get(enrolment=slow)
        assert flag.status == "flagged"
        assert flag.reason == "1 van de 3 geplande trainingen in de eerste 10 dagen"
        assert ActivationCheck.objects.for_studio(cast.studio).get(enrolment=steady).status == "ok"
        assert "1 van de 3 geplande trainingen in de eerste 10 dagen" in page and "Exeter" in page
        member_page = (
            client_for(cast.coach).get(f"/app/{cast.studio.slug}/leden/{slow.member_id}/").content.decode()
        )
        assert "1 van de 3 geplande trainingen in de eerste 10 dagen" in member_page
        client_for(cast.coach).post(f"/app/{cast.studio.slug}/taken/activatie/{flag.pk}/opgepakt/")
        with time_machine.travel(at_utc(START + timedelta(days=10), 12), tick=False):
            page = client_for(cast.coach).get(f"/app/{cast.studio.slug}/taken/").content.decode()
        assert "1 van de 3" not in page

    def test_day_21_counts_three_weeks(self, cast):
        enrolment = enrolled(cast.studio, "Eva", program=make_program(cast.studio, format="small_group",
                                                                      sessions_per_week=3))  # fmt: skip
        for day in (1, 3, 5, 8):
            visit(enrolment.member, at_utc(START + timedelta(days=day), 17))
        with time_machine.travel(at_utc(START + timedelta(days=21), 12), tick=False):
            activation_sweep()
        check = ActivationCheck.objects.for_studio(cast.studio).get(enrolment=enrolment, day=21)
        assert check.reason == "4 van de 9 geplande trainingen in de eerste 21 dagen"

    def test_personal_training_without_class_bookings_is_not_counted_and_says_so(self, cast):
        enrolment = enrolled(cast.studio, "Eva", program=make_program(cast.studio, format="pt"))
        with time_machine.travel(at_utc(START + timedelta(days=10), 12), tick=False):
            activation_sweep()
        check = ActivationCheck.objects.for_studio(cast.studio).get(enrolment=enrolment)
        assert check.status == "not_counted" and check.reason.startswith("Niet geteld")


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_send_nothing_twice(cast, monkeypatch):
    for name in ("Eva", "Tom", "Noor"):
        enrolled(cast.studio, name)
    sweep_at(at_utc(START, 6))
    barrier = threading.Barrier(2, timeout=BARRIER_TIMEOUT)
    meet_before(monkeypatch, services, "_carry_out", barrier)
    done: list[int] = []
    errors: list[BaseException] = []

    def sweeper() -> None:
        try:
            done.append(steps_carry_out(now=at_utc(START + timedelta(days=1), 9)))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweeper) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    # Each member: day 0 (a mail) and day 1 (a task) were due; each carried out by exactly one of the two.
    assert sum(done) == 6
    assert Message.objects.for_studio(cast.studio).filter(purpose="onboarding").count() == 3
    assert Step.objects.for_studio(cast.studio).filter(status="open").count() == 3
    assert DomainEvent.objects.for_studio(cast.studio).filter(kind="touchpoint.sent").count() == 3


@pytest.mark.django_db
def test_every_new_url_refuses_another_studio_and_coaches_where_owner_only(cast):
    enrolment = enrolled(cast.studio, "Eva", coach=cast.coach)
    sweep_at(at_utc(START, 6))
    step = Step.objects.for_studio(cast.studio).get(touchpoint__day=1)
    touchpoint = step.touchpoint
    program_id = enrolment.program_id
    base = f"/app/{cast.studio.slug}"
    playbook = f"{base}/programmas/{program_id}/playbook/"
    everyone = [
        f"{base}/taken/",
        f"{base}/taken/{step.pk}/gedaan/",
        f"{base}/taken/{step.pk}/overslaan/",
        f"{base}/taken/activatie/1/opgepakt/",
        playbook,
    ]
    owners = [
        playbook + "nieuw/",
        f"{playbook}{touchpoint.pk}/",
        f"{playbook}{touchpoint.pk}/verwijderen/",
        f"{playbook}{touchpoint.pk}/verplaatsen/",
    ]
    for url in everyone + owners:
        assert_other_studio_gets_404(url, cast.outsider, method="get")
        assert_other_studio_gets_404(url, cast.outsider, method="post")
    for url in owners:
        assert client_for(cast.coach).post(url).status_code == 404
    # Another studio's task and program, reached through this studio's address, are not found either.
    other = enrolled(cast.other_studio, "Ander")
    sweep_at(at_utc(START, 6, 30))
    foreign = Step.objects.for_studio(cast.other_studio).get(touchpoint__day=1)
    assert client_for(cast.owner).post(f"{base}/taken/{foreign.pk}/gedaan/").status_code == 404
    assert client_for(cast.owner).get(f"{base}/programmas/{other.program_id}/playbook/").status_code == 404
    coach_view = client_for(cast.coach).get(playbook).content.decode()
    assert "Alleen de eigenaar past het playbook aan." in coach_view


@pytest.mark.django_db
def test_a_day_21_flag_stands_for_the_day_10_one_and_one_call_takes_up_both(cast):
    slow = enrolled(cast.studio, "Eva", coach=cast.coach)
    for day in (10, 21):
        with time_machine.travel(at_utc(START + timedelta(days=day), 12), tick=False):
            activation_sweep()
    checks = ActivationCheck.objects.for_studio(cast.studio).filter(enrolment=slow)
    assert sorted(checks.values_list("day", "status")) == [(10, "flagged"), (21, "flagged")]
    with time_machine.travel(at_utc(START + timedelta(days=21), 13), tick=False):
        page = client_for(cast.coach).get(f"/app/{cast.studio.slug}/taken/").content.decode()
        assert "in de eerste 21 dagen" in page and "in de eerste 10 dagen" not in page
        day_21 = checks.get(day=21)
        client_for(cast.coach).post(f"/app/{cast.studio.slug}/taken/activatie/{day_21.pk}/opgepakt/")
    assert sorted(checks.values_list("day", "status")) == [(10, "seen"), (21, "seen")]


@pytest.mark.django_db
def test_a_whatsapp_touchpoint_with_an_approved_template_goes_as_that_template(cast):
    from vollegym.retention.models import Run
    from vollegym.retention.playbooks import PlaybookError, playbook_change

    enrolment = enrolled(cast.studio, "Eva", coach=cast.coach)
    consent_record(person=enrolment.member.person, purpose="whatsapp", given=True, how="staff",
                   wording="Ja, Kracht Utrecht mag me via WhatsApp berichten sturen.")  # fmt: skip
    enrolment.member.person.phone = "+31612345678"
    enrolment.member.person.save(update_fields=["phone"])
    with pytest.raises((PlaybookError, ValidationError)):
        playbook_change(program=enrolment.program, by=cast.owner, add={
            "day": 2, "at": time(9), "kind": "email", "title": "Mail", "text": "Hoi {voornaam}", "template": "check_in",
        })  # fmt: skip
    with pytest.raises((PlaybookError, ValidationError)):
        playbook_change(program=enrolment.program, by=cast.owner, add={
            "day": 2, "at": time(9), "kind": "whatsapp", "title": "App", "text": "Hoi", "template": "Check In!",
        })  # fmt: skip
    Run.objects.for_studio(cast.studio).delete()
    playbook_change(program=enrolment.program, by=cast.owner, add={
        "day": 2, "at": time(9), "kind": "whatsapp", "title": "Even appen", "text": "Hoi {voornaam}, hoe gaat het?",
        "template": "onboarding_check_in",
    })  # fmt: skip
    sweep_at(at_utc(START, 6))
    sweep_at(at_utc(START + timedelta(days=2), 9))
    message = Message.objects.for_studio(cast.studio).get(channel="whatsapp", purpose="onboarding")
    assert message.template == "onboarding_check_in"
    assert message.template_params == ["Eva", cast.coach.get_short_name(), "Kracht Utrecht"]
