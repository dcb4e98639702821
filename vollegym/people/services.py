"""Writes about people: find or make the one record per human, merge two, and keep the consent ledger."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from vollegym.core import clock
from vollegym.people.events import ConsentChanged, PersonMerged, event_record
from vollegym.people.models import ConsentEntry, How, Person, Purpose
from vollegym.studios.models import Studio, User


class PersonError(ValueError):
    """A change to a person that cannot be made; the message says why, for the person who asked."""


@dataclass(frozen=True)
class Contact:
    """How to reach a person, already checked: e-mail in lower case, phone in E.164 (empty when not valid)."""

    name: str = ""
    email: str = ""
    phone: str = ""
    phone_as_given: str = ""


def person_match(*, studio: Studio | int, email: str, phone: str) -> Person | None:
    """The person of this studio with this phone or e-mail; phone first, since people share e-mail less often."""
    return people_match(studio=studio, contacts=[Contact(email=email, phone=phone)])[0]


def people_match(*, studio: Studio | int, contacts: Sequence[Contact]) -> list[Person | None]:
    """`person_match` for each contact, in one query: the earliest person with the phone, else with the e-mail."""
    phones = {c.phone for c in contacts if c.phone}
    emails = {c.email for c in contacts if c.email}
    if not phones and not emails:
        return [None] * len(contacts)
    found = list(
        Person.objects.for_studio(studio)
        .filter(Q(phone__in=phones) | Q(email__in=emails), erased_at__isnull=True)
        .order_by("created_at", "id")
    )
    by_phone: dict[str, Person] = {}
    by_email: dict[str, Person] = {}
    for person in found:  # earliest first, so the first one kept per key is the earliest
        if person.phone:
            by_phone.setdefault(person.phone, person)
        if person.email:
            by_email.setdefault(person.email, person)
    return [by_phone.get(c.phone) or by_email.get(c.email) for c in contacts]


def person_capture(*, studio: Studio, contact: Contact) -> tuple[Person, bool]:
    """Finds the studio's person by phone or e-mail, fills in what they did not give before, or makes a new one.

    Another studio's person with the same phone is never found: each studio has its own people.
    """
    return people_capture(studio=studio, contacts=[contact])[0]


def people_capture(
    *, studio: Studio, contacts: Sequence[Contact], matched: Sequence[Person | None] | None = None
) -> list[tuple[Person, bool]]:
    """`person_capture` for the contacts of different people (a batch of deliveries): the new ones in one statement.

    `matched` is what `people_match` found for the same contacts, when the caller asked it already.
    """
    if matched is None:
        matched = people_match(studio=studio, contacts=contacts)
    result: list[tuple[Person, bool]] = []
    made: list[Person] = []
    for contact, person in zip(contacts, matched, strict=True):
        if person is None:
            person = Person(
                studio=studio,
                name=contact.name[:150],
                email=contact.email,
                phone=contact.phone,
                phone_as_given=contact.phone_as_given,
            )
            made.append(person)
            result.append((person, True))
            continue
        changed = []
        for attr in ("name", "email", "phone"):
            value = getattr(contact, attr)[:150]
            if value and not getattr(person, attr):
                setattr(person, attr, value)
                changed.append(attr)
        if contact.phone and person.phone == contact.phone and not person.phone_as_given:
            person.phone_as_given = contact.phone_as_given
            changed.append("phone_as_given")
        if changed:
            person.save(update_fields=[*changed, "updated_at"])
        result.append((person, False))
    if made:
        Person.objects.bulk_create(made)
    return result


@transaction.atomic
def person_find_other(*, person: Person, typed: str) -> Person:
    """The other person of the same studio a member of staff means by an e-mail or a phone typed any way."""
    from vollegym.core.phones import normalise_phone

    typed = typed.strip()
    other = person_match(
        studio=person.studio_id,
        email=typed.lower() if "@" in typed else "",
        phone=normalise_phone(typed).e164,
    )
    if other is None or other.pk == person.pk:
        raise PersonError(_("Geen andere persoon in deze studio met dit adres of nummer."))
    return other


def person_update(*, person: Person, name: str, email: str, phone: str, phone_as_given: str) -> Person:
    """Staff correct a person's details; an e-mail or phone that belongs to another person of the studio is refused."""
    for field, value in (("email", email), ("phone", phone)):
        if value and (
            Person.objects.for_studio(person.studio_id)
            .filter(**{field: value}, erased_at__isnull=True)
            .exclude(pk=person.pk)
            .exists()
        ):
            raise PersonError(
                _("Iemand anders in deze studio heeft dit adres of nummer al; voeg die twee samen.")
            )
    person.name, person.email, person.phone, person.phone_as_given = name[:150], email, phone, phone_as_given
    person.full_clean()
    person.save()
    return person


