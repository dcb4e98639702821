from datetime import timedelta

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from vollegym.api.models import ApiToken
from vollegym.api.services import api_token_create
from vollegym.core import clock
from vollegym.core.testing import PASSWORD, assert_other_studio_gets_404, client_for, make_member
from vollegym.inbox.models import Conversation
from vollegym.intake.models import AvailabilityException, Booking, ConsultationType
from vollegym.leads.services import LeadInput, lead_capture
from vollegym.messaging.models import Message
from vollegym.outbound.models import Delivery, Subscription
from vollegym.outbound.services import subscription_create
from vollegym.payments.invoicing import invoice_issue
from vollegym.payments.models import MissedPayment, MolliePayment, PaymentPlan, Refund, Term
from vollegym.people.models import DomainEvent, PrivacyRequest
from vollegym.people.rights import privacy_request_open
from vollegym.programs.models import Cancellation, Enrolment, Program, RenewalTalk
from vollegym.programs.pauses import enrolment_pause
from vollegym.programs.services import enrolment_create, program_create
from vollegym.studios.models import StaffMembership

pytestmark = pytest.mark.django_db


def _studio_url_names() -> list[tuple[str, list[str]]]:
    """Every back-office URL that takes a studio, with its other arguments."""
    found = []

    def walk(patterns, namespace, prefix):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, p.namespace or namespace, prefix + str(p.pattern))
            elif isinstance(p, URLPattern) and "studio" in p.pattern.regex.groupindex and prefix == "app/":
                others = [g for g in p.pattern.regex.groupindex if g != "studio"]
                found.append((f"{namespace}:{p.name}", others))

    walk(get_resolver().url_patterns, None, "")
    return found


def test_the_walk_finds_the_studio_urls():
    names = [name for name, _ in _studio_url_names()]
    assert {
        "analytics:overview",
        "analytics:members",
        "analytics:adspend",
        "analytics:adspend_delete",
        "analytics:growth",
        "backoffice:team",
        "leads:inbox",
        "leads:bulk",
        "leads:export",
        "leads:detail",
        "leads:move",
        "programs:members",
        "programs:members_bulk",
        "programs:members_export",
        "people:detail",
        "people:erase",
        "people:privacy",
        "payments:overview",
        "payments:settings",
        "payments:plan",
        "apitokens:tokens",
        "apitokens:token_revoke",
        "payments:missed_decide",
        "outbound:subscriptions",
        "outbound:subscription",
        "outbound:delivery_replay",
        "inbox:list",
        "inbox:conversation",
        "inbox:reply",
        "inbox:assign",
        "inbox:for_person",
        "payments:payment",
        "payments:refund",
        "payments:member_payments",
        "payments:invoices",
        "payments:invoice",
        "payments:bookkeeping",
    } <= set(names)


def paid_with_invoice(cast, member) -> dict[str, int]:
    """A paid payment of the studio with its invoice, so the books' doors are walked with ids that exist."""
    enrolment = Enrolment.objects.for_studio(cast.studio).filter(member=member).get()
    term = Term.objects.create(
        studio=cast.studio, enrolment=enrolment, member=member, number=2, of=2, amount_cents=1000,
        due_on=clock.today(), status=Term.Status.PAID,
    )  # fmt: skip
    payment = MolliePayment.objects.create(
        studio=cast.studio, term=term, mollie_id="tr_walk", idempotency_key="walk", amount_cents=1000,
        sequence_type="first", status="paid", paid_at=clock.now(),
    )  # fmt: skip
    invoice = invoice_issue(payment=payment)
    assert invoice is not None
    return {"payment_id": payment.pk, "invoice_id": invoice.pk}


