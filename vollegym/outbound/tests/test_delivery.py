import json
from datetime import timedelta

import pytest
import time_machine

from vollegym.core import clock
from vollegym.core.signing import verify_generic_signature
from vollegym.core.testing import make_person
from vollegym.messaging.models import Message
from vollegym.outbound import client
from vollegym.outbound.models import Delivery, Subscription
from vollegym.outbound.services import (
    INTERRUPTED_AFTER,
    deliveries_fan_out,
    deliveries_send_due,
    deliveries_settle_interrupted,
    delivery_claim,
    delivery_replay,
    delivery_settle,
    subscription_create,
    subscription_pause,
    subscription_resume,
)
from vollegym.outbound.tests.kit import receiver
from vollegym.people.events import LeadEscalated, LeadStageChanged, event_record

KINDS = ["lead.stage_changed", "lead.escalated"]


def _events(cast, people, rounds=3):
    made = []
    for n in range(rounds):
        for person in people:
            made.append(event_record(
                studio=cast.studio, person=person,
                event=LeadStageChanged(lead_id=person.pk, before=f"s{n}", after=f"s{n + 1}"),
            ))  # fmt: skip
    return made


def _work(times=1, now=None):
    for _ in range(times):
        deliveries_fan_out(now=now)
        deliveries_send_due(now=now)


def _bodies(found):
    return [json.loads(a.body) for a in found.taken]


def test_a_receiver_that_fails_then_recovers_gets_every_event_once_in_order_per_person_signed(
    cast, monkeypatch
):
    monkeypatch.setattr(client, "TOTAL_SECONDS", 0.5)
    anna, bram = make_person(cast.studio, name="Anna"), make_person(cast.studio, name="Bram")
    with receiver() as found, time_machine.travel(clock.now(), tick=True) as traveller:
        sub = subscription_create(studio=cast.studio, url=found.url, kinds=KINDS, by=cast.owner)
        made = _events(cast, [anna, bram])
        found.script = [500, 503, "hang", "hang", 502]
        for _ in range(12):
            _work()
            traveller.shift(timedelta(hours=1))  # past any backoff
        assert Delivery.objects.for_studio(cast.studio).filter(status="delivered").count() == len(made)

    bodies = _bodies(found)
    assert sorted(b["id"] for b in bodies) == sorted(
        e.pk for e in made
    )  # each once: failures never reached it
    assert len({a.headers["X-Vollegym-Delivery"] for a in found.taken}) == len(made)
    for person in (anna, bram):
        mine = [b["id"] for b in bodies if b["person_id"] == person.pk]
        assert mine == sorted(mine), "a person's events arrived out of order"
    for arrival in found.taken:
        # The receiver's clock is the moment of sending: the signature is checked as an inbound webhook is.
        t = int(arrival.headers["X-Vollegym-Signature"].split(",")[0][2:])
        verify_generic_signature(
            arrival.headers["X-Vollegym-Signature"], arrival.body, sub.secret, now=t,
            delivery=arrival.headers["X-Vollegym-Delivery"],
        )  # fmt: skip
        assert arrival.headers["X-Vollegym-Event"] == "lead.stage_changed"
    body = bodies[0]
    assert set(body) == {"id", "type", "occurred_at", "studio", "person_id", "data"}
    assert body["studio"] == cast.studio.slug and body["data"]["after"].startswith("s")
    assert Subscription.objects.for_studio(cast.studio).get().consecutive_failures == 0


def test_a_later_event_for_a_person_waits_while_an_earlier_one_is_retried(cast):
    anna, bram = make_person(cast.studio, name="Anna"), make_person(cast.studio, name="Bram")
    with receiver() as found:
        subscription_create(studio=cast.studio, url=found.url, kinds=KINDS, by=cast.owner)
        first = event_record(studio=cast.studio, person=anna, event=LeadEscalated(lead_id=1))
        found.script = [500]
        _work()  # anna's first fails and waits a minute
        second = event_record(studio=cast.studio, person=anna, event=LeadEscalated(lead_id=2))
        other = event_record(studio=cast.studio, person=bram, event=LeadEscalated(lead_id=3))
        _work()
        assert [json.loads(a.body)["id"] for a in found.taken] == [other.pk]  # bram's is not held up
        assert Delivery.objects.for_studio(cast.studio).get(event=second).attempts == 0
        _work(times=2, now=clock.now() + timedelta(minutes=2))
        assert [json.loads(a.body)["id"] for a in found.taken] == [other.pk, first.pk, second.pk]


def test_a_subscription_made_later_starts_from_now_and_only_hears_its_kinds(cast):
    anna = make_person(cast.studio, name="Anna")
    before = event_record(studio=cast.studio, person=anna, event=LeadEscalated(lead_id=1))
    with receiver() as found:
        subscription_create(studio=cast.studio, url=found.url, kinds=["lead.escalated"], by=cast.owner)
        event_record(
            studio=cast.studio, person=anna, event=LeadStageChanged(lead_id=1, before="a", after="b")
        )
        after = event_record(studio=cast.studio, person=anna, event=LeadEscalated(lead_id=1))
        event_record(studio=cast.other_studio, event=LeadEscalated(lead_id=9))
        _work(times=2)
    assert [json.loads(a.body)["id"] for a in found.taken] == [after.pk]
    assert before.pk < after.pk


