"""The prospect's side of the kennismakingsgesprek, page by page: pick a moment, see it, move or cancel it."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from django.test import Client

from vollegym.core.testing import make_staff, make_studio, run_tasks
from vollegym.intake.models import Booking, BookingClaim, IntakeResponse
from vollegym.intake.services import (
    WindowInput,
    availability_exception_add,
    availability_set,
    booking_cancel,
    booking_make,
    coach_calendar_renew,
    questionnaire_install,
)
from vollegym.intake.tests.test_booking import BEFORE_SPRING, EVERY_DAY, local, make_kind, make_lead
from vollegym.intake.tests.test_public_intake import CONTACT, PT_ANSWERS, start, walk
from vollegym.leads.models import Lead, Stage
from vollegym.messaging.models import Message
from vollegym.studios.models import StaffMembership
from vollegym.studios.services import staff_remove

pytestmark = pytest.mark.django_db

# BEFORE_SPRING is Wednesday 25 March 2026, 10:00 in Utrecht; the clocks go forward on Sunday the 29th. With 12
# hours' notice the first free moment is Thursday 26 March 09:00; with 21 days ahead the last day is 15 April.
FRIDAY_TEN = local(date(2026, 3, 27), 10)  # 09:00 UTC (winter time)
FRIDAY_TEN_VALUE = "2026-03-27T09:00Z"
MONDAY_ELEVEN = local(date(2026, 3, 30), 11)  # 09:00 UTC (summer time)
MONDAY_ELEVEN_VALUE = "2026-03-30T09:00Z"
EVERY_TIME = ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30"]
BOOKING_PATH = re.compile(r"^/s/kracht-utrecht/gesprek/[^/]+/$")


@pytest.fixture
def now():
    with time_machine.travel(BEFORE_SPRING, tick=False) as traveller:
        yield traveller


@pytest.fixture
def pt_intake(cast):
    return questionnaire_install(studio=cast.studio, kind="pt")


@pytest.fixture
def kind(cast):
    availability_set(studio=cast.studio, coach=cast.coach, windows=EVERY_DAY)
    return make_kind(cast.studio)


def finished_intake(client: Client, slug: str = "kracht-utrecht", **contact: str) -> str:
    """Walks the PT intake to its plan; returns the intake's base path (…/intake/<token>/)."""
    plan: str = walk(client, start(client, slug, **contact)["Location"], PT_ANSWERS)
    assert plan.endswith("/plan/")
    return plan.removesuffix("plan/")


