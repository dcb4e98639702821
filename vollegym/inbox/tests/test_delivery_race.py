"""Two workers, two deliveries of the same WhatsApp message (Meta sent it twice, in two bodies), read at the same
moment: real threads, each with its own connection. The message is kept once and both deliveries are processed.

PostgreSQL only: SQLite begins every write transaction IMMEDIATE, so the second worker cannot even look before the
first committed (the look-before settles it there; test_delivery_robustness covers the same path on both).
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from vollegym.core.races import BARRIER_TIMEOUT, at_once, meet_before
from vollegym.core.testing import make_lead
from vollegym.inbox import services, shapes
from vollegym.inbox.delivery import deliveries_process_due, delivery_store
from vollegym.inbox.models import Conversation, InboundMessage, WhatsAppDelivery

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_workers_with_the_same_message_keep_it_once_and_process_both(cast, whatsapp, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers before they can look: no race to lose (see the docstring)")
    make_lead(cast.studio, name="Eva", phone="+31612345678")
    delivery_store(
        payload=shapes.text_message("1098765", sender="31612345678", text="Eerder", wa_id="wamid.FIRST")
    )
    deliveries_process_due()  # the person and the conversation exist: the race is on the message alone
    for body_id in ("one", "two"):
        payload = shapes.text_message("1098765", sender="31612345678", text="Hoi", wa_id="wamid.TWICE")
        payload["entry"][0]["id"] = body_id
        delivery_store(payload=payload)
    # Both workers have looked (not kept yet) before either writes.
    meet_before(monkeypatch, services, "_receive", threading.Barrier(2, timeout=BARRIER_TIMEOUT))
    at_once([lambda: deliveries_process_due(limit=1)] * 2)
    assert InboundMessage.objects.for_studio(cast.studio).filter(wa_id="wamid.TWICE").count() == 1
    assert set(WhatsAppDelivery.objects.values_list("status", flat=True)) == {"processed"}
    assert Conversation.objects.for_studio(cast.studio).get().unread == 2