def test_replay_sends_the_same_delivery_id_again(cast):
    with receiver() as found:
        subscription_create(studio=cast.studio, url=found.url, kinds=KINDS, by=cast.owner)
        event_record(studio=cast.studio, event=LeadEscalated(lead_id=1))
        _work()
        delivery = Delivery.objects.for_studio(cast.studio).get()
        assert delivery.status == "delivered" and delivery.response_code == 200
        delivery_replay(delivery=delivery)
        _work()
    assert len(found.taken) == 2
    assert {a.headers["X-Vollegym-Delivery"] for a in found.taken} == {str(delivery.uid)}
    assert found.taken[0].body == found.taken[1].body


def test_a_paused_subscription_gets_nothing_and_resumes_where_it_stopped(cast):
    with receiver() as found:
        sub = subscription_create(studio=cast.studio, url=found.url, kinds=KINDS, by=cast.owner)
        subscription_pause(subscription=sub)
        waiting = event_record(studio=cast.studio, event=LeadEscalated(lead_id=1))
        _work(times=2)
        assert found.arrivals == []
        subscription_resume(subscription=sub)
        _work()
    assert [json.loads(a.body)["id"] for a in found.taken] == [waiting.pk]


def test_a_switched_off_studio_sends_nothing_more(cast):
    with receiver() as found:
        subscription_create(studio=cast.studio, url=found.url, kinds=KINDS, by=cast.owner)
        event_record(studio=cast.studio, event=LeadEscalated(lead_id=1))
        cast.studio.is_active = False
        cast.studio.save(update_fields=["is_active"])
        _work(times=2)
    assert found.arrivals == []


def test_three_days_of_failures_pause_it_and_tell_the_owner_once(cast):
    with receiver() as found, time_machine.travel(clock.now(), tick=True) as traveller:
        sub = subscription_create(studio=cast.studio, url=found.url, kinds=KINDS, by=cast.owner)
        event_record(studio=cast.studio, event=LeadEscalated(lead_id=1))
        found.script = [500] * 200
        for _ in range(80):
            _work()
            traveller.shift(timedelta(hours=1))
        sub.refresh_from_db()
        assert sub.status == Subscription.Status.PAUSED
        delivery = Delivery.objects.for_studio(cast.studio).get()
        assert delivery.status == "failed" and delivery.response_code == 500
        attempts = len(found.arrivals)
        event_record(studio=cast.studio, event=LeadEscalated(lead_id=2))
        _work(times=3)
        assert len(found.arrivals) == attempts  # paused: nothing more
    told = Message.objects.for_studio(cast.studio).filter(purpose="webhook_paused")
    assert [m.to_user for m in told] == [cast.owner]
    assert "gepauzeerd" in told[0].body


@pytest.mark.parametrize("status", [500, 404])
def test_a_failed_attempt_is_logged_with_its_code_and_excerpt(cast, status):
    with receiver() as found:
        subscription_create(studio=cast.studio, url=found.url, kinds=KINDS, by=cast.owner)
        event_record(studio=cast.studio, event=LeadEscalated(lead_id=1))
        found.script = [status]
        _work()
    delivery = Delivery.objects.for_studio(cast.studio).get()
    assert delivery.status == "pending" and delivery.response_code == status
    assert delivery.response_excerpt == "upstream trouble" and delivery.next_attempt_at > clock.now()


@pytest.mark.parametrize("late_status", [500, 200])
def test_a_worker_whose_claim_expired_cannot_settle_the_attempt_of_the_worker_that_took_over(
    cast, late_status
):
    sub = subscription_create(studio=cast.studio, url="http://127.0.0.1:9/", kinds=KINDS, by=cast.owner)
    event_record(studio=cast.studio, event=LeadEscalated(lead_id=1))
    deliveries_fan_out()
    pk = Delivery.objects.for_studio(cast.studio).get().pk
    with time_machine.travel(clock.now(), tick=False) as traveller:
        first = delivery_claim(delivery_id=pk)  # worker A claims it, then stalls
        as_a_saw_it = Delivery.objects.for_studio(cast.studio).get(pk=pk)
        traveller.shift(INTERRUPTED_AFTER + timedelta(seconds=1))
        assert deliveries_settle_interrupted() == 1
        second = delivery_claim(delivery_id=pk)  # worker B takes it over and is still sending
        assert first is not None and second is not None and second > first
        late = client.Outcome(status=late_status, excerpt="late", duration_ms=125_000)
        assert delivery_settle(delivery=as_a_saw_it, claimed_at=first, outcome=late) == "superseded"
        row = Delivery.objects.for_studio(cast.studio).get(pk=pk)
        assert (row.status, row.claimed_at, row.response_code, row.attempts) == ("sending", second, None, 2)
        sub.refresh_from_db()
        assert sub.consecutive_failures == 0  # A's failure is not counted either
        as_b_saw_it = Delivery.objects.for_studio(cast.studio).get(pk=pk)
        ok = client.Outcome(status=200, excerpt="ok", duration_ms=40)
        assert delivery_settle(delivery=as_b_saw_it, claimed_at=second, outcome=ok) == "delivered"
    row = Delivery.objects.for_studio(cast.studio).get(pk=pk)
    assert (row.status, row.response_excerpt, row.duration_ms) == ("delivered", "ok", 40)


