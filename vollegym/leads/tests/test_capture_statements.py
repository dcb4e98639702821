"""Capture stays lean: the statements one processed webhook delivery costs, counted (the time is in bench/)."""

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from vollegym.leads.inbound import inbound_process, sign_generic
from vollegym.leads.models import InboundEvent, Lead
from vollegym.leads.services import lead_settings_for

pytestmark = pytest.mark.django_db

# The budget for one processed event, the worker's task without the queue's own statements.
BUDGET = 12


def deliver(cast, n: int) -> InboundEvent:
    raw = json.dumps({
        "external_id": f"stmt-{n}", "name": f"Eva {n}", "email": f"eva{n}@example.nl", "phone": f"06123456{n:02d}",
        "source": "website", "campaign": "najaar",
        "consent": [{"purpose": "contact", "text": "Ja, bel me maar.", "given": True}],
        "answers": {"doel": "sterker"},
    }).encode()  # fmt: skip
    secret = lead_settings_for(cast.studio).webhook_secret
    response = Client().post(
        f"/hooks/leads/{cast.studio.slug}/", raw, content_type="application/json",
        headers={"X-Vollegym-Signature": sign_generic(raw, secret)},
    )  # fmt: skip
    assert response.status_code == 202
    return InboundEvent.objects.for_studio(cast.studio).get(dedupe_key__endswith=f":stmt-{n}")


def test_processing_one_delivery_into_a_new_lead_stays_within_the_statement_budget(cast):
    inbound_process(event_id=deliver(cast, 1).pk)  # warm: the studio's settings, first coach, caches
    event = deliver(cast, 2)
    with CaptureQueriesContext(connection) as captured:
        inbound_process(event_id=event.pk)
    assert Lead.objects.for_studio(cast.studio).count() == 2
    statements = [q["sql"] for q in captured.captured_queries]
    # The test runs inside a transaction, so the worker's outermost BEGIN … COMMIT shows as one savepoint around
    # everything; in production those are not statements of their own. A savepoint anywhere else counts.
    assert statements[0].startswith("SAVEPOINT") and statements[-1].startswith("RELEASE SAVEPOINT")
    inner = statements[1:-1]
    assert len(inner) <= BUDGET, f"{len(inner)} statements:\n" + "\n".join(inner)
    assert not any(sql.startswith("SAVEPOINT") for sql in inner)


def test_a_failed_delivery_leaves_no_lead_and_keeps_the_reason(cast, monkeypatch):
    from vollegym.leads import inbound

    event = deliver(cast, 3)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the outbox is broken")

    monkeypatch.setattr(inbound, "lead_capture", broken)
    assert inbound_process(event_id=event.pk) == "failed"
    event.refresh_from_db()
    assert event.status == "failed" and "the outbox is broken" in event.error and event.attempts == 1
    assert not Lead.objects.for_studio(cast.studio).exists()
