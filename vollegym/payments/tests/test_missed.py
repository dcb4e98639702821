"""When a debit fails or is charged back: one pay link per term (however often and in whatever order Mollie says so),
paying it settles the term, the coach gets a task, the churn risk a signal, and the owner decides after failures in
a row. Nothing is charged twice."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client

from vollegym.core import clock
from vollegym.core.testing import Cast, client_for, make_studio
from vollegym.messaging.models import Message
from vollegym.payments.charging import checkout_start, term_charge
from vollegym.payments.models import MissedPayment, MollieCustomer, MolliePayment, MollieWebhook, Term
from vollegym.payments.services import connection_save, terms_create
from vollegym.payments.standin import MollieStandin
from vollegym.payments.tests.kit import KEY, OTHER_KEY, connect, deliver, enrol, make_program
from vollegym.payments.webhooks import payments_reconcile
from vollegym.people.events import event_payload
from vollegym.people.models import DomainEvent
from vollegym.programs.models import Cancellation, Pause
from vollegym.programs.services import enrolment_create
from vollegym.retention.risk_selectors import risk_for
from vollegym.today.selectors import day_counts, day_of

pytestmark = pytest.mark.django_db

FORM = "application/x-www-form-urlencoded"


def with_mandate(cast: Cast, mollie: MollieStandin, *, terms: int = 3) -> list[Term]:
    """A member of a program in three terms of € 199,00 who paid the first at the checkout (so has a mandate)."""
    connect(cast)
    enrolment = enrol(cast, make_program(cast, cents=59700, terms=terms, every_weeks=4))
    made = terms_create(enrolment=enrolment)
    checkout_start(term=made[0], redirect_url="http://testserver/")
    mollie.set_status(MolliePayment.objects.for_studio(cast.studio).get().mollie_id, "paid")
    deliver()
    return made


def debit(term: Term) -> MolliePayment:
    """The term announced and its day come: our worker debits it on the mandate."""
    Term.objects.for_studio(term.studio_id).filter(pk=term.pk).update(
        announced_at=clock.now(), charge_on=clock.today()
    )
    assert term_charge(term_id=term.pk) == "charged"
    return MolliePayment.objects.for_studio(term.studio_id).filter(term=term).latest("created_at")


def fresh(term: Term) -> Term:
    term.refresh_from_db()
    return term


def links(cast: Cast, term: Term) -> list[Message]:
    return list(Message.objects.for_studio(cast.studio).filter(key__startswith=f"term:{term.pk}:missed"))


def recurring(mollie: MollieStandin, key: str = KEY) -> list[dict[str, Any]]:
    return [p for p in mollie.payments_of(key) if p["sequenceType"] == "recurring"]


def pay_path(message: Message) -> str:
    found = re.search(r"http://testserver(/s/[^\s]+/betalen/[^\s]+/)", message.body)
    assert found, message.body
    return found.group(1)


def test_a_failed_debit_mails_one_pay_link_however_often_mollie_says_so_and_paying_it_settles_the_term(
    cast, mollie
):
    _first, second, _third = with_mandate(cast, mollie)
    payment = debit(second)
    mollie.webhooks.hold = True
    mollie.set_status(payment.mollie_id, "failed")
    ((url, pid),) = mollie.webhooks.held
    for _ in range(3):  # Mollie calls three times
        mollie.webhooks.send(url, pid)
    deliver()
    mollie.webhooks.send(url, pid)  # and once more after it was processed
    deliver()
    with time_machine.travel(clock.now() + timedelta(days=2)):
        payments_reconcile()  # the daily look: a failed payment is final, nothing more to ask
        deliver()
    assert fresh(second).status == "failed"
    (missed,) = MissedPayment.objects.for_studio(cast.studio)
    assert missed.reason == "failed" and missed.detail == "failed" and missed.amount_cents == 19900
    (mail,) = links(cast, second)
    assert mail.subject == "Je betaling voor 12 weken sterker is niet gelukt"
    assert "niet gelukt" in mail.body and "€ 199,00" in mail.body and "termijn 2 van 3" in mail.body
    assert DomainEvent.objects.for_studio(cast.studio).filter(kind="payment.term_failed").count() == 1

    # The member opens the link: a new checkout for that term, once only (the mandate stays: a one-off payment).
    mollie.webhooks.hold = False
    page = Client().post(pay_path(mail))
    assert page.status_code == 302 and page["Location"].startswith(mollie.base_url)
    checkout = MolliePayment.objects.for_studio(cast.studio).filter(term=second).latest("created_at")
    assert (
        checkout.sequence_type == "oneoff" and mollie.payment(checkout.mollie_id)["sequenceType"] == "oneoff"
    )
    mollie.set_status(checkout.mollie_id, "paid")
    deliver()
    assert fresh(second).status == "paid"
    missed.refresh_from_db()
    assert missed.paid_at is not None and not missed.is_open
    assert len(recurring(mollie)) == 1  # debited once; the rest was the member's own checkout
    assert term_charge(term_id=second.pk) == "not due or taken"
    assert len(links(cast, second)) == 1


def test_webhooks_out_of_order_and_twice_still_give_one_link(cast, mollie):
    _first, second, third = with_mandate(cast, mollie)
    failing, later = debit(second), debit(third)
    mollie.webhooks.hold = True
    mollie.set_status(failing.mollie_id, "failed")
    mollie.set_status(later.mollie_id, "paid")
    calls = list(mollie.webhooks.held)
    for url, pid in [*reversed(calls), *calls, calls[0]]:
        mollie.webhooks.send(url, pid)
        deliver()
    assert fresh(second).status == "failed" and fresh(third).status == "paid"
    assert MissedPayment.objects.for_studio(cast.studio).count() == 1
    assert len(links(cast, second)) == 1 and links(cast, third) == []


def test_paid_then_charged_back_gives_one_link_whose_first_payment_gives_a_new_mandate(cast, mollie):
    _first, second, _third = with_mandate(cast, mollie)
    payment = debit(second)
    mollie.set_status(payment.mollie_id, "paid")
    deliver()
    old_mandate = MollieCustomer.objects.for_studio(cast.studio).get().mandate_id
    with time_machine.travel(clock.now() + timedelta(weeks=3)):
        mollie.charge_back(payment.mollie_id)
        deliver()
    with time_machine.travel(clock.now() + timedelta(weeks=3, days=2)):
        assert (
            payments_reconcile() >= 1
        )  # paid within eight weeks: looked at again, the charge-back seen again
        deliver()
    assert fresh(second).status == "charged_back"
    (missed,) = MissedPayment.objects.for_studio(cast.studio)
    assert missed.reason == "charged_back"
    (mail,) = links(cast, second)
    assert "teruggeboekt" in mail.body
    Client().post(pay_path(mail))
    checkout = MolliePayment.objects.for_studio(cast.studio).filter(term=second).latest("created_at")
    assert checkout.sequence_type == "first"
    mollie.set_status(checkout.mollie_id, "paid")
    deliver()
    assert fresh(second).status == "paid"
    assert MollieCustomer.objects.for_studio(cast.studio).get().mandate_id not in ("", old_mandate)
    assert len(recurring(mollie)) == 1 and len(links(cast, second)) == 1


def test_mollie_answering_5xx_while_a_failed_debit_is_fetched_still_leads_to_one_link(cast, mollie):
    _first, second, _third = with_mandate(cast, mollie)
    payment = debit(second)
    mollie.fail_next(4)
    mollie.set_status(payment.mollie_id, "failed")
    now = clock.now()
    for minutes in (0, 1, 3, 7, 15):
        with time_machine.travel(now + timedelta(minutes=minutes)):
            deliver()
    assert fresh(second).status == "failed"
    assert MissedPayment.objects.for_studio(cast.studio).count() == 1 and len(links(cast, second)) == 1


def test_a_debit_mollie_refuses_or_that_cannot_be_made_fails_the_term_with_one_link(cast, mollie):
    _first, second, third = with_mandate(cast, mollie)
    MollieCustomer.objects.for_studio(cast.studio).update(mandate_id="mdt_Ingetrokken")  # revoked at the bank
    Term.objects.for_studio(cast.studio).filter(pk__in=[second.pk, third.pk]).update(
        announced_at=clock.now(), charge_on=clock.today()
    )
    assert term_charge(term_id=second.pk) == "failed"
    assert term_charge(term_id=second.pk) == "not due or taken"
    MollieCustomer.objects.for_studio(cast.studio).update(mandate_id="")
    assert term_charge(term_id=third.pk) == "failed"
    assert recurring(mollie) == []
    assert MissedPayment.objects.for_studio(cast.studio).count() == 2
    assert len(links(cast, second)) == 1 and len(links(cast, third)) == 1
    assert DomainEvent.objects.for_studio(cast.studio).filter(kind="payment.term_failed").count() == 2


def test_another_studios_payment_id_opens_nothing(cast, mollie):
    _first, second, _third = with_mandate(cast, mollie)
    payment = debit(second)
    other = make_studio(name="Buren", slug="buren")
    connection_save(studio=other, api_key=OTHER_KEY, by=None)
    mollie.set_status(payment.mollie_id, "failed", notify=False)
    Client().post("/hooks/mollie/buren/", f"id={payment.mollie_id}", content_type=FORM)
    deliver()
    assert MollieWebhook.objects.for_studio(other).get().status == "ignored"
    assert fresh(second).status == "open"
    assert not MissedPayment.all_studios.exists()


def test_a_checkout_the_member_lets_go_is_no_missed_payment(cast, mollie):
    connect(cast)
    first = terms_create(enrolment=enrol(cast, make_program(cast, cents=59700, terms=3)))[0]
    checkout_start(term=first, redirect_url="http://testserver/")
    mollie.set_status(MolliePayment.objects.for_studio(cast.studio).get().mollie_id, "canceled")
    deliver()
    assert fresh(first).status == "failed"
    assert not MissedPayment.objects.for_studio(cast.studio).exists()


def _two_in_a_row(cast: Cast, mollie: MollieStandin) -> tuple[Term, MissedPayment]:
    """The second term's debit failed, then the member's checkout from the link failed too."""
    _first, second, _third = with_mandate(cast, mollie)
    mollie.set_status(debit(second).mollie_id, "failed")
    deliver()
    checkout_start(term=second, redirect_url="http://testserver/")
    retry = MolliePayment.objects.for_studio(cast.studio).filter(term=second).latest("created_at")
    mollie.set_status(retry.mollie_id, "expired")
    deliver()
    return second, MissedPayment.objects.for_studio(cast.studio).get()


def test_after_two_failures_in_a_row_the_owner_decides_from_the_members_page(cast, mollie):
    second, missed = _two_in_a_row(cast, mollie)
    assert len(links(cast, second)) == 1  # the failed retry sent no second link
    member_url = f"/app/kracht-utrecht/leden/{missed.member_id}/"
    page = client_for(cast.owner).get(member_url).content.decode()
    assert (
        "2 betalingen op rij zijn niet gelukt" in page
        and 'value="paused"' in page
        and 'value="stopped"' in page
    )
    coach_page = client_for(cast.coach).get(member_url).content.decode()
    assert 'value="stopped"' not in coach_page and "Pauzeren of opzeggen beslist de eigenaar." in coach_page
    assert "Beslissen" in client_for(cast.owner).get("/app/kracht-utrecht/vandaag/").content.decode()
    assert "Beslissen" not in client_for(cast.coach).get("/app/kracht-utrecht/vandaag/").content.decode()
    decide = f"/app/kracht-utrecht/betalingen/gemist/{missed.pk}/"
    assert client_for(cast.coach).post(decide, {"decision": "paused", "weeks": 4}).status_code == 403
    # Hostile or wrong answers: a message, never a 500, nothing changed.
    for bad in ({"decision": "paused"}, {"decision": "paused", "weeks": 999}, {"decision": "gratis"}, {}):
        assert client_for(cast.owner).post(decide, bad).status_code == 302
    assert not Pause.objects.for_studio(cast.studio).exists()
    missed.refresh_from_db()
    assert missed.is_open

    answer = client_for(cast.owner).post(decide, {"decision": "paused", "weeks": 4, "next": member_url})
    assert answer.status_code == 302 and answer["Location"] == member_url
    pause = Pause.objects.for_studio(cast.studio).get()
    assert (pause.ends_on - pause.starts_on).days == 27 and pause.starts_on == clock.today()
    missed.refresh_from_db()
    assert (
        missed.decision == "paused" and missed.decided_by == cast.owner and fresh(second).status == "failed"
    )
    (event,) = DomainEvent.objects.for_studio(cast.studio).filter(kind="payment.missed_decided")
    assert event_payload(event).model_dump() == {
        "member_id": missed.member_id,
        "term_id": second.pk,
        "missed_id": missed.pk,
        "decision": "paused",
    }
    assert (
        Message.objects.for_studio(cast.studio).filter(key=f"pause:{pause.pk}").exists()
    )  # the member is told
    assert 'id="betaling"' not in client_for(cast.owner).get(member_url).content.decode()
    assert client_for(cast.owner).post(decide, {"decision": "stopped"}).status_code == 302
    assert not Cancellation.objects.for_studio(cast.studio).exists()  # decided already: nothing more happens


def test_the_owner_stops_the_membership_by_the_usual_cancellation(cast, mollie):
    second, missed = _two_in_a_row(cast, mollie)
    client_for(cast.owner).post(
        f"/app/kracht-utrecht/betalingen/gemist/{missed.pk}/", {"decision": "stopped"}
    )
    cancellation = Cancellation.objects.for_studio(cast.studio).get()
    assert cancellation.reason == "other" and cancellation.reason_text == "Betalingen niet gelukt"
    missed.refresh_from_db()
    assert missed.decision == "stopped" and fresh(second).status == "failed"


def test_paid_outside_mollie_settles_the_term_and_a_late_checkout_is_not_counted_twice(cast, mollie):
    second, missed = _two_in_a_row(cast, mollie)
    client_for(cast.owner).post(
        f"/app/kracht-utrecht/betalingen/gemist/{missed.pk}/", {"decision": "paid_outside"}
    )
    term = fresh(second)
    assert term.status == "paid" and term.paid_outside
    missed.refresh_from_db()
    assert missed.decision == "paid_outside" and missed.paid_at is not None
    assert (
        'id="betalingen"' not in client_for(cast.owner).get("/app/kracht-utrecht/vandaag/").content.decode()
    )


def test_a_coach_sends_the_link_again_from_today_and_the_task_goes(cast, mollie):
    _first, second, _third = with_mandate(cast, mollie)
    second.member.coach = cast.coach
    second.member.save(update_fields=["coach"])
    mollie.set_status(debit(second).mollie_id, "failed")
    deliver()
    today = client_for(cast.coach).get("/app/kracht-utrecht/vandaag/").content.decode()
    assert 'id="betalingen"' in today and "Incasso mislukt" in today and "Eva de Boer" in today
    for user, mine, role in ((cast.coach, True, "coach"), (cast.owner, False, "owner")):
        assert day_counts(cast.studio, user, mine=mine, role=role).payments == 1
        assert len(day_of(cast.studio, user, mine=mine, role=role).payments) == 1
    overview = client_for(cast.owner).get("/app/kracht-utrecht/").content.decode()
    assert "Betalingen niet gelukt" in overview and "/vandaag/#betalingen" in overview
    missed = MissedPayment.objects.for_studio(cast.studio).get()
    answer = client_for(cast.coach).post(
        f"/app/kracht-utrecht/betalingen/gemist/{missed.pk}/",
        {"decision": "new_link", "next": "/app/kracht-utrecht/vandaag/"},
    )
    assert answer["Location"] == "/app/kracht-utrecht/vandaag/"
    assert [m.key for m in links(cast, second)] == [
        f"term:{second.pk}:missed:failed",
        f"term:{second.pk}:missed:failed:2",
    ]
    assert (
        'id="betalingen"' not in client_for(cast.coach).get("/app/kracht-utrecht/vandaag/").content.decode()
    )
    assert (
        'id="betalingen"'
        not in client_for(cast.outsider).get(f"/app/{cast.other_studio.slug}/vandaag/").content.decode()
    )


def test_the_churn_risk_names_the_failed_debit_until_it_is_paid(cast, mollie):
    _first, second, _third = with_mandate(cast, mollie)
    mollie.set_status(debit(second).mollie_id, "failed")
    deliver()
    later = clock.now() + timedelta(minutes=1)
    risk = risk_for(second.member, as_of=later)
    assert any(
        r.startswith("Afschrijven van € 199,00 voor 12 weken sterker niet gelukt op") for r in risk.reasons
    )
    assert "payment" in risk.codes and risk.score >= 25
    missed = MissedPayment.objects.for_studio(cast.studio).get()
    with time_machine.travel(later):
        client_for(cast.owner).post(
            f"/app/kracht-utrecht/betalingen/gemist/{missed.pk}/", {"decision": "paid_outside"}
        )
    assert "payment" not in risk_for(second.member, as_of=later + timedelta(minutes=1)).codes
    assert "payment" in risk_for(second.member, as_of=later - timedelta(seconds=1)).codes  # as it was then


def test_the_owner_sets_after_how_many_failures_they_decide(cast, mollie):
    connect(cast)
    settings_url = "/app/kracht-utrecht/betalingen/instellingen/"
    for bad in ("0", "13", "twee", ""):
        client_for(cast.owner).post(settings_url, {"action": "beslissen", "decide_after": bad})
    client_for(cast.owner).post(settings_url, {"action": "beslissen", "decide_after": "3"})
    from vollegym.payments.selectors import decide_after

    assert decide_after(cast.studio) == 3
    assert (
        client_for(cast.coach).post(settings_url, {"action": "beslissen", "decide_after": "1"}).status_code
        == 404
    )
    assert decide_after(cast.studio) == 3


def test_a_studio_that_took_its_mollie_key_away_sends_no_pay_link_that_cannot_work(cast, mollie):
    from vollegym.payments.services import connection_remove

    _first, second, _third = with_mandate(cast, mollie)
    connection_remove(studio=cast.studio)
    Term.objects.for_studio(cast.studio).filter(pk=second.pk).update(
        announced_at=clock.now(), charge_on=clock.today()
    )
    assert term_charge(term_id=second.pk) == "failed"
    assert fresh(second).status == "failed"
    assert links(cast, second) == [] and not MissedPayment.objects.for_studio(cast.studio).exists()


def test_stopping_one_enrolment_leaves_the_missed_payments_of_another_open(cast, mollie):
    _, missed = _two_in_a_row(cast, mollie)
    other = enrolment_create(  # a second enrolment of the same member, in another program
        program=make_program(cast, cents=20000, terms=1),
        member=missed.member,
        starts_on=clock.today(),
        by=cast.owner,
    )
    (other_term,) = terms_create(enrolment=other)
    elsewhere = MissedPayment.objects.create(
        studio=cast.studio, term=other_term, member=other.member, reason="failed", amount_cents=20000
    )
    client_for(cast.owner).post(
        f"/app/kracht-utrecht/betalingen/gemist/{missed.pk}/", {"decision": "stopped"}
    )
    missed.refresh_from_db()
    elsewhere.refresh_from_db()
    assert missed.decision == "stopped" and elsewhere.decision == "" and elsewhere.decided_at is None


def test_a_mandate_mollie_calls_invalid_is_not_kept_for_the_pay_link_a_first_payment_is(cast, mollie):
    _first, second, third = with_mandate(cast, mollie)
    mollie.set_status(debit(second).mollie_id, "failed")
    deliver()
    customer = MollieCustomer.objects.for_studio(cast.studio).get()
    mollie.mandate_revoke(customer.mandate_id)  # the account behind it was closed
    (mail,) = links(cast, second)
    Client().post(pay_path(mail))
    checkout = MolliePayment.objects.for_studio(cast.studio).filter(term=second).latest("created_at")
    assert checkout.sequence_type == "first" and mollie.payment(checkout.mollie_id)["sequenceType"] == "first"
    customer.refresh_from_db()
    assert customer.mandate_id == ""  # forgotten: the next term goes to a checkout too, not to a debit
    mollie.set_status(checkout.mollie_id, "paid")
    deliver()
    assert fresh(second).status == "paid"
    customer.refresh_from_db()
    assert customer.mandate_id.startswith("mdt_")  # the new one
    debit(third)
    (taken,) = recurring(mollie)[1:]
    assert taken["mandateId"] == customer.mandate_id


def test_a_debit_refused_for_an_ended_mandate_forgets_it_so_the_pay_link_gives_a_new_one(cast, mollie):
    _first, second, _third = with_mandate(cast, mollie)
    mollie.mandate_revoke(MollieCustomer.objects.for_studio(cast.studio).get().mandate_id)
    Term.objects.for_studio(cast.studio).filter(pk=second.pk).update(
        announced_at=clock.now(), charge_on=clock.today()
    )
    assert term_charge(term_id=second.pk) == "failed"
    assert MollieCustomer.objects.for_studio(cast.studio).get().mandate_id == ""
    (mail,) = links(cast, second)
    Client().post(pay_path(mail))
    checkout = MolliePayment.objects.for_studio(cast.studio).filter(term=second).latest("created_at")
    assert checkout.sequence_type == "first"


def test_a_mandate_mollie_cannot_vouch_for_now_is_not_used_but_not_forgotten_either(cast, mollie):
    _first, second, _third = with_mandate(cast, mollie)
    mollie.set_status(debit(second).mollie_id, "failed")
    deliver()
    mandate = MollieCustomer.objects.for_studio(cast.studio).get().mandate_id
    mollie.fail_next(1)  # the mandate's GET gets a 503: a first payment works either way
    checkout_start(term=second, redirect_url="http://testserver/")
    checkout = MolliePayment.objects.for_studio(cast.studio).filter(term=second).latest("created_at")
    assert checkout.sequence_type == "first"
    assert MollieCustomer.objects.for_studio(cast.studio).get().mandate_id == mandate


@pytest.mark.parametrize(
    ("role", "in_a_row", "allowed"),
    [
        ("coach", 5, {"new_link"}),
        ("owner", 1, {"new_link", "paid_outside"}),
        ("owner", 2, {"new_link", "paid_outside", "paused", "stopped"}),
        ("agency", 3, {"new_link", "paid_outside", "paused", "stopped"}),
    ],
)
def test_the_owners_decision_rule(role, in_a_row, allowed):
    from vollegym.payments.selectors import decisions_allowed

    assert decisions_allowed(role=role, in_a_row=in_a_row, decide_after=2) == allowed


def test_the_owner_cannot_pause_or_stop_before_enough_failures_in_a_row(cast, mollie):
    _first, second, _third = with_mandate(cast, mollie)
    mollie.set_status(debit(second).mollie_id, "failed")
    deliver()
    missed = MissedPayment.objects.for_studio(cast.studio).get()
    decide = f"/app/kracht-utrecht/betalingen/gemist/{missed.pk}/"
    owner = client_for(cast.owner)
    assert owner.post(decide, {"decision": "paused", "weeks": 4}).status_code == 403
    assert owner.post(decide, {"decision": "stopped"}).status_code == 403
    assert not Pause.objects.for_studio(cast.studio).exists() and not Cancellation.objects.for_studio(
        cast.studio
    )
    page = owner.get(f"/app/kracht-utrecht/leden/{missed.member_id}/").content.decode()
    assert 'value="paid_outside"' in page and 'value="paused"' not in page
    assert (
        'value="paid_outside"'
        not in client_for(cast.coach).get(f"/app/kracht-utrecht/leden/{missed.member_id}/").content.decode()
    )
    today = owner.get("/app/kracht-utrecht/vandaag/").content.decode()
    assert "Beslissen" not in today and 'value="new_link"' in today
    assert owner.post(decide, {"decision": "paid_outside"}).status_code == 302
    missed.refresh_from_db()
    assert missed.decision == "paid_outside"
