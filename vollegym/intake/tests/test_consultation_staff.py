"""The kennismakingsgesprek in the back office: what a coach sees, records and sets."""

from __future__ import annotations

import re
from datetime import date, time, timedelta

import pytest
import time_machine

from vollegym.core.testing import client_for
from vollegym.intake.models import (
    Availability,
    AvailabilityException,
    Booking,
    ConsultationType,
)
from vollegym.intake.services import (
    booking_make,
    coach_calendar_renew,
    intake_answer,
    intake_start,
    questionnaire_install,
)
from vollegym.intake.services.booking import availability_set
from vollegym.intake.tests.test_booking import BEFORE_SPRING, EVERY_DAY, local, make_kind, make_lead
from vollegym.intake.tests.test_public_intake import PT_ANSWERS
from vollegym.leads.models import Stage

pytestmark = pytest.mark.django_db

DAY = date(2026, 3, 27)


@pytest.fixture
def kind(cast):
    availability_set(studio=cast.studio, coach=cast.coach, windows=EVERY_DAY)
    return make_kind(cast.studio)


@pytest.fixture
def booked(cast, kind):
    with time_machine.travel(BEFORE_SPRING, tick=False):
        return booking_make(lead=make_lead(cast.studio), kind=kind, starts_at=local(DAY, 10))


def test_the_lead_page_shows_score_reasons_and_the_planned_conversation(cast, kind):
    version = questionnaire_install(studio=cast.studio, kind="pt")
    from vollegym.intake.selectors import current_version

    current = current_version(cast.studio)
    assert current is not None
    with time_machine.travel(BEFORE_SPRING, tick=False):
        response = intake_start(
            studio=cast.studio, version=current, name="Eva de Boer", email="eva@example.nl",
            phone="0612345678",
        )  # fmt: skip
        for step, answers in zip(response.version.content.step_keys[1:], PT_ANSWERS, strict=False):
            response = intake_answer(response=response, step=step, answers=answers)
        booking_make(lead=response.lead, kind=kind, starts_at=local(DAY, 10), response=response)
        page = client_for(cast.coach).get(f"/app/kracht-utrecht/leads/{response.lead_id}/")
    html = page.content.decode()
    assert version is not None and page.status_code == 200
    assert f"score {response.score}" in html and response.reasons and response.reasons[0] in html
    assert "vrijdag 27 maart 10:00" in html and "Verzetten" in html


def test_a_coach_records_showed_then_won_from_the_list(cast, booked):
    coach = client_for(cast.coach)
    with time_machine.travel(local(DAY, 10, 35), tick=False):
        listing = coach.get("/app/kracht-utrecht/gesprekken/").content.decode()
        assert "Nog vastleggen" in listing and "Verschenen" in listing
        coach.post(f"/app/kracht-utrecht/gesprekken/{booked.pk}/vastleggen/", {"action": "showed"})
        missing_reason = coach.post(
            f"/app/kracht-utrecht/gesprekken/{booked.pk}/vastleggen/",
            {"action": "outcome", "outcome": "lost"},
            follow=True,
        )
        assert "Geef een reden op" in missing_reason.content.decode()
        coach.post(
            f"/app/kracht-utrecht/gesprekken/{booked.pk}/vastleggen/", {"action": "outcome", "outcome": "won"}
        )
    booked.refresh_from_db()
    booked.lead.refresh_from_db()
    assert booked.status == Booking.Status.SHOWED and booked.outcome == "won"
    assert booked.lead.stage == Stage.WON and booked.recorded_by == cast.coach


def test_a_no_show_from_the_lead_page_returns_to_the_lead_page(cast, booked):
    with time_machine.travel(local(DAY, 11), tick=False):
        response = client_for(cast.owner).post(
            f"/app/kracht-utrecht/gesprekken/{booked.pk}/vastleggen/",
            {"action": "no_show", "next": f"/app/kracht-utrecht/leads/{booked.lead_id}/"},
        )
    assert response["Location"] == f"/app/kracht-utrecht/leads/{booked.lead_id}/#gesprek"
    booked.lead.refresh_from_db()
    assert booked.lead.stage == Stage.NO_SHOW


def test_next_never_leads_outside_the_studio(cast, booked):
    with time_machine.travel(local(DAY, 11), tick=False):
        response = client_for(cast.owner).post(
            f"/app/kracht-utrecht/gesprekken/{booked.pk}/vastleggen/",
            {"action": "showed", "next": "https://evil.example/"},
        )
    assert response["Location"] == "/app/kracht-utrecht/gesprekken/"


def test_staff_cancel_frees_the_time_and_marks_the_booking(cast, booked):
    with time_machine.travel(BEFORE_SPRING, tick=False):
        client_for(cast.coach).post(f"/app/kracht-utrecht/gesprekken/{booked.pk}/annuleren/")
    booked.refresh_from_db()
    assert booked.status == Booking.Status.CANCELLED


