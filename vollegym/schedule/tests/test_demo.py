"""The demo's programs, members and small-group agenda: every screen tells a story on first run."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from vollegym.core import clock
from vollegym.core.appmodules import app_modules
from vollegym.core.management.commands.demo import load_demo_data
from vollegym.intake.models import IntakeResponse
from vollegym.leads.models import Lead, Stage
from vollegym.programs.demo import LEFT_TO_ENROL, MEMBERSHIP, STERK
from vollegym.programs.models import Enrolment, Member, Program, ProgramPrice
from vollegym.programs.selectors import price_in_force, ready_to_enrol
from vollegym.schedule import pricing, selectors
from vollegym.schedule.demo import CALLED_OFF, CLOSED_FOR, PAST_WEEKS
from vollegym.schedule.models import (
    ClassSession,
    ClassTemplate,
    Closure,
    FixedSlot,
    SessionBooking,
    WaitlistEntry,
)
from vollegym.schedule.services import sessions_generate
from vollegym.studios.models import Studio

pytestmark = pytest.mark.django_db

# Monday night; a Wednesday before the clocks go forward (the coming weeks cross it); after Christmas (the closed
# days lie in the past weeks); two days before Christmas (they lie ahead).
MOMENTS = [
    datetime(2026, 11, 23, 2, 5, tzinfo=UTC),
    datetime(2026, 3, 25, 14, 0, tzinfo=UTC),
    datetime(2027, 1, 8, 17, 45, tzinfo=UTC),
    datetime(2026, 12, 23, 9, 30, tzinfo=UTC),
]


def load_demo() -> Studio:
    """The demo's loads in the demo command's order: leads and intake before programs, programs before the agenda."""
    order = [module.__name__ for module in app_modules("demo")]
    assert order.index("vollegym.intake.demo") < order.index("vollegym.programs.demo")
    assert order.index("vollegym.programs.demo") < order.index("vollegym.schedule.demo")
    load_demo_data()
    return Studio.objects.get(slug="demo")


def snapshot(studio: Studio) -> dict[str, object]:
    return {
        "programs": sorted(Program.objects.for_studio(studio).values_list("pk", "name")),
        "prices": sorted(
            ProgramPrice.objects.for_studio(studio).values_list("pk", "amount_cents", "effective_from")
        ),
        "members": Member.objects.for_studio(studio).count(),
        "enrolments": sorted(
            Enrolment.objects.for_studio(studio).values_list(
                "pk", "price_cents", "sessions_used", "first_payment_paid_at"
            )
        ),
        "classes": ClassTemplate.objects.for_studio(studio).count(),
        "sessions": sorted(ClassSession.objects.for_studio(studio).values_list("pk", "status", "booked")),
        "bookings": sorted(
            SessionBooking.objects.for_studio(studio).values_list("pk", "session_id", "status")
        ),
        "waitlist": sorted(
            WaitlistEntry.objects.for_studio(studio).values_list("pk", "session_id", "status")
        ),
        "fixed": FixedSlot.objects.for_studio(studio).count(),
        "closures": Closure.objects.for_studio(studio).count(),
    }


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


@pytest.mark.parametrize(
    "moment", MOMENTS, ids=["monday-night", "before-dst", "after-christmas", "before-christmas"]
)
def test_the_demo_agenda_and_members_tell_one_story(moment):
    with time_machine.travel(moment, tick=False):
        studio = load_demo()
        now, today = clock.now(), clock.local(clock.now()).date()
        programs = {p.name: p for p in Program.objects.for_studio(studio)}
        membership, sterk = programs[MEMBERSHIP], programs[STERK]

        # Every program has two prices, and new members enrolled on both; a raise is history, none is coming.
        enrolments = list(
            Enrolment.objects.for_studio(studio).select_related("program", "price", "renewal_of")
        )
        for program in programs.values():
            prices = list(
                ProgramPrice.objects.for_studio(studio).filter(program=program).order_by("effective_from")
            )
            assert len(prices) == 2 and prices[0].amount_cents < prices[1].amount_cents
            assert prices[0].effective_from < prices[1].effective_from <= today
            assert program.created_at <= min(p.created_at for p in prices)
            assert all(clock.local(p.created_at).date() < p.effective_from for p in prices)  # set beforehand
            newcomers = Counter(
                e.price_id for e in enrolments if e.program == program and e.renewal_of is None
            )
            assert set(newcomers) == {p.pk for p in prices}, program.name
        assert ProgramPrice.objects.for_studio(studio).filter(amount_cents=13900, program=membership).exists()
        assert ProgramPrice.objects.for_studio(studio).filter(amount_cents=14900, program=membership).exists()

        # Each member got the price of the day they enrolled, and kept it: renewals included.
        for enrolment in enrolments:
            assert enrolment.price_cents == enrolment.price.amount_cents == enrolment.first_payment_cents
            assert enrolment.created_at <= now and enrolment.sessions_used <= enrolment.sessions_total
            if enrolment.renewal_of is None:
                day = clock.local(enrolment.created_at).date()
                assert enrolment.price == price_in_force(enrolment.program, day)
            else:
                assert enrolment.price_cents == enrolment.renewal_of.price_cents
                assert enrolment.starts_on == enrolment.renewal_of.ends_on + timedelta(days=1)
        running = [e for e in enrolments if e.status == "active" and e.starts_on <= today <= e.ends_on]
        kept = Counter(e.price_cents for e in running if e.program == membership)
        assert kept[13900] >= 5 and kept[14900] >= 5, kept  # members from before the raise still pay € 139
        assert any(e.renewal_of is not None for e in enrolments if e.program != membership)

        # Won leads are members, but for the latest few; a few recent first payments are still open.
        members = list(Member.objects.for_studio(studio))
        won = Lead.objects.for_studio(studio).filter(stage=Stage.WON).count()
        assert len(ready_to_enrol(studio)) == LEFT_TO_ENROL
        assert sum(m.lead_id is not None for m in members) == won - LEFT_TO_ENROL
        unpaid = [e for e in enrolments if e.first_payment_paid_at is None and e.first_payment_due <= today]
        assert 1 <= len(unpaid) <= 4
        assert all(e.first_payment_due >= today - timedelta(days=30) for e in unpaid)
        assert all(e.first_payment_paid_at is None or e.first_payment_paid_at <= now for e in enrolments)

        # About fourteen classes a week, at their local time, with the demo's coaches and linked to a group program.
        classes = list(ClassTemplate.objects.for_studio(studio).select_related("program"))
        assert len(classes) == 14
        assert {c.program.name for c in classes if c.program} == {MEMBERSHIP, STERK}
        assert all(6 <= c.capacity <= 10 and c.coach_id and c.room for c in classes)
        sessions = list(ClassSession.objects.for_studio(studio).select_related("template"))
        for session in sessions:
            local = clock.local(session.starts_at)
            assert (local.weekday(), local.time()) == (session.template.weekday, session.template.starts)
        per_week = Counter(_monday(clock.local(s.starts_at).date()) for s in sessions)
        first, this = min(per_week), _monday(today)
        assert first == this - timedelta(weeks=PAST_WEEKS)
        closed = {date(today.year - 1, 12, 25), date(today.year - 1, 12, 26)} | {
            date(today.year, 12, 25),
            date(today.year, 12, 26),
        }
        for monday, count in per_week.items():
            if monday < this and not any(monday <= d < monday + timedelta(weeks=1) for d in closed):
                assert count == 14, monday

        # The counter is the mats held, within capacity; a called-off session holds none.
        held: Counter[int] = Counter()
        bookings = list(
            SessionBooking.objects.for_studio(studio).select_related("session", "session__template")
        )
        for booking in bookings:
            if booking.status in SessionBooking.HOLDS_A_MAT:
                held[booking.session_id] += 1
        for session in sessions:
            assert session.booked == held[session.pk] <= session.capacity
            if session.status == ClassSession.Status.CANCELLED:
                assert session.booked == 0 and session.cancel_reason in (CLOSED_FOR, CALLED_OFF)
        called_off = [s for s in sessions if s.status == ClassSession.Status.CANCELLED]
        assert any(s.cancel_reason == CALLED_OFF for s in called_off)
        for session in called_off:
            if session.cancel_reason == CLOSED_FOR:
                assert clock.local(session.starts_at).date() in closed
        assert Closure.objects.for_studio(studio).filter(first_day=date(today.year, 12, 25)).exists()
        if moment.month in (12, 1):
            assert any(s.cancel_reason == CLOSED_FOR for s in called_off)

        # The past: who came was marked; mostly came, some did not.
        ended = [b for b in bookings if b.session.ends_at <= now and b.status != "cancelled"]
        assert ended and not [b for b in ended if b.status == "booked"]
        statuses = Counter(b.status for b in ended)
        assert statuses["no_show"] > 0 and statuses["attended"] > 0.85 * len(ended)

        # Fill over the last weeks: mostly 70–100% per class, a quieter class, and the membership full enough
        # for a raise; "Sterk in 8 weken" has room and gets no advice.
        _overall, per_class, per_program = selectors.fill_rates(studio, weeks=8)
        rates = [rate for fill in per_class for _w, rate in fill.weeks if rate is not None]
        assert sum(0.7 <= r <= 1.0 for r in rates) >= 0.75 * len(rates)
        assert any(r < 0.7 for r in rates) and any(r == 1.0 for r in rates)
        by_program = {fill.label: fill for fill in per_program}
        assert all(rate is not None and rate >= 0.85 for _w, rate in by_program[MEMBERSHIP].weeks[-4:])
        found, *_rest = pricing.recommendations(studio)
        assert [r.program.name for r in found] == [MEMBERSHIP]
        assert found[0].price.amount_cents == 14900 and found[0].suggested_cents == 16500
        assert found[0].new_per_month > 0

        # The coming weeks: the popular classes are full with people waiting, the quiet ones have room.
        upcoming = [s for s in sessions if s.starts_at > now and s.status == ClassSession.Status.SCHEDULED]
        assert upcoming and max(s.starts_at for s in upcoming) <= now + timedelta(weeks=4, days=1)
        waiting = list(WaitlistEntry.objects.for_studio(studio).filter(status=WaitlistEntry.Status.WAITING))
        lines = Counter(entry.session_id for entry in waiting)
        full = [s for s in upcoming if s.booked == s.capacity]
        assert len([s for s in full if lines[s.pk]]) >= 4
        by_pk = {s.pk: s for s in sessions}
        for entry in waiting:
            session = by_pk[entry.session_id]
            assert session.starts_at > now and session.booked == session.capacity
            assert entry.created_at <= now
            assert (
                not SessionBooking.objects.for_studio(studio)
                .filter(session=session, member_id=entry.member_id, status__in=SessionBooking.HOLDS_A_MAT)
                .exists()
            )
        assert WaitlistEntry.objects.for_studio(studio).filter(status=WaitlistEntry.Status.PROMOTED).exists()

        # Whoever held or holds a mat, or waits for one, is enrolled in that class's program on its day.
        runs: defaultdict[tuple[int, int | None], list[Enrolment]] = defaultdict(list)
        for enrolment in enrolments:
            if enrolment.status == "active":
                runs[(enrolment.member_id, enrolment.program_id)].append(enrolment)

        def enrolled(member_id: int, session: ClassSession) -> bool:
            day = clock.local(session.starts_at).date()
            mine = runs[(member_id, session.template.program_id)]
            return any(e.starts_on <= day <= e.ends_on for e in mine)

        for booking in bookings:
            if booking.status in SessionBooking.HOLDS_A_MAT:
                assert enrolled(booking.member_id, booking.session)
            assert booking.created_at <= now
            assert booking.cancelled_at is None or booking.created_at <= booking.cancelled_at <= now
        assert all(enrolled(entry.member_id, by_pk[entry.session_id]) for entry in waiting)
        ahead = [b for b in bookings if b.session.starts_at > now and b.status == "booked"]
        assert all(b.session.template.program_id for b in ahead)

        # Many members have their fixed place, booked in every coming session of it.
        slots = list(
            FixedSlot.objects.for_studio(studio).filter(last_day__gte=today).select_related("template")
        )
        assert len({slot.member_id for slot in slots}) >= 30
        for slot in slots:  # for the length of the member's enrolment, as the back office gives it
            assert any(e.ends_on == slot.last_day for e in runs[(slot.member_id, slot.template.program_id)])

        # The open-spots board: sessions with room, matched to open leads whose intake week fits.
        spots = selectors.open_spots(studio)
        assert len(spots) >= 10
        matched = [spot for spot in spots if spot.leads]
        assert matched, "no open spot matches an open lead's week"
        for spot in matched:
            key = selectors.availability_key(spot.session.starts_at, clock.AMSTERDAM)
            for lead in spot.leads:
                assert lead.stage not in (Stage.WON, Stage.LOST)
                answers = (
                    IntakeResponse.objects.for_studio(studio)
                    .filter(lead=lead)
                    .values_list("answers", flat=True)
                )
                assert any(key in a.get("availability", []) for a in answers)
        assert any(spot.session.template.program == sterk for spot in spots)

        # The trainings used on a group enrolment are the visits the agenda counted.
        attended = defaultdict(list)
        for booking in bookings:
            if booking.status == "attended":
                attended[booking.member_id].append(clock.local(booking.session.starts_at).date())
        group_runs = [
            e for e in enrolments
            if e.program in (membership, sterk) and e.starts_on >= first and e.starts_on <= today
        ]  # fmt: skip
        assert group_runs
        for enrolment in group_runs:
            came = sum(enrolment.starts_on <= d <= enrolment.ends_on for d in attended[enrolment.member_id])
            assert enrolment.sessions_used == min(came, enrolment.sessions_total)

        # The worker's sweep right after the demo finds the coming weeks complete: nothing to add or book.
        before = snapshot(studio)
        assert sessions_generate(studio=studio) == 0
        assert snapshot(studio) == before


def test_loading_the_demo_again_changes_nothing():
    with time_machine.travel(MOMENTS[0], tick=False):
        studio = load_demo()
        before = snapshot(studio)
        load_demo_data()
        assert snapshot(studio) == before
        assert before["sessions"] and before["bookings"] and before["waitlist"] and before["enrolments"]
