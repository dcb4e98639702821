"""The Today page: a coach sees the day's work of their own leads, conversations and members (and leads nobody has
taken), the owner the whole studio's or only their own; each item says why it is there and is done in one click
that comes back to the page; it never shows another studio's work and costs a bounded number of queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from vollegym.core.testing import Cast, client_for, make_lead
from vollegym.intake.models import Booking, ConsultationType
from vollegym.leads.models import Lead
from vollegym.referrals.models import Referral
from vollegym.referrals.services import referral_link_for
from vollegym.retention.activation import activation_sweep
from vollegym.retention.models import ActivationCheck, Outreach, Rating, Step
from vollegym.retention.ratings import rating_answer, rating_ask
from vollegym.retention.tests.test_playbooks import START, at_utc, enrolled, sweep_at
from vollegym.studios.models import User

pytestmark = pytest.mark.django_db

# Day 1 of the members' programs, 10:00 in Amsterdam.
NOW = at_utc(START + timedelta(days=1), 9)


def url(cast: Cast, query: str = "") -> str:
    return f"/app/{cast.studio.slug}/vandaag/{query}"


def page_of(user: User, address: str) -> str:
    with time_machine.travel(NOW, tick=False):
        response = client_for(user).get(address)
    assert response.status_code == 200
    return response.content.decode()


def lead_waiting(cast: Cast, name: str, *, coach: User | None, late: bool = False, **fields) -> Lead:
    due = NOW + (timedelta(minutes=-20) if late else timedelta(minutes=35))
    return make_lead(cast.studio, name=name, phone="+31612345678", assigned_to=coach, due_at=due, **fields)


def conversation(cast: Cast, name: str, *, coach: User, hours: float) -> Booking:
    kind, _new = ConsultationType.objects.for_studio(cast.studio).get_or_create(
        studio=cast.studio, name="Kennismaking"
    )
    lead = make_lead(cast.studio, name=name, first_contact_at=NOW - timedelta(days=2))
    starts = NOW + timedelta(hours=hours)
    return Booking.objects.create(
        studio=cast.studio, lead=lead, person=lead.person, kind=kind, coach=coach, starts_at=starts,
        ends_at=starts + timedelta(minutes=30),
    )  # fmt: skip


def test_a_coach_sees_their_own_and_unclaimed_leads_nearest_deadline_first_with_the_reason(
    cast: Cast,
) -> None:
    lead_waiting(cast, "Eva Mine", coach=cast.coach)
    lead_waiting(cast, "Noor Nobody", coach=None, late=True, source="meta")
    lead_waiting(cast, "Owen Owners", coach=cast.owner)
    make_lead(cast.other_studio, name="Xander Elders", due_at=NOW)
    make_lead(cast.studio, name="Tess Answered", assigned_to=cast.coach, first_contact_at=NOW, due_at=NOW)
    make_lead(cast.studio, name="Lotte Lost", assigned_to=cast.coach, stage="lost", due_at=NOW)
    page = page_of(cast.coach, url(cast))
    assert "Eva Mine" in page and "Noor Nobody" in page
    for absent in ("Owen Owners", "Xander Elders", "Tess Answered", "Lotte Lost"):
        assert absent not in page
    # The late one first, with its clock and where it came from.
    assert page.index("Noor Nobody") < page.index("Eva Mine")
    assert "20 min te laat" in page and "nog 35 min" in page
    assert "Binnen via Meta" in page and "nog van niemand" in page
    assert 'href="tel:+31612345678"' in page


def test_the_owner_sees_the_whole_studio_or_only_their_own(cast: Cast) -> None:
    lead_waiting(cast, "Eva Coaches", coach=cast.coach)
    lead_waiting(cast, "Owen Owners", coach=cast.owner)
    everything = page_of(cast.owner, url(cast))
    assert "Eva Coaches" in everything and "Owen Owners" in everything
    mine = page_of(cast.owner, url(cast, "?wie=ik"))
    assert "Owen Owners" in mine and "Eva Coaches" not in mine
    # A coach cannot widen their view by the same switch's absence.
    assert "Owen Owners" not in page_of(cast.coach, url(cast))


def test_a_call_logged_from_today_comes_back_to_today_and_stops_the_clock(cast: Cast) -> None:
    lead = lead_waiting(cast, "Eva Mine", coach=cast.coach)
    with time_machine.travel(NOW, tick=False):
        response = client_for(cast.coach).post(
            f"/app/{cast.studio.slug}/leads/{lead.pk}/contact/",
            {"quick": "call:reached", "next": url(cast)},
        )
    assert response.status_code == 302 and response["Location"] == url(cast)
    lead.refresh_from_db()
    assert lead.first_contact_at == NOW
    assert "Eva Mine" not in page_of(cast.coach, url(cast))


@pytest.mark.parametrize(
    "forged",
    ["https://evil.example/app/kracht-utrecht/", "//evil.example/app/kracht-utrecht/", "/app/andere-studio/vandaag/",
     "/app/kracht-utrecht/\x00", "/app/kracht-utrecht\\evil", ""],
)  # fmt: skip
def test_a_forged_way_back_goes_to_the_leads_own_page(cast: Cast, forged: str) -> None:
    lead = lead_waiting(cast, "Eva Mine", coach=cast.coach)
    response = client_for(cast.coach).post(
        f"/app/{cast.studio.slug}/leads/{lead.pk}/contact/", {"quick": "call:no_answer", "next": forged}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/app/{cast.studio.slug}/leads/{lead.pk}/"


def test_conversations_to_record_and_later_today_with_one_click_attendance(cast: Cast) -> None:
    held = conversation(cast, "Sara Held", coach=cast.coach, hours=-2)
    conversation(cast, "Ruben Later", coach=cast.coach, hours=3)
    conversation(cast, "Mila Tomorrow", coach=cast.coach, hours=20)
    conversation(cast, "Otto Owners", coach=cast.owner, hours=2)
    page = page_of(cast.coach, url(cast))
    assert "Sara Held" in page and "nog niet vastgelegd of de lead kwam" in page
    assert "Ruben Later" in page and "13:00" in page  # 12:00 UTC in winter: 13:00 on the studio's clock
    assert "Mila Tomorrow" not in page and "Otto Owners" not in page
    with time_machine.travel(NOW, tick=False):
        response = client_for(cast.coach).post(
            f"/app/{cast.studio.slug}/gesprekken/{held.pk}/vastleggen/",
            {"action": "showed", "next": url(cast)},
        )
    assert response["Location"] == url(cast)
    held.refresh_from_db()
    assert held.status == "showed"
    page = page_of(cast.coach, url(cast))
    assert "gekomen; de uitkomst ontbreekt" in page and "Uitkomst vastleggen" in page


def test_members_work_touchpoints_flags_and_low_ratings_each_with_why(cast: Cast) -> None:
    eva = enrolled(cast.studio, "Eva", coach=cast.coach)
    enrolled(cast.studio, "Tom", coach=cast.owner)
    sweep_at(at_utc(START, 6))
    sweep_at(NOW)
    page = page_of(cast.coach, url(cast))
    step = Step.objects.for_studio(cast.studio).filter(run__member=eva.member, status="open").first()
    assert step is not None and step.touchpoint.title in page
    assert "Dag 1 van Small group Eva" in page and "Tom" not in page
    # A flag on day 10 and a low score: both among the calls, with their reason.
    with time_machine.travel(at_utc(START + timedelta(days=10), 12), tick=False):
        activation_sweep()
        rating = rating_ask(enrolment=eva, moment=Rating.Moment.DAY_30)
        assert rating is not None
        rating_answer(rating=rating, score=4, comment="Te druk in de les")
    flag = ActivationCheck.objects.for_studio(cast.studio).get(enrolment=eva)
    assert flag.status == "flagged"
    with time_machine.travel(at_utc(START + timedelta(days=10), 13), tick=False):
        page = client_for(cast.coach).get(url(cast)).content.decode()
        # Eva is at risk (a slow first month, a low score): one card with the reasons, not a second one for the flag.
        assert "Gaf een 4 op dag 30" in page and page.count(f"/leden/{eva.member_id}/") >= 1
        assert flag.reason not in page
        assert "Gaf een 4 van 10" in page and "Te druk in de les" in page  # the low score's own call
        spoke = client_for(cast.coach).post(
            f"/app/{cast.studio.slug}/risico/{eva.member_id}/contact/", {"way": "reached", "next": url(cast)}
        )
        assert spoke["Location"] == url(cast)
        called = client_for(cast.coach).post(
            f"/app/{cast.studio.slug}/taken/cijfer/{rating.pk}/gebeld/", {"next": url(cast)}
        )
        assert called["Location"] == url(cast)
        page = client_for(cast.coach).get(url(cast)).content.decode()
    assert "Gaf een 4 op dag 30" not in page and "Gaf een 4 van 10" not in page
    flag.refresh_from_db()
    assert flag.status == "seen"  # the call took up the first-month flag too
    outreach = Outreach.objects.for_studio(cast.studio).get(member=eva.member)
    assert outreach.way == "reached" and outreach.by == cast.coach


def test_a_member_at_risk_alone_still_opens_the_calls(cast: Cast) -> None:
    # A first-month flag folds into the risk card; with no low score around, the calls must still be shown.
    eva = enrolled(cast.studio, "Eva", coach=cast.coach)
    sweep_at(at_utc(START, 6))
    with time_machine.travel(at_utc(START + timedelta(days=10), 12), tick=False):
        activation_sweep()
        page = client_for(cast.coach).get(url(cast)).content.decode()
    assert ActivationCheck.objects.for_studio(cast.studio).get(enrolment=eva).status == "flagged"
    assert 'id="bellen"' in page and 'href="#bellen"' in page
    assert "risk__score" in page and page.count(f"/leden/{eva.member_id}/") >= 1


def test_rewards_to_give_are_the_owners_and_done_in_one_click(cast: Cast) -> None:
    ambassador = enrolled(cast.studio, "Anna")
    friend = make_lead(cast.studio, name="Floor Friend", first_contact_at=NOW - timedelta(days=30))
    link = referral_link_for(studio=cast.studio, person=ambassador.member.person)
    referral = Referral.objects.create(
        studio=cast.studio, link=link, lead=friend, person=friend.person, member_since=START,
        reward_earned_at=NOW - timedelta(days=1),
    )  # fmt: skip
    owner = page_of(cast.owner, url(cast))
    assert "Beloningen om te geven" in owner and "bracht Floor Friend mee" in owner
    assert "Floor Friend" not in page_of(cast.coach, url(cast))
    with time_machine.travel(NOW, tick=False):
        response = client_for(cast.owner).post(
            f"/app/{cast.studio.slug}/doorverwijzen/{referral.pk}/gegeven/", {"next": url(cast)}
        )
    assert response["Location"] == url(cast)
    referral.refresh_from_db()
    assert referral.reward_given_at is not None
    assert "Beloningen om te geven" not in page_of(cast.owner, url(cast))


def test_an_empty_day_says_so(cast: Cast) -> None:
    page = page_of(cast.coach, url(cast))
    assert "Niets meer te doen vandaag" in page


def test_the_page_costs_the_same_queries_for_five_leads_or_fifty(cast: Cast) -> None:
    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with time_machine.travel(NOW, tick=False), CaptureQueriesContext(connection) as queries:
            client_for(cast.owner).get(url(cast))
        return len(queries)

    for i in range(5):
        lead_waiting(cast, f"Lead {i}", coach=cast.coach)
        conversation(cast, f"Gesprek {i}", coach=cast.coach, hours=-1 - i)
    few = count()
    for i in range(5, 50):
        lead_waiting(cast, f"Lead {i}", coach=cast.coach)
        conversation(cast, f"Gesprek {i}", coach=cast.coach, hours=-1 - i)
    assert count() == few


def test_another_studio_gets_404(cast: Cast) -> None:
    assert client_for(cast.outsider).get(url(cast)).status_code == 404


def test_renewal_talks_due_and_members_back_from_a_pause(cast: Cast) -> None:
    from vollegym.programs.models import Pause, RenewalTalk

    eva = enrolled(cast.studio, "Eva", coach=cast.coach)
    tom = enrolled(cast.studio, "Tom", coach=cast.coach)
    RenewalTalk.objects.create(studio=cast.studio, enrolment=eva, member=eva.member, due_on=START)
    Pause.objects.create(
        studio=cast.studio, member=tom.member, enrolment=tom, starts_on=START - timedelta(days=10),
        ends_on=START + timedelta(days=3),
    )  # fmt: skip
    page = page_of(cast.coach, url(cast))
    assert 'id="verlengen"' in page and "nog geen moment afgesproken" in page and "Moment afspreken" in page
    assert "terug van een pauze op" in page
