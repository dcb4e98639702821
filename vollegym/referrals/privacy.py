"""What the referrals app keeps about a person, for export and erasure: their link and the friends it brought."""

from __future__ import annotations

from typing import Any

from vollegym.people.models import Person
from vollegym.referrals.models import Referral, ReferralLink


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def export(person: Person) -> dict[str, list[dict[str, Any]]]:
    links = ReferralLink.objects.for_studio(person.studio_id).filter(person=person)
    brought = Referral.objects.for_studio(person.studio_id).filter(link__person=person).order_by("created_at")
    came = Referral.objects.for_studio(person.studio_id).filter(person=person).select_related("link")
    return {
        "referrals": [
            *({"my_link": link.code, "visits": link.visits, "since": _iso(link.created_at)} for link in links),
            *({"brought_a_friend_on": _iso(r.created_at), "reward_earned_at": _iso(r.reward_earned_at),
               "reward_given_at": _iso(r.reward_given_at)} for r in brought),
            *({"came_through_a_link_on": _iso(r.created_at)} for r in came),
        ]
    }  # fmt: skip


def refs(person: Person) -> set[str]:
    return set()


def erase(person: Person, refs: set[str]) -> int:
    """No names or addresses here: the rows stay (the referral report's counts), pointing at the erased person."""
    return 0
