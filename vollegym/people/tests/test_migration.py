"""The move to one person per human runs over rows of the schema before it, on both databases."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("studios", "0001_initial"),
    ("people", None),
    ("leads", "0005_booking_activity"),
    ("programs", "0003_enrolment_once"),
    ("messaging", "0004_reply_to"),
    ("intake", "0003_restrict_on_kind_and_version"),
    ("schedule", "0003_waitlist_status_label"),
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps


def _latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_people_are_made_from_the_leads_and_members_that_copied_them():
    latest = _latest()
    try:
        old = _migrate(BEFORE)
        _plant_previous_schema(old)
        new = _migrate(latest)
        _check(new)
    finally:
        _migrate(latest)


T0 = datetime(2025, 11, 3, 9, 0, tzinfo=UTC)


def _plant_previous_schema(apps):
    Studio = apps.get_model("studios", "Studio")
    User = apps.get_model("studios", "User")
    Lead = apps.get_model("leads", "Lead")
    Consent = apps.get_model("leads", "Consent")
    Member = apps.get_model("programs", "Member")
    Message = apps.get_model("messaging", "Message")
    here = Studio.objects.create(name="Kracht Utrecht", slug="kracht-utrecht", city="Utrecht")
    there = Studio.objects.create(name="Andere Studio", slug="andere-studio", city="Zwolle")
    coach = User.objects.create(email="youssef@kracht.nl", password="!", full_name="Youssef")

    def lead(studio, at_days, **details):
        values = {"name": "", "email": "", "phone": "", "phone_as_given": ""} | details
        return Lead.objects.create(
            studio=studio, source="website", created_at=T0 + timedelta(days=at_days), stage="lost", **values
        )

    # Eva came by phone a year ago, then by e-mail and the same phone: one human, two leads.
    eva_old = lead(here, 0, name="Eva de Boer", phone="+31612345678", phone_as_given="06 12345678")
    eva_new = lead(here, 380, email="eva@example.nl", phone="+31612345678", phone_as_given="0612345678")
    # Bram only by e-mail, twice, typed in another case the second time.
    bram = lead(here, 10, name="Bram", email="bram@example.nl")
    bram_again = lead(here, 200, name="Bram Visser", email="bram@example.nl")
    # The same phone in another studio: another person.
    lead(there, 5, name="Eva B.", phone="+31612345678")
    # Someone with only a number that was not valid.
    lead(here, 20, name="Onbekend", phone_as_given="0612")
    Consent.objects.create(studio=here, lead=eva_old, purpose="whatsapp", wording="Ja, WhatsApp.", given=True,
                           recorded_at=T0, source="website", channel="whatsapp")  # fmt: skip
    Consent.objects.create(studio=here, lead=eva_new, purpose="whatsapp", wording="Ja, WhatsApp.", given=False,
                           recorded_at=T0 + timedelta(days=380), source="meta")  # fmt: skip
    won = Lead.objects.get(pk=bram_again.pk)
    won.stage = "won"
    won.save()
    Member.objects.create(
        studio=here, lead=won, name="Bram Visser", email="bram@example.nl", phone="+31687654321"
    )
    walk_in = Member.objects.create(studio=here, name="Joep Smit", email="joep@example.nl", phone="")
    Message.objects.create(studio=here, channel="email", to="bram@example.nl", body="Dank je", purpose="lead_ack",
                           key=f"lead:{bram.pk}:ack", ref=f"lead:{bram.pk}")  # fmt: skip
    Message.objects.create(studio=here, channel="email", to="joep@example.nl", body="Je rooster", purpose="agenda",
                           key=f"member:{walk_in.pk}:x", ref=f"member:{walk_in.pk}")  # fmt: skip
    Message.objects.create(studio=here, channel="email", to=coach.email, to_user=coach, body="Nieuwe lead",
                           purpose="lead_new", key="coach:1", ref=f"lead:{bram.pk}")  # fmt: skip


def _check(apps):
    Studio = apps.get_model("studios", "Studio")
    Person = apps.get_model("people", "Person")
    ConsentEntry = apps.get_model("people", "ConsentEntry")
    Lead = apps.get_model("leads", "Lead")
    Member = apps.get_model("programs", "Member")
    Message = apps.get_model("messaging", "Message")
    here = Studio.objects.get(slug="kracht-utrecht")
    there = Studio.objects.get(slug="andere-studio")

    people = {p.pk: p for p in Person.objects.filter(studio=here)}
    assert len(people) == 4  # Eva, Bram, Onbekend, Joep
    eva = Person.objects.get(studio=here, phone="+31612345678")
    assert (eva.name, eva.email, eva.phone_as_given) == ("Eva de Boer", "eva@example.nl", "06 12345678")
    assert Lead.objects.filter(person=eva).count() == 2
    bram = Person.objects.get(studio=here, email="bram@example.nl")
    assert bram.name == "Bram" and bram.phone == "+31687654321"  # the member's phone fills in what was open
    assert Lead.objects.filter(person=bram).count() == 2
    assert Member.objects.get(lead__isnull=False).person_id == bram.pk
    joep = Member.objects.get(lead__isnull=True).person
    assert (joep.name, joep.email) == ("Joep Smit", "joep@example.nl")
    onbekend = Person.objects.get(studio=here, name="Onbekend")
    assert onbekend.phone == "" and onbekend.phone_as_given == "0612"
    elsewhere = Person.objects.get(studio=there)
    assert elsewhere.phone == "+31612345678" and elsewhere.pk != eva.pk
    ledger = list(ConsentEntry.objects.filter(person=eva).order_by("at", "id").values_list("given", "how"))
    assert ledger == [(True, "form"), (False, "webhook")]
    assert Message.objects.get(purpose="lead_ack").person_id == bram.pk
    assert Message.objects.get(purpose="agenda").person_id == joep.pk
    assert Message.objects.get(purpose="lead_new").person_id is None  # a message to staff is nobody's
    assert not Lead.objects.filter(person__isnull=True).exists()
