"""A member brings a friend: the link, the credited lead, and a reward only once the friend has stayed."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.test import Client

from vollegym.core.testing import assert_other_studio_gets_404, client_for, make_lead
from vollegym.intake.services import questionnaire_install
from vollegym.leads.models import Lead
from vollegym.messaging.models import Message
from vollegym.people.models import DomainEvent
from vollegym.programs.models import Enrolment, Member
from vollegym.programs.services import enrolment_create
from vollegym.programs.tests.test_prices_and_enrolment import make_program
from vollegym.referrals.models import Referral
from vollegym.referrals.selectors import referral_report, referrer_of
from vollegym.referrals.services import (
    ReferralError,
    referral_link_for,
    referral_reward_give,
    referral_settings_update,
    rewards_check,
)
from vollegym.schedule.services import member_link

pytestmark = pytest.mark.django_db

SITE = "https://app.kracht.example"
START = date(2026, 3, 2)


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


def member_of(studio, name: str, *, starts_on: date = START) -> Member:
    program = make_program(studio, format="small_group", name=f"Small group {name}")
    with time_machine.travel(datetime.combine(starts_on, time(9), tzinfo=UTC), tick=False):
        enrolment_create(lead=make_lead(studio, name=name, email=f"{name.lower()}@example.nl"), program=program,
                         starts_on=starts_on, by=None)  # fmt: skip
    return Member.objects.for_studio(studio).get(person__name=name)


def friend_does_the_intake(
    studio, code: str, *, name: str = "Fleur", email: str = "fleur@example.nl"
) -> Lead:
    questionnaire_install(studio=studio, kind="small_group")
    client = Client()
    visit = client.get(f"/s/{studio.slug}/r/{code}/")
    assert visit.status_code == 302 and visit["Location"] == f"/s/{studio.slug}/intake/"
    response = client.post(f"/s/{studio.slug}/intake/", {"name": name, "email": email, "contact": "on"})
    assert response.status_code == 302, response.content
    return Lead.objects.for_studio(studio).filter(person__email=email).order_by("-id")[0]


def test_a_friend_through_a_members_link_is_a_referral_lead_credited_to_the_member(cast):
    eva = member_of(cast.studio, "Eva")
    link = referral_link_for(studio=cast.studio, person=eva.person)
    assert referral_link_for(studio=cast.studio, person=eva.person) == link  # one link per member, ever
    lead = friend_does_the_intake(cast.studio, link.code.upper())  # typed from a poster in capitals
    assert lead.source == "referral"
    assert referrer_of(lead) == eva.person
    page = client_for(cast.coach).get(f"/app/{cast.studio.slug}/leads/{lead.pk}/").content.decode()
    assert "Doorverwijzing door Eva" in page
    link.refresh_from_db()
    assert link.visits == 1
    event = DomainEvent.objects.for_studio(cast.studio).get(kind="referral.attributed")
    assert event.payload["referrer_person_id"] == eva.person_id and event.lead_id == lead.pk
    report = referral_report(cast.studio)
    assert (report.links, report.visits, report.leads, report.members) == (1, 1, 1, 0)


def test_an_unknown_code_still_leads_to_the_intake_and_credits_nobody(cast):
    lead = friend_does_the_intake(cast.studio, "onbekend")
    assert lead.source == "website" and referrer_of(lead) is None


def test_a_link_of_another_studio_credits_nobody_here(cast):
    other_member = member_of(cast.other_studio, "Ander")
    code = referral_link_for(studio=cast.other_studio, person=other_member.person).code
    lead = friend_does_the_intake(cast.studio, code)
    assert lead.source == "website" and not Referral.objects.for_studio(cast.studio).exists()


def test_a_member_who_uses_their_own_link_is_not_their_own_referral(cast):
    eva = member_of(cast.studio, "Eva")
    link = referral_link_for(studio=cast.studio, person=eva.person)
    friend_does_the_intake(cast.studio, link.code, name="Eva", email="eva@example.nl")
    assert not Referral.objects.for_studio(cast.studio).exists()


def referred_member(cast, *, starts_on: date) -> tuple[Member, Referral]:
    eva = member_of(cast.studio, "Eva")
    lead = friend_does_the_intake(cast.studio, referral_link_for(studio=cast.studio, person=eva.person).code)
    program = make_program(cast.studio, format="small_group", name="Small group Fleur")
    with time_machine.travel(datetime.combine(starts_on, time(9), tzinfo=UTC), tick=False):
        enrolment_create(lead=lead, program=program, starts_on=starts_on, by=None)
    return eva, Referral.objects.for_studio(cast.studio).get()


def test_the_reward_is_earned_only_once_the_friend_has_been_a_member_for_the_weeks(cast):
    _eva, referral = referred_member(cast, starts_on=START)
    day_before = datetime.combine(START + timedelta(weeks=4) - timedelta(days=1), time(12), tzinfo=UTC)
    with time_machine.travel(day_before, tick=False):
        assert rewards_check() == 0
    referral.refresh_from_db()
    assert referral.member_since == START and referral.reward_earned_at is None
    with pytest.raises(ReferralError, match="nog niet verdiend"):
        referral_reward_give(referral=referral, by=cast.owner)
    with time_machine.travel(day_before + timedelta(days=1), tick=False):
        assert rewards_check() == 1
        assert rewards_check() == 0  # once
    notices = Message.objects.for_studio(cast.studio).filter(purpose="referral_reward", to_user=cast.owner)
    assert notices.count() == 1 and "Eva" in notices.get().body and "Fleur" in notices.get().body
    referral_reward_give(referral=referral, by=cast.owner)
    report = referral_report(cast.studio)
    assert (report.members, report.earned, report.given) == (1, 1, 1)


def test_a_friend_who_stopped_before_the_weeks_earns_nothing(cast):
    _eva, referral = referred_member(cast, starts_on=START)
    Enrolment.objects.for_studio(cast.studio).filter(member__person_id=referral.person_id).update(
        status=Enrolment.Status.STOPPED
    )
    with time_machine.travel(datetime.combine(START + timedelta(weeks=6), time(12), tzinfo=UTC), tick=False):
        assert rewards_check() == 0


def test_the_studio_sets_its_reward_with_clear_reasons(cast):
    with pytest.raises(ReferralError, match="1 en 26"):
        referral_settings_update(studio=cast.studio, reward="free_week", reward_text="een week", amount_cents=0,
                                 weeks_required=0)  # fmt: skip
    with pytest.raises(ReferralError, match="bedrag"):
        referral_settings_update(studio=cast.studio, reward="amount", reward_text="€ 25 korting", amount_cents=0,
                                 weeks_required=4)  # fmt: skip
    config = referral_settings_update(studio=cast.studio, reward="amount", reward_text="€ 25 korting",
                                      amount_cents=2500, weeks_required=6)  # fmt: skip
    assert (config.amount_cents, config.weeks_required) == (2500, 6)


def test_a_member_sees_their_link_qr_code_and_friends_after_signing_in(cast):
    eva, _referral = referred_member(cast, starts_on=START)
    client = Client()
    assert client.get(f"/s/{cast.studio.slug}/leden/vrienden/")["Location"].endswith("/leden/")
    home = client.get(member_link(eva).removeprefix(SITE), follow=True).content.decode()
    assert f"/s/{cast.studio.slug}/leden/vrienden/" in home  # the member area links to it
    page = client.get(f"/s/{cast.studio.slug}/leden/vrienden/").content.decode()
    code = referral_link_for(studio=cast.studio, person=eva.person).code
    assert f"{SITE}/s/{cast.studio.slug}/r/{code}/" in page
    assert '<svg class="qr"' in page and "Fleur" in page


def test_the_report_is_the_studios_own_and_only_owners_give_rewards(cast):
    _eva, referral = referred_member(cast, starts_on=START)
    url = f"/app/{cast.studio.slug}/doorverwijzen/"
    assert client_for(cast.coach).get(url).status_code == 200
    assert_other_studio_gets_404(url, cast.outsider)
    give = f"{url}{referral.pk}/gegeven/"
    assert client_for(cast.coach).post(give).status_code == 404
    assert_other_studio_gets_404(give, cast.outsider, method="post")
    with time_machine.travel(datetime.combine(START + timedelta(weeks=5), time(12), tzinfo=UTC), tick=False):
        rewards_check()
        assert client_for(cast.owner).post(give).status_code == 302
    referral.refresh_from_db()
    assert referral.reward_given_by == cast.owner


def test_the_demo_has_ambassadors_friends_and_rewards_earned_and_waiting():
    from vollegym.core.management.commands.demo import load_demo_data
    from vollegym.studios.models import Studio

    load_demo_data()
    studio = Studio.objects.get(slug="demo")
    report = referral_report(studio)
    assert report.leads > 0 and report.members > 0 and report.given > 0 and report.to_give
    assert all(row.referrer.pk != row.friend.pk for row in report.rows)
    before = Referral.objects.for_studio(studio).count()
    load_demo_data()
    assert Referral.objects.for_studio(studio).count() == before


@pytest.mark.parametrize(
    "code", ["%00abc", "a%00", "%ED%A0%80", "x" * 5000, "..%2F..%2Fadmin", "%27%20OR%201%3D1"]
)
def test_a_hostile_code_in_the_link_is_no_crash_and_credits_nobody(cast, code):
    response = Client().get(f"/s/{cast.studio.slug}/r/{code}/")
    assert response.status_code in (302, 404)
    if response.status_code == 302:
        assert response["Location"] == f"/s/{cast.studio.slug}/intake/"
    assert not Referral.objects.for_studio(cast.studio).exists()
