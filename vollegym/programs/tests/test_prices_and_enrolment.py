"""Programs, prices through time, and enrolment at the price of the day (kept for the member)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import time_machine

from vollegym.core.testing import make_lead as build_lead
from vollegym.leads.models import Activity, Lead, Stage
from vollegym.programs.models import Enrolment, Member, Program
from vollegym.programs.selectors import price_in_force, programs_overview, ready_to_enrol
from vollegym.programs.services import (
    ProgramError,
    enrolment_create,
    enrolment_mark_paid,
    enrolment_renew,
    program_create,
    program_price_set,
)

pytestmark = pytest.mark.django_db

JAN = datetime.fromisoformat("2026-01-05T10:00:00+01:00")
MAR = datetime.fromisoformat("2026-03-02T10:00:00+01:00")


def make_program(studio, *, price_cents=119500, name="Transformatie 12 weken", **fields) -> Program:
    values = {"promise": "In twaalf weken sterker", "weeks": 12, "sessions_per_week": 2, **fields}
    with time_machine.travel(JAN, tick=False):
        return program_create(studio=studio, program=Program(name=name, **values), price_cents=price_cents)


def make_lead(studio, name="Eva de Boer", stage=Stage.WON) -> Lead:
    return build_lead(
        studio, name=name, source="website", email=f"{name.split()[0].lower()}@example.nl", stage=stage
    )


def test_the_price_in_force_is_the_latest_that_took_effect(cast):
    program = make_program(cast.studio)
    with time_machine.travel(JAN, tick=False):
        program_price_set(
            program=program, amount_cents=139500, effective_from=date(2026, 3, 1), by=cast.owner
        )
    february, march = price_in_force(program, date(2026, 2, 28)), price_in_force(program, date(2026, 3, 1))
    assert february is not None and february.amount_cents == 119500
    assert march is not None and march.amount_cents == 139500
    assert price_in_force(program, date(2026, 1, 4)) is None  # before the first price


def test_a_price_increase_changes_new_enrolments_and_none_of_the_existing(cast):
    program = make_program(cast.studio)
    early, late = make_lead(cast.studio), make_lead(cast.studio, "Tom Bakker")
    with time_machine.travel(JAN, tick=False):
        before = enrolment_create(lead=early, program=program, starts_on=date(2026, 1, 12), by=cast.owner)
        program_price_set(
            program=program, amount_cents=139500, effective_from=date(2026, 2, 1), by=cast.owner
        )
    with time_machine.travel(MAR, tick=False):
        after = enrolment_create(lead=late, program=program, starts_on=date(2026, 3, 9), by=cast.owner)
        renewed = enrolment_renew(enrolment=before, by=cast.owner)
    before.refresh_from_db()
    assert before.price_cents == 119500 and after.price_cents == 139500
    assert renewed.price_cents == 119500 and renewed.starts_on == date(2026, 4, 6)  # the day after 12 weeks
    assert {e.price_cents for e in Enrolment.objects.for_studio(cast.studio)} == {119500, 139500}


def test_staff_may_renew_at_todays_price_instead(cast):
    program = make_program(cast.studio)
    with time_machine.travel(JAN, tick=False):
        first = enrolment_create(
            lead=make_lead(cast.studio), program=program, starts_on=date(2026, 1, 12), by=None
        )
        program_price_set(
            program=program, amount_cents=139500, effective_from=date(2026, 2, 1), by=cast.owner
        )
    with time_machine.travel(MAR, tick=False):
        renewed = enrolment_renew(enrolment=first, by=cast.owner, keep_price=False)
        with pytest.raises(ProgramError, match="al verlengd"):
            enrolment_renew(enrolment=first, by=cast.owner)
    assert renewed.price_cents == 139500 and renewed.renewal_of == first


def test_enrolment_makes_one_member_per_lead_with_dates_sessions_and_first_payment(cast):
    program = make_program(cast.studio, weeks=8, sessions_per_week=3, price_cents=89500)
    lead = make_lead(cast.studio, stage=Stage.INTAKE_HELD)
    with time_machine.travel(JAN, tick=False):
        enrolment = enrolment_create(lead=lead, program=program, starts_on=date(2026, 1, 12), by=cast.coach)
        second = enrolment_create(lead=lead, program=program, starts_on=date(2026, 3, 9), by=cast.coach)
    member = Member.objects.for_studio(cast.studio).get()
    assert member.lead == lead and member.email == "eva@example.nl" and second.member == member
    assert enrolment.ends_on == date(2026, 3, 8) and enrolment.sessions_total == 24
    assert enrolment.first_payment_cents == 89500 and enrolment.first_payment_due == date(2026, 1, 12)
    lead.refresh_from_db()
    assert lead.stage == Stage.WON
    note = Activity.objects.for_studio(cast.studio).filter(lead=lead, kind=Activity.Kind.NOTE).first()
    assert note is not None and "€ 895,00" in note.body


def test_paying_is_marked_once(cast):
    program = make_program(cast.studio)
    with time_machine.travel(JAN, tick=False):
        enrolment = enrolment_create(
            lead=make_lead(cast.studio), program=program, starts_on=date(2026, 1, 12), by=None
        )
        paid = enrolment_mark_paid(enrolment=enrolment, by=cast.owner)
    with time_machine.travel(MAR, tick=False):
        again = enrolment_mark_paid(enrolment=enrolment, by=cast.owner)
    assert paid.first_payment_paid_at == again.first_payment_paid_at == JAN


def test_history_is_never_rewritten(cast):
    program = make_program(cast.studio)
    with time_machine.travel(MAR, tick=False):
        with pytest.raises(ProgramError, match="vanaf vandaag of later"):
            program_price_set(
                program=program, amount_cents=99900, effective_from=date(2026, 2, 1), by=cast.owner
            )
        program_price_set(
            program=program, amount_cents=129500, effective_from=date(2026, 4, 1), by=cast.owner
        )
        with pytest.raises(ProgramError, match="al een prijs"):
            program_price_set(
                program=program, amount_cents=139500, effective_from=date(2026, 4, 1), by=cast.owner
            )
        with pytest.raises(ProgramError, match="meer zijn dan"):
            program_price_set(program=program, amount_cents=0, effective_from=date(2026, 5, 1), by=cast.owner)
        row = programs_overview(cast.studio)[0]
    assert row.price is not None and row.price.amount_cents == 119500
    assert row.next_price is not None and row.next_price.amount_cents == 129500


def test_no_enrolment_in_another_studios_program_or_without_a_price(cast):
    theirs = make_program(cast.other_studio)
    with time_machine.travel(JAN, tick=False), pytest.raises(ProgramError, match="niet bij deze studio"):
        enrolment_create(lead=make_lead(cast.studio), program=theirs, starts_on=date(2026, 1, 12), by=None)
    later = make_program(cast.studio, name="Later")
    day_before = datetime.fromisoformat("2026-01-04T10:00:00+01:00")
    tom = make_lead(cast.studio, "Tom Bakker")
    with time_machine.travel(day_before, tick=False), pytest.raises(ProgramError, match="nog geen prijs"):
        enrolment_create(lead=tom, program=later, starts_on=date(2026, 1, 5), by=None)
    assert not Enrolment.objects.for_studio(cast.studio).exists()


def test_won_leads_without_a_member_are_ready_to_enrol(cast):
    program = make_program(cast.studio)
    waiting, done, open_lead = (
        make_lead(cast.studio),
        make_lead(cast.studio, "Tom Bakker"),
        make_lead(cast.studio, "Ilse Jansen", stage=Stage.CONTACTED),
    )
    with time_machine.travel(JAN, tick=False):
        enrolment_create(lead=done, program=program, starts_on=date(2026, 1, 12), by=None)
    assert ready_to_enrol(cast.studio) == [waiting] and open_lead not in ready_to_enrol(cast.studio)


def test_a_run_that_ended_long_ago_is_not_renewed_but_enrolled_anew(cast):
    program = make_program(cast.studio)
    with time_machine.travel(JAN, tick=False):
        first = enrolment_create(
            lead=make_lead(cast.studio), program=program, starts_on=date(2026, 1, 12), by=None
        )
    may = datetime.fromisoformat("2026-05-04T10:00:00+02:00")  # the run ended 5 April
    with time_machine.travel(may, tick=False), pytest.raises(ProgramError, match="opnieuw in"):
        enrolment_renew(enrolment=first, by=cast.owner)