def _person_links() -> list[tuple[type[models.Model], str]]:
    """Every (model, field) that points at a Person: merging moves them all, so no table is forgotten."""
    links = []
    # Hidden relations too: our foreign keys say related_name="+", so they are not in related_objects.
    for relation in Person._meta.get_fields(include_hidden=True):
        if not isinstance(relation, models.ForeignObjectRel) or relation.many_to_many:
            continue
        model = relation.related_model
        assert isinstance(model, type)
        links.append((model, relation.field.name))
    return links


@transaction.atomic
def person_merge(*, keep: Person, other: Person, by: User | None = None) -> Person:
    """Makes two records of one human into one: everything of `other` moves to `keep`, then `other` goes.

    Only within one studio; details `keep` lacks are taken from `other`.
    """
    if keep.studio_id != other.studio_id:
        raise PersonError(_("Twee personen van verschillende studio's worden nooit samengevoegd."))
    if keep.pk == other.pk:
        raise PersonError(_("Kies twee verschillende personen om samen te voegen."))
    # Both rows locked in one statement, in id order, so two merges of the same pair cannot deadlock.
    locked = {
        p.pk: p
        for p in Person.objects.for_studio(keep.studio_id)
        .select_for_update()
        .filter(pk__in=[keep.pk, other.pk])
        .order_by("pk")
    }
    if len(locked) != 2:
        raise PersonError(_("Een van beide personen bestaat niet meer (al samengevoegd?)."))
    keep, other = locked[keep.pk], locked[other.pk]
    if keep.erased_at is not None or other.erased_at is not None:
        raise PersonError(_("Een gewiste persoon wordt niet samengevoegd."))
    for model, field in _person_links():
        manager = getattr(model, "all_studios", model._default_manager)
        manager.filter(**{field: other.pk}).update(**{field: keep.pk})
    changed = []
    for attr in ("name", "email", "phone", "phone_as_given"):
        if not getattr(keep, attr) and getattr(other, attr):
            setattr(keep, attr, getattr(other, attr))
            changed.append(attr)
    if other.last_inbound_at and (
        keep.last_inbound_at is None or other.last_inbound_at > keep.last_inbound_at
    ):
        keep.last_inbound_at = other.last_inbound_at
        changed.append("last_inbound_at")
    other_id = other.pk
    other.delete()
    event_record(studio=keep.studio_id, person=keep, by=by, event=PersonMerged(merged_person_id=other_id))
    if changed:
        keep.save(update_fields=[*changed, "updated_at"])
    return keep


def consent_stands(history: Sequence[tuple[bool, str]], *, given: bool, wording: str) -> bool:
    """Whether an answer is in the ledger already: `history` is one purpose's (given, wording), oldest first.

    A no stands while the latest answer is no. A yes stands while the latest answer is yes and these same words
    were agreed to since the last no: a form sent again (a second intake, say) adds no line, even when another
    form's yes came in between; a yes after a withdrawal, or to new words, does add one.
    """
    if not history or history[-1][0] != given:
        return False
    if not given:
        return True
    for was_given, words in reversed(history):
        if not was_given:
            return False
        if words == wording:
            return True
    return False


def consent_record(
    *,
    person: Person,
    purpose: str,
    given: bool,
    how: str,
    wording: str = "",
    wording_version: str = "",
    source: str = "",
    by: User | None = None,
    unless_standing: bool = False,
) -> ConsentEntry | None:
    """Adds a line to the ledger; a consent given keeps the exact words the person saw.

    With `unless_standing` (an answer sent in a form again) nothing is added when the same answer in the same
    words stands already (`consent_stands`); None then.
    """
    if purpose not in Purpose.values:
        raise PersonError(f"unknown purpose {purpose!r}; one of {', '.join(Purpose.values)}")
    if how not in How.values:
        raise PersonError(f"unknown way {how!r}; one of {', '.join(How.values)}")
    if given and not wording.strip():
        raise PersonError("a consent given keeps the exact wording the person saw")
    if unless_standing:
        history = list(
            ConsentEntry.objects.for_studio(person.studio_id)
            .filter(person=person, purpose=purpose)
            .order_by("at", "id")
            .values_list("given", "wording")
        )
        if consent_stands(history, given=given, wording=wording):
            return None
    entry = ConsentEntry.objects.create(
        studio_id=person.studio_id, person=person, purpose=purpose, given=given, how=how, source=source[:32],
        wording=wording, wording_version=wording_version[:64], by=by, at=clock.now(),
    )  # fmt: skip
    event_record(
        studio=person.studio_id, person=person, by=by, at=entry.at,
        event=ConsentChanged(purpose=purpose, given=given, how=how),
    )  # fmt: skip
    return entry


def person_heard_from(*, person: Person, at: datetime) -> None:
    """Notes the person's own message (WhatsApp): its moment opens the 24-hour window; the window never moves back."""
    (
        Person.objects.for_studio(person.studio_id)
        .filter(pk=person.pk)
        .filter(Q(last_inbound_at__isnull=True) | Q(last_inbound_at__lt=at))
        .update(last_inbound_at=at)
    )
    if person.last_inbound_at is None or person.last_inbound_at < at:
        person.last_inbound_at = at
