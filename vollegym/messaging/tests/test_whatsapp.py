from datetime import timedelta

import pytest
import time_machine

from vollegym.core import clock
from vollegym.core.testing import run_tasks
from vollegym.leads.services import LeadInput, lead_capture
from vollegym.messaging.models import Message
from vollegym.messaging.tests.whatsapp_stub import WHATSAPP_YES

pytestmark = pytest.mark.django_db


def test_a_consenting_lead_gets_the_approved_template_on_whatsapp(cast, whatsapp):
    lead = lead_capture(
        studio=cast.studio,
        data=LeadInput(source="website", name="Eva de Boer", phone="06 12345678", consents=[WHATSAPP_YES]),
    ).lead
    run_tasks()
    assert len(whatsapp.received) == 1
    sent = whatsapp.received[0]
    assert sent["path"] == "/v25.0/1098765/messages"
    assert sent["to"] == "31612345678" and sent["type"] == "template"
    assert sent["template"]["name"] == "lead_bevestiging" and sent["template"]["language"] == {"code": "nl"}
    assert sent["template"]["components"][0]["parameters"] == [
        {"type": "text", "text": "Eva"}, {"type": "text", "text": "Kracht Utrecht"},
    ]  # fmt: skip
    message = Message.objects.for_studio(cast.studio).get(channel="whatsapp", ref=f"lead:{lead.pk}")
    assert message.status == "sent" and message.provider_id == "wamid.TEST1"


def test_no_whatsapp_without_consent_or_without_a_configured_number(cast, whatsapp):
    lead_capture(studio=cast.studio, data=LeadInput(source="website", phone="0612345678"))
    lead_capture(
        studio=cast.other_studio,
        data=LeadInput(source="website", phone="0687654321", consents=[WHATSAPP_YES]),
    )
    run_tasks()
    assert whatsapp.received == []
    assert not Message.all_studios.filter(channel="whatsapp").exists()


def test_outside_the_window_is_final_and_a_rate_limit_is_retried(cast, whatsapp):
    whatsapp.answers.append((400, {"error": {"message": "Re-engagement message", "code": 131047}}))
    lead_capture(
        studio=cast.studio, data=LeadInput(source="website", phone="0612345678", consents=[WHATSAPP_YES])
    )
    run_tasks()
    failed = Message.objects.for_studio(cast.studio).get(channel="whatsapp")
    assert failed.status == "failed" and "131047" in failed.last_error

    whatsapp.answers.append((400, {"error": {"message": "Rate limit hit", "code": 130429}}))
    lead_capture(
        studio=cast.studio, data=LeadInput(source="website", phone="0611111111", consents=[WHATSAPP_YES])
    )
    run_tasks()
    retried = Message.objects.for_studio(cast.studio).filter(channel="whatsapp").exclude(pk=failed.pk).get()
    assert retried.status == "queued" and retried.attempts == 1
    with time_machine.travel(clock.now() + timedelta(minutes=1)):
        run_tasks()
    retried.refresh_from_db()
    assert retried.status == "sent" and len(whatsapp.received) == 1
