"""Demo data of the API: the demo studio has a read-only token whose secret is public (printed in the demo's banner),
so a newcomer can call the API at once; a real token is made on /app/<studio>/instellingen/api/ and shown once."""

from __future__ import annotations

from vollegym.api.models import ApiToken
from vollegym.api.scopes import ALL_SCOPES, READ
from vollegym.api.services import api_token_create, token_hash
from vollegym.studios.models import StaffMembership, Studio

# Public on purpose, like the demo password: it only ever opens the demo studio of a local demo.
DEMO_TOKEN = "vg_demo-only-this-token-is-public"  # noqa: S105
DEMO_TOKEN_NAME = "Demo (alleen lezen)"  # noqa: S105


def load(*, years: int = 1) -> None:
    """The demo studio's public read-only token (of today, whatever the `years` of history)."""
    studio = Studio.objects.filter(slug="demo").first()
    if studio is None or ApiToken.objects.for_studio(studio).filter(name=DEMO_TOKEN_NAME).exists():
        return
    owner = (
        StaffMembership.objects.for_studio(studio)
        .filter(role=StaffMembership.Role.OWNER)
        .select_related("user")
    ).first()
    if owner is None:
        return
    scopes = sorted(scope for scope in ALL_SCOPES if scope.endswith(f":{READ}"))
    made = api_token_create(studio=studio, name=DEMO_TOKEN_NAME, scopes=scopes, by=owner.user).token
    ApiToken.objects.for_studio(studio).filter(pk=made.pk).update(
        token_hash=token_hash(DEMO_TOKEN), prefix=DEMO_TOKEN[: len(made.prefix)]
    )
