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


def test_every_event_kind_has_a_dutch_label():
    from vollegym.outbound.kinds import LABELS
    from vollegym.people.events import KINDS

    assert sorted(set(KINDS) - set(LABELS)) == []
    assert sorted(set(LABELS) - set(KINDS)) == []


def test_kinds_are_shown_by_dutch_label_with_the_technical_name_in_small_print(cast):
    sub = subscription_create(studio=cast.studio, url="http://127.0.0.1:9/", kinds=["lead.captured"], by=None)
    event = event_record(studio=cast.studio, event=LeadEscalated(lead_id=1))
    Delivery.objects.create(studio=cast.studio, subscription=sub, event=event)
    owner = client_for(cast.owner)
    form = owner.get(_list_url(cast)).content.decode()
    assert 'Nieuwe lead <small><code class="outbound-kind-name">lead.captured</code></small>' in form
    assert 'value="lead.captured"' in form  # what is posted and stored stays the technical name
    log = owner.get(
        reverse("outbound:subscription", kwargs={"studio": cast.studio.slug, "subscription_id": sub.pk})
    ).content.decode()
    assert "Lead niet op tijd beantwoord <small>" in log and ">lead.escalated</code>" in log  # the log
    assert "Nieuwe lead <small>" in log  # what it hears


def test_the_page_explains_that_the_delivery_id_is_signed_with_the_body(cast):
    page = client_for(cast.owner).get(_list_url(cast)).content.decode()
    assert "X-Vollegym-Delivery" in page and "t.kenmerk.body" in page and "HMAC-SHA256" in page


def test_a_rotated_secret_is_shown_once_and_never_again(cast):
    sub = subscription_create(
        studio=cast.studio, url="http://127.0.0.1:9/", kinds=["lead.escalated"], by=None
    )
    owner = client_for(cast.owner)
    url = reverse("outbound:subscription", kwargs={"studio": cast.studio.slug, "subscription_id": sub.pk})
    assert sub.secret not in owner.get(url).content.decode()
    rotated = owner.post(url, {"action": "rotate"})
    sub.refresh_from_db()
    assert sub.secret in rotated.content.decode() and "no-cache" in rotated["Cache-Control"]
    assert sub.secret not in owner.get(url).content.decode()
    assert sub.secret not in owner.get(_list_url(cast)).content.decode()


def test_hostile_kinds_and_actions_are_refused(cast):
    owner = client_for(cast.owner)
    # A NUL byte, a lone surrogate (as the bytes a browser could send), a huge unknown kind beside known ones.
    for kinds in ("lead.captured%00", "%ED%A0%80", "lead.captured&kinds=" + "x" * 10_000):
        response = owner.post(
            _list_url(cast), f"url=http%3A%2F%2F127.0.0.1%3A9%2F&kinds={kinds}",
            content_type="application/x-www-form-urlencoded",
        )  # fmt: skip
        assert response.status_code == 200 and 'class="errorlist' in response.content.decode()
    assert not Subscription.objects.for_studio(cast.studio).exists()
