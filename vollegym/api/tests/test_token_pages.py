import pytest

from vollegym.api.models import ApiToken
from vollegym.api.tests.kit import ApiClient
from vollegym.core.testing import client_for
from vollegym.people.models import AuditEntry, DomainEvent

pytestmark = pytest.mark.django_db

PAGE = "/app/kracht-utrecht/instellingen/api/"


def test_an_owner_makes_a_token_that_is_shown_once_and_works(cast):
    owner = client_for(cast.owner)
    made = owner.post(PAGE, {"name": "Boekhouding", "scopes": ["leads:read", "payments:read"]})
    assert made.status_code == 200 and made["Cache-Control"].startswith("max-age=0")
    secret = made.context["made"].secret
    assert secret in made.text
    token = ApiToken.objects.for_studio(cast.studio).get()
    assert token.scopes == ["leads:read", "payments:read"] and token.created_by == cast.owner
    assert secret not in owner.get(PAGE).text and token.prefix in owner.get(PAGE).text
    assert ApiClient(secret).get("/api/v1/studios/kracht-utrecht/leads").status_code == 200
    event = DomainEvent.objects.for_studio(cast.studio).get(kind="api.token_created")
    assert (
        event.by == cast.owner
        and event.payload["prefix"] == token.prefix
        and secret not in str(event.payload)
    )
    assert AuditEntry.objects.for_studio(cast.studio).filter(detail__contains=token.prefix).count() == 1


def test_revoking_stops_the_token_at_once_and_is_logged(cast):
    owner = client_for(cast.owner)
    secret = owner.post(PAGE, {"name": "Zapier", "scopes": ["leads:write"]}).context["made"].secret
    token = ApiToken.objects.for_studio(cast.studio).get()
    response = owner.post(f"{PAGE}{token.pk}/intrekken/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == cast.owner
    assert ApiClient(secret).get("/api/v1/studios/kracht-utrecht/leads").json()["code"] == "token_revoked"
    assert DomainEvent.objects.for_studio(cast.studio).filter(kind="api.token_revoked").count() == 1
    owner.post(f"{PAGE}{token.pk}/intrekken/")  # twice: nothing more
    assert DomainEvent.objects.for_studio(cast.studio).filter(kind="api.token_revoked").count() == 1


def test_a_token_needs_a_name_and_a_scope_it_knows(cast):
    owner = client_for(cast.owner)
    refused = owner.post(PAGE, {"name": "", "scopes": ["leads:admin"]})
    assert refused.status_code == 200 and "Geef de sleutel een naam" in refused.text
    assert "leads:admin" not in refused.text or refused.context["form"].errors["scopes"]
    assert not ApiToken.all_studios.exists()


def test_a_coach_and_an_outsider_get_404_and_cannot_revoke(cast):
    owner = client_for(cast.owner)
    owner.post(PAGE, {"name": "Site", "scopes": ["leads:read"]})
    token = ApiToken.objects.for_studio(cast.studio).get()
    for user in (cast.coach, cast.outsider):
        assert client_for(user).get(PAGE).status_code == 404
        assert client_for(user).post(PAGE, {"name": "x", "scopes": ["leads:read"]}).status_code == 404
        assert client_for(user).post(f"{PAGE}{token.pk}/intrekken/").status_code == 404
    # the other studio's owner, on their own page, with this studio's token id
    assert (
        client_for(cast.outsider)
        .post(f"/app/andere-studio/instellingen/api/{token.pk}/intrekken/")
        .status_code
        == 404
    )
    token.refresh_from_db()
    assert token.revoked_at is None and ApiToken.all_studios.count() == 1


def test_the_agency_makes_tokens_for_every_studio_and_no_one_else_sees_its_page(cast):
    agency = client_for(cast.agency)
    made = agency.post("/app/bureau/api/", {"name": "Rapportage", "scopes": ["events:read"]})
    secret = made.context["made"].secret
    token = ApiToken.all_studios.get()
    assert token.studio_id is None
    client = ApiClient(secret)
    assert client.get("/api/v1/studios/andere-studio/events").status_code == 200
    assert client.get("/api/v1/studios/kracht-utrecht/events").status_code == 200
    assert AuditEntry.all_studios.filter(studio__isnull=True, detail__contains=token.prefix).exists()
    for user in (cast.owner, cast.outsider, cast.coach):
        assert client_for(user).get("/app/bureau/api/").status_code == 404
        assert client_for(user).post(f"/app/bureau/api/{token.pk}/intrekken/").status_code == 404
    assert agency.post(f"/app/bureau/api/{token.pk}/intrekken/").status_code == 302
    assert client.get("/api/v1/studios/andere-studio/events").json()["code"] == "token_revoked"