def picker(html: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """The moments a page offers: [(day as shown, [(value posted, time shown), …]), …]."""
    days = re.findall(r'<fieldset class="slots__day">\s*<legend>(.*?)</legend>(.*?)</fieldset>', html, re.S)
    return [
        (legend, re.findall(r'name="slot" value="([^"]+)"[^>]*>\s*<span>([^<]+)</span>', times))
        for legend, times in days
    ]


def offered_values(html: str) -> set[str]:
    return {value for _, times in picker(html) for value, _ in times}


def book(client: Client, base: str, value: str = FRIDAY_TEN_VALUE, **extra: str) -> str:
    """Books a moment through the page; returns the signed booking path."""
    response = client.post(f"{base}gesprek/", {"slot": value, **extra})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert BOOKING_PATH.match(response["Location"]), response["Location"]
    return response["Location"]


def the_booking(cast) -> Booking:
    return Booking.objects.for_studio(cast.studio).get()


# ---- 1. the plan leads to the booking page -----------------------------------------------------------------


def test_the_plan_offers_to_pick_a_moment_when_the_studio_has_a_consultation_type(
    cast, pt_intake, kind, now, client
):
    base = finished_intake(client)
    plan = client.get(f"{base}plan/").text
    assert "Kies een moment" in plan and f'href="{base}gesprek/"' in plan
    assert "We nemen persoonlijk contact met je op" not in plan


def test_without_a_bookable_type_the_plan_promises_a_call_and_the_booking_page_goes_back(
    cast, pt_intake, now, client
):
    availability_set(studio=cast.studio, coach=cast.coach, windows=EVERY_DAY)
    make_kind(cast.studio, is_active=False)  # a type the studio switched off counts as none
    base = finished_intake(client)
    plan = client.get(f"{base}plan/").text
    assert "We nemen persoonlijk contact met je op" in plan
    assert "gesprek/" not in plan and "Kies een moment" not in plan
    response = client.get(f"{base}gesprek/")
    assert response.status_code == 302 and response["Location"] == f"{base}plan/"
    assert client.post(f"{base}gesprek/", {"slot": FRIDAY_TEN_VALUE}).status_code == 302
    assert not Booking.objects.for_studio(cast.studio).exists()


def test_an_unknown_intake_token_has_no_booking_page(cast, pt_intake, kind, now, client):
    assert client.get("/s/kracht-utrecht/intake/geen-echt-token/gesprek/").status_code == 404
    assert (
        client.post(
            "/s/kracht-utrecht/intake/geen-echt-token/gesprek/", {"slot": FRIDAY_TEN_VALUE}
        ).status_code
        == 404
    )
    base = finished_intake(client)
    assert client.get(base.replace("kracht-utrecht", "andere-studio") + "gesprek/").status_code == 404


# ---- 2. the free moments, per local day, a week at a time ----------------------------------------------------


def test_the_booking_page_lists_the_free_moments_of_a_week_per_local_day(cast, pt_intake, kind, now, client):
    base = finished_intake(client)
    page = client.get(f"{base}gesprek/").text
    days = picker(page)
    assert [day for day, _ in days] == [
        "donderdag 26 maart", "vrijdag 27 maart", "zaterdag 28 maart", "zondag 29 maart", "maandag 30 maart",
        "dinsdag 31 maart", "woensdag 1 april",
    ]  # fmt: skip
    assert all([label for _, label in times] == EVERY_TIME for _, times in days)
    # The same wall-clock 10:00 is 09:00 UTC before the clocks go forward and 08:00 UTC after.
    saturday, sunday = (
        {label: value for value, label in days[2][1]},
        {label: value for value, label in days[3][1]},
    )
    assert saturday["10:00"] == "2026-03-28T09:00Z" and sunday["10:00"] == "2026-03-29T08:00Z"
    assert "Tijden in Nederlandse tijd" in page
    assert "Eerder" not in page
    assert f'href="{base}gesprek/?soort={kind.pk}&amp;vanaf=2026-04-02"' in page
    assert 'class="kinds"' not in page  # one type: no tabs


def test_the_weeks_can_be_paged_and_stay_within_the_bookable_days(cast, pt_intake, kind, now, client):
    base = finished_intake(client)
    second = client.get(f"{base}gesprek/?vanaf=2026-04-02").text
    assert picker(second)[0][0] == "donderdag 2 april"
    assert len(picker(second)) == 7
    assert (
        f"?soort={kind.pk}&amp;vanaf=2026-03-26" in second
        and f"?soort={kind.pk}&amp;vanaf=2026-04-09" in second
    )
    last = client.get(f"{base}gesprek/?vanaf=2026-04-09").text
    assert picker(last)[-1][0] == "woensdag 15 april"  # 21 days ahead, and no further
    assert "Later" not in last and "vanaf=2026-04-02" in last
    for odd in ("2020-01-01", "geen-datum", ""):
        first_day = picker(client.get(f"{base}gesprek/?vanaf={odd}").text)[0][0]
        assert first_day == "donderdag 26 maart"
    far = picker(client.get(f"{base}gesprek/?vanaf=2027-01-01").text)
    assert [day for day, _ in far] == ["woensdag 15 april"]


def holiday_weeks(cast, client: Client, base: str) -> str:
    """Closes the studio from 2 to 8 April; returns the page the first week's "Later" link opens."""
    availability_exception_add(
        studio=cast.studio,
        coach=None,
        first_day=date(2026, 4, 2),
        last_day=date(2026, 4, 8),
        reason="Vakantie",
    )
    first = client.get(f"{base}gesprek/").text
    later = re.search(r'href="([^"]+)"[^>]*>Later', first)
    assert later is not None
    return client.get(later.group(1).replace("&amp;", "&")).text


def test_a_week_without_free_moments_is_skipped_for_the_next_week_that_has_them(
    cast, pt_intake, kind, now, client
):
    after = holiday_weeks(cast, client, finished_intake(client))
    assert "Nu even geen vrij moment" not in after
    assert picker(after)[0][0] == "donderdag 9 april"
    assert "2026-04-09T07:00Z" in offered_values(after)


def test_after_a_skipped_week_earlier_goes_back_to_the_week_before_it(cast, pt_intake, kind, now, client):
    after = holiday_weeks(cast, client, finished_intake(client))
    earlier = re.search(r'href="([^"]+)"[^>]*>← Eerder', after)
    assert earlier is not None
    before = client.get(earlier.group(1).replace("&amp;", "&")).text
    days = [day for day, _ in picker(before)]
    assert days[0] == "donderdag 26 maart"
    assert days[-1] == "woensdag 1 april"  # the last free day before the holiday


def test_two_types_show_as_tabs_and_each_has_its_own_moments(cast, pt_intake, kind, now, client):
    video = make_kind(cast.studio, name="Videogesprek", place="video", location="https://meet.example/kracht",
                      duration_minutes=60, position=1)  # fmt: skip
    base = finished_intake(client)
    page = client.get(f"{base}gesprek/").text
    assert (
        f'href="{base}gesprek/?soort={kind.pk}"' in page and f'href="{base}gesprek/?soort={video.pk}"' in page
    )
    assert "Kennismaking in de studio" in page and "Videogesprek" in page
    assert [label for _, label in picker(page)[0][1]] == EVERY_TIME  # the first type is the default
    video_page = client.get(f"{base}gesprek/?soort={video.pk}").text
    # 60 minutes in a window until 12:00: 11:30 would run over.
    assert [label for _, label in picker(video_page)[0][1]] == EVERY_TIME[:-1]
    assert re.search(rf'href="[^"]*soort={video.pk}" aria-current="true"', video_page)
    assert f'name="soort" value="{video.pk}"' in video_page
    assert f"?soort={video.pk}&amp;vanaf=2026-04-02" in video_page  # paging keeps the type
    # An unknown type falls back to the first one instead of failing.
    assert [label for _, label in picker(client.get(f"{base}gesprek/?soort=999999").text)[0][1]] == EVERY_TIME
    path = book(client, base, FRIDAY_TEN_VALUE, soort=str(video.pk))
    booking = the_booking(cast)
    assert booking.kind == video and booking.ends_at - booking.starts_at == timedelta(minutes=60)
    assert "https://meet.example/kracht" in client.get(path).text


# ---- 3. booking a moment ----------------------------------------------------------------------------------


def test_posting_a_moment_books_it_and_shows_it_in_local_time(cast, pt_intake, kind, now, client):
    base = finished_intake(client)
    path = book(client, base)
    booking = the_booking(cast)
    response = IntakeResponse.objects.for_studio(cast.studio).get()
    assert booking.starts_at == FRIDAY_TEN == datetime(2026, 3, 27, 9, 0, tzinfo=UTC)
    assert booking.response == response and booking.lead == response.lead and booking.coach == cast.coach
    page = client.get(path).text
    assert "Je gesprek staat gepland" in page
    assert "vrijdag 27 maart om 10:00" in page and "tot 10:30" in page
    assert f'href="{path}verzetten/"' in page and f'href="{path}annuleren/"' in page
    assert f'href="{path}agenda.ics"' in page
    lead = Lead.objects.for_studio(cast.studio).get()
    assert lead.stage == Stage.INTAKE_BOOKED
    # Back to the booking page or the plan: the planned conversation, not a second one.
    again = client.get(f"{base}gesprek/")
    assert again.status_code == 302 and again["Location"] == path
    assert client.post(f"{base}gesprek/", {"slot": MONDAY_ELEVEN_VALUE})["Location"] == path
    plan = client.get(f"{base}plan/").text
    assert "Je gesprek staat gepland" in plan and f'href="{path}"' in plan
    assert Booking.objects.for_studio(cast.studio).count() == 1
    assert the_booking(cast).starts_at == FRIDAY_TEN


def test_posting_without_a_moment_asks_for_one_and_books_nothing(cast, pt_intake, kind, now, client):
    base = finished_intake(client)
    response = client.post(f"{base}gesprek/", {"soort": str(kind.pk)})
    assert response.status_code == 200
    assert "Kies een moment voor het gesprek." in response.text
    assert picker(response.text)  # the moments are still there to choose from
    for odd in ("2026-03-27T09:10Z", "2026-03-25T09:00Z", "morgen"):  # off the grid, too soon, nonsense
        response = client.post(f"{base}gesprek/", {"slot": odd})
        assert response.status_code == 200 and "Dat moment is niet meer vrij" in response.text
    assert not Booking.objects.for_studio(cast.studio).exists()
    assert Lead.objects.for_studio(cast.studio).get().stage == Stage.NEW


def test_a_moment_taken_while_the_page_was_open_is_refused_with_a_message(cast, pt_intake, kind, now, client):
    base = finished_intake(client)
    assert FRIDAY_TEN_VALUE in offered_values(client.get(f"{base}gesprek/").text)
    faster = booking_make(lead=make_lead(cast.studio, "Tom Bakker"), kind=kind, starts_at=FRIDAY_TEN)
    response = client.post(f"{base}gesprek/", {"soort": str(kind.pk), "slot": FRIDAY_TEN_VALUE})
    assert response.status_code == 200
    assert "niet meer vrij" in response.text
    assert FRIDAY_TEN_VALUE not in offered_values(response.text)
    assert "2026-03-27T10:00Z" in offered_values(response.text)  # other moments still on offer
    assert list(Booking.objects.for_studio(cast.studio)) == [faster]
    mine = IntakeResponse.objects.for_studio(cast.studio).get().lead
    assert mine.stage == Stage.NEW
    # A moment taken in a later week: the page stays on that week, so the next choice is at hand.
    april = local(date(2026, 4, 3), 10)
    booking_make(lead=make_lead(cast.studio, "Ilse Jansen"), kind=kind, starts_at=april)
    response = client.post(
        f"{base}gesprek/", {"soort": str(kind.pk), "vanaf": "2026-04-02", "slot": "2026-04-03T08:00Z"}
    )
    assert response.status_code == 200 and "niet meer vrij" in response.text
    assert picker(response.text)[0][0] == "donderdag 2 april"
    assert Booking.objects.for_studio(cast.studio).filter(lead=mine).count() == 0


# ---- 4. the confirmation mail --------------------------------------------------------------------------------


def test_the_confirmation_mail_arrives_with_the_invite_and_a_link_that_works(
    cast, pt_intake, kind, now, client, smtp, settings
):
    settings.SITE_URL = "https://app.vollegym.example"
    base = finished_intake(client)
    path = book(client, base)
    run_tasks()
    confirmations = [m for m in smtp.to(CONTACT["email"]) if "staat gepland" in str(m["Subject"])]
    assert len(confirmations) == 1
    mail = confirmations[0]
    assert "vrijdag 27 maart om 10:00" in str(mail["Subject"])
    invites = [part for part in mail.iter_attachments() if part.get_content_type() == "text/calendar"]
    assert len(invites) == 1
    invite = invites[0].get_content()
    if isinstance(invite, bytes):
        invite = invite.decode()
    assert (
        "METHOD:REQUEST" in invite
        and "DTSTART:20260327T090000Z" in invite
        and "DTEND:20260327T093000Z" in invite
    )
    assert invites[0].get_filename() == "kennismakingsgesprek.ics"
    text = mail.get_body(preferencelist=("plain",)).get_content()
    links = re.findall(r"https://app\.vollegym\.example/\S+", text)
    assert links[0] == f"https://app.vollegym.example{path}"
    assert len(links) == 2 and "/s/kracht-utrecht/berichten/" in links[1]  # the person's own message settings
    followed = Client().get(urlsplit(links[0]).path)  # another device: no session needed
    assert followed.status_code == 200 and "vrijdag 27 maart om 10:00" in followed.text
    coach_mail = [m for m in smtp.to(cast.coach.email) if "Nieuw kennismakingsgesprek" in str(m["Subject"])]
    assert len(coach_mail) == 1
    # The reminders wait for their time: nothing more went to the prospect.
    assert not [m for m in smtp.to(CONTACT["email"]) if "Herinnering" in str(m["Subject"])]


# ---- 5. the signed link ---------------------------------------------------------------------------------


def test_a_tampered_or_foreign_link_is_404_and_changes_nothing(cast, pt_intake, kind, now, client):
    path = book(client, finished_intake(client))
    signed = path.rstrip("/").rsplit("/", 1)[1]
    pk, signature = signed.split(":", 1)
    tampered = [
        f"{pk}:{signature[:-1]}{'A' if signature[-1] != 'A' else 'B'}",
        f"{int(pk) + 1}:{signature}",
        pk,
        f"{pk}:",
    ]
    for bad in tampered:
        for suffix in ("", "agenda.ics", "verzetten/", "annuleren/"):
            assert client.get(f"/s/kracht-utrecht/gesprek/{bad}/{suffix}").status_code == 404, (bad, suffix)
        assert client.post(f"/s/kracht-utrecht/gesprek/{bad}/annuleren/").status_code == 404
    foreign = path.replace("/s/kracht-utrecht/", "/s/andere-studio/")
    for suffix in ("", "agenda.ics", "verzetten/", "annuleren/"):
        assert client.get(f"{foreign}{suffix}").status_code == 404, suffix
    assert client.post(f"{foreign}annuleren/").status_code == 404
    assert client.post(f"{foreign}verzetten/", {"slot": MONDAY_ELEVEN_VALUE}).status_code == 404
    booking = the_booking(cast)
    assert booking.status == Booking.Status.BOOKED and booking.starts_at == FRIDAY_TEN
    # The link is the key: the page is not cached or indexed, and does not travel along as a referrer.
    page = Client().get(path)
    assert "no-store" in page["Cache-Control"] and "private" in page["Cache-Control"]
    assert '<meta name="robots" content="noindex">' in page.text
    assert page["Referrer-Policy"] in ("no-referrer", "same-origin", "strict-origin-when-cross-origin")


def test_the_agenda_file_of_the_booking_downloads(cast, pt_intake, kind, now, client):
    path = book(client, finished_intake(client))
    booking = the_booking(cast)
    response = Client().get(f"{path}agenda.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert 'filename="kennismakingsgesprek.ics"' in response["Content-Disposition"]
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR") and "METHOD:REQUEST" in body
    assert "DTSTART:20260327T090000Z" in body and "SEQUENCE:0" in body
    assert f"UID:booking-{booking.pk}@kracht-utrecht.vollegym" in body
    assert "ATTENDEE" in body and "eva@example.nl" in body


def test_the_booking_page_and_invite_say_where_the_conversation_in_the_studio_is(
    cast, pt_intake, kind, now, client
):
    cast.studio.street, cast.studio.postal_code = "Oudegracht 1", "3511 AB"
    cast.studio.save()
    path = book(client, finished_intake(client))
    assert "<dd>Oudegracht 1, 3511 AB Utrecht</dd>" in client.get(path).text
    assert "LOCATION:Oudegracht 1\\, 3511 AB Utrecht" in client.get(f"{path}agenda.ics").content.decode()


@pytest.mark.parametrize("place", ["video", "phone"])
def test_a_call_without_a_place_is_not_sent_to_the_studios_address(cast, pt_intake, now, client, place):
    cast.studio.street, cast.studio.postal_code = "Oudegracht 1", "3511 AB"
    cast.studio.save()
    availability_set(studio=cast.studio, coach=cast.coach, windows=EVERY_DAY)
    make_kind(cast.studio, name="Kennismaking op afstand", place=place)  # no address or link given
    path = book(client, finished_intake(client))
    facts = re.search(r'<dl class="facts">(.*?)</dl>', client.get(path).text, re.S)
    assert facts is not None
    ics = client.get(f"{path}agenda.ics").content.decode()
    assert "Oudegracht" not in facts.group(1)
    assert "Oudegracht" not in ics


# ---- 6. moving and cancelling -------------------------------------------------------------------------------


def test_moving_the_conversation_frees_the_old_time_and_raises_the_sequence(
    cast, pt_intake, kind, now, client
):
    path = book(client, finished_intake(client))
    page = client.get(f"{path}verzetten/").text
    assert "Nu gepland: <strong>vrijdag 27 maart om 10:00</strong>" in page
    assert MONDAY_ELEVEN_VALUE in offered_values(page)
    assert f'href="{path}"' in page  # "Niet verzetten" goes back
    response = client.post(f"{path}verzetten/", {"soort": str(kind.pk), "slot": MONDAY_ELEVEN_VALUE})
    assert response.status_code == 302 and response["Location"] == f"{path}?verzet=1"
    moved = client.get(response["Location"]).text
    assert "Je gesprek is verzet" in moved and "maandag 30 maart om 11:00" in moved
    booking = the_booking(cast)
    assert booking.starts_at == MONDAY_ELEVEN and booking.sequence == 1
    ics = client.get(f"{path}agenda.ics").content.decode()
    assert "SEQUENCE:1" in ics and "DTSTART:20260330T090000Z" in ics
    assert Message.objects.for_studio(cast.studio).filter(key=f"booking:{booking.pk}:1:lead").exists()
    # The old moment is on offer again to somebody else.
    other = finished_intake(Client(), email="tom@example.nl", phone="0687654321", name="Tom Bakker")
    offered = offered_values(Client().get(f"{other}gesprek/").text)
    assert FRIDAY_TEN_VALUE in offered and MONDAY_ELEVEN_VALUE not in offered


def test_moving_to_a_moment_taken_meanwhile_keeps_the_old_one(cast, pt_intake, kind, now, client):
    path = book(client, finished_intake(client))
    assert MONDAY_ELEVEN_VALUE in offered_values(client.get(f"{path}verzetten/").text)
    booking_make(
        lead=make_lead(cast.studio, "Tom Bakker", email="tom@example.nl"), kind=kind, starts_at=MONDAY_ELEVEN
    )
    response = client.post(f"{path}verzetten/", {"soort": str(kind.pk), "slot": MONDAY_ELEVEN_VALUE})
    assert response.status_code == 200 and "niet meer vrij" in response.text
    assert "Nu gepland: <strong>vrijdag 27 maart om 10:00</strong>" in response.text
    mine = Booking.objects.for_studio(cast.studio).get(person__email=CONTACT["email"])
    assert mine.starts_at == FRIDAY_TEN and mine.sequence == 0 and mine.status == Booking.Status.BOOKED
    assert BookingClaim.objects.for_studio(cast.studio).filter(booking=mine).count() == 9  # 30 + 15 minutes


def test_cancelling_asks_first_then_cancels_and_the_page_says_so(cast, pt_intake, kind, now, client):
    base = finished_intake(client)
    path = book(client, base)
    page = client.get(f"{path}annuleren/").text
    assert "Je gesprek annuleren?" in page and "vrijdag 27 maart om 10:00" in page
    assert the_booking(cast).status == Booking.Status.BOOKED  # a GET cancels nothing
    response = client.post(f"{path}annuleren/", {"reason": "Ziek"})
    assert response.status_code == 302 and response["Location"] == path
    booking = the_booking(cast)
    assert booking.status == Booking.Status.CANCELLED and booking.sequence == 1
    assert not BookingClaim.objects.for_studio(cast.studio).exists()
    assert Lead.objects.for_studio(cast.studio).get().stage == Stage.NEW
    cancelled = client.get(path).text
    assert "Dit gesprek is geannuleerd" in cancelled and "vrijdag 27 maart om 10:00" in cancelled
    assert "verzetten/" not in cancelled and "annuleren/" not in cancelled
    assert 'href="/s/kracht-utrecht/intake/"' in cancelled
    for suffix in ("verzetten/", "annuleren/"):
        gone = client.get(f"{path}{suffix}")
        assert gone.status_code == 302 and gone["Location"] == path
    again = client.post(f"{path}annuleren/", {"reason": "Nog een keer"})  # another tab
    assert again.status_code == 302 and the_booking(cast).sequence == 1
    assert "METHOD:CANCEL" in client.get(f"{path}agenda.ics").content.decode()
    # The prospect can pick a new moment from the intake; the old one is free again.
    offered = offered_values(client.get(f"{base}gesprek/").text)
    assert FRIDAY_TEN_VALUE in offered
    new_path = book(client, base, FRIDAY_TEN_VALUE)
    assert new_path != path
    assert Booking.objects.for_studio(cast.studio).planned().count() == 1


# ---- 7. the agency's own intake ---------------------------------------------------------------------------


def test_the_agencys_intake_books_a_conversation_too(cast, now, client):
    agency = make_studio(name="Volle Gym", slug="volle-gym")
    questionnaire_install(studio=agency, kind="agency")
    consultant = make_staff(agency)
    availability_set(studio=agency, coach=consultant, windows=EVERY_DAY)
    make_kind(agency, name="Kennismaking met Volle Gym", place="video")
    location = client.post("/intake/", CONTACT)["Location"]
    plan = walk(client, location, [
        {"studio_type": "small_group", "studio_name": "Kracht Utrecht", "members": "80"},
        {"open_spots": "12", "leads_per_month": "40", "response_speed": "dagen"},
        {"goal": "rooster", "goal_words": "Elke week volle groepen", "start": "nu"},
    ])  # fmt: skip
    base = plan.removesuffix("plan/")
    assert re.match(r"^/intake/[\w-]+/$", base)
    assert f'href="{base}gesprek/"' in client.get(plan).text
    page = client.get(f"{base}gesprek/").text
    assert FRIDAY_TEN_VALUE in offered_values(page)
    assert client.get(f"/s/kracht-utrecht{base}gesprek/").status_code == 404  # not the studio's intake
    response = client.post(f"{base}gesprek/", {"slot": FRIDAY_TEN_VALUE})
    assert response.status_code == 302 and re.match(r"^/s/volle-gym/gesprek/[^/]+/$", response["Location"])
    booked = client.get(response["Location"]).text
    assert "vrijdag 27 maart om 10:00" in booked and "Kennismaking met Volle Gym" in booked
    booking = Booking.objects.for_studio(agency).get()
    assert booking.coach == consultant and booking.lead.studio == agency
    assert not Booking.objects.for_studio(cast.studio).exists()
    assert client.get(response["Location"].replace("volle-gym", "kracht-utrecht")).status_code == 404
    client.post(f"{response['Location']}annuleren/")
    assert 'href="/intake/"' in client.get(response["Location"]).text  # start again at the agency's intake


# ---- 8. the coach's calendar feed -------------------------------------------------------------------------


def test_the_coach_feed_lists_planned_conversations_and_only_with_its_own_token(cast, kind, now, client):
    availability_set(studio=cast.studio, coach=cast.owner, windows=EVERY_DAY)
    planned = booking_make(lead=make_lead(cast.studio, "Eva de Boer"), kind=kind, starts_at=FRIDAY_TEN)
    dropped = booking_make(lead=make_lead(cast.studio, "Tom Bakker"), kind=kind, starts_at=MONDAY_ELEVEN)
    booking_cancel(booking=dropped, reason="Ziek")
    owners = booking_make(
        lead=make_lead(cast.studio, "Ilse Jansen", assigned_to=cast.owner), kind=kind, starts_at=FRIDAY_TEN
    )
    assert planned.coach == cast.coach and owners.coach == cast.owner
    token = coach_calendar_renew(studio=cast.studio, coach=cast.coach)
    response = client.get(f"/s/kracht-utrecht/agenda/{token}.ics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert f"UID:booking-{planned.pk}@kracht-utrecht.vollegym" in body and "DTSTART:20260327T090000Z" in body
    assert "Eva de Boer" in body
    assert f"booking-{dropped.pk}@" not in body and "Tom Bakker" not in body  # cancelled
    assert f"booking-{owners.pk}@" not in body  # another coach's
    assert "METHOD" not in body  # a subscribed feed, not an invite
    assert client.get("/s/kracht-utrecht/agenda/verkeerd-token.ics").status_code == 404
    assert client.get(f"/s/andere-studio/agenda/{token}.ics").status_code == 404
    foreign = coach_calendar_renew(studio=cast.other_studio, coach=cast.outsider)
    assert client.get(f"/s/kracht-utrecht/agenda/{foreign}.ics").status_code == 404
    assert client.get(f"/s/andere-studio/agenda/{foreign}.ics").status_code == 200
    renewed = coach_calendar_renew(studio=cast.studio, coach=cast.coach)
    assert client.get(f"/s/kracht-utrecht/agenda/{token}.ics").status_code == 404
    assert client.get(f"/s/kracht-utrecht/agenda/{renewed}.ics").status_code == 200


def test_a_coach_who_left_the_studio_no_longer_gets_the_feed(cast, kind, now, client):
    booking_make(lead=make_lead(cast.studio, "Eva de Boer"), kind=kind, starts_at=FRIDAY_TEN)
    token = coach_calendar_renew(studio=cast.studio, coach=cast.coach)
    assert "Telefoon: 06 12345678" in client.get(f"/s/kracht-utrecht/agenda/{token}.ics").content.decode()
    membership = StaffMembership.objects.for_studio(cast.studio).get(user=cast.coach)
    staff_remove(studio=cast.studio, membership_id=membership.pk)
    assert client.get(f"/s/kracht-utrecht/agenda/{token}.ics").status_code == 404


# ---- 9. after the moment ---------------------------------------------------------------------------------


@pytest.mark.parametrize("later", [timedelta(minutes=10), timedelta(days=2)], ids=["under-way", "held"])
def test_a_conversation_that_has_begun_can_no_longer_be_moved_or_cancelled(
    cast, pt_intake, kind, now, client, later
):
    base = finished_intake(client)
    path = book(client, base)
    now.move_to(FRIDAY_TEN + later)
    page = client.get(path)
    assert page.status_code == 200
    assert "Dit gesprek is geweest" in page.text and "vrijdag 27 maart om 10:00" in page.text
    assert "verzetten/" not in page.text and "annuleren/" not in page.text
    for suffix in ("verzetten/", "annuleren/"):
        response = client.get(f"{path}{suffix}")
        assert response.status_code == 302 and response["Location"] == path
    assert client.post(f"{path}annuleren/", {"reason": "Te laat"})["Location"] == path
    free_later = (FRIDAY_TEN + timedelta(days=4)).astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")
    assert client.post(f"{path}verzetten/", {"slot": free_later})["Location"] == path
    booking = the_booking(cast)
    assert (
        booking.status == Booking.Status.BOOKED and booking.starts_at == FRIDAY_TEN and booking.sequence == 0
    )
    again = client.get(f"{base}gesprek/")
    if later < timedelta(minutes=30):  # under way: no second booking from the intake
        assert again["Location"] == path
    else:  # long past and never recorded: it does not stand in the way of a new conversation
        assert again.status_code == 200 and "Kies een moment" in again.text
    assert client.get(f"{path}agenda.ics").status_code == 200


def test_windows_are_wall_clock_times_for_every_studio_day(cast, pt_intake, now, client):
    """A window from 18:00 shows 18:00, also on the first summer-time day (not 19:00 or 17:00)."""
    availability_set(studio=cast.studio, coach=cast.coach, windows=[WindowInput(6, time(18, 0), time(19, 0))])
    make_kind(cast.studio, buffer_minutes=0)
    base = finished_intake(client)
    days = picker(client.get(f"{base}gesprek/").text)
    assert days == [("zondag 29 maart", [("2026-03-29T16:00Z", "18:00"), ("2026-03-29T16:30Z", "18:30")])]
