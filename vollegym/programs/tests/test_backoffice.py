"""Programs and members in the back office, as an owner and a coach use them."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from vollegym.core.testing import client_for
from vollegym.leads.models import Stage
from vollegym.programs.models import Enrolment, Program, ProgramPrice
from vollegym.programs.tests.test_prices_and_enrolment import JAN, MAR, make_lead, make_program

pytestmark = pytest.mark.django_db


def test_an_owner_adds_a_program_with_its_price_typed_the_dutch_way(cast):
    owner = client_for(cast.owner)
    fields = {"name": "Sterk in 8 weken", "promise": "Acht weken, drie keer per week", "kind": "program",
              "format": "small_group", "weeks": 8, "sessions_per_week": 3, "is_active": "on", "position": 0}  # fmt: skip
    refused = owner.post("/app/kracht-utrecht/programmas/", {**fields, "price": "acht euro"})
    assert "Vul een bedrag in euro&#x27;s in" in refused.content.decode()
    assert not Program.objects.for_studio(cast.studio).exists()
    owner.post("/app/kracht-utrecht/programmas/", {**fields, "price": "1.195,00"})
    program = Program.objects.for_studio(cast.studio).get()
    assert [p.amount_cents for p in ProgramPrice.objects.for_studio(cast.studio)] == [119500]
    listing = owner.get("/app/kracht-utrecht/programmas/").content.decode()
    assert "Sterk in 8 weken" in listing and "€ 1.195,00" in listing
    assert program.sessions_total == 24


def test_a_coach_sees_programs_but_cannot_change_them(cast):
    program = make_program(cast.studio)
    coach = client_for(cast.coach)
    assert coach.get("/app/kracht-utrecht/programmas/").status_code == 200
    assert coach.post("/app/kracht-utrecht/programmas/", {"name": "X"}).status_code == 404
    assert (
        coach.post(f"/app/kracht-utrecht/programmas/{program.pk}/prijs/", {"price-price": "2000"}).status_code
        == 404
    )


def test_a_price_increase_from_the_program_page_leaves_members_their_price(cast):
    program = make_program(cast.studio)
    with time_machine.travel(JAN, tick=False):
        from vollegym.programs.services import enrolment_create

        existing = enrolment_create(
            lead=make_lead(cast.studio), program=program, starts_on=date(2026, 1, 12), by=None
        )
        response = client_for(cast.owner).post(
            f"/app/kracht-utrecht/programmas/{program.pk}/prijs/",
            {
                "price-price": "1395",
                "price-effective_from": "2026-02-01",
                "price-reason": "Groepen zitten vol",
            },
            follow=True,
        )
    assert "wie al lid is, houdt zijn prijs" in response.content.decode()
    existing.refresh_from_db()
    assert existing.price_cents == 119500
    with time_machine.travel(MAR, tick=False):
        page = client_for(cast.owner).get(f"/app/kracht-utrecht/programmas/{program.pk}/").content.decode()
    assert "€ 1.395,00" in page and "Groepen zitten vol" in page


def test_a_price_in_the_past_is_refused_with_a_reason_and_nothing_is_stored(cast):
    program = make_program(cast.studio)
    with time_machine.travel(MAR, tick=False):
        response = client_for(cast.owner).post(
            f"/app/kracht-utrecht/programmas/{program.pk}/prijs/",
            {"price-price": "1395", "price-effective_from": "2026-02-01"},
        )
    assert response.status_code == 200 and "vanaf vandaag of later" in response.content.decode()
    assert ProgramPrice.objects.for_studio(cast.studio).count() == 1


def test_a_won_lead_is_enrolled_from_the_members_page(cast):
    program = make_program(cast.studio)
    lead = make_lead(cast.studio)
    coach = client_for(cast.coach)
    with time_machine.travel(MAR, tick=False):
        members = coach.get("/app/kracht-utrecht/leden/").content.decode()
        assert (
            "Klaar om in te schrijven" in members
            and f"/app/kracht-utrecht/leden/inschrijven/{lead.pk}/" in members
        )
        form = coach.get(f"/app/kracht-utrecht/leden/inschrijven/{lead.pk}/").content.decode()
        assert "Transformatie 12 weken · € 1.195,00" in form
        response = coach.post(
            f"/app/kracht-utrecht/leden/inschrijven/{lead.pk}/",
            {"program": program.pk, "starts_on": "2026-03-09"},
        )
    enrolment = Enrolment.objects.for_studio(cast.studio).get()
    assert response["Location"] == f"/app/kracht-utrecht/leden/{enrolment.member_id}/"
    assert enrolment.price_cents == 119500 and enrolment.created_by == cast.coach
    with time_machine.travel(MAR, tick=False):
        coach.post(f"/app/kracht-utrecht/leden/inschrijvingen/{enrolment.pk}/betaald/")
    enrolment.refresh_from_db()
    assert enrolment.is_paid


def test_enrolling_in_another_studios_program_is_refused(cast):
    make_program(cast.studio)
    theirs = make_program(cast.other_studio)
    lead = make_lead(cast.studio, stage=Stage.WON)
    with time_machine.travel(MAR, tick=False):
        response = client_for(cast.owner).post(
            f"/app/kracht-utrecht/leden/inschrijven/{lead.pk}/",
            {"program": theirs.pk, "starts_on": "2026-03-09"},
        )
    assert response.status_code == 200 and "Kies een programma." in response.content.decode()
    assert not Enrolment.objects.for_studio(cast.studio).exists()


def test_renewal_buttons_keep_the_price_or_take_todays(cast):
    program = make_program(cast.studio)
    with time_machine.travel(JAN, tick=False):
        from vollegym.programs.services import enrolment_create, program_price_set

        first = enrolment_create(
            lead=make_lead(cast.studio), program=program, starts_on=date(2026, 1, 12), by=None
        )
        program_price_set(program=program, amount_cents=139500, effective_from=date(2026, 2, 1), by=None)
    owner = client_for(cast.owner)
    with time_machine.travel(MAR, tick=False):
        owner.post(f"/app/kracht-utrecht/leden/inschrijvingen/{first.pk}/verlengen/")
        assert (
            client_for(cast.coach)
            .post(f"/app/kracht-utrecht/leden/inschrijvingen/{first.pk}/verlengen/")
            .status_code
            == 404
        )
    renewed = Enrolment.objects.for_studio(cast.studio).get(renewal_of=first)
    assert renewed.price_cents == 119500
