"""The agenda in the back office: the week, a session with its mats and attendance, classes, closures, calling a
session off, fixed places, the open spots matched to leads; and ids of another studio in this studio's URLs."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import unquote

import pytest
import time_machine

from vollegym.core import clock
from vollegym.core.testing import client_for
from vollegym.core.testing import make_lead as build_lead
from vollegym.core.testing import make_member as build_member
from vollegym.intake.models import IntakeResponse
from vollegym.intake.selectors import current_version
from vollegym.intake.services import questionnaire_install
from vollegym.leads.models import Lead, Stage
from vollegym.messaging.models import Message
from vollegym.programs.models import Enrolment, Member
from vollegym.programs.services import enrolment_create
from vollegym.programs.tests.test_prices_and_enrolment import make_lead, make_program
from vollegym.schedule.models import ClassSession, ClassTemplate, Closure, FixedSlot, SessionBooking
from vollegym.schedule.services import booking_cancel, session_book, sessions_generate, waitlist_join

pytestmark = pytest.mark.django_db

# Monday 2 March 2026, 08:00 in Utrecht. The class is on Tuesdays 07:00: the 3rd and the 10th of March.
MONDAY = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
TUESDAY_3 = datetime(2026, 3, 3, 6, 0, tzinfo=UTC)
APP = "/app/kracht-utrecht/rooster/"


@pytest.fixture
def monday():
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


def enrol(studio, name: str, *, program=None) -> Member:
    program = program or make_program(studio, format="small_group", name="Small group 12 weken")
    enrolment_create(lead=make_lead(studio, name), program=program, starts_on=date(2026, 3, 2), by=None)
    return Member.objects.for_studio(studio).get(person__name=name)


def tuesday_class(studio, *, capacity=3, coach=None, name="Kracht & conditie") -> ClassTemplate:
    template = ClassTemplate.objects.create(
        studio=studio, name=name, weekday=1, starts=time(7, 0), capacity=capacity, coach=coach, room="Zaal 1"
    )
    sessions_generate(studio=studio, weeks=2)
    return template


def sessions(studio) -> list[ClassSession]:
    return list(ClassSession.objects.for_studio(studio).order_by("starts_at"))


@pytest.fixture
def agenda(cast, monday):
    """Tuesdays at 07:00 with Youssef, 3 mats; Eva booked on the 3rd, Tom not. Another studio has a class too."""
    template = tuesday_class(cast.studio, coach=cast.coach)
    eva, tom = enrol(cast.studio, "Eva de Boer"), enrol(cast.studio, "Tom Bakker")
    first, second = sessions(cast.studio)
    booking = session_book(session=first, member=eva)
    tuesday_class(cast.other_studio, name="Elders")
    olga = build_member(cast.other_studio, name="Olga Smit", email="olga@example.nl")
    theirs = sessions(cast.other_studio)[0]
    their_booking = session_book(session=theirs, member=olga)
    return {
        "template": template, "first": first, "second": second, "eva": eva, "tom": tom, "booking": booking,
        "theirs": theirs, "their_booking": their_booking, "olga": olga,
    }  # fmt: skip


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return str(response.content.decode())


# --- the week and a session ------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["owner", "coach"])
def test_the_week_shows_each_session_with_booked_and_capacity(cast, agenda, who):
    client = client_for(getattr(cast, who))
    this_week = page(client.get(APP))
    assert "Week van 2 maart" in this_week and "Dinsdag 3 mrt" in this_week
    assert f'href="/app/kracht-utrecht/rooster/les/{agenda["first"].pk}/"' in this_week
    assert "1/3" in this_week and "Kracht &amp; conditie" in this_week and "07:00" in this_week
    assert f"/les/{agenda['second'].pk}/" not in this_week  # next week's
    next_week = page(client.get(f"{APP}?week=2026-03-11"))  # any day picks its week
    assert "Week van 9 maart" in next_week and "0/3" in next_week
    assert f"/les/{agenda['second'].pk}/" in next_week and "Elders" not in next_week


def test_the_week_shows_who_waits_and_what_is_called_off(cast, agenda):
    first, second = agenda["first"], agenda["second"]
    for n in range(2):
        session_book(session=first, member=enrol(cast.studio, f"Vol{n} Jansen"))
    waitlist_join(session=first, member=agenda["tom"])
    client_for(cast.owner).post(f"{APP}les/{second.pk}/laten-vervallen/", {"reason": "Coach op cursus"})
    this_week = page(client_for(cast.owner).get(APP))
    assert "3/3" in this_week and "+1 wacht" in this_week and "is-full" in this_week
    next_week = page(client_for(cast.owner).get(f"{APP}?week=2026-03-09"))
    assert "vervalt" in next_week and "is-cancelled" in next_week


def test_a_week_that_is_no_date_shows_this_week(cast, agenda):
    response = client_for(cast.owner).get(f"{APP}?week=2026-02-30")
    assert response.status_code == 200 and "Week van 2 maart" in response.content.decode()


def test_a_week_with_garbage_shows_this_week(cast, agenda):
    assert "Week van 2 maart" in page(client_for(cast.owner).get(f"{APP}?week=volgende"))


@pytest.mark.parametrize("who", ["owner", "coach"])
def test_a_session_lists_its_mats_and_its_waitlist(cast, agenda, who):
    first = agenda["first"]
    session_book(session=first, member=enrol(cast.studio, "Ilse Jansen"))
    cancelled = session_book(session=first, member=enrol(cast.studio, "Joep Smit"))
    booking_cancel(booking=cancelled, by_member=False)
    session_book(session=first, member=enrol(cast.studio, "Lot Visser"))
    waitlist_join(session=first, member=agenda["tom"])
    html = page(client_for(getattr(cast, who)).get(f"{APP}les/{first.pk}/"))
    assert "3 van 3 matten" in html
    mats = html.split('<ul class="attendees">')[1].split("</ul>")[0]
    assert [n for n in ("Eva de Boer", "Ilse Jansen", "Lot Visser", "Joep Smit", "Tom Bakker") if n in mats] == [
        "Eva de Boer", "Ilse Jansen", "Lot Visser",
    ]  # fmt: skip
    assert "Wachtlijst" in html and "Tom Bakker" in html.split("Wachtlijst")[1]
    assert "Een lid boeken" in html  # before the session: add someone, not yet mark who came
    assert ("Les laten vervallen" in html) is (who == "owner")


# --- attendance -------------------------------------------------------------------------------------------------


def test_the_coach_marks_who_came_and_it_counts_on_the_program(cast, agenda, monday):
    first, booking = agenda["first"], agenda["booking"]
    url = f"{APP}les/{first.pk}/aanwezig/{booking.pk}/"
    monday.move_to(TUESDAY_3 + timedelta(minutes=10))
    client = client_for(cast.coach)
    assert 'aria-pressed="false">Aanwezig</button>' in page(client.get(f"{APP}les/{first.pk}/"))
    response = client.post(url, {"attended": "1"})
    assert response.status_code == 302 and response["Location"] == f"{APP}les/{first.pk}/"
    booking.refresh_from_db()
    assert booking.status == "attended" and booking.marked_by == cast.coach
    enrolment = Enrolment.objects.for_studio(cast.studio).get(member=agenda["eva"])
    assert enrolment.sessions_used == 1
    assert 'aria-pressed="true">Aanwezig</button>' in page(client.get(f"{APP}les/{first.pk}/"))


def test_marking_with_htmx_answers_with_the_row_only(cast, agenda, monday):
    first, booking = agenda["first"], agenda["booking"]
    url = f"{APP}les/{first.pk}/aanwezig/{booking.pk}/"
    monday.move_to(TUESDAY_3 + timedelta(minutes=10))
    client = client_for(cast.coach)
    response = client.post(url, {"attended": "1"}, headers={"HX-Request": "true"})
    row = page(response)
    assert row.startswith(f'<li class="attendee" id="mat-{booking.pk}">') and row.rstrip().endswith("</li>")
    assert "<html" not in row and "Eva de Boer" in row
    assert 'aria-pressed="true">Aanwezig</button>' in row
    response = client.post(url, {"attended": "0"}, headers={"HX-Request": "true"})
    row = page(response)
    assert 'aria-pressed="true">Niet gekomen</button>' in row and 'aria-pressed="false">Aanwezig' in row
    booking.refresh_from_db()
    assert booking.status == "no_show"
    assert Enrolment.objects.for_studio(cast.studio).get(member=agenda["eva"]).sessions_used == 0


def test_marking_before_the_session_is_refused_in_dutch(cast, agenda):
    first, booking = agenda["first"], agenda["booking"]
    response = client_for(cast.coach).post(
        f"{APP}les/{first.pk}/aanwezig/{booking.pk}/", {"attended": "1"}, follow=True
    )
    assert "Aanwezigheid leg je vast vanaf het begin van de les." in page(response)
    booking.refresh_from_db()
    assert booking.status == "booked"


def test_marking_a_booking_cancelled_meanwhile_with_htmx_is_no_crash(cast, agenda, monday):
    first, booking = agenda["first"], agenda["booking"]
    monday.move_to(TUESDAY_3 - timedelta(minutes=20))
    booking_cancel(booking=booking, by_member=False)
    response = client_for(cast.coach).post(
        f"{APP}les/{first.pk}/aanwezig/{booking.pk}/", {"attended": "1"}, headers={"HX-Request": "true"}
    )
    assert response.status_code in (200, 409)
    booking.refresh_from_db()
    assert booking.status == "cancelled"


# --- adding and removing people --------------------------------------------------------------------------------


def test_staff_add_a_member_and_a_full_session_puts_the_next_one_in_line(cast, agenda):
    first, tom = agenda["first"], agenda["tom"]
    client = client_for(cast.coach)
    url = f"{APP}les/{first.pk}/inschrijven/"
    assert "Tom Bakker staat erbij." in page(client.post(url, {"member": tom.pk}, follow=True))
    ilse, joep, lot = (enrol(cast.studio, n) for n in ("Ilse Jansen", "Joep Smit", "Lot Visser"))
    client.post(url, {"member": ilse.pk})
    refused = page(client.post(url, {"member": joep.pk}, follow=True))  # no waitlist box ticked
    assert "Deze les is vol." in refused
    waiting = page(client.post(url, {"member": lot.pk, "waitlist": "1"}, follow=True))
    assert "Lot Visser staat op de wachtlijst." in waiting
    first.refresh_from_db()
    assert first.booked == 3
    held = SessionBooking.objects.for_studio(cast.studio).filter(session=first, status="booked")
    assert {b.member.name for b in held} == {"Eva de Boer", "Tom Bakker", "Ilse Jansen"}
    assert "Kies een lid." in page(client.post(url, {"member": ""}, follow=True))


def test_staff_remove_a_member_and_the_first_in_line_gets_the_mat(cast, agenda):
    first = agenda["first"]
    for name in ("Ilse Jansen", "Joep Smit"):
        session_book(session=first, member=enrol(cast.studio, name))
    waitlist_join(session=first, member=agenda["tom"])
    response = client_for(cast.coach).post(
        f"{APP}les/{first.pk}/afmelden/{agenda['booking'].pk}/", follow=True
    )
    assert "de plek ging naar de eerste op de wachtlijst" in page(response)
    promoted = SessionBooking.objects.for_studio(cast.studio).get(session=first, member=agenda["tom"])
    assert promoted.status == "booked" and promoted.via == "waitlist"
    assert Message.objects.for_studio(cast.studio).get(purpose="agenda").to == "tom@example.nl"


# --- classes, closures, calling off (owners) -------------------------------------------------------------------


def test_the_owner_adds_a_class_in_a_dutch_form_and_its_sessions_appear(cast, monday):
    client = client_for(cast.owner)
    form = page(client.get(f"{APP}lessen/"))
    for label in ("Nieuwe les", "Naam", "Dag", "dinsdag", "Begint om", "Duur in minuten", "Plekken (matten)",
                  "Hoort bij programma", "Op het rooster", "Bewaren"):  # fmt: skip
        assert label in form, label
    program = make_program(cast.studio, format="small_group", name="Small group 12 weken")
    response = client.post(
        f"{APP}lessen/",
        {"name": "Avondgroep", "weekday": "2", "starts": "19:30", "duration_minutes": "60", "capacity": "6",
         "coach": cast.coach.pk, "room": "Zaal 2", "program": program.pk, "is_active": "on"},
        follow=True,
    )  # fmt: skip
    html = page(response)
    assert "Avondgroep staat op het rooster." in html
    template = ClassTemplate.objects.for_studio(cast.studio).get()
    assert (template.weekday, template.starts, template.capacity, template.coach, template.program) == (
        2, time(19, 30), 6, cast.coach, program,
    )  # fmt: skip
    made = sessions(cast.studio)  # four weeks ahead: the Wednesdays 4, 11, 18, 25 March
    assert [s.starts_at.date() for s in made] == [date(2026, 3, d) for d in (4, 11, 18, 25)]
    assert {(s.capacity, s.coach, s.status) for s in made} == {(6, cast.coach, "scheduled")}
    assert "0/6" in page(client.get(f"{APP}?week=2026-03-02"))


def test_a_wrong_class_is_refused_with_dutch_errors_and_nothing_is_planned(cast, monday):
    client = client_for(cast.owner)
    response = client.post(
        f"{APP}lessen/",
        {"name": "", "weekday": "9", "starts": "25:61", "duration_minutes": "veel", "capacity": "8"},
    )
    html = page(response)
    for said in ("Dit veld is verplicht.", "Selecteer een geldige keuze", "Vul een tijd in als uu:mm",
                 "Voer een geheel getal in."):  # fmt: skip
        assert said in html, said
    assert not ClassTemplate.objects.for_studio(cast.studio).exists() and not sessions(cast.studio)


def test_a_class_without_mats_is_refused_in_plain_dutch(cast, monday):
    response = client_for(cast.owner).post(
        f"{APP}lessen/",
        {"name": "Leeg", "weekday": "1", "starts": "07:00", "duration_minutes": "45", "capacity": "0"},
    )
    html = page(response)
    assert not ClassTemplate.objects.for_studio(cast.studio).exists()
    assert "classtemplate_capacity" not in html and "60" in html


def test_a_coach_or_program_of_another_studio_cannot_be_chosen(cast, monday):
    theirs = make_program(cast.other_studio, format="small_group", name="Elders")
    data = {"name": "Avondgroep", "weekday": "2", "starts": "19:30", "duration_minutes": "60", "capacity": "6",
            "coach": cast.outsider.pk, "program": theirs.pk}  # fmt: skip
    html = page(client_for(cast.owner).post(f"{APP}lessen/", data))
    assert html.count("Selecteer een geldige keuze") == 2
    assert not ClassTemplate.objects.for_studio(cast.studio).exists()


def test_the_owner_edits_a_class_and_planned_sessions_keep_their_mats(cast, agenda):
    template = agenda["template"]
    client = client_for(cast.owner)
    assert "Kracht &amp; conditie bewerken" in page(client.get(f"{APP}lessen/?id={template.pk}"))
    client.post(
        f"{APP}lessen/",
        {"id": template.pk, "name": "Kracht", "weekday": "1", "starts": "07:00", "duration_minutes": "45",
         "capacity": "10", "is_active": "on"},
    )  # fmt: skip
    template.refresh_from_db()
    assert template.name == "Kracht" and template.capacity == 10
    assert {s.capacity for s in sessions(cast.studio)[:2]} == {3}
    assert ClassTemplate.objects.for_studio(cast.studio).count() == 1


def test_the_owner_adds_a_closure_and_the_booked_members_are_told(cast, agenda):
    first, second = agenda["first"], agenda["second"]
    session_book(session=first, member=agenda["tom"])
    response = client_for(cast.owner).post(
        f"{APP}sluitingen/", {"first_day": "2026-03-03", "last_day": "", "reason": "Verbouwing"}, follow=True
    )
    html = page(response)
    assert "De sluiting staat erin; wie geboekt had, krijgt bericht." in html and "Verbouwing" in html
    closure = Closure.objects.for_studio(cast.studio).get()
    assert (closure.first_day, closure.last_day) == (date(2026, 3, 3), date(2026, 3, 3))
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.booked, first.cancel_reason) == ("cancelled", 0, "Verbouwing")
    assert second.status == "scheduled"
    assert not SessionBooking.objects.for_studio(cast.studio).filter(session=first, status="booked").exists()
    told = Message.objects.for_studio(cast.studio).filter(purpose="agenda").order_by("to")
    assert [m.to for m in told] == ["eva@example.nl", "tom@example.nl"]
    assert all("gaat niet door" in m.subject and "Verbouwing" in m.body for m in told)
    theirs = agenda["theirs"]
    theirs.refresh_from_db()
    assert theirs.status == "scheduled" and theirs.booked == 1  # another studio's Tuesday goes on


def test_a_wrong_closure_is_refused_in_dutch(cast, agenda):
    client = client_for(cast.owner)
    for data, said in (
        ({"first_day": "2026-03-10", "last_day": "2026-03-03", "reason": "Vakantie"},
         "De einddatum ligt voor de begindatum."),
        ({"first_day": "2026-03-03", "last_day": "", "reason": ""}, "Geef een reden op."),
        ({"first_day": "", "last_day": "", "reason": "Vakantie"}, "Vul een datum in."),
    ):  # fmt: skip
        html = page(client.post(f"{APP}sluitingen/", data))
        assert said in html, said
    assert not Closure.objects.for_studio(cast.studio).exists()
    assert {s.status for s in sessions(cast.studio)} == {"scheduled"}


def test_the_owner_calls_a_session_off_with_a_reason(cast, agenda):
    first = agenda["first"]
    client = client_for(cast.owner)
    refused = page(client.post(f"{APP}les/{first.pk}/laten-vervallen/", {"reason": "  "}, follow=True))
    assert "Geef een reden op; die krijgen de leden te zien." in refused
    first.refresh_from_db()
    assert first.status == "scheduled"
    html = page(client.post(f"{APP}les/{first.pk}/laten-vervallen/", {"reason": "Coach ziek"}, follow=True))
    assert "De les vervalt; 1 lid krijgt bericht." in html and "Coach ziek" in html
    first.refresh_from_db()
    assert (first.status, first.cancel_reason, first.booked) == ("cancelled", "Coach ziek", 0)
    (told,) = Message.objects.for_studio(cast.studio).filter(purpose="agenda")
    assert told.to == "eva@example.nl" and "Coach ziek" in told.body
    client.post(f"{APP}les/{first.pk}/laten-vervallen/", {"reason": "Nog eens"})  # twice: told once
    assert Message.objects.for_studio(cast.studio).filter(purpose="agenda").count() == 1


def test_a_coach_cannot_add_classes_or_closures_or_call_a_session_off(cast, agenda):
    client = client_for(cast.coach)
    first = agenda["first"]
    assert "Nieuwe les" not in page(client.get(f"{APP}lessen/"))
    assert "Sluiting toevoegen" not in page(client.get(f"{APP}sluitingen/"))
    posts = {
        f"{APP}lessen/": {"name": "Stiekem", "weekday": "2", "starts": "19:30", "duration_minutes": "60",
                          "capacity": "6", "is_active": "on"},
        f"{APP}sluitingen/": {"first_day": "2026-03-03", "reason": "Zomaar"},
        f"{APP}les/{first.pk}/laten-vervallen/": {"reason": "Zin in vrij"},
        f"{APP}bezetting/prijs/": {"program": "1", "amount_cents": "1", "effective_from": "2026-03-09"},
    }  # fmt: skip
    for url, data in posts.items():
        assert client.post(url, data).status_code == 404, url
    assert ClassTemplate.objects.for_studio(cast.studio).count() == 1
    assert not Closure.objects.for_studio(cast.studio).exists()
    first.refresh_from_db()
    assert first.status == "scheduled" and not Message.objects.for_studio(cast.studio).exists()


# --- fixed places ----------------------------------------------------------------------------------------------


def test_the_owner_gives_a_member_a_fixed_place_for_as_long_as_their_program_runs(cast, agenda, monday):
    template, tom = agenda["template"], agenda["tom"]
    client = client_for(cast.owner)
    response = client.post(f"{APP}vaste-plek/{tom.pk}/", {"template": template.pk}, follow=True)
    assert response.redirect_chain == [(f"/app/kracht-utrecht/leden/{tom.pk}/", 302)]
    assert "Vaste plek in Kracht &amp; conditie, zolang het programma loopt." in page(response)
    slot = FixedSlot.objects.for_studio(cast.studio).get()
    assert (slot.member, slot.template, slot.first_day, slot.last_day) == (
        tom,
        template,
        date(2026, 3, 2),
        None,
    )
    mine = SessionBooking.objects.for_studio(cast.studio).filter(member=tom, status="booked")
    assert sorted(b.session_id for b in mine) == [s.pk for s in sessions(cast.studio)]
    assert {b.via for b in mine} == {"fixed"}
    two_weeks = make_program(cast.studio, format="small_group", name="Proefblok 2 weken", weeks=2)
    lot = enrol(cast.studio, "Lot Visser", program=two_weeks)  # runs 2 .. 15 March
    client.post(f"{APP}vaste-plek/{lot.pk}/", {"template": template.pk})
    monday.move_to(MONDAY + timedelta(weeks=1))
    sessions_generate(studio=cast.studio, weeks=3)  # new weeks come on the agenda: the place is in them
    booked = SessionBooking.objects.for_studio(cast.studio).filter(via="fixed").select_related("session")
    days = sorted((b.member.name, clock.local(b.session.starts_at).day) for b in booked)
    assert days == [("Lot Visser", 3), ("Lot Visser", 10)] + [("Tom Bakker", d) for d in (3, 10, 17, 24)]


def test_a_fixed_place_needs_a_running_program_and_a_class_of_this_studio(cast, agenda):
    walk_in = build_member(cast.studio, name="Joep Smit", email="joep@example.nl")
    client = client_for(cast.owner)
    said = "Kies een les; een vaste plek hoort bij een lopend programma."
    assert said in page(
        client.post(f"{APP}vaste-plek/{walk_in.pk}/", {"template": agenda["template"].pk}, follow=True)
    )
    elsewhere = ClassTemplate.objects.for_studio(cast.other_studio).get()
    assert said in page(
        client.post(f"{APP}vaste-plek/{agenda['tom'].pk}/", {"template": elsewhere.pk}, follow=True)
    )
    assert not FixedSlot.all_studios.exists()


def test_the_members_page_offers_a_fixed_place(cast, agenda):
    html = page(client_for(cast.owner).get(f"/app/kracht-utrecht/leden/{agenda['tom'].pk}/"))
    assert f'action="{APP}vaste-plek/{agenda["tom"].pk}/"' in html


# --- ids of another studio in this studio's URLs ----------------------------------------------------------------


def test_ids_of_another_studio_are_404_in_this_studios_urls(cast, agenda):
    client = client_for(cast.owner)
    theirs, their_booking, olga = agenda["theirs"], agenda["their_booking"], agenda["olga"]
    first, booking = agenda["first"], agenda["booking"]
    elsewhere = ClassTemplate.objects.for_studio(cast.other_studio).get()
    gets = [f"{APP}les/{theirs.pk}/", f"{APP}lessen/?id={elsewhere.pk}"]
    posts = [
        (f"{APP}les/{theirs.pk}/aanwezig/{their_booking.pk}/", {"attended": "1"}),
        (f"{APP}les/{first.pk}/aanwezig/{their_booking.pk}/", {"attended": "1"}),
        (f"{APP}les/{theirs.pk}/inschrijven/", {"member": agenda["tom"].pk}),
        (f"{APP}les/{theirs.pk}/afmelden/{their_booking.pk}/", {}),
        (f"{APP}les/{first.pk}/afmelden/{their_booking.pk}/", {}),
        (f"{APP}les/{theirs.pk}/laten-vervallen/", {"reason": "Weg ermee"}),
        (f"{APP}lessen/", {"id": elsewhere.pk, "name": "Overgenomen", "weekday": "1", "starts": "07:00",
                           "duration_minutes": "45", "capacity": "8"}),
        (f"{APP}vaste-plek/{olga.pk}/", {"template": agenda["template"].pk}),
    ]  # fmt: skip
    for url in gets:
        assert client.get(url).status_code == 404, url
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    # a booking of another session of this studio does not belong under this session either
    other_session_booking = session_book(session=agenda["second"], member=agenda["tom"])
    assert client.post(f"{APP}les/{first.pk}/afmelden/{other_session_booking.pk}/").status_code == 404
    # another studio's member cannot be put in this studio's session
    assert "Kies een lid." in page(
        client.post(f"{APP}les/{first.pk}/inschrijven/", {"member": olga.pk}, follow=True)
    )
    theirs.refresh_from_db()
    their_booking.refresh_from_db()
    elsewhere.refresh_from_db()
    assert (theirs.status, theirs.booked, their_booking.status) == ("scheduled", 1, "booked")
    assert elsewhere.name == "Elders" and not FixedSlot.all_studios.exists()
    assert not SessionBooking.objects.for_studio(cast.studio).filter(member=olga).exists()
    assert not SessionBooking.objects.for_studio(cast.other_studio).exclude(pk=their_booking.pk).exists()
    booking.refresh_from_db()
    assert booking.status == "booked" and other_session_booking.status == "booked"


def test_a_non_number_for_a_program_or_class_is_refused_not_a_crash(cast, agenda):
    client = client_for(cast.owner)
    assert client.post(f"{APP}bezetting/prijs/", {"program": "x", "amount_cents": "100",
                                                 "effective_from": "2026-03-09"}).status_code == 302  # fmt: skip
    assert client.post(f"{APP}vaste-plek/{agenda['tom'].pk}/", {"template": "x"}).status_code == 302


# --- the open spots ---------------------------------------------------------------------------------------------


def answered(studio, lead: Lead, availability: list[str], score: int = 50) -> IntakeResponse:
    version = current_version(studio)
    assert version is not None
    return IntakeResponse.objects.create(
        studio=studio,
        version=version,
        lead=lead,
        person_id=lead.person_id,
        answers={"availability": availability},
        score=score,
    )


def test_the_open_spots_list_sessions_with_free_mats_and_the_leads_who_can_then(cast, agenda):
    questionnaire_install(studio=cast.studio, kind="small_group")
    first, second = agenda["first"], agenda["second"]
    for n in range(2):
        session_book(session=second, member=enrol(cast.studio, f"Vol{n} Jansen"))
    session_book(session=second, member=agenda["tom"])  # the 10th is full
    sanne = build_lead(cast.studio, name="Sanne Vos", source="website", phone="+31612345678")
    answered(cast.studio, sanne, ["di_ochtend", "do_avond"], score=80)
    mail_only = build_lead(cast.studio, name="Kees Mol", source="website", email="kees@example.nl")
    answered(cast.studio, mail_only, ["di_ochtend"], score=40)
    evening = build_lead(cast.studio, name="Avond Mens", source="website", phone="+31687654321")
    answered(cast.studio, evening, ["di_avond"])
    won = build_lead(cast.studio, name="Al Lid", source="website", stage=Stage.WON)
    answered(cast.studio, won, ["di_ochtend"])
    html = page(client_for(cast.coach).get(f"{APP}open-plekken/"))
    assert f"/rooster/les/{first.pk}/" in html and f"/rooster/les/{second.pk}/" not in html
    spot = html.split('<section class="panel spot">')[1].split("</section>")[0]
    assert "Kracht &amp; conditie" in spot and "dinsdag 07:00" in spot
    assert "2 plekken vrij" in spot and ">di 3 mrt</a>" in spot and "<small>1/3</small>" in spot
    assert "Sanne Vos" in spot and "Kees Mol" in spot
    assert spot.index("Sanne Vos") < spot.index("Kees Mol")  # the warmer lead first
    assert "Avond Mens" not in html and "Al Lid" not in html
    assert 'href="mailto:kees@example.nl"' in spot
    link = spot.split('href="https://wa.me/31612345678?text=')[1].split('"')[0]
    assert unquote(link) == (
        f"Hoi Sanne, met {cast.coach.get_short_name()} van Kracht Utrecht. Er is nog een plek vrij in "
        "Kracht & conditie op dinsdag 3 maart om 07:00. Zal ik je erbij zetten?"
    )


# --- calling off what already happened ---------------------------------------------------------------------------


def test_a_closure_from_today_leaves_this_mornings_session_alone(cast, agenda, monday):
    first, eva = agenda["first"], agenda["eva"]
    session_book(session=first, member=agenda["tom"])
    monday.move_to(TUESDAY_3 + timedelta(minutes=10))
    client_for(cast.coach).post(f"{APP}les/{first.pk}/aanwezig/{agenda['booking'].pk}/", {"attended": "1"})
    monday.move_to(TUESDAY_3 + timedelta(hours=5))  # noon
    client_for(cast.owner).post(
        f"{APP}sluitingen/", {"first_day": "2026-03-03", "last_day": "2026-03-13", "reason": "Lekkage"}
    )
    agenda["second"].refresh_from_db()
    assert agenda["second"].status == "cancelled"  # the coming Tuesday is off
    first.refresh_from_db()
    assert first.status == "scheduled" and first.booked == 2
    assert SessionBooking.objects.for_studio(cast.studio).get(session=first, member=eva).status == "attended"
    assert (
        not Message.objects.for_studio(cast.studio)
        .filter(purpose="agenda", body__contains="3 maart")
        .exists()
    )


def test_a_session_that_is_over_cannot_be_called_off(cast, agenda, monday):
    first = agenda["first"]
    monday.move_to(TUESDAY_3 + timedelta(hours=3))
    client_for(cast.owner).post(f"{APP}les/{first.pk}/laten-vervallen/", {"reason": "Vergeten"})
    first.refresh_from_db()
    assert first.status == "scheduled" and first.booked == 1
    assert not Message.objects.for_studio(cast.studio).filter(purpose="agenda").exists()


# --- refusals on the session page, and the sweep ---------------------------------------------------------------


def test_staff_are_told_why_a_started_session_or_a_cancelled_booking_cannot_change(cast, agenda, monday):
    first, booking = agenda["first"], agenda["booking"]
    client = client_for(cast.owner)
    booking_cancel(booking=booking, by_member=False)
    again = page(client.post(f"{APP}les/{first.pk}/afmelden/{booking.pk}/", follow=True))
    assert "Deze boeking staat niet meer open." in again
    monday.move_to(TUESDAY_3 + timedelta(minutes=5))
    late = page(client.post(f"{APP}les/{first.pk}/inschrijven/", {"member": agenda["tom"].pk, "waitlist": "1"},
                            follow=True))  # fmt: skip
    assert "Voor deze les kun je niet meer op de wachtlijst." in late
    late = page(client.post(f"{APP}les/{first.pk}/inschrijven/", {"member": agenda["tom"].pk}, follow=True))
    assert "Deze les is al begonnen." in late
    first.refresh_from_db()
    assert first.booked == 0 and not SessionBooking.objects.for_studio(cast.studio).filter(
        member=agenda["tom"]
    )


def test_the_sweep_plans_the_coming_weeks_of_active_studios_once_an_hour(cast, monday, monkeypatch):
    from vollegym.schedule import sweeps

    monkeypatch.setattr(sweeps, "_last_run", 0.0)
    ClassTemplate.objects.create(studio=cast.studio, name="Kracht", weekday=1, starts=time(7, 0))
    ClassTemplate.objects.create(
        studio=cast.studio, name="Oud", weekday=2, starts=time(7, 0), is_active=False
    )
    ClassTemplate.objects.create(studio=cast.other_studio, name="Elders", weekday=3, starts=time(7, 0))
    sweeps.run()
    ours = sessions(cast.studio)
    assert [s.starts_at.date() for s in ours] == [
        date(2026, 3, d) for d in (3, 10, 17, 24)
    ]  # four weeks ahead
    assert {s.template.name for s in ours} == {"Kracht"} and len(sessions(cast.other_studio)) == 4
    ClassTemplate.objects.create(studio=cast.studio, name="Nieuw", weekday=4, starts=time(7, 0))
    sweeps.run()  # within the hour: nothing new yet
    assert len(sessions(cast.studio)) == 4
