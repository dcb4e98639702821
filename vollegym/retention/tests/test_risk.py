"""Churn risk on held-out member histories at a fixed moment: who ranks above whom, and why, in words."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vollegym.programs.models import Enrolment
from vollegym.programs.services import enrolment_renew
from vollegym.retention.models import Rating
from vollegym.retention.risk import (
    THRESHOLD,
    BookingFact,
    History,
    RunFact,
    risk_of,
)
from vollegym.retention.risk_selectors import risk_calls_for, risk_for, risk_rows
from vollegym.retention.tests.risk_kit import (
    CANCELLED,
    NO_SHOW,
    NOW,
    START,
    fading,
    member_in,
    mondays_and_thursdays,
    program,
    sessions,
    steady,
)

pytestmark = pytest.mark.django_db


def test_a_fading_member_ranks_above_a_steady_one_with_the_reasons_in_words(cast):
    group = program(cast.studio, "Small group")
    anna, _ = member_in(cast.studio, "Anna Steady", group)
    bram, _ = member_in(cast.studio, "Bram Fading", group)
    steady(anna)
    fading(bram)

    rows = risk_rows(cast.studio, as_of=NOW, at_risk_only=False)

    assert [row.member.pk for row in rows] == [bram.pk]  # the steady member has nothing against her
    assert rows[0].risk.at_risk and rows[0].score >= THRESHOLD
    assert rows[0].reasons == [
        "Kwam de laatste 21 dagen niet; normaal 2 keer per week",
        "2 van de laatste 4 geboekte lessen gemist",
        # Monday 16 February's session at 07:00 is in the four weeks before "the last four" (from 09:00 that day).
        "2 bezoeken in de laatste 4 weken; daarvoor gemiddeld 8 per 4 weken",
    ]
    assert risk_for(anna, as_of=NOW).score == 0
    assert [row.member for row in risk_calls_for(cast.studio, as_of=NOW)] == [bram]


def test_a_member_who_comes_less_ranks_between_the_steady_and_the_gone(cast):
    group = program(cast.studio, "Small group")
    anna, _ = member_in(cast.studio, "Anna Steady", group)
    cees, _ = member_in(cast.studio, "Cees Minder", group)
    bram, _ = member_in(cast.studio, "Bram Fading", group)
    steady(anna)
    fading(bram)
    # Twice a week until mid-February, then once a week (Mondays), last on 9 March.
    days = mondays_and_thursdays(START, date(2026, 2, 12))
    days += [date(2026, 2, 16), date(2026, 2, 23), date(2026, 3, 2), date(2026, 3, 9)]
    sessions(cees, days)

    rows = risk_rows(cast.studio, as_of=NOW, at_risk_only=False)

    assert [row.member.pk for row in rows] == [bram.pk, cees.pk]
    assert rows[0].score > rows[1].score > 0
    assert rows[1].reasons == ["3 bezoeken in de laatste 4 weken; daarvoor gemiddeld 8 per 4 weken"]
    assert not rows[1].risk.at_risk


def test_a_member_who_skips_their_first_weeks_is_flagged_for_activation(cast):
    group = program(cast.studio, "Small group")
    new_start = date(2026, 3, 2)
    eva, _ = member_in(cast.studio, "Eva Nieuw", group, starts_on=new_start)
    fien, _ = member_in(cast.studio, "Fien Nieuw", group, starts_on=new_start)
    sessions(fien, mondays_and_thursdays(new_start, date(2026, 3, 12)))

    eva_risk, fien_risk = risk_for(eva, as_of=NOW), risk_for(fien, as_of=NOW)

    assert eva_risk.reasons == ["Activatie dag 14: 0 van de 4 geplande trainingen"]
    assert eva_risk.at_risk
    assert fien_risk.score == 0
    # Too early to tell on day 7; behind on day 10.
    assert risk_for(eva, as_of=NOW - timedelta(days=7)).score == 0
    assert risk_for(eva, as_of=NOW - timedelta(days=4)).reasons == [
        "Activatie dag 10: 0 van de 3 geplande trainingen"
    ]
    assert [row.member for row in risk_calls_for(cast.studio, as_of=NOW)] == [eva]


def test_personal_training_members_are_not_flagged_on_attendance_and_the_risk_says_so(cast):
    pt = program(cast.studio, "Transformatie 12 weken", format="pt", weeks=12)
    gijs, enrolment = member_in(cast.studio, "Gijs PT", pt)  # no sessions in the agenda, ten weeks in

    risk = risk_for(gijs, as_of=NOW - timedelta(days=21))
    assert risk.score == 0 and not risk.signals
    assert risk.notes == (
        "De studio legt personal training niet vast onder Rooster → PT: bezoeken tellen hier niet mee, alleen de "
        "andere signalen.",
    )
    # Thirteen days before the end, without a renewal: the run's end is the only reason.
    ending = risk_for(gijs, as_of=NOW)
    assert ending.reasons == ["Transformatie 12 weken eindigt over 13 dagen; nog geen verlenging"]
    assert ending.at_risk and ending.notes == risk.notes

    with time_machine.travel(NOW, tick=False):
        enrolment_renew(enrolment=enrolment, by=cast.owner)
    assert risk_for(gijs, as_of=NOW + timedelta(minutes=1)).score == 0
    # Read as of before the renewal was made, the renewal is not there yet: the rule reads only the past.
    assert risk_for(gijs, as_of=NOW - timedelta(minutes=1)).reasons == ending.reasons


def test_a_low_rating_is_a_reason_until_a_better_answer_replaces_it(cast):
    group = program(cast.studio, "Small group")
    hans, enrolment = member_in(cast.studio, "Hans Cijfer", group)
    steady(hans)
    rating = Rating.objects.create(
        studio=cast.studio, member=hans, person_id=hans.person_id, enrolment=enrolment, moment="day_30",
        asked_at=NOW - timedelta(days=5), score=5, answered_at=NOW - timedelta(days=4),
    )  # fmt: skip

    assert risk_for(hans, as_of=NOW).reasons == ["Gaf een 5 op dag 30"]
    assert risk_for(hans, as_of=NOW - timedelta(days=5)).score == 0  # not answered yet then

    Rating.objects.for_studio(cast.studio).filter(pk=rating.pk).update(score=9)
    assert risk_for(hans, as_of=NOW).score == 0


def test_an_open_first_payment_is_a_reason_a_week_after_it_was_due(cast):
    group = program(cast.studio, "Small group")
    ines, _ = member_in(cast.studio, "Ines Betaalt", group, starts_on=date(2026, 3, 2), paid=False)
    sessions(ines, mondays_and_thursdays(date(2026, 3, 2), date(2026, 3, 12)))

    assert risk_for(ines, as_of=NOW - timedelta(days=8)).score == 0
    assert risk_for(ines, as_of=NOW).reasons == ["Eerste betaling van Small group staat 14 dagen open"]


def test_a_member_whose_run_has_ended_has_no_risk_and_is_not_on_the_list(cast):
    sterk = program(cast.studio, "Sterk in 8 weken", weeks=8)
    jan, _ = member_in(cast.studio, "Jan Klaar", sterk)
    sessions(jan, mondays_and_thursdays(START, date(2026, 2, 26)))

    assert risk_for(jan, as_of=NOW).score == 0  # ended on 1 March
    assert risk_rows(cast.studio, as_of=NOW, at_risk_only=False) == []
    before_end = risk_for(jan, as_of=datetime(2026, 2, 16, 8, tzinfo=UTC))
    assert before_end.reasons == ["Sterk in 8 weken eindigt over 13 dagen; nog geen verlenging"]


def test_the_list_of_a_whole_studio_takes_the_same_few_queries_for_3_members_as_for_30(
    cast, django_assert_max_num_queries
):
    group = program(cast.studio, "Small group")
    members = [member_in(cast.studio, f"Lid{n} Test", group)[0] for n in range(30)]
    for n, member in enumerate(members):
        sessions(member, mondays_and_thursdays(START, date(2026, 3, 12) - timedelta(days=4 * (n % 6))))

    def count(coach=None) -> int:
        with CaptureQueriesContext(connection) as queries:
            risk_rows(cast.studio, coach=coach, as_of=NOW)
        return len(queries)

    everyone = count()
    Enrolment.objects.for_studio(cast.studio).filter(member__in=members[3:]).update(status="stopped")
    assert count() == everyone
    with django_assert_max_num_queries(9):  # with the missed payments
        rows = risk_rows(cast.studio, as_of=NOW, at_risk_only=False)
    assert rows and all(row.score > 0 for row in rows)


# ---- the rule on its own, without a database ------------------------------------------------------------------


BASE_RUN = RunFact(
    pk=1, program="Small group", format="small_group", kind="membership", sessions_per_week=2, starts_on=START,
    ends_on=START + timedelta(weeks=26), created_at=datetime(2026, 1, 1, tzinfo=UTC),
)  # fmt: skip


def _run(**fields: Any) -> RunFact:
    return replace(BASE_RUN, **fields)


def _at(day: date, hour: int = 6) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def test_the_rule_reads_nothing_after_its_moment():
    visits = [BookingFact(_at(day), True) for day in mondays_and_thursdays(START, date(2026, 3, 12))]
    history = History(1, [_run()], visits)
    as_of = _at(date(2026, 3, 16), 8)
    assert risk_of(history, as_of).score == 0
    # The same history read three weeks later: the last three weeks are a gap now.
    later = risk_of(history, as_of + timedelta(days=21))
    assert (
        later.codes[0] == "gap"
        and later.reasons[0] == "Kwam de laatste 25 dagen niet; normaal 2 keer per week"
    )
    # A run made after the moment does not exist at the moment.
    assert risk_of(History(2, [_run(created_at=as_of + timedelta(hours=1))]), as_of).score == 0


def test_a_once_a_week_member_is_not_flagged_after_eight_days_but_a_twice_a_week_member_is_noticed():
    weekly = [BookingFact(_at(START + timedelta(weeks=n)), True) for n in range(10)]  # last on 9 March
    as_of = _at(date(2026, 3, 17), 8)  # eight days after
    once = risk_of(History(1, [_run(sessions_per_week=1)], weekly), as_of)
    assert "gap" not in once.codes and not once.at_risk
    twice = [BookingFact(_at(day), True) for day in mondays_and_thursdays(START, date(2026, 3, 9))]
    noticed = risk_of(History(2, [_run()], twice), as_of)
    assert noticed.reasons[0] == "Kwam de laatste 8 dagen niet; normaal 2 keer per week"


def test_missed_sessions_count_among_the_last_four_booked():
    days = mondays_and_thursdays(START, date(2026, 3, 12))
    friday = _at(date(2026, 3, 13), 8)
    booked = [BookingFact(_at(day), day not in (date(2026, 3, 5), date(2026, 3, 12))) for day in days]
    assert risk_of(History(1, [_run()], booked), friday).reasons == [
        "2 van de laatste 4 geboekte lessen gemist"
    ]
    one = [BookingFact(_at(day), day != date(2026, 3, 12)) for day in days]
    single = risk_of(History(1, [_run()], one), friday)
    assert single.reasons == ["1 van de laatste 4 geboekte lessen gemist"] and not single.at_risk


def test_a_place_cancelled_in_time_is_not_a_missed_session(cast):
    group = program(cast.studio, "Small group")
    kees, _ = member_in(cast.studio, "Kees Afmelder", group)
    lies, _ = member_in(cast.studio, "Lies Vergeet", group)
    for member in (kees, lies):
        steady(member, until=date(2026, 3, 9))
    sessions(kees, [date(2026, 3, 12)], CANCELLED)
    sessions(lies, [date(2026, 3, 12)], NO_SHOW)
    friday = datetime(2026, 3, 13, 8, tzinfo=UTC)
    assert risk_for(kees, as_of=friday).score == 0
    assert risk_for(lies, as_of=friday).reasons == ["1 van de laatste 4 geboekte lessen gemist"]


def test_a_renewal_conversation_agreed_takes_away_the_runs_end_as_a_reason(cast):
    from vollegym.programs.models import RenewalTalk

    sterk = program(cast.studio, "Sterk in 8 weken", weeks=8)
    jan, enrolment = member_in(cast.studio, "Jan Verlengt", sterk)
    sessions(jan, mondays_and_thursdays(START, date(2026, 2, 26)))
    moment = datetime(2026, 2, 16, 8, tzinfo=UTC)
    assert risk_for(jan, as_of=moment).reasons == [
        "Sterk in 8 weken eindigt over 13 dagen; nog geen verlenging"
    ]
    talk = RenewalTalk.objects.create(
        studio=cast.studio, enrolment=enrolment, member=jan, due_on=date(2026, 2, 15),
        created_at=moment - timedelta(days=1),
    )  # fmt: skip
    assert risk_for(jan, as_of=moment).reasons == [
        "Sterk in 8 weken eindigt over 13 dagen; nog geen verlenging"
    ]
    RenewalTalk.objects.for_studio(cast.studio).filter(pk=talk.pk).update(
        planned_at=moment + timedelta(days=2)
    )
    assert (
        risk_for(jan, as_of=moment).reasons == []
    )  # a conversation is agreed: the end is being talked about
