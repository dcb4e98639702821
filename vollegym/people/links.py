"""Signed links to a person's own pages (unsubscribe): no sign-in, nothing to guess, never another studio's person."""

from __future__ import annotations

from django.core import signing

from vollegym.people.models import DomainEvent, Person

_SALT = "vollegym.people.preferences"


def preferences_token(person: Person) -> str:
    return signing.Signer(salt=_SALT).sign_object({"s": person.studio_id, "p": person.pk})


def person_from_token(token: str, studio_id: int) -> Person | None:
    """The person a preferences token names, when it is genuine and for this studio; else None."""
    try:
        data = signing.Signer(salt=_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(data, dict) or data.get("s") != studio_id or not isinstance(data.get("p"), int):
        return None
    person = Person.objects.for_studio(studio_id).filter(pk=data["p"]).first()
    if person is None:
        # Merged into another record since the mail went out: the link still reaches the person it was for.
        merged = (
            DomainEvent.objects.for_studio(studio_id)
            .filter(kind="person.merged", payload__merged_person_id=data["p"])
            .order_by("-at")
            .values_list("person_id", flat=True)
            .first()
        )
        person = Person.objects.for_studio(studio_id).filter(pk=merged).first() if merged else None
    return person if person is not None and person.erased_at is None else None
