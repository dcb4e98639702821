from datetime import timedelta

import pytest
import time_machine

from vollegym.core import clock
from vollegym.core.testing import client_for, make_lead, run_tasks
from vollegym.inbox import shapes
from vollegym.inbox.delivery import deliveries_process_due, delivery_store
from vollegym.inbox.models import Conversation
from vollegym.messaging.models import Message

pytestmark = pytest.mark.django_db

NUMBER = "1098765"


def _conversation(cast, text="Hoi, kan ik morgen proberen?") -> Conversation:
    delivery_store(payload=shapes.text_message(NUMBER, sender="31612345678", name="Eva de Boer", text=text))
    deliveries_process_due()
    return Conversation.objects.for_studio(cast.studio).get()


def test_the_inbox_lists_conversations_with_unread_counts_and_who_answers(cast, whatsapp):
    conversation = _conversation(cast)
    page = client_for(cast.coach).get(f"/app/{cast.studio.slug}/berichten/")
    assert page.status_code == 200
    assert "Eva de Boer" in page.text and "kan ik morgen proberen" in page.text
    assert 'class="badge badge--count"' in page.text and "Nog van niemand" in page.text
    url = f"/app/{cast.studio.slug}/berichten/{conversation.pk}/"
    opened = client_for(cast.coach).get(url)
    assert opened.status_code == 200 and "Jouw antwoord" in opened.text
    conversation.refresh_from_db()
    assert conversation.unread == 0
    assigned = client_for(cast.owner).post(url + "toewijzen/", {"to": str(cast.coach.pk)})
    assert assigned.status_code == 302
    conversation.refresh_from_db()
    assert conversation.assigned_to == cast.coach
    refused = client_for(cast.owner).post(url + "toewijzen/", {"to": str(cast.outsider.pk)})
    assert refused.status_code == 400 and "team van deze studio" in refused.text
    conversation.refresh_from_db()
    assert conversation.assigned_to == cast.coach


def test_the_nav_counts_unread_messages_until_the_conversation_is_opened(cast, whatsapp):
    conversation = _conversation(cast)
    _conversation(cast, text="En hoe laat?")
    leads = f"/app/{cast.studio.slug}/leads/"
    berichten = f'href="/app/{cast.studio.slug}/berichten/">Berichten <span class="count">2'
    assert berichten in client_for(cast.coach).get(leads).text
    elsewhere = client_for(cast.outsider).get(f"/app/{cast.other_studio.slug}/leads/").text
    assert (
        f'href="/app/{cast.other_studio.slug}/berichten/">Berichten</a>' in elsewhere
    )  # not another studio's
    client_for(cast.coach).get(f"/app/{cast.studio.slug}/berichten/{conversation.pk}/")
    assert 'berichten/">Berichten</a>' in client_for(cast.coach).get(leads).text


def test_a_reply_from_the_page_goes_out_once_even_when_posted_twice(cast, whatsapp):
    conversation = _conversation(cast)
    url = f"/app/{cast.studio.slug}/berichten/{conversation.pk}/antwoord/"
    coach = client_for(cast.coach)
    form = {"text": "Hoi Eva, morgen om 9 uur kan!", "key": "a" * 32}
    assert coach.post(url, form).status_code == 302
    assert coach.post(url, form).status_code == 302
    run_tasks()
    assert [r["text"]["body"] for r in whatsapp.received if r["type"] == "text"] == [
        "Hoi Eva, morgen om 9 uur kan!"
    ]
    thread = coach.get(f"/app/{cast.studio.slug}/berichten/{conversation.pk}/")
    assert "morgen om 9 uur kan" in thread.text and "Verstuurd" in thread.text


def test_outside_the_window_the_page_offers_templates_and_a_posted_text_is_refused(cast, whatsapp):
    conversation = _conversation(cast)
    url = f"/app/{cast.studio.slug}/berichten/{conversation.pk}/"
    with time_machine.travel(clock.now() + timedelta(hours=25)):
        page = client_for(cast.coach).get(url)
        assert 'id="buiten-venster"' in page.text and 'name="template"' in page.text
        assert 'name="text"' not in page.text
        refused = client_for(cast.coach).post(url + "antwoord/", {"text": "Nog interesse?", "key": "b" * 32})
        assert refused.status_code == 400 and "meer dan 24 uur oud" in refused.text
    assert not Message.objects.for_studio(cast.studio).filter(purpose="inbox_reply").exists()


def test_the_lead_page_links_to_the_conversation(cast, whatsapp):
    lead = make_lead(cast.studio, name="Sem", phone="+31611111111")
    page = client_for(cast.coach).get(f"/app/{cast.studio.slug}/leads/{lead.pk}/")
    assert f"/app/{cast.studio.slug}/berichten/persoon/{lead.person_id}/" in page.text
    opened = client_for(cast.coach).get(
        f"/app/{cast.studio.slug}/berichten/persoon/{lead.person_id}/", follow=True
    )
    assert opened.status_code == 200 and "geen toestemming voor WhatsApp" in opened.text


def test_another_studios_conversation_is_404(cast, whatsapp):
    conversation = _conversation(cast)
    for path in ("", "antwoord/", "toewijzen/", "gelezen/"):
        url = f"/app/{cast.other_studio.slug}/berichten/{conversation.pk}/{path}"
        client = client_for(cast.outsider)
        answer = client.post(url, {"text": "hoi", "key": "c" * 32}) if path else client.get(url)
        assert answer.status_code == 404
    person_url = f"/app/{cast.other_studio.slug}/berichten/persoon/{conversation.person_id}/"
    assert client_for(cast.outsider).get(person_url).status_code == 404
