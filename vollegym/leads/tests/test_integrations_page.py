from datetime import timedelta

import pytest
from django.urls import reverse

from vollegym.core import clock
from vollegym.core.testing import assert_other_studio_gets_404, client_for
from vollegym.leads.models import GoogleLeadForm, InboundEvent, MetaPage
from vollegym.leads.services import lead_settings_for, meta_page_connect

pytestmark = pytest.mark.django_db

SETTINGS = "/app/kracht-utrecht/leads/settings/"
INTEGRATIONS = "/app/kracht-utrecht/leads/koppelingen/"


def test_the_settings_page_keeps_the_hours_and_links_to_koppelingen_without_the_secret(cast):
    secret = lead_settings_for(cast.studio).webhook_secret
    page = client_for(cast.owner).get(SETTINGS).text
    assert 'name="opens_0"' in page and 'name="sla_minutes"' in page
    assert secret not in page
    assert "HMAC" not in page and "X-Vollegym-Signature" not in page
    assert f'href="{INTEGRATIONS}"' in page


def test_koppelingen_shows_the_webhook_address_and_secret_and_how_to_sign(cast):
    secret = lead_settings_for(cast.studio).webhook_secret
    page = client_for(cast.owner).get(INTEGRATIONS).text
    assert "http://testserver" + reverse("hooks:generic", kwargs={"studio": "kracht-utrecht"}) in page
    assert secret in page
    assert "HMAC-SHA256" in page and "X-Vollegym-Signature" in page


def test_rotating_the_secret_on_koppelingen_shows_the_new_one(cast):
    before = lead_settings_for(cast.studio).webhook_secret
    response = client_for(cast.owner).post(INTEGRATIONS, {"action": "rotate"}, follow=True)
    after = lead_settings_for(cast.studio).webhook_secret
    assert response.redirect_chain == [(INTEGRATIONS, 302)]
    assert after != before and len(after) > 30
    assert after in response.text and before not in response.text
    assert "Nieuw webhookgeheim gemaakt" in response.text


def test_a_meta_page_token_is_shown_by_its_last_four_characters_only(cast):
    token = "EAAGm0PX4ZCpsBAKZBZCsecretpagetoken9Xz7"
    meta_page_connect(studio=cast.studio, page_id="123456", page_token=token, name="Kracht Utrecht")
    page = client_for(cast.owner).get(INTEGRATIONS).text
    assert "123456" in page and "…9Xz7" in page
    assert token not in page and token[:-4] not in page and token[-8:] not in page
    assert token[-4:] not in client_for(cast.owner).get(SETTINGS).text


def test_a_meta_page_connected_on_koppelingen_keeps_its_token_hidden(cast):
    response = client_for(cast.owner).post(
        INTEGRATIONS,
        {"action": "meta", "page_id": "654321", "page_token": "tokenthatissecretAbCd", "name": "Kracht"},
        follow=True,
    )
    assert "Meta-pagina gekoppeld." in response.text
    assert "654321" in response.text and "…AbCd" in response.text and "tokenthatissecret" not in response.text


def test_a_refused_meta_page_is_shown_again_with_the_reason(cast):
    response = client_for(cast.owner).post(
        INTEGRATIONS, {"action": "meta", "page_id": "not-a-number", "page_token": "x" * 20}
    )
    assert response.status_code == 200 and 'class="errorlist"' in response.text
    assert "x" * 20 not in response.text  # the password field is not filled in again
    assert not MetaPage.objects.for_studio(cast.studio).exists()


def test_each_google_key_is_shown_with_the_webhook_address(cast):
    GoogleLeadForm.objects.create(studio=cast.studio, form_id="9001", key="google-key-for-9001")
    page = client_for(cast.owner).get(INTEGRATIONS).text
    assert "google-key-for-9001" in page and "9001" in page
    assert "http://testserver" + reverse("hooks:google", kwargs={"studio": "kracht-utrecht"}) in page


def _delivery(studio, key, *, status="failed", days_ago=0):
    return InboundEvent.objects.create(
        studio=studio, provider="generic", dedupe_key=key, status=status, payload={},
        received_at=clock.now() - timedelta(days=days_ago),
    )  # fmt: skip


def test_the_count_of_refused_and_failed_deliveries_of_30_days_links_to_the_events_page(cast):
    _delivery(cast.studio, "failed-today")
    _delivery(cast.studio, f"refused:{cast.studio.pk}:abc", days_ago=29)
    _delivery(cast.studio, "failed-long-ago", days_ago=31)
    _delivery(cast.studio, "processed-today", status="processed")
    _delivery(cast.other_studio, "theirs-today")
    page = client_for(cast.owner).get(INTEGRATIONS).text
    events = reverse("leads:events", kwargs={"studio": "kracht-utrecht"})
    assert f'href="{events}">2 leveringen geweigerd of mislukt in de laatste 30 dagen</a>' in page


def test_without_problems_koppelingen_still_links_to_the_events_page(cast):
    _delivery(cast.studio, "failed-long-ago", days_ago=31)
    page = client_for(cast.owner).get(INTEGRATIONS).text
    assert "Geen geweigerde of mislukte leveringen in de laatste 30 dagen." in page
    assert 'href="/app/kracht-utrecht/leads/events/"' in page


def test_coaches_do_not_reach_koppelingen_nor_rotate_the_secret(cast):
    before = lead_settings_for(cast.studio).webhook_secret
    coach = client_for(cast.coach)
    assert coach.get(INTEGRATIONS).status_code == 404
    assert coach.post(INTEGRATIONS, {"action": "rotate"}).status_code == 404
    assert lead_settings_for(cast.studio).webhook_secret == before


def test_an_owner_of_another_studio_gets_404_on_koppelingen(cast):
    before = lead_settings_for(cast.studio).webhook_secret
    assert_other_studio_gets_404(INTEGRATIONS, cast.outsider, method="get")
    assert_other_studio_gets_404(INTEGRATIONS, cast.outsider, method="post")
    assert client_for(cast.outsider).post(INTEGRATIONS, {"action": "rotate"}).status_code == 404
    assert lead_settings_for(cast.studio).webhook_secret == before
