"""The owner's overview: the work waiting as counts that lead to it (nothing shown that is not waiting), and last
week's figures against the average of the four weeks before, on the studio's calendar weeks; never another studio's
rows."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine

from vollegym.analytics.overview import Figure, figures_of, todos_of, weeks_back
from vollegym.core.testing import Cast, client_for, make_lead
from vollegym.programs.models import Enrolment
from vollegym.programs.services import enrolment_create
from vollegym.programs.tests.test_prices_and_enrolment import make_program

pytestmark = pytest.mark.django_db

# Wednesday 4 November 2026, noon; the last complete week is Monday 26 October to Sunday 1 November, and the
# clocks went back on 25 October, inside the weeks before.
NOW = datetime(2026, 11, 4, 11, 0, tzinfo=UTC)
LAST_MONDAY = date(2026, 10, 26)


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def lead_in(cast: Cast, day: date, *, answered_after: timedelta | None = None, studio=None) -> None:
    created = at(day)
    make_lead(
        studio or cast.studio, name=f"Lead {day}", created_at=created,
        first_contact_at=created + answered_after if answered_after is not None else None,
    )  # fmt: skip


def figures(cast: Cast) -> dict[str, Figure]:
    with time_machine.travel(NOW, tick=False):
        return {f.key: f for f in figures_of(cast.studio, weeks_back(cast.studio))}


def test_the_weeks_are_the_last_five_complete_calendar_weeks_on_the_studios_clock(cast: Cast) -> None:
    with time_machine.travel(NOW, tick=False):
        weeks = weeks_back(cast.studio)
    assert [w.monday for w in weeks] == [LAST_MONDAY - timedelta(weeks=n) for n in (4, 3, 2, 1, 0)]
    # Monday 00:00 in Amsterdam: summer time before 25 October, winter time after.
    assert weeks[0].start == datetime(2026, 9, 27, 22, 0, tzinfo=UTC)
    assert weeks[-1].start == datetime(2026, 10, 25, 23, 0, tzinfo=UTC)
    assert weeks[-1].end == datetime(2026, 11, 1, 23, 0, tzinfo=UTC)


def test_last_weeks_leads_and_speed_set_against_the_four_weeks_before(cast: Cast) -> None:
    for n in range(1, 5):  # two leads in each week before, answered in an hour
        for _ in range(2):
            lead_in(cast, LAST_MONDAY - timedelta(weeks=n), answered_after=timedelta(hours=1))
    lead_in(cast, LAST_MONDAY, answered_after=timedelta(minutes=10))
    lead_in(cast, LAST_MONDAY + timedelta(days=2), answered_after=timedelta(minutes=30))
    lead_in(cast, LAST_MONDAY + timedelta(days=6))  # not answered: no time of its own
    lead_in(cast, LAST_MONDAY + timedelta(days=7))  # this week: not in last week's figures
    lead_in(cast, LAST_MONDAY, studio=cast.other_studio)
    found = figures(cast)
    leads, speed = found["leads"], found["speed"]
    assert (leads.week, leads.before, leads.shown, leads.change, leads.better) == (3, 2, "3", "up", True)
    assert (speed.week, speed.shown, speed.shown_before) == (1200, "20 min", "1,0 uur")
    assert speed.change == "down" and speed.better is True  # faster is better


def test_members_active_left_and_sold(cast: Cast) -> None:
    program = make_program(cast.studio, weeks=4, price_cents=50000)
    stays = make_lead(cast.studio, name="Eva Blijft", email="eva@example.nl", stage="won")
    goes = make_lead(cast.studio, name="Tom Gaat", email="tom@example.nl", stage="won")
    with time_machine.travel(at(LAST_MONDAY - timedelta(weeks=3)), tick=False):
        enrolment_create(lead=goes, program=program, starts_on=LAST_MONDAY - timedelta(weeks=3), by=None)
    with time_machine.travel(at(LAST_MONDAY + timedelta(days=1)), tick=False):
        enrolment_create(lead=stays, program=program, starts_on=LAST_MONDAY + timedelta(days=1), by=None)
    # Tom's four weeks end on Sunday 1 November, in last week, with nothing after them.
    assert Enrolment.objects.for_studio(cast.studio).get(member__person__name="Tom Gaat").ends_on <= date(
        2026, 11, 1
    )
    found = figures(cast)
    assert found["left"].week == 1 and found["left"].better is False
    assert found["members"].week == 1 and found["members"].before == 0.25
    assert found["sold"].shown == "€ 500" and found["sold"].shown_before == "€ 125"
    # Members on each Sunday: Tom on the three Sundays he ran before last week and on his last day, 1 November;
    # Eva from last week on.
    assert (found["active"].week, found["active"].before) == (2, 0.75)


def test_the_counts_show_only_what_waits_late_first_and_lead_to_the_work(cast: Cast) -> None:
    with time_machine.travel(NOW, tick=False):
        make_lead(cast.studio, name="Late Lotte", due_at=NOW - timedelta(minutes=5))
        make_lead(cast.studio, name="Running Rik", due_at=NOW + timedelta(minutes=30))
        make_lead(cast.studio, name="Won Wim", stage="won", first_contact_at=NOW)
        todos = todos_of(cast.studio, cast.owner, "owner")
    labels = [(str(t.label), t.count) for t in todos]
    assert labels[0] == ("Leads te laat", 1)
    assert ("Leads die op antwoord wachten", 1) in labels
    assert ("Gewonnen, nog inschrijven", 1) in labels
    assert all(count > 0 for _label, count in labels)
    assert todos[0].url == f"/app/{cast.studio.slug}/vandaag/#leads"
    won = next(t for t in todos if str(t.label) == "Gewonnen, nog inschrijven")
    assert won.url == f"/app/{cast.studio.slug}/leads/?fase=won"


def test_the_page_shows_the_counts_and_figures_and_refuses_an_outsider(cast: Cast) -> None:
    lead_in(cast, LAST_MONDAY, answered_after=timedelta(minutes=10))
    with time_machine.travel(NOW, tick=False):
        page = client_for(cast.coach).get(f"/app/{cast.studio.slug}/")
        outsider = client_for(cast.outsider).get(f"/app/{cast.studio.slug}/")
    assert page.status_code == 200 and outsider.status_code == 404
    html = page.content.decode()
    assert "Vorige week (26 okt – 1 nov)" in html and "Nieuwe leads" in html and "10 min" in html
    assert "Team beheren" in html


def test_every_figure_and_count_opens_what_it_counts_and_which_days(cast: Cast) -> None:
    lead_in(cast, LAST_MONDAY, answered_after=timedelta(minutes=10))
    with time_machine.travel(NOW, tick=False):
        make_lead(cast.studio, name="Late Lotte", due_at=NOW - timedelta(minutes=5))
        todos = todos_of(cast.studio, cast.owner, "owner")
        html = client_for(cast.owner).get(f"/app/{cast.studio.slug}/").content.decode()
    found = figures(cast)
    assert all(str(todo.explained) for todo in todos)
    for figure in found.values():
        explained = str(figure.explained)
        assert explained and f"<summary>{figure.label}</summary><p>{explained.split(' (')[0]}" in html, (
            figure.key
        )
    assert html.count('<details class="figure-explain">') == len(found) == 9
    # The days: last week, and the four weeks before it.
    assert (
        "maandag 26 okt tot en met zondag 1 nov; ernaast het gemiddelde van 28 sep tot en met 25 okt" in html
    )
    assert "<summary>Wat telt hier?</summary>" in html and str(todos[0].explained) in html
