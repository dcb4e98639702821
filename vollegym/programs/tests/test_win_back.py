"""The message after leaving: the studio's weeks after the last day (6 by default), once, in the daytime; with a yes
to news, or to one's own former member who did not say no (Telecommunicatiewet 11.7), with the way out in the mail;
not to who came back, not for a leaving long ago."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from vollegym.core.testing import make_lead, run_tasks
from vollegym.messaging.models import Message
from vollegym.people.models import DomainEvent, Purpose
from vollegym.people.services import consent_record
from vollegym.programs.endings import enrolment_cancel, membership_rules_update
from vollegym.programs.models import WinBack
from vollegym.programs.services import enrolment_create
from vollegym.programs.tests.endings_kit import at, enrol, program
from vollegym.programs.winback import win_backs_send

pytestmark = pytest.mark.django_db

START = date(2026, 3, 2)
END = date(2026, 5, 24)  # twelve weeks from START
DUE = END + timedelta(weeks=6)  # Sunday 5 July 2026


def noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, 0, tzinfo=UTC)  # 12:00 in Amsterdam (summer)


def left(cast, name: str = "Eva de Boer"):
    return enrol(cast.studio, program(cast.studio, name=f"Programma van {name}"), START, name=name)


def test_sent_six_weeks_after_the_last_day_once_in_the_daytime(cast):
    run = left(cast)
    assert win_backs_send(now=noon(DUE - timedelta(days=1))) == 0
    assert win_backs_send(now=datetime(2026, 7, 5, 5, 0, tzinfo=UTC)) == 0  # 07:00: too early
    assert win_backs_send(now=noon(DUE)) == 1
    assert win_backs_send(now=noon(DUE)) == 0
    assert win_backs_send(now=noon(DUE + timedelta(days=3))) == 0
    win_back = WinBack.objects.for_studio(cast.studio).get()
    assert win_back.enrolment == run and win_back.left_on == END and win_back.refused == ""
    message = Message.objects.for_studio(cast.studio).get(purpose="win_back")
    assert message.marketing and message.status == Message.Status.QUEUED and message.to == "eva@example.nl"
    assert "Geen nieuws en aanbiedingen meer ontvangen? Meld je af" in message.body
    assert DomainEvent.objects.for_studio(cast.studio).filter(kind="member.win_back").count() == 1


def test_a_cancelled_membership_counts_from_its_last_day_and_the_studio_sets_the_weeks(cast):
    membership_rules_update(studio=cast.studio, pause_max_weeks=8, members_may_pause=True, win_back_weeks=2)
    run = left(cast)
    with time_machine.travel(at(START + timedelta(days=3)), tick=False):
        enrolment_cancel(enrolment=run, by=None, by_member=True)
    assert win_backs_send(now=noon(END + timedelta(weeks=2))) == 1


def test_no_message_when_the_studio_chose_none(cast):
    membership_rules_update(studio=cast.studio, pause_max_weeks=8, members_may_pause=True, win_back_weeks=0)
    left(cast)
    assert win_backs_send(now=noon(DUE)) == 0


def test_someone_who_said_no_to_news_or_to_contact_is_not_written_to(cast):
    no_news = left(cast)
    no_contact = left(cast, "Tom Bakker")
    consent_record(person=no_news.member.person, purpose=Purpose.MARKETING, given=False, how="unsubscribe")
    consent_record(person=no_contact.member.person, purpose=Purpose.CONTACT, given=False, how="form")
    assert win_backs_send(now=noon(DUE)) == 2  # each leaving handled once, and neither sent
    reasons = sorted(WinBack.objects.for_studio(cast.studio).values_list("refused", flat=True))
    assert reasons == [
        "not sent: said no to news and offers by e-mail",
        "not sent: the person withdrew consent to be contacted",
    ]
    assert not Message.objects.for_studio(cast.studio).filter(purpose="win_back", status="queued").exists()


def test_a_no_after_queueing_stops_it_at_sending(cast, smtp):
    run = left(cast)
    with time_machine.travel(noon(DUE), tick=False):
        win_backs_send()
        consent_record(person=run.member.person, purpose=Purpose.MARKETING, given=False, how="unsubscribe")
        run_tasks()
    assert smtp.to("eva@example.nl") == []
    assert Message.objects.for_studio(cast.studio).get(purpose="win_back").status == Message.Status.CANCELLED


def test_the_mail_goes_over_smtp_with_the_way_back_and_the_way_out(cast, smtp, settings):
    settings.SITE_URL = "https://app.vollegym.test"
    left(cast)
    with time_machine.travel(noon(DUE), tick=False):
        win_backs_send()
        run_tasks()
    (mail,) = smtp.to("eva@example.nl")
    body = mail.get_body(preferencelist=("plain",)).get_content()
    assert str(mail["Subject"]) == "Hoe gaat het met je, Eva?"
    assert "https://app.vollegym.test/s/kracht-utrecht/intake/" in body
    assert "Meld je af: https://app.vollegym.test/s/kracht-utrecht/berichten/" in body
    assert "doel=marketing" in body


def test_not_to_who_came_back_as_a_member_or_as_a_lead(cast):
    again = left(cast)
    asked = left(cast, "Tom Bakker")
    with time_machine.travel(at(END + timedelta(days=10)), tick=False):
        enrolment_create(member=again.member, program=program(cast.studio, name="Sterk"), starts_on=END + timedelta(
            days=12), by=None)  # fmt: skip
        make_lead(cast.studio, name="Tom Bakker", email="tom@example.nl", source="website")
    from vollegym.leads.models import Lead

    Lead.objects.for_studio(cast.studio).filter(person__name="Tom Bakker").update(person=asked.member.person)
    assert win_backs_send(now=noon(DUE)) == 0


def test_a_leaving_long_ago_is_left_alone(cast):
    left(cast)
    assert win_backs_send(now=noon(DUE + timedelta(days=15))) == 0