def test_a_coach_plans_a_conversation_for_a_lead_on_the_phone(cast, kind):
    lead = make_lead(cast.studio, "Tom Bakker")
    coach = client_for(cast.coach)
    with time_machine.travel(BEFORE_SPRING, tick=False):
        page = coach.get(f"/app/kracht-utrecht/leads/{lead.pk}/gesprek/")
        assert page.status_code == 200 and "2026-03-27T09:00Z" in page.content.decode()
        response = coach.post(
            f"/app/kracht-utrecht/leads/{lead.pk}/gesprek/", {"soort": kind.pk, "slot": "2026-03-27T09:00Z"}
        )
        again = coach.get(f"/app/kracht-utrecht/leads/{lead.pk}/gesprek/")
    assert response.status_code == 302 and response["Location"] == f"/app/kracht-utrecht/leads/{lead.pk}/"
    booking = Booking.objects.for_studio(cast.studio).get(lead=lead)
    assert booking.coach == cast.coach and booking.starts_at == local(DAY, 10)
    assert again["Location"] == f"/app/kracht-utrecht/gesprekken/{booking.pk}/verzetten/"


def test_a_coach_sets_their_week_and_cannot_set_anyone_elses(cast):
    coach = client_for(cast.coach)
    data = {"d0_1_from": "09:00", "d0_1_to": "12:00", "d0_2_from": "17:00", "d0_2_to": "20:00",
            "d5_1_from": "08:00", "d5_1_to": "11:30", "coach": cast.owner.pk}  # fmt: skip
    response = coach.post("/app/kracht-utrecht/gesprekken/beschikbaarheid/", data)
    assert response.status_code == 302
    mine = Availability.objects.for_studio(cast.studio).filter(coach=cast.coach).order_by("weekday", "starts")
    assert [(a.weekday, f"{a.starts:%H:%M}", f"{a.ends:%H:%M}") for a in mine] == [
        (0, "09:00", "12:00"), (0, "17:00", "20:00"), (5, "08:00", "11:30"),
    ]  # fmt: skip
    assert not Availability.objects.for_studio(cast.studio).filter(coach=cast.owner).exists()


