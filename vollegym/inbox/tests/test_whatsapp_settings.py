"""The owner's page for the studio's WhatsApp connection: only owners, the token never shown back, plain Dutch
errors, one number per studio, and Meta's deliveries follow the number the owner sets."""

import pytest

from vollegym.core.testing import client_for
from vollegym.inbox import shapes
from vollegym.inbox.delivery import deliveries_process_due, delivery_store
from vollegym.inbox.models import InboundMessage
from vollegym.messaging.models import WhatsAppSettings
from vollegym.messaging.services import WhatsAppSettingsError, whatsapp_settings_save

pytestmark = pytest.mark.django_db

TOKEN = "EAAGm0PX4ZCpsBAKxyz1234567890abcdefghijklmnopqrstuvwxTAIL"


def url(studio) -> str:
    return f"/app/{studio.slug}/instellingen/whatsapp/"


def form(**changes) -> dict[str, str]:
    return {
        "phone_number_id": "106540352242922", "token": TOKEN, "ack_template": "lead_bevestiging",
        "reminder_template": "gesprek_herinnering", "language": "nl", "is_active": "on", **changes,
    }  # fmt: skip


def test_an_owner_connects_the_number_and_sees_the_token_only_by_its_end(cast):
    owner = client_for(cast.owner)
    first = owner.get(url(cast.studio))
    assert first.status_code == 200 and "Koppelen" in first.text and "/hooks/whatsapp/" in first.text
    assert first["Cache-Control"].startswith("max-age=0")
    saved = owner.post(url(cast.studio), form())
    assert saved.status_code == 302
    kept = WhatsAppSettings.objects.for_studio(cast.studio).get()
    assert kept.phone_number_id == "106540352242922" and kept.token == TOKEN and kept.is_active
    page = owner.get(url(cast.studio))
    assert "…TAIL" in page.text and TOKEN not in page.text and TOKEN[:-4] not in page.text
    assert 'value="106540352242922"' in page.text and 'name="token"' in page.text


def test_an_empty_token_keeps_the_one_kept_and_a_new_one_replaces_it(cast):
    owner = client_for(cast.owner)
    owner.post(url(cast.studio), form())
    assert owner.post(url(cast.studio), form(token="", language="en_US", is_active="")).status_code == 302
    kept = WhatsAppSettings.objects.for_studio(cast.studio).get()
    assert kept.token == TOKEN and kept.language == "en_US" and not kept.is_active
    owner.post(url(cast.studio), form(token="EAAnewtoken0987654321newtokenNEW9"))
    assert WhatsAppSettings.objects.for_studio(cast.studio).get().token.endswith("NEW9")


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("phone_number_id", "+31 6 12345678", "niet het telefoonnummer zelf"),
        ("phone_number_id", "1065\x0040352", "Null"),
        ("phone_number_id", "9" * 5000, "hoogstens 40 tekens"),
        ("phone_number_id", "", "Vul het telefoonnummer-ID uit Meta in."),
        ("token", "kort", "geen toegangstoken van Meta"),
        ("token", "EAAG token met spaties erin 1234567890", "geen toegangstoken van Meta"),
        ("token", "EAAG\x00" + "x" * 30, "Null"),
        ("token", "x" * 5000, "hoogstens 1000 tekens"),
        ("ack_template", "Lead Bevestiging!", "kleine letters, cijfers en _"),
        ("reminder_template", "", "Vul de naam van het sjabloon in."),
        ("language", "Nederlands", "nl, en of en_US"),
    ],
)
def test_bad_input_gets_a_plain_dutch_error_and_nothing_is_kept(cast, field, value, says):
    answer = client_for(cast.owner).post(url(cast.studio), form(**{field: value}))
    assert answer.status_code == 400
    assert says in answer.text, answer.text
    assert not WhatsAppSettings.objects.for_studio(cast.studio).exists()


def test_a_lone_surrogate_in_the_body_or_in_the_service_is_a_dutch_error_not_a_crash(cast):
    from urllib.parse import urlencode

    body = urlencode({**form(), "phone_number_id": "X"}).replace(
        "phone_number_id=X", "phone_number_id=%ED%A0%80"
    )
    answer = client_for(cast.owner).post(
        url(cast.studio), body, content_type="application/x-www-form-urlencoded"
    )
    assert answer.status_code == 400 and "niet het telefoonnummer zelf" in answer.text
    with pytest.raises(WhatsAppSettingsError, match="geen toegangstoken"):
        whatsapp_settings_save(
            studio=cast.studio, phone_number_id="1065", token="EAAG\ud800" + "x" * 30, ack_template="a",
            reminder_template="b", language="nl", is_active=True,
        )  # fmt: skip
    assert not WhatsAppSettings.objects.for_studio(cast.studio).exists()


def test_a_first_connection_needs_a_token(cast):
    answer = client_for(cast.owner).post(url(cast.studio), form(token=""))
    assert answer.status_code == 400 and "Plak het toegangstoken uit Meta." in answer.text


def test_a_number_id_another_studio_has_is_refused(cast):
    WhatsAppSettings.objects.create(
        studio=cast.other_studio, phone_number_id="106540352242922", token="x" * 30
    )
    answer = client_for(cast.owner).post(url(cast.studio), form())
    assert answer.status_code == 400 and "al aan een andere studio gekoppeld" in answer.text
    assert not WhatsAppSettings.objects.for_studio(cast.studio).exists()


def test_meta_deliveries_follow_the_number_the_owner_set(cast):
    client_for(cast.owner).post(url(cast.studio), form())
    delivery_store(payload=shapes.text_message("106540352242922", sender="31612345678", text="Hoi"))
    deliveries_process_due()
    assert InboundMessage.objects.for_studio(cast.studio).count() == 1
    client_for(cast.owner).post(url(cast.studio), form(is_active=""))
    delivery_store(payload=shapes.text_message("106540352242922", sender="31612345678", text="Nog een"))
    deliveries_process_due()
    assert InboundMessage.objects.for_studio(cast.studio).count() == 1  # switched off: nothing comes in


def test_disconnecting_forgets_number_and_token(cast):
    owner = client_for(cast.owner)
    owner.post(url(cast.studio), form())
    assert owner.post(url(cast.studio), {"action": "ontkoppelen"}).status_code == 302
    assert not WhatsAppSettings.objects.for_studio(cast.studio).exists()


def test_a_coach_and_another_studio_get_a_404_and_change_nothing(cast):
    for client, studio in ((client_for(cast.coach), cast.studio), (client_for(cast.outsider), cast.studio)):
        assert client.get(url(studio)).status_code == 404
        assert client.post(url(studio), form()).status_code == 404
        assert client.post(url(studio), {"action": "ontkoppelen"}).status_code == 404
    assert not WhatsAppSettings.objects.for_studio(cast.studio).exists()
    WhatsAppSettings.objects.create(studio=cast.studio, phone_number_id="1", token=TOKEN)
    assert client_for(cast.coach).post(url(cast.studio), {"action": "ontkoppelen"}).status_code == 404
    assert WhatsAppSettings.objects.for_studio(cast.studio).get().token == TOKEN


def test_the_page_is_linked_for_owners_from_koppelingen_and_berichten_not_for_coaches(cast):
    link = url(cast.studio)
    owner = client_for(cast.owner)
    assert link in owner.get(f"/app/{cast.studio.slug}/leads/koppelingen/").text
    assert link in owner.get(f"/app/{cast.studio.slug}/berichten/").text
    assert link not in client_for(cast.coach).get(f"/app/{cast.studio.slug}/berichten/").text
