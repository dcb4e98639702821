# People, step 2 of 3: one person per human per studio, made from the leads and members that copied them so far.
#
# The matching rules are capture's: within one studio, the same phone (E.164) or the same e-mail (lower case) is
# the same person; across studios never. Consents move from the lead to the person's ledger; messages, intakes,
# conversations and mats point at the person of the lead or member they were about.

from __future__ import annotations

from typing import Any

from django.db import migrations

BATCH = 500

# Where a consent came in, by the source of the lead it hung on.
HOW_BY_SOURCE = {"website": "form", "referral": "form", "meta": "webhook", "google": "webhook", "import": "import",
                 "other": "webhook"}  # fmt: skip


class _Book:
    """The persons of one studio so far, found by phone or e-mail."""

    def __init__(self, Person: Any, studio_id: int) -> None:
        self.Person, self.studio_id = Person, studio_id
        self.by_phone: dict[str, Any] = {}
        self.by_email: dict[str, Any] = {}
        self.dirty: set[Any] = set()

    def find(self, email: str, phone: str) -> Any:
        return (phone and self.by_phone.get(phone)) or (email and self.by_email.get(email)) or None

    def take(self, *, name: str, email: str, phone: str, phone_as_given: str, created_at: Any) -> Any:
        email = (email or "").strip().lower()
        person = self.find(email, phone)
        if person is None:
            person = self.Person.objects.create(
                studio_id=self.studio_id, name=name[:150], email=email, phone=phone,
                phone_as_given=phone_as_given, created_at=created_at,
            )  # fmt: skip
        else:
            for attr, value in (("name", name[:150]), ("email", email), ("phone", phone),
                                ("phone_as_given", phone_as_given)):  # fmt: skip
                if value and not getattr(person, attr):
                    setattr(person, attr, value)
                    self.dirty.add(person)
        if phone:
            self.by_phone.setdefault(phone, person)
        if email:
            self.by_email.setdefault(email, person)
        return person


def fill(apps: Any, schema_editor: Any) -> None:
    Studio = apps.get_model("studios", "Studio")
    Person = apps.get_model("people", "Person")
    ConsentEntry = apps.get_model("people", "ConsentEntry")
    Lead = apps.get_model("leads", "Lead")
    Consent = apps.get_model("leads", "Consent")
    Member = apps.get_model("programs", "Member")
    Message = apps.get_model("messaging", "Message")
    IntakeResponse = apps.get_model("intake", "IntakeResponse")
    Booking = apps.get_model("intake", "Booking")
    SessionBooking = apps.get_model("schedule", "SessionBooking")

    for studio_id in Studio.objects.values_list("pk", flat=True):
        book = _Book(Person, studio_id)
        person_of_lead: dict[int, int] = {}
        leads = list(Lead.objects.filter(studio_id=studio_id).order_by("created_at", "id"))
        for lead in leads:
            person = book.take(name=lead.name, email=lead.email, phone=lead.phone,
                               phone_as_given=lead.phone_as_given, created_at=lead.created_at)  # fmt: skip
            lead.person_id = person.pk
            person_of_lead[lead.pk] = person.pk
        Lead.objects.bulk_update(leads, ["person"], batch_size=BATCH)

        person_of_member: dict[int, int] = {}
        members = list(Member.objects.filter(studio_id=studio_id).order_by("created_at", "id"))
        for member in members:
            if member.lead_id in person_of_lead:
                person = Person.objects.get(pk=person_of_lead[member.lead_id])
                person = book.find(person.email, person.phone) or person
                # What staff typed on the member fills in what the lead left open.
                for attr in ("name", "email", "phone"):
                    value = (getattr(member, attr) or "").strip()
                    value = value.lower() if attr == "email" else value
                    if value and not getattr(person, attr):
                        setattr(person, attr, value)
                        book.dirty.add(person)
            else:
                person = book.take(name=member.name, email=member.email, phone=member.phone, phone_as_given="",
                                   created_at=member.created_at)  # fmt: skip
            member.person_id = person.pk
            person_of_member[member.pk] = person.pk
        Member.objects.bulk_update(members, ["person"], batch_size=BATCH)
        for person in book.dirty:
            person.save(update_fields=["name", "email", "phone", "phone_as_given"])

        entries = [
            ConsentEntry(
                studio_id=studio_id, person_id=person_of_lead[c.lead_id], purpose=c.purpose, given=c.given,
                how=HOW_BY_SOURCE.get(c.source, "staff"), source=(c.channel or c.source)[:32], wording=c.wording,
                at=c.recorded_at,
            )  # fmt: skip
            for c in Consent.objects.filter(studio_id=studio_id).order_by("recorded_at", "id")
            if c.lead_id in person_of_lead
        ]
        ConsentEntry.objects.bulk_create(entries, batch_size=BATCH)

        person_of_booking: dict[int, int] = {}
        for model, by in ((IntakeResponse, "lead"), (Booking, "lead"), (SessionBooking, "member")):
            rows = list(model.objects.filter(studio_id=studio_id))
            found = person_of_lead if by == "lead" else person_of_member
            for row in rows:
                row.person_id = found[getattr(row, f"{by}_id")]
                if model is Booking:
                    person_of_booking[row.pk] = row.person_id
            model.objects.bulk_update(rows, ["person"], batch_size=BATCH)

        # Messages to a prospect or member (staff messages have a user): by what they were about, else by address.
        messages = list(Message.objects.filter(studio_id=studio_id, to_user__isnull=True))
        for message in messages:
            kind, _sep, ref_id = message.ref.partition(":")
            refs = {"lead": person_of_lead, "member": person_of_member, "booking": person_of_booking}.get(kind, {})
            person_id = refs.get(int(ref_id)) if ref_id.isdigit() else None
            if person_id is None:
                to = message.to.strip().lower()
                match = book.by_email.get(to) or book.by_phone.get(message.to.strip())
                person_id = match.pk if match is not None else None
            message.person_id = person_id
        Message.objects.bulk_update(messages, ["person"], batch_size=BATCH)


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0001_people_and_consent_ledger"),
        ("leads", "0006_person_link"),
        ("programs", "0004_person_link"),
        ("messaging", "0005_person_link"),
        ("intake", "0004_person_link"),
        ("schedule", "0004_person_link"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
