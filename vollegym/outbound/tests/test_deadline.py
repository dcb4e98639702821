"""A receiver that trickles its answer, a byte at a time within every read timeout, is cut off at one deadline for
the whole attempt, and the attempt is a failed one with the reason in the log."""

import time

from vollegym.core import clock
from vollegym.core.testing import make_person
from vollegym.outbound import client
from vollegym.outbound.models import Delivery
from vollegym.outbound.services import deliveries_fan_out, deliveries_send_due, subscription_create
from vollegym.outbound.tests.kit import receiver
from vollegym.people.events import LeadEscalated, event_record


def test_a_trickling_receiver_is_cut_off_at_the_deadline_not_at_its_last_byte(monkeypatch):
    monkeypatch.setattr(client, "TOTAL_SECONDS", 1.0)
    with receiver() as found:
        found.script = ["trickle"]  # a whole 200 after about six seconds, a byte every 0.1 s
        started = time.monotonic()
        outcome = client.post(found.url, b"{}", {"Content-Type": "application/json"})
        took = time.monotonic() - started
    assert outcome.status is None and not outcome.ok
    assert outcome.error == "timed out: no complete answer within 1 seconds"
    assert took < 2.5 and 900 <= outcome.duration_ms < 2500


def test_an_answer_within_the_deadline_still_counts(monkeypatch):
    monkeypatch.setattr(client, "TOTAL_SECONDS", 1.0)
    with receiver() as found:
        outcome = client.post(found.url, b"{}", {"Content-Type": "application/json"})
    assert outcome.ok and outcome.status == 200 and outcome.error == ""


def test_a_delivery_to_a_trickling_receiver_is_a_failed_attempt_that_is_retried(cast, monkeypatch):
    monkeypatch.setattr(client, "TOTAL_SECONDS", 1.0)
    anna = make_person(cast.studio, name="Anna")
    with receiver() as found:
        subscription_create(studio=cast.studio, url=found.url, kinds=["lead.escalated"], by=cast.owner)
        event_record(studio=cast.studio, person=anna, event=LeadEscalated(lead_id=1))
        found.script = ["trickle"]
        deliveries_fan_out()
        started = time.monotonic()
        deliveries_send_due()
        took = time.monotonic() - started
    delivery = Delivery.objects.for_studio(cast.studio).get()
    assert took < 2.5
    assert delivery.status == "pending" and delivery.attempts == 1 and delivery.response_code is None
    assert delivery.last_error == "timed out: no complete answer within 1 seconds"
    assert delivery.next_attempt_at > clock.now() and (delivery.duration_ms or 0) >= 900
