import pytest
from django.urls import reverse

from vollegym.core.testing import client_for
from vollegym.outbound import addresses
from vollegym.outbound.models import Delivery, Subscription
from vollegym.outbound.services import subscription_create
from vollegym.people.events import LeadEscalated, event_record

pytestmark = pytest.mark.django_db


def _list_url(cast):
    return reverse("outbound:subscriptions", kwargs={"studio": cast.studio.slug})


def test_the_owner_makes_a_webhook_and_sees_its_secret_once(cast):
    owner = client_for(cast.owner)
    response = owner.post(_list_url(cast), {"url": "http://127.0.0.1:8765/in", "kinds": ["lead.captured"]})
    made = Subscription.objects.for_studio(cast.studio).get()
    assert response.status_code == 200 and made.secret in response.content.decode()
    assert made.kinds == ["lead.captured"] and made.created_by == cast.owner
    again = owner.get(_list_url(cast)).content.decode()
    assert "127.0.0.1:8765/in" in again and made.secret not in again


def test_a_private_address_gives_a_dutch_form_error_and_nothing_is_made(cast, settings, monkeypatch):
    settings.OUTBOUND_WEBHOOKS_ALLOW_PRIVATE = False
    monkeypatch.setattr(addresses, "resolve", lambda host, port: ["10.0.0.8"])
    response = client_for(cast.owner).post(
        _list_url(cast), {"url": "https://intern.example.nl/hook", "kinds": ["lead.captured"]}
    )
    assert response.status_code == 200 and "Dit adres kan niet" in response.content.decode()
    assert not Subscription.objects.for_studio(cast.studio).exists()


@pytest.mark.parametrize(
    "data",
    [
        {"url": "niet een adres", "kinds": ["lead.captured"]},
        {"url": "https://93.184.215.14/", "kinds": ["bestaat.niet"]},
        {"url": "https://93.184.215.14/"},
        {"url": "https://93.184.215.14/" + "a" * 600, "kinds": ["lead.captured"]},
    ],
)
def test_hostile_input_gives_a_form_error(cast, data):
    response = client_for(cast.owner).post(_list_url(cast), data)
    assert response.status_code == 200 and 'class="errorlist' in response.content.decode()
    assert not Subscription.objects.for_studio(cast.studio).exists()


def test_a_coach_cannot_open_the_page(cast):
    assert client_for(cast.coach).get(_list_url(cast)).status_code == 404


def test_pause_resume_rotate_replay_and_delete_from_the_page(cast):
    sub = subscription_create(
        studio=cast.studio, url="http://127.0.0.1:9/", kinds=["lead.escalated"], by=None
    )
    event = event_record(studio=cast.studio, event=LeadEscalated(lead_id=1))
    delivery = Delivery.objects.create(
        studio=cast.studio, subscription=sub, event=event, status="failed", attempts=3, response_code=500,
        response_excerpt="kapot",
    )  # fmt: skip
    owner = client_for(cast.owner)
    url = reverse("outbound:subscription", kwargs={"studio": cast.studio.slug, "subscription_id": sub.pk})
    page = owner.get(url).content.decode()
    assert "kapot" in page and "500" in page and "Opnieuw" in page
    owner.post(url, {"action": "pause"})
    sub.refresh_from_db()
    assert sub.status == "paused"
    owner.post(url, {"action": "resume"})
    sub.refresh_from_db()
    assert sub.status == "active"
    old = sub.secret
    rotated = owner.post(url, {"action": "rotate"}).content.decode()
    sub.refresh_from_db()
    assert sub.secret != old and sub.secret in rotated
    assert owner.post(url, {"action": "iets"}).status_code == 400
    owner.post(reverse("outbound:delivery_replay", kwargs={
        "studio": cast.studio.slug, "subscription_id": sub.pk, "delivery_id": delivery.pk,
    }))  # fmt: skip
    delivery.refresh_from_db()
    assert delivery.status == "pending"
    owner.post(url, {"action": "delete"})
    assert not Subscription.objects.for_studio(cast.studio).exists()


def test_another_subscriptions_delivery_is_404(cast):
    mine = subscription_create(
        studio=cast.studio, url="http://127.0.0.1:9/", kinds=["lead.escalated"], by=None
    )
    other = subscription_create(
        studio=cast.studio, url="http://127.0.0.1:8/", kinds=["lead.escalated"], by=None
    )
    event = event_record(studio=cast.studio, event=LeadEscalated(lead_id=1))
    delivery = Delivery.objects.create(studio=cast.studio, subscription=other, event=event)
    response = client_for(cast.owner).post(reverse("outbound:delivery_replay", kwargs={
        "studio": cast.studio.slug, "subscription_id": mine.pk, "delivery_id": delivery.pk,
    }))  # fmt: skip
    assert response.status_code == 404