def test_every_studio_url_is_404_for_someone_from_another_studio(cast):
    membership = StaffMembership.objects.for_studio(cast.studio).get(user=cast.coach)
    lead = lead_capture(studio=cast.studio, data=LeadInput(source="website", email="eva@example.nl")).lead
    kind = ConsultationType.objects.create(studio=cast.studio, name="Kennismaking")
    starts = clock.now() + timedelta(days=2)
    booking = Booking.objects.create(
        studio=cast.studio,
        lead=lead,
        person=lead.person,
        kind=kind,
        coach=cast.coach,
        starts_at=starts,
        ends_at=starts + timedelta(minutes=30),
    )
    day_off = AvailabilityException.objects.create(
        studio=cast.studio, coach=cast.coach, first_day=starts.date(), last_day=starts.date()
    )
    # A member with a run, a pause and a renewal conversation, so their doors are walked with ids that exist.
    program = program_create(
        studio=cast.studio, program=Program(name="Twaalf weken", weeks=12), price_cents=99500
    )
    walk_in = make_member(cast.studio, name="Tom Bakker", email="tom@example.nl")
    enrolment = enrolment_create(member=walk_in, program=program, starts_on=clock.today(), by=None)
    pause = enrolment_pause(
        enrolment=enrolment, starts_on=clock.today() + timedelta(days=7), ends_on=clock.today() + timedelta(days=9),
        by=None, by_member=False,
    )  # fmt: skip
    talk = RenewalTalk.objects.create(
        studio=cast.studio, enrolment=enrolment, member=enrolment.member, due_on=clock.today()
    )
    api_token = api_token_create(
        studio=cast.studio, name="Koppeling", scopes=["leads:read"], by=cast.owner
    ).token
    term = Term.objects.create(
        studio=cast.studio, enrolment=enrolment, member=enrolment.member, number=1, of=1, amount_cents=99500,
        due_on=clock.today(), status=Term.Status.FAILED,
    )  # fmt: skip
    missed = MissedPayment.objects.create(
        studio=cast.studio, term=term, member=enrolment.member, reason="failed", amount_cents=99500
    )
    hook = subscription_create(
        studio=cast.studio, url="https://93.184.215.14/hook", kinds=["lead.captured"], by=cast.owner
    )
    hook_delivery = Delivery.objects.create(
        studio=cast.studio,
        subscription=hook,
        event=DomainEvent.objects.for_studio(cast.studio).earliest("id"),
    )
    values = {
        "missed_id": missed.pk,
        "subscription_id": hook.pk,
        "delivery_id": hook_delivery.pk,
        "program_id": program.pk,
        "member_id": enrolment.member_id,
        "enrolment_id": enrolment.pk,
        "pause_id": pause.pk,
        "talk_id": talk.pk,
        "membership_id": membership.pk,
        "lead_id": lead.pk,
        "booking_id": booking.pk,
        "exception_id": day_off.pk,
        "person_id": lead.person_id,
        "request_id": privacy_request_open(person=lead.person, kind="erasure", by=cast.owner).pk,
        "token_id": api_token.pk,
        "conversation_id": Conversation.objects.create(studio=cast.studio, person=lead.person, unread=2).pk,
        **paid_with_invoice(cast, walk_in),
    }
    for name, others in _studio_url_names():
        url = reverse(name, kwargs={"studio": cast.studio.slug, **{k: values.get(k, 1) for k in others}})
        assert_other_studio_gets_404(url, cast.outsider, method="get")
        assert_other_studio_gets_404(url, cast.outsider, method="post")
    # and nothing changed through the POSTs
    assert StaffMembership.objects.for_studio(cast.studio).count() == 2
    lead.refresh_from_db()
    assert lead.stage == "new" and lead.first_contact_at is None
    booking.refresh_from_db()
    assert booking.status == "booked" and AvailabilityException.objects.for_studio(cast.studio).count() == 1
    lead.person.refresh_from_db()
    assert lead.person.erased_at is None and lead.person.email == "eva@example.nl"
    assert PrivacyRequest.objects.for_studio(cast.studio).get().status == "open"
    pause.refresh_from_db()
    talk.refresh_from_db()
    assert pause.withdrawn_at is None and talk.status == "open" and talk.planned_at is None
    assert not Cancellation.objects.for_studio(cast.studio).exists()
    assert not PaymentPlan.objects.for_studio(cast.studio).exists()
    api_token.refresh_from_db()
    assert api_token.revoked_at is None and ApiToken.objects.for_studio(cast.studio).count() == 1
    missed.refresh_from_db()
    assert missed.is_open and missed.links_sent == 0
    hook.refresh_from_db()
    assert hook.status == "active" and Subscription.objects.for_studio(cast.studio).count() == 1
    hook_delivery.refresh_from_db()
    assert hook_delivery.status == "pending" and hook_delivery.attempts == 0
    conversation = Conversation.objects.for_studio(cast.studio).get()
    assert conversation.unread == 2 and conversation.assigned_to_id is None
    assert not Message.objects.for_studio(cast.studio).filter(purpose="inbox_reply").exists()
    assert not Refund.objects.for_studio(cast.studio).exists()


def test_an_unknown_studio_is_404_like_a_forbidden_one(cast):
    response = client_for(cast.owner).get("/app/bestaat-niet/")
    assert response.status_code == 404


def test_app_redirects_to_login_when_logged_out(client):
    response = client.get("/app/")
    assert response.status_code == 302
    assert response["Location"].startswith("/app/login/")
    studio_page = client.get("/app/kracht-utrecht/team/")
    assert studio_page.status_code == 302 and "/app/login/" in studio_page["Location"]


def test_login_with_email_and_password_leads_to_the_only_studio(cast, client):
    response = client.post("/app/login/", {"username": "sanne@kracht.nl", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/app/kracht-utrecht/"
    assert "Kracht Utrecht" in response.text
    assert response.context["request"].studio == cast.studio


def test_a_wrong_password_gives_a_dutch_error(cast, client):
    response = client.post("/app/login/", {"username": "sanne@kracht.nl", "password": "fout"})
    assert response.status_code == 200
    assert "horen niet bij elkaar" in response.text


def test_coach_sees_own_studio_dashboard_with_role(cast):
    response = client_for(cast.coach).get("/app/kracht-utrecht/")
    assert response.status_code == 200
    assert "Coach" in response.text


def test_agency_sees_every_studio_and_can_switch(cast):
    agency = client_for(cast.agency)
    home = agency.get("/app/")
    assert "Kracht Utrecht" in home.text and "Andere Studio" in home.text
    assert agency.get("/app/andere-studio/").status_code == 200
    switched = agency.get("/app/", {"naar": "kracht-utrecht"})
    assert switched["Location"] == "/app/kracht-utrecht/"
    page = agency.get("/app/kracht-utrecht/")
    assert 'id="studio-switcher"' in page.text  # more than one studio: the switcher shows


def test_switcher_lists_only_the_users_studios(cast):
    from vollegym.studios import services

    services.staff_add(studio=cast.other_studio, email="youssef@kracht.nl", role="coach")
    page = client_for(cast.coach).get("/app/kracht-utrecht/")
    assert 'id="studio-switcher"' in page.text
    options = page.text.split('id="studio-switcher"')[1].split("</select>")[0]
    assert "Kracht Utrecht" in options and "Andere Studio" in options
    assert client_for(cast.owner).get("/app/kracht-utrecht/").text.count('id="studio-switcher"') == 0
