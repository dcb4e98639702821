"""The members list as staff work in it every day: active and ended apart, search, filters, order, pages, a
ticked selection, the CSV."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from vollegym.core.testing import client_for, make_lead, make_member
from vollegym.messaging.models import Message
from vollegym.people.models import AuditEntry, DomainEvent, How, Purpose
from vollegym.people.services import consent_record
from vollegym.programs.models import Enrolment, Member, Program
from vollegym.programs.selectors import price_in_force
from vollegym.programs.services import enrolment_create
from vollegym.programs.tests.test_prices_and_enrolment import make_program

pytestmark = pytest.mark.django_db

LIST = "/app/kracht-utrecht/leden/"
BULK = "/app/kracht-utrecht/leden/selectie/"
EXPORT = "/app/kracht-utrecht/leden/export.csv"
TODAY = datetime.fromisoformat("2026-03-02T10:00:00+01:00")


def enrol(member: Member, program: Program, starts_on: date, **fields: object) -> Enrolment:
    """A run of a program, written as enrolment would (without its checks on dates in the past)."""
    price = price_in_force(program, starts_on) or price_in_force(program)
    assert price is not None
    values = {
        "price": price, "price_cents": price.amount_cents, "starts_on": starts_on,
        "ends_on": starts_on + timedelta(weeks=program.weeks) - timedelta(days=1),
        "sessions_total": program.sessions_total, "first_payment_cents": price.amount_cents,
        "first_payment_due": starts_on, **fields,
    }  # fmt: skip
    return Enrolment.objects.create(studio_id=member.studio_id, member=member, program=program, **values)


@pytest.fixture
def travel():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def group(cast, travel):
    """Five members of Kracht Utrecht on 2 March 2026: three active (one starts later, one renewed), two ended."""
    twelve = make_program(cast.studio)
    eight = make_program(cast.studio, name="Sterk in 8 weken", weeks=8, price_cents=79500)
    members = {
        "anna": make_member(cast.studio, name="Anna Actief", email="anna@example.nl", coach=cast.coach),
        "bea": make_member(cast.studio, name="Bea Binnenkort", phone="+31612345678", coach=cast.owner),
        "cor": make_member(cast.studio, name="Cor Klaar", email="cor@example.nl", coach=cast.coach),
        "dirk": make_member(cast.studio, name="Dirk Gestopt", email="dirk@example.nl"),
        "eva": make_member(cast.studio, name="Éva Verlengd", email="eva@example.nl", coach=cast.coach),
    }
    enrol(members["anna"], eight, date(2026, 2, 2))  # until 29 March
    enrol(members["bea"], twelve, date(2026, 3, 16))  # starts in two weeks
    enrol(members["cor"], eight, date(2025, 12, 1))  # ended 25 January
    enrol(members["dirk"], twelve, date(2026, 2, 2), status=Enrolment.Status.STOPPED)
    first = enrol(members["eva"], twelve, date(2025, 12, 15))  # until 8 March, then renewed
    enrol(members["eva"], twelve, date(2026, 3, 9), renewal_of=first)  # until 31 May
    return members


NAMES = ("Anna Actief", "Bea Binnenkort", "Cor Klaar", "Dirk Gestopt", "Éva Verlengd")


def names_on(page: str, *candidates: str) -> set[str]:
    return {name for name in candidates if name in page}


def test_active_members_by_default_and_ended_ones_on_their_own_tab(cast, group):
    owner = client_for(cast.owner)
    active = owner.get(LIST).text
    assert names_on(active, *NAMES) == {"Anna Actief", "Bea Binnenkort", "Éva Verlengd"}
    assert "3 actieve leden" in active
    ended = owner.get(LIST, {"status": "afgelopen"}).text
    assert names_on(ended, *NAMES) == {"Cor Klaar", "Dirk Gestopt"}
    assert "2 oud-leden" in ended and "(gestopt)" in ended
    # the tabs count with the same search and say which one is open
    assert 'aria-current="page">Actief <small>3</small>' in active
    assert ">Afgelopen <small>2</small>" in active


def test_a_renewed_member_shows_the_program_that_runs_now_and_the_end_of_the_renewal(cast, group):
    page = client_for(cast.owner).get(LIST, {"zoek": "eva"}).text
    row = next(r for r in page.split("<tr>") if "Éva Verlengd" in r)
    assert "Transformatie 12 weken" in row and "15 dec 2025" in row
    assert "31 mei 2026" in row and "(verlengd)" in row


@pytest.mark.parametrize(
    "typed",
    ["0612345678", "06-12345678", "+31 6 12 34 56 78", "0031612345678", "12345678", "bea", "BINNENKORT"],
)
def test_a_member_is_found_by_phone_typed_any_way_or_by_name(cast, group, typed):
    page = client_for(cast.coach).get(LIST, {"zoek": typed}).text
    assert names_on(page, *NAMES) == {"Bea Binnenkort"}


def test_a_name_is_found_without_its_accent_and_the_search_keeps_its_tab(cast, group):
    coach = client_for(cast.coach)
    assert names_on(coach.get(LIST, {"zoek": "eva verlengd"}).text, *NAMES) == {"Éva Verlengd"}
    ended = coach.get(LIST, {"zoek": "cor@example", "status": "afgelopen"}).text
    assert names_on(ended, *NAMES) == {"Cor Klaar"}
    assert names_on(coach.get(LIST, {"zoek": "cor@example"}).text, *NAMES) == set()  # not active


def test_filters_by_program_and_coach(cast, group):
    eight = Program.objects.for_studio(cast.studio).get(name="Sterk in 8 weken")
    owner = client_for(cast.owner)

    def shown(**query: str) -> set[str]:
        return names_on(owner.get(LIST, query).text, *NAMES)

    assert shown(programma=str(eight.pk)) == {"Anna Actief"}
    assert shown(programma=str(eight.pk), status="afgelopen") == {"Cor Klaar"}
    assert shown(coach=str(cast.coach.pk)) == {"Anna Actief", "Éva Verlengd"}
    assert shown(coach="geen", status="afgelopen") == {"Dirk Gestopt"}
    other = make_program(cast.other_studio, name="Elders")
    assert shown(programma=str(other.pk)) == {"Anna Actief", "Bea Binnenkort", "Éva Verlengd"}  # not a choice


def test_orders_by_name_start_or_end(cast, group):
    owner = client_for(cast.owner)
    active = ["Anna Actief", "Bea Binnenkort", "Éva Verlengd"]

    def order(**query: str) -> list[str]:
        page = owner.get(LIST, query).text
        return sorted(active, key=page.index)

    assert order() == ["Anna Actief", "Bea Binnenkort", "Éva Verlengd"]
    assert order(volgorde="start") == ["Bea Binnenkort", "Anna Actief", "Éva Verlengd"]  # newest start first
    assert order(volgorde="einde") == ["Anna Actief", "Éva Verlengd", "Bea Binnenkort"]  # ends soonest first


def test_pages_of_fifty_and_page_links_keep_the_tab_and_filters(cast, travel):
    program = make_program(cast.studio)
    for n in range(55):
        enrol(make_member(cast.studio, name=f"Oud Lid {n:02d}", coach=cast.coach), program, date(2025, 6, 2))
    enrol(make_member(cast.studio, name="Oud Zonder Coach"), program, date(2025, 6, 2))
    owner = client_for(cast.owner)
    first = owner.get(LIST, {"status": "afgelopen", "coach": cast.coach.pk})
    assert first.text.count('name="ids"') == 50 and "Pagina 1 van 2" in first.text
    assert f"?status=afgelopen&amp;coach={cast.coach.pk}&amp;pagina=2" in first.text
    assert "Oud Zonder Coach" not in first.text
    second = owner.get(LIST, {"status": "afgelopen", "coach": cast.coach.pk, "pagina": 2}).text
    assert second.count('name="ids"') == 5 and "Oud Lid 54" in second
    # the filter form keeps the tab: filtering on the ended tab stays there
    assert '<input type="hidden" name="status" value="afgelopen"' in second


def test_two_members_with_the_same_name_read_differently(cast, travel):
    twelve = make_program(cast.studio)
    group_program = make_program(
        cast.studio, name="Small group", kind="membership", format="small_group", weeks=4
    )
    enrol(make_member(cast.studio, name="Sanne de Vries", email="sanne@gmail.com"), twelve, date(2026, 2, 2))
    enrol(
        make_member(cast.studio, name="Sanne de Vries", phone="+31612345678"),
        group_program,
        date(2026, 2, 23),
    )
    page = client_for(cast.coach).get(LIST).text
    rows = page.split('class="member-table__who"')[1:]
    seconds = sorted(row.split("<small>")[1].split("</small>")[0] for row in rows)
    assert seconds == ["06 12345678 · Small group", "sanne@gmail.com · Transformatie 12 weken"]


def test_a_ticked_selection_gets_a_coach_and_ids_of_another_studio_are_left_alone(cast, group):
    theirs = make_member(cast.other_studio, name="Niet van ons")
    owner = client_for(cast.owner)
    ids = [group["anna"].pk, group["bea"].pk, group["dirk"].pk, theirs.pk]
    response = owner.post(
        BULK, {"actie": "toewijzen", "coach": cast.owner.pk, "ids": ids, "terug": "status=afgelopen"}
    )
    assert response["Location"] == f"{LIST}?status=afgelopen"
    assert {m.coach_id for m in Member.objects.for_studio(cast.studio).filter(pk__in=ids)} == {cast.owner.pk}
    theirs.refresh_from_db()
    assert theirs.coach_id is None
    changed = DomainEvent.objects.for_studio(cast.studio).filter(kind="member.coach_changed")
    # Bea had the owner already: no change, no event
    assert sorted(e.payload["member_id"] for e in changed) == [group["anna"].pk, group["dirk"].pk]
    page = owner.get(LIST).text
    assert "2 leden toegewezen." in page
    assert "1 aangevinkte regel hoort niet bij deze studio en is overgeslagen." in page
    refused = owner.post(BULK, {"actie": "toewijzen", "coach": cast.outsider.pk, "ids": ids}, follow=True)
    assert "Kies wat er met de aangevinkte leden moet gebeuren." in refused.text
    assert not Member.objects.for_studio(cast.studio).filter(coach=cast.outsider).exists()


def test_a_message_to_ticked_members_goes_where_consent_allows_and_counts_the_rest(cast, group):
    consent_record(person=group["cor"].person, purpose=Purpose.CONTACT, given=False, how=How.UNSUBSCRIBE)
    theirs = make_member(cast.other_studio, name="Niet van ons", email="elders@example.nl")
    response = client_for(cast.owner).post(
        BULK,
        {"actie": "bericht", "kanaal": "email", "bericht": "Hoi {voornaam}, de zaal is dicht op 27 april.",
         "ids": [group["anna"].pk, group["bea"].pk, group["cor"].pk, theirs.pk]},
        follow=True,
    )  # fmt: skip
    assert "1 bericht in de wachtrij gezet." in response.text
    assert (
        "2 berichten niet verstuurd (geen adres of nummer voor dit kanaal: 1; wil geen contact meer: 1)."
        in response.text
    )
    queued = Message.objects.for_studio(cast.studio).get(status=Message.Status.QUEUED)
    assert queued.to == "anna@example.nl" and queued.body.startswith("Hoi Anna, de zaal is dicht")
    assert queued.subject == "Bericht van Kracht Utrecht" and queued.ref == f"member:{group['anna'].pk}"
    assert not Message.objects.for_studio(cast.other_studio).exists()
    empty = client_for(cast.owner).post(
        BULK, {"actie": "bericht", "bericht": "  ", "ids": [group["anna"].pk]}, follow=True
    )
    assert "Schrijf een bericht." in empty.text


def test_the_csv_holds_every_page_of_the_tab_shown_and_no_formulas(cast, travel):
    program = make_program(cast.studio)
    for n in range(52):
        enrol(
            make_member(cast.studio, name=f"Lid {n:02d}", email=f"lid{n}@example.nl"),
            program,
            date(2026, 2, 2),
        )
    sneaky = make_member(cast.studio, name="+31 =1+2", phone="+31612345678", coach=cast.coach)
    enrol(sneaky, program, date(2026, 2, 2), first_payment_paid_at=TODAY)
    enrol(make_member(cast.studio, name="Oud Lid"), program, date(2025, 6, 2))
    response = client_for(cast.owner).get(EXPORT, {"volgorde": "naam"})
    raw = response.content.decode("utf-8")
    assert raw.startswith("\ufeff") and response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(raw.lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == ["Naam", "E-mail", "Telefoon", "Programma", "Coach", "Start", "Lid tot", "Prijs (euro)",
                       "Eerste betaling ontvangen"]  # fmt: skip
    assert len(rows) == 1 + 53 and "Oud Lid" not in raw
    row = next(r for r in rows if "=1+2" in r[0])
    assert row == ["'+31 =1+2", "", "06 12345678", "Transformatie 12 weken", cast.coach.get_short_name(),
                   "02-02-2026", "26-04-2026", "1195,00", "02-03-2026 10:00"]  # fmt: skip
    ended = client_for(cast.owner).get(EXPORT, {"status": "afgelopen"}).content.decode()
    assert "Oud Lid" in ended and "Lid 00" not in ended
    entries = AuditEntry.objects.for_studio(cast.studio).filter(action=AuditEntry.Action.EXPORTED)
    assert sorted(e.detail for e in entries) == ["ledenlijst CSV: 1 rijen", "ledenlijst CSV: 53 rijen"]


def test_only_owners_download_the_csv_and_outsiders_get_a_404(cast, group):
    assert client_for(cast.coach).get(EXPORT).status_code == 404
    outsider = client_for(cast.outsider)
    assert outsider.get(LIST).status_code == 404 and outsider.get(EXPORT).status_code == 404
    ids = [group["anna"].pk]
    assert (
        outsider.post(BULK, {"actie": "toewijzen", "coach": cast.outsider.pk, "ids": ids}).status_code == 404
    )
    assert outsider.post(BULK, {"actie": "bericht", "bericht": "Hoi", "ids": ids}).status_code == 404
    group["anna"].refresh_from_db()
    assert group["anna"].coach_id == cast.coach.pk and not Message.objects.for_studio(cast.studio).exists()


def test_a_won_lead_becomes_a_member_with_the_lead_s_coach(cast, travel):
    program = make_program(cast.studio)
    lead = make_lead(cast.studio, name="Eva", email="eva@example.nl", stage="won", assigned_to=cast.coach)
    enrolment = enrolment_create(lead=lead, program=program, starts_on=date(2026, 3, 9), by=cast.owner)
    assert enrolment.member.coach == cast.coach


@pytest.mark.django_db(transaction=True)
def test_members_enrolled_before_the_coach_field_get_their_lead_s_coach():
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    before = [("programs", "0007_member_coach"), *(node for node in latest if node[0] != "programs")]
    try:
        executor.migrate([("programs", "0007_member_coach")])
        executor.loader.build_graph()
        apps = executor.loader.project_state(before).apps
        Studio, User = apps.get_model("studios", "Studio"), apps.get_model("studios", "User")
        Person, Lead = apps.get_model("people", "Person"), apps.get_model("leads", "Lead")
        Member = apps.get_model("programs", "Member")
        studio = Studio.objects.create(name="Kracht Utrecht", slug="kracht-utrecht", city="Utrecht")
        coach = User.objects.create(email="youssef@kracht.nl", password="!", full_name="Youssef")
        with_lead = Person.objects.create(studio=studio, name="Eva")
        walk_in = Person.objects.create(studio=studio, name="Bram")
        lead = Lead.objects.create(studio=studio, person=with_lead, source="website", assigned_to=coach)
        Member.objects.create(studio=studio, person=with_lead, lead=lead)
        Member.objects.create(studio=studio, person=walk_in)
        executor = MigrationExecutor(connection)
        executor.migrate(latest)
        executor.loader.build_graph()
        Member = executor.loader.project_state(latest).apps.get_model("programs", "Member")
        assert dict(Member.objects.values_list("person__name", "coach_id")) == {"Eva": coach.pk, "Bram": None}
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