def test_a_delivery_that_waited_its_turn_has_three_days_from_its_own_first_attempt(cast):
    anna, bram = make_person(cast.studio, name="Anna"), make_person(cast.studio, name="Bram")
    with receiver() as found, time_machine.travel(clock.now(), tick=True) as traveller:
        sub = subscription_create(studio=cast.studio, url=found.url, kinds=KINDS, by=cast.owner)
        first = event_record(studio=cast.studio, person=anna, event=LeadEscalated(lead_id=1))
        second = event_record(studio=cast.studio, person=anna, event=LeadEscalated(lead_id=2))
        found.answer = lambda body: 500 if body["person_id"] == anna.pk else 200
        for hour in range(76):
            if hour % 12 == 0:  # Bram's events go through, so the subscription as a whole is not failing
                event_record(studio=cast.studio, person=bram, event=LeadEscalated(lead_id=100 + hour))
            _work()
            traveller.shift(timedelta(hours=1))
        sub.refresh_from_db()
        assert sub.status == Subscription.Status.ACTIVE
        gave_up = Delivery.objects.for_studio(cast.studio).get(event=first)
        waited = Delivery.objects.for_studio(cast.studio).get(event=second)
    assert gave_up.status == "failed"
    assert waited.first_attempt_at is not None
    assert waited.first_attempt_at - waited.created_at >= timedelta(days=3)  # it waited behind the first
    assert waited.status == "pending" and waited.attempts >= 1  # and was not given up at its first failure


def test_resume_and_replay_give_a_delivery_three_days_anew(cast):
    sub = subscription_create(studio=cast.studio, url="http://127.0.0.1:9/", kinds=KINDS, by=cast.owner)
    event = event_record(studio=cast.studio, event=LeadEscalated(lead_id=1))
    long_ago = clock.now() - timedelta(days=5)
    delivery = Delivery.objects.create(
        studio=cast.studio,
        subscription=sub,
        event=event,
        status="failed",
        attempts=9,
        first_attempt_at=long_ago,
    )
    delivery_replay(delivery=delivery)
    delivery.refresh_from_db()
    assert delivery.status == "pending" and delivery.first_attempt_at is None
    Delivery.objects.for_studio(cast.studio).filter(pk=delivery.pk).update(first_attempt_at=long_ago)
    subscription_pause(subscription=sub)
    subscription_resume(subscription=sub)
    delivery.refresh_from_db()
    assert delivery.first_attempt_at is None and delivery.attempts == 9


def test_a_receiver_answering_410_gone_pauses_the_subscription_at_once_and_tells_the_owner(cast):
    anna, bram = make_person(cast.studio, name="Anna"), make_person(cast.studio, name="Bram")
    with receiver() as found:
        sub = subscription_create(studio=cast.studio, url=found.url, kinds=KINDS, by=cast.owner)
        first = event_record(studio=cast.studio, person=anna, event=LeadEscalated(lead_id=1))
        event_record(studio=cast.studio, person=bram, event=LeadEscalated(lead_id=2))
        found.script = [410]
        _work(times=2)
        sub.refresh_from_db()
        assert sub.status == Subscription.Status.PAUSED and "410 Gone" in sub.paused_reason
        assert len(found.arrivals) == 1  # nothing more went to an address that is gone
        gone = Delivery.objects.for_studio(cast.studio).get(event=first)
        assert gone.status == "pending" and gone.response_code == 410 and gone.attempts == 1
        told = Message.objects.for_studio(cast.studio).filter(purpose="webhook_paused")
        assert [m.to_user for m in told] == [cast.owner] and "410 Gone" in told[0].body
        subscription_resume(subscription=sub)  # the owner fixed the receiver
        _work()
    assert Delivery.objects.for_studio(cast.studio).filter(status="delivered").count() == 2


def test_a_500_does_not_pause_at_once(cast):
    with receiver() as found:
        sub = subscription_create(studio=cast.studio, url=found.url, kinds=KINDS, by=cast.owner)
        event_record(studio=cast.studio, event=LeadEscalated(lead_id=1))
        found.script = [500]
        _work()
    sub.refresh_from_db()
    assert sub.status == Subscription.Status.ACTIVE and sub.consecutive_failures == 1
