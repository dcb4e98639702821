"""Demo data of outbound webhooks: the demo studio sends its lead and member events to the local receiver that
`vollegym demo` starts (`vollegym webhook-receiver`), whose page shows what arrived, signatures checked."""

from __future__ import annotations

from django.test import override_settings

from vollegym.outbound.models import Subscription
from vollegym.outbound.services import subscription_create
from vollegym.studios.models import StaffMembership, Studio

RECEIVER_PORT = 8765
RECEIVER_URL = f"http://127.0.0.1:{RECEIVER_PORT}/hook"
# Public on purpose: the demo receiver checks signatures with it; never used outside the demo.
DEMO_SECRET = "whsec_demo-only-this-secret-is-public"  # noqa: S105
DEMO_KINDS = [
    "lead.captured",
    "lead.stage_changed",
    "conversation.booked",
    "member.enrolled",
    "payment.term_paid",
]


def load(*, years: int = 1) -> None:
    """The webhook to the local receiver (of today, whatever the `years` of history)."""
    studio = Studio.objects.filter(slug="demo").first()
    if studio is None or Subscription.objects.for_studio(studio).exists():
        return
    owner = (
        StaffMembership.objects.for_studio(studio)
        .filter(role=StaffMembership.Role.OWNER)
        .select_related("user")
    ).first()
    # The receiver is on this machine: only the demo (and tests) may deliver to loopback.
    with override_settings(OUTBOUND_WEBHOOKS_ALLOW_PRIVATE=True):
        made = subscription_create(
            studio=studio, url=RECEIVER_URL, kinds=DEMO_KINDS, by=owner.user if owner else None
        )
    Subscription.objects.for_studio(studio).filter(pk=made.pk).update(secret=DEMO_SECRET)