def test_a_bad_week_gives_dutch_messages_and_keeps_what_was_typed(cast):
    response = client_for(cast.coach).post(
        "/app/kracht-utrecht/gesprekken/beschikbaarheid/",
        {
            "d0_1_from": "12:00",
            "d0_1_to": "09:00",
            "d1_1_from": "09:00",
            "d2_1_from": "9 uur",
            "d2_1_to": "10:00",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Het eind moet na het begin liggen." in html and "Vul zowel het begin als het eind in." in html
    assert "Vul een tijd in als uu:mm, bijvoorbeeld 9:30 of 21:00." in html and 'value="9 uur"' in html
    assert not Availability.objects.for_studio(cast.studio).exists()


def test_an_owner_sets_a_coachs_week_and_a_studio_holiday(cast):
    owner = client_for(cast.owner)
    owner.post(
        "/app/kracht-utrecht/gesprekken/beschikbaarheid/",
        {"coach": cast.coach.pk, "d2_1_from": "09:00", "d2_1_to": "12:00"},
    )
    assert Availability.objects.for_studio(cast.studio).filter(coach=cast.coach, weekday=2).exists()
    owner.post(
        "/app/kracht-utrecht/gesprekken/beschikbaarheid/uitzondering/",
        {"coach": cast.coach.pk, "first_day": "2026-12-25", "last_day": "2026-12-26", "reason": "Kerst",
         "whole_studio": "on"},
    )  # fmt: skip
    holiday = AvailabilityException.objects.for_studio(cast.studio).get()
    assert holiday.coach is None and holiday.last_day == date(2026, 12, 26)


def test_a_coach_takes_an_afternoon_off_and_removes_it_again_but_not_the_studios(cast):
    coach = client_for(cast.coach)
    response = coach.post(
        "/app/kracht-utrecht/gesprekken/beschikbaarheid/uitzondering/",
        {
            "first_day": "2026-04-01",
            "starts": "13:00",
            "ends": "17:00",
            "reason": "Tandarts",
            "whole_studio": "on",
        },
    )
    assert response.status_code == 302
    mine = AvailabilityException.objects.for_studio(cast.studio).get()
    assert mine.coach == cast.coach and mine.starts == time(13) and mine.last_day == date(2026, 4, 1)
    holiday = AvailabilityException.objects.create(
        studio=cast.studio, first_day=date(2026, 12, 25), last_day=date(2026, 12, 25)
    )
    assert (
        coach.post(
            f"/app/kracht-utrecht/gesprekken/beschikbaarheid/uitzondering/{holiday.pk}/verwijderen/"
        ).status_code
        == 404
    )
    coach.post(f"/app/kracht-utrecht/gesprekken/beschikbaarheid/uitzondering/{mine.pk}/verwijderen/")
    assert list(AvailabilityException.objects.for_studio(cast.studio)) == [holiday]


def test_a_half_given_exception_is_refused_in_dutch(cast):
    response = client_for(cast.coach).post(
        "/app/kracht-utrecht/gesprekken/beschikbaarheid/uitzondering/",
        {"first_day": "2026-04-02", "last_day": "2026-04-01", "starts": "13:00"},
    )
    html = response.content.decode()
    assert "De einddatum ligt voor de begindatum." in html and "Vul beide tijden in" in html
    assert not AvailabilityException.objects.for_studio(cast.studio).exists()


def test_only_owners_manage_kinds_and_lengths_go_in_steps_of_five_minutes(cast):
    assert client_for(cast.coach).get("/app/kracht-utrecht/gesprekken/soorten/").status_code == 404
    owner = client_for(cast.owner)
    fields = {"name": "Videogesprek", "place": "video", "location": "https://meet.example/kracht",
              "duration_minutes": 22, "buffer_minutes": 10, "min_notice_hours": 4, "horizon_days": 14,
              "is_active": "on", "position": 1}  # fmt: skip
    refused = owner.post("/app/kracht-utrecht/gesprekken/soorten/", fields)
    assert "Gebruik stappen van 5 minuten." in refused.content.decode()
    owner.post("/app/kracht-utrecht/gesprekken/soorten/", {**fields, "duration_minutes": 20})
    kind = ConsultationType.objects.for_studio(cast.studio).get()
    assert kind.duration_minutes == 20 and kind.place == "video"
    owner.post("/app/kracht-utrecht/gesprekken/soorten/", {**fields, "id": kind.pk, "duration_minutes": 25})
    kind.refresh_from_db()
    assert kind.duration_minutes == 25 and ConsultationType.objects.for_studio(cast.studio).count() == 1


def test_another_studios_kind_cannot_be_edited_through_the_id(cast):
    theirs = ConsultationType.objects.create(studio=cast.other_studio, name="Van een ander")
    response = client_for(cast.owner).get(f"/app/kracht-utrecht/gesprekken/soorten/?id={theirs.pk}")
    assert response.status_code == 404


def test_renewing_the_feed_address_cuts_off_the_old_one(cast, booked):
    old = coach_calendar_renew(studio=cast.studio, coach=cast.coach)
    client = client_for(cast.coach)
    assert client.get(f"/s/kracht-utrecht/agenda/{old}.ics").status_code == 200
    page = client.post("/app/kracht-utrecht/gesprekken/agenda/vernieuwen/").content.decode()
    assert "het oude werkt niet meer" in page
    new = shown_token(page)
    assert new != old
    assert client.get(f"/s/kracht-utrecht/agenda/{old}.ics").status_code == 404
    with time_machine.travel(BEFORE_SPRING, tick=False):
        feed = client.get(f"/s/kracht-utrecht/agenda/{new}.ics").content.decode()
    assert "SUMMARY:Kennismaking: Eva de Boer" in feed and "DTSTART:20260327T090000Z" in feed


def shown_token(html: str) -> str:
    found = re.search(r"http://testserver/s/kracht-utrecht/agenda/([^/\s<]+)\.ics", html)
    assert found is not None, "no feed address on the page"
    return found.group(1)


def test_the_feed_address_is_shown_once_then_the_list_says_it_is_set(cast, booked):
    client = client_for(cast.coach)
    with time_machine.travel(BEFORE_SPRING - timedelta(hours=1), tick=False):
        before = client.get("/app/kracht-utrecht/gesprekken/").content.decode()
        assert "Agenda-adres maken" in before and "Eva de Boer" in before
        made = client.post("/app/kracht-utrecht/gesprekken/agenda/vernieuwen/")
        assert "no-store" in made["Cache-Control"]  # not kept by the browser either
        token = shown_token(made.content.decode())
        assert "het oude werkt niet meer" not in made.content.decode()  # the first address replaces nothing
        after = client.get("/app/kracht-utrecht/gesprekken/").content.decode()
    assert "Je agenda-adres is ingesteld" in after and "Nieuw adres maken" in after
    assert token not in after and ".ics" not in after
    assert client.get(f"/s/kracht-utrecht/agenda/{token}.ics").status_code == 200


def test_a_video_link_must_be_an_https_address(cast):
    owner = client_for(cast.owner)
    fields = {"name": "Videogesprek", "place": "video", "location": "javascript:alert(1)", "duration_minutes": 20,
              "buffer_minutes": 10, "min_notice_hours": 4, "horizon_days": 14, "is_active": "on", "position": 1}  # fmt: skip
    refused = owner.post("/app/kracht-utrecht/gesprekken/soorten/", fields)
    assert "beginnend met https://" in refused.content.decode()
    assert not ConsultationType.objects.for_studio(cast.studio).exists()
    owner.post(
        "/app/kracht-utrecht/gesprekken/soorten/", {**fields, "location": "https://meet.example/kracht"}
    )
    assert ConsultationType.objects.for_studio(cast.studio).get().location == "https://meet.example/kracht"


def test_an_impossible_date_in_the_address_is_no_crash(cast, kind):
    lead = make_lead(cast.studio, "Tom Bakker")
    with time_machine.travel(BEFORE_SPRING, tick=False):
        response = client_for(cast.coach).get(
            f"/app/kracht-utrecht/leads/{lead.pk}/gesprek/?vanaf=2026-02-30"
        )
    assert response.status_code == 200 and "2026-03-26T" in response.content.decode()
