"""Capacity pricing: groups that ran full for weeks get a raise advised for new members, with its 12-month effect;
applying it changes the price of a new enrolment and of none of the existing ones."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine

from vollegym.core import clock
from vollegym.core.testing import client_for
from vollegym.core.testing import make_member as build_member
from vollegym.programs.models import Enrolment, Member, Program, ProgramPrice
from vollegym.programs.services import enrolment_create, enrolment_renew, program_price_set
from vollegym.programs.tests.test_prices_and_enrolment import make_lead, make_program
from vollegym.schedule import pricing
from vollegym.schedule.models import ClassSession, ClassTemplate, ScheduleSettings, SessionBooking
from vollegym.schedule.selectors import fill_rates

pytestmark = pytest.mark.django_db

# Monday 2 March 2026, 08:00 in Utrecht. The eight weeks looked at are those of 5 January .. 23 February;
# "the last three months" of enrolments start on 2 December 2025.
MONDAY = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
WEEKS = [date(2026, 1, 5) + timedelta(weeks=n) for n in range(8)]  # the Mondays, oldest first
APP = "/app/kracht-utrecht/rooster/"


@pytest.fixture
def monday():
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


def members(studio, n: int) -> list[Member]:
    return [build_member(studio, name=f"Lid{i} Jansen") for i in range(n)]


def weekly_class(studio, program: Program | None, *, capacity=8, weekday=1, name="Kracht & conditie"):
    return ClassTemplate.objects.create(
        studio=studio, name=name, program=program, weekday=weekday, starts=time(7, 0), capacity=capacity
    )


def past_week(template: ClassTemplate, monday: date, taken: int, people: list[Member], *, capacity=None):
    """One session of the class in the week of `monday`, `taken` mats held (some came, one did not), and one
    cancelled booking that holds no mat; `booked` equals the mats held, as the services keep it."""
    day = monday + timedelta(days=template.weekday)
    starts = clock.wall_time(day, template.starts)
    assert starts is not None
    session = ClassSession.objects.create(
        studio_id=template.studio_id, template=template, starts_at=starts, ends_at=starts + timedelta(minutes=45),
        capacity=capacity or template.capacity, booked=taken,
    )  # fmt: skip
    for n, member in enumerate(people[:taken]):
        status = SessionBooking.Status.NO_SHOW if n == 0 else SessionBooking.Status.ATTENDED
        SessionBooking.objects.create(
            studio_id=template.studio_id,
            session=session,
            member=member,
            person_id=member.person_id,
            status=status,
        )
    if taken < len(people):
        SessionBooking.objects.create(
            studio_id=template.studio_id,
            session=session,
            member=people[taken],
            person_id=people[taken].person_id,
            status="cancelled",
        )
    return session


def fill_weeks(template: ClassTemplate, takens: list[int], people: list[Member]) -> None:
    """`takens` for the latest weeks, oldest first, ending with the week of 23 February."""
    for monday, taken in zip(WEEKS[-len(takens) :], takens, strict=True):
        past_week(template, monday, taken, people)


def enrol_on(studio, program: Program, day: date, name: str) -> Enrolment:
    with time_machine.travel(datetime.combine(day, time(10, 0), tzinfo=UTC), tick=False):
        return enrolment_create(lead=make_lead(studio, name), program=program, starts_on=day, by=None)


def small_group(studio, **fields) -> Program:
    return make_program(studio, format=Program.Format.SMALL_GROUP, name="Small group 12 weken", **fields)


def advice(studio) -> list[pricing.Recommendation]:
    found, _overall, _per_class, _per_program = pricing.recommendations(studio)
    return found


# --- the advice --------------------------------------------------------------------------------------------------


def test_four_full_weeks_advise_ten_percent_more_rounded_up_to_five_euros_with_the_years_effect(cast, monday):
    program = small_group(cast.studio, price_cents=119500)  # € 1.195,00 from 5 January
    people = members(cast.studio, 9)
    fill_weeks(weekly_class(cast.studio, program), [4, 5, 7, 7, 7, 8], people)  # 87.5% the last four weeks
    for day, name in ((date(2026, 1, 12), "Eva de Boer"), (date(2026, 2, 2), "Tom Bakker"),
                      (date(2026, 2, 23), "Ilse Jansen")):  # fmt: skip
        first = enrol_on(cast.studio, program, day, name)
    with time_machine.travel(datetime(2026, 2, 27, 10, 0, tzinfo=UTC), tick=False):
        enrolment_renew(enrolment=first, by=None)  # a renewal is no newcomer
    Enrolment.objects.create(
        studio=cast.studio, member=people[0], program=program, price=first.price, price_cents=119500,
        starts_on=date(2025, 11, 24), ends_on=date(2026, 2, 15), sessions_total=24, first_payment_cents=119500,
        first_payment_due=date(2025, 11, 24),
    )  # fmt: skip  # joined more than three months ago
    other = make_program(cast.studio, name="PT 1-op-1", format=Program.Format.PT)
    enrol_on(cast.studio, other, date(2026, 2, 16), "Joep Smit")  # another program's newcomer

    (rec,) = advice(cast.studio)

    assert rec.program == program and rec.price.amount_cents == 119500 and rec.full_weeks == 4
    assert rec.suggested_cents == 131500  # 1195 * 1.1 = 1314.50, up to the next five euros
    assert rec.raise_cents == 12000
    assert rec.new_per_month == pytest.approx(1.0)  # three newcomers in three months
    assert rec.yearly_effect_cents == 144000  # a program is paid once: 1 a month * 12 months * € 120
    assert rec.break_even_drop == pytest.approx(12000 / 131500)
    assert [pct for _monday, pct in rec.fill.percents] == [None, None, 50, 62, 88, 88, 88, 100]


def test_a_membership_pays_the_raise_every_period_so_its_effect_is_larger(cast, monday):
    program = small_group(cast.studio, price_cents=14900, kind=Program.Kind.MEMBERSHIP, weeks=4)
    people = members(cast.studio, 9)
    fill_weeks(weekly_class(cast.studio, program), [8, 7, 7, 8], people)
    for n, day in enumerate((date(2026, 1, 12), date(2026, 1, 19), date(2026, 2, 2), date(2026, 2, 9),
                             date(2026, 2, 16), date(2026, 2, 23))):  # fmt: skip
        enrol_on(cast.studio, program, day, f"Nieuw{n} Lid")

    (rec,) = advice(cast.studio)

    assert rec.suggested_cents == 16500 and rec.raise_cents == 1600  # 149 * 1.1 = 163.90 -> 165
    assert rec.new_per_month == pytest.approx(2.0)
    # Who joins in month m pays every 4-week period that starts in the 13 - m months left, the first one at once:
    # ceil(12 * 52/12 / 4) = 13 for January's newcomers ... ceil(52/12 / 4) = 2 for December's: 90 in all.
    periods = sum(math.ceil((13 - m) * (52 / 12) / 4) for m in range(1, 13))
    assert periods == 90
    assert rec.yearly_effect_cents == 2 * 90 * 1600 == 288000
    assert rec.yearly_effect_cents > pricing.yearly_effect(
        Program(kind=Program.Kind.PROGRAM, weeks=4), 1600, 2.0
    )


def test_exactly_the_threshold_counts_as_full(cast, monday):
    program = small_group(cast.studio)
    fill_weeks(weekly_class(cast.studio, program, capacity=20), [17, 17, 17, 17], members(cast.studio, 18))
    (rec,) = advice(cast.studio)
    assert rec.full_weeks == 4 and [p for _m, p in rec.fill.percents][-4:] == [85, 85, 85, 85]


def test_below_the_threshold_no_advice(cast, monday):
    program = small_group(cast.studio)
    fill_weeks(weekly_class(cast.studio, program, capacity=20), [16] * 8, members(cast.studio, 17))  # 80%
    assert advice(cast.studio) == []


def test_fewer_full_weeks_in_a_row_no_advice(cast, monday):
    program = small_group(cast.studio)
    template = weekly_class(cast.studio, program)
    people = members(cast.studio, 9)
    fill_weeks(template, [6, 8, 8, 8], people)  # three full weeks after one at 75%
    assert advice(cast.studio) == []


def test_a_latest_week_below_the_threshold_ends_the_streak(cast, monday):
    program = small_group(cast.studio)
    fill_weeks(weekly_class(cast.studio, program), [8, 8, 8, 8, 8, 8, 8, 6], members(cast.studio, 9))
    assert advice(cast.studio) == []


def test_the_studios_own_rules_decide_what_full_is(cast, monday):
    program = small_group(cast.studio)
    fill_weeks(weekly_class(cast.studio, program), [6, 6, 6], members(cast.studio, 9))  # 75%, three weeks
    assert advice(cast.studio) == []
    ScheduleSettings.objects.for_studio(cast.studio).get_or_create(studio=cast.studio)
    ScheduleSettings.objects.for_studio(cast.studio).update(full_threshold=75, full_weeks=3)
    (rec,) = advice(cast.studio)
    assert rec.full_weeks == 3


def test_a_raise_already_set_for_later_means_no_advice(cast, monday):
    program = small_group(cast.studio)
    fill_weeks(weekly_class(cast.studio, program), [8, 8, 8, 8], members(cast.studio, 9))
    assert len(advice(cast.studio)) == 1
    program_price_set(program=program, amount_cents=129500, effective_from=date(2026, 4, 1), by=cast.owner)
    assert advice(cast.studio) == []


def test_only_small_group_programs_for_sale_get_advice_and_each_on_its_own_classes(cast, monday):
    people = members(cast.studio, 9)
    full = small_group(cast.studio)
    roomy = make_program(cast.studio, format=Program.Format.SMALL_GROUP, name="Sterk in 8 weken", weeks=8)
    pt = make_program(cast.studio, format=Program.Format.PT, name="PT 1-op-1")
    stopped = make_program(
        cast.studio, format=Program.Format.SMALL_GROUP, name="Oud programma", is_active=False
    )
    fill_weeks(weekly_class(cast.studio, full), [8, 8, 8, 8], people)
    fill_weeks(weekly_class(cast.studio, roomy, weekday=3, name="Sterk"), [3, 3, 3, 3], people)
    fill_weeks(weekly_class(cast.studio, pt, weekday=4, name="PT-groep"), [8, 8, 8, 8], people)
    fill_weeks(weekly_class(cast.studio, stopped, weekday=5, name="Oud"), [8, 8, 8, 8], people)
    assert [r.program for r in advice(cast.studio)] == [full]


def test_called_off_sessions_and_cancelled_bookings_do_not_count_as_taken(cast, monday):
    program = small_group(cast.studio)
    template = weekly_class(cast.studio, program)
    people = members(cast.studio, 9)
    fill_weeks(template, [8, 8, 8, 8], people)
    thursday = weekly_class(cast.studio, program, weekday=3, name="Kracht & conditie")
    empty = past_week(thursday, WEEKS[-1], 0, people)  # a second, empty session in the last week ...
    ClassSession.objects.for_studio(cast.studio).filter(pk=empty.pk).update(
        status="cancelled"
    )  # ... called off
    overall, per_class, per_program = fill_rates(cast.studio, until=date(2026, 3, 2))
    assert [p for _m, p in overall.percents] == [None] * 4 + [100] * 4
    assert [f.label for f in per_class] == ["Kracht & conditie (di 07:00)"]  # Thursday ran nothing
    assert [f.label for f in per_program] == ["Small group 12 weken"] and per_program[
        0
    ].weeks == overall.weeks


def test_the_suggested_price_is_ten_percent_more_rounded_up_to_five_euros():
    assert pricing.suggested_price(119500) == 131500  # 1314.50 -> 1315
    assert pricing.suggested_price(14900) == 16500  # 163.90 -> 165
    assert pricing.suggested_price(9900) == 11000  # 108.90 -> 110
    assert pricing.suggested_price(12000) == 13500  # 132.00 -> 135


def test_a_round_price_gets_exactly_ten_percent_more():
    assert pricing.suggested_price(25000) == 27500
    assert pricing.suggested_price(90000) == 99000
    assert pricing.suggested_price(100000) == 110000
    wrong = [
        c for c in range(5000, 1_000_001, 5000) if pricing.suggested_price(c) != -(-c * 11 // 5000) * 500
    ]
    assert wrong == []


# --- applying it --------------------------------------------------------------------------------------------------


def test_applying_the_raise_changes_new_enrolments_from_that_day_and_none_of_the_existing(cast, monday):
    program = small_group(cast.studio, price_cents=119500)
    fill_weeks(weekly_class(cast.studio, program), [8, 8, 8, 8], members(cast.studio, 9))
    before = enrol_on(cast.studio, program, date(2026, 2, 2), "Eva de Boer")
    (rec,) = advice(cast.studio)
    response = client_for(cast.owner).post(
        f"{APP}bezetting/prijs/",
        {"program": program.pk, "amount_cents": rec.suggested_cents, "effective_from": "2026-03-09",
         "reason": "Groepen 4 weken op rij vol"},
        follow=True,
    )  # fmt: skip
    assert response.redirect_chain == [(f"/app/kracht-utrecht/programmas/{program.pk}/", 302)]
    assert (
        "Small group 12 weken kost voor nieuwe leden € 1.315,00 vanaf 09-03-2026; bestaande leden houden hun prijs."
        in response.content.decode()
    )
    price = ProgramPrice.objects.for_studio(cast.studio).get(program=program, effective_from=date(2026, 3, 9))
    assert (price.amount_cents, price.created_by, price.reason) == (
        131500,
        cast.owner,
        "Groepen 4 weken op rij vol",
    )
    assert advice(cast.studio) == []  # the raise is set: no more advice
    still_old = enrol_on(cast.studio, program, date(2026, 3, 5), "Tom Bakker")  # before the day it applies
    after = enrol_on(cast.studio, program, date(2026, 3, 10), "Ilse Jansen")
    with time_machine.travel(datetime(2026, 4, 20, 10, 0, tzinfo=UTC), tick=False):
        renewed = enrolment_renew(enrolment=before, by=None)
    before.refresh_from_db()
    assert before.price_cents == 119500 and still_old.price_cents == 119500 and renewed.price_cents == 119500
    assert after.price_cents == 131500 and after.first_payment_cents == 131500 and after.price == price


def test_a_raise_cannot_start_in_the_past_or_twice_on_a_day(cast, monday):
    program = small_group(cast.studio)
    client = client_for(cast.owner)
    url = f"{APP}bezetting/prijs/"
    past = client.post(url, {"program": program.pk, "amount_cents": "131500", "effective_from": "2026-03-01"},
                       follow=True)  # fmt: skip
    assert "Een nieuwe prijs geldt vanaf vandaag of later" in past.content.decode()
    assert past.redirect_chain == [(f"{APP}bezetting/", 302)]
    client.post(url, {"program": program.pk, "amount_cents": "131500", "effective_from": "2026-03-09"})
    again = client.post(url, {"program": program.pk, "amount_cents": "139500", "effective_from": "2026-03-09"},
                        follow=True)  # fmt: skip
    assert "Er staat al een prijs vanaf 09-03-2026." in again.content.decode()
    assert sorted(
        ProgramPrice.objects.for_studio(cast.studio)
        .filter(program=program)
        .values_list("amount_cents", flat=True)
    ) == [119500, 131500]


def test_a_raise_needs_a_program_of_this_studio_a_price_and_a_date(cast, monday):
    program = small_group(cast.studio)
    theirs = small_group(cast.other_studio)
    client = client_for(cast.owner)
    for data in (
        {"program": theirs.pk, "amount_cents": "131500", "effective_from": "2026-03-09"},
        {"program": program.pk, "amount_cents": "0", "effective_from": "2026-03-09"},
        {"program": program.pk, "amount_cents": "veel", "effective_from": "2026-03-09"},
        {"program": program.pk, "amount_cents": "131500", "effective_from": "volgende week"},
        {"program": "", "amount_cents": "131500", "effective_from": "2026-03-09"},
    ):
        response = client.post(f"{APP}bezetting/prijs/", data, follow=True)
        assert "Kies een programma, een prijs en een datum." in response.content.decode(), data
    assert ProgramPrice.objects.for_studio(cast.studio).count() == 1
    assert ProgramPrice.objects.for_studio(cast.other_studio).count() == 1


def test_only_the_owner_applies_a_raise(cast, monday):
    program = small_group(cast.studio)
    response = client_for(cast.coach).post(
        f"{APP}bezetting/prijs/",
        {"program": program.pk, "amount_cents": "131500", "effective_from": "2026-03-09"},
    )
    assert response.status_code == 404
    assert ProgramPrice.objects.for_studio(cast.studio).count() == 1


# --- the page -----------------------------------------------------------------------------------------------------


def test_the_fill_page_shows_the_weeks_in_percentages_and_the_advice(cast, monday):
    program = small_group(cast.studio, price_cents=119500)
    people = members(cast.studio, 9)
    fill_weeks(weekly_class(cast.studio, program), [4, 5, 7, 7, 7, 8], people)
    weekly_class(cast.studio, None, weekday=3, name="Losse les")  # a class without sessions in these weeks
    for day, name in ((date(2026, 1, 12), "Eva de Boer"), (date(2026, 2, 2), "Tom Bakker"),
                      (date(2026, 2, 23), "Ilse Jansen")):  # fmt: skip
        enrol_on(cast.studio, program, day, name)
    html = client_for(cast.owner).get(f"{APP}bezetting/").content.decode()
    assert "Small group 12 weken: tijd voor een hogere prijs" in html
    assert "De groepen zitten al 4 weken op rij vol genoeg." in html
    assert "€ 1.195,00" in html and "€ 1.315,00" in html and "(+€ 120,00)" in html
    assert "+€ 1.440,00" in html  # the 12-month effect
    assert "9%" in html  # the newcomers one can lose before the raise earns nothing: 120 / 1315
    assert 'name="amount_cents" value="131500"' in html and 'value="09-03-2026"' in html
    table = html.split('<table class="table fill-table">')[1].split("</table>")[0]
    assert ">5 jan<" in table and ">23 feb<" in table
    rows = {r.split("</th>")[0].split(">")[-1]: r for r in table.split("<tr")[2:]}
    for label in ("Small group 12 weken", "Alle lessen", "Kracht &amp; conditie (di 07:00)"):
        cells = rows[label].split("<td")[1:-1]
        values = [c.split("</span>", 1)[1].split("<")[0] for c in cells]  # after the week's name for phones
        assert values == ["—", "—", "50%", "62%", "88%", "88%", "88%", "100%"], (label, values)
        assert rows[label].count("fill--full") == 4
    assert "Losse les" not in table
    coach = client_for(cast.coach).get(f"{APP}bezetting/").content.decode()
    assert "tijd voor een hogere prijs" in coach and "bezetting/prijs/" not in coach


def test_without_full_weeks_the_fill_page_says_there_is_no_advice(cast, monday):
    program = small_group(cast.studio)
    fill_weeks(weekly_class(cast.studio, program), [4, 4, 4, 4], members(cast.studio, 9))
    html = client_for(cast.owner).get(f"{APP}bezetting/").content.decode()
    assert "Geen advies op dit moment" in html and "50%" in html


def test_a_program_without_classes_of_its_own_gets_no_advice_from_the_others(cast, monday):
    full = small_group(cast.studio)
    make_program(cast.studio, format=Program.Format.SMALL_GROUP, name="Bootcamp", weeks=6)  # no classes
    people = members(cast.studio, 9)
    fill_weeks(weekly_class(cast.studio, full), [8, 8, 8, 8], people)
    fill_weeks(weekly_class(cast.studio, None, weekday=3, name="Open les"), [8, 8, 8, 8], people)
    assert [r.program for r in advice(cast.studio)] == [full]


def test_a_closed_week_neither_counts_nor_breaks_the_run_of_full_weeks(cast, monday):
    program = small_group(cast.studio)
    template = weekly_class(cast.studio, program)
    people = members(cast.studio, 9)
    for week, taken in zip(WEEKS[-5:], [8, 8, None, 8, 8], strict=True):
        if taken is not None:  # the middle week the studio was closed: no session at all
            past_week(template, week, taken, people)
    (rec,) = advice(cast.studio)
    assert rec.full_weeks == 4


def test_an_enrolment_that_starts_later_is_no_newcomer_yet(cast, monday):
    program = small_group(cast.studio)
    fill_weeks(weekly_class(cast.studio, program), [8, 8, 8, 8], members(cast.studio, 9))
    enrol_on(cast.studio, program, date(2026, 2, 16), "Eva de Boer")
    with time_machine.travel(datetime(2026, 2, 20, 10, 0, tzinfo=UTC), tick=False):
        from vollegym.programs.services import enrolment_create

        enrolment_create(
            lead=make_lead(cast.studio, "Tom Bakker"), program=program, starts_on=date(2026, 3, 9), by=None
        )
    (rec,) = advice(cast.studio)
    assert rec.new_per_month == pytest.approx(1 / 3)
