"""The growth simulator's page: the owner and the agency see it, a coach and another studio get a 404; it reads
only the studio's own leads and members; the owner's mix is checked (hostile input gets Dutch errors and the
example mix); too little history says so."""

from __future__ import annotations

import base64
import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from vollegym.analytics import bootstrap, growth
from vollegym.analytics.growth_inputs import growth_inputs
from vollegym.analytics.simulator import Scenario
from vollegym.analytics.tests.test_money import run
from vollegym.core.testing import Cast, assert_other_studio_gets_404, client_for, make_lead, make_member
from vollegym.programs.models import Member, Program
from vollegym.programs.services import program_price_set
from vollegym.programs.tests.test_prices_and_enrolment import make_program
from vollegym.schedule.models import ClassSession, ClassTemplate, SessionBooking
from vollegym.studios.models import Studio

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 7, 15, 10, 0, tzinfo=UTC)
FIRST = date(2025, 7, 1)  # the twelve months: July 2025 to June 2026


def month(n: int, day: int = 10) -> datetime:
    return datetime(2025 + (6 + n) // 12, (6 + n) % 12 + 1, day, 9, 0, tzinfo=UTC)


def history(studio: Studio) -> Program:
    """Fourteen members of the group since last summer, some gone, most still training; and three leads a month:
    one answered within two minutes who became a member, two answered after two hours of whom none did."""
    membership = make_program(studio, name="Small group", price_cents=13900, weeks=4,
                              kind=Program.Kind.MEMBERSHIP, format=Program.Format.SMALL_GROUP)  # fmt: skip
    for i in range(14):
        member = make_member(studio, name=f"Lid {i}")
        start = date(2025, 7, 7) + timedelta(days=14 * i)
        for period in range(2 + (i % 5) * 3):
            run(studio, member, membership, start + timedelta(weeks=4 * period))
    for n in range(12):
        fast = make_lead(studio, name=f"Snel {n}", source="meta", created_at=month(n),
                         first_contact_at=month(n) + timedelta(minutes=2))  # fmt: skip
        member = Member.objects.create(studio=studio, person=fast.person, lead=fast, created_at=month(n, 12))
        run(studio, member, membership, month(n, 14).date())
        for late in range(2):
            make_lead(studio, name=f"Later {n} {late}", source="website", created_at=month(n, 3 + late),
                      first_contact_at=month(n, 3 + late) + timedelta(hours=2))  # fmt: skip
    ClassTemplate.objects.create(studio=studio, name="Kracht", program=membership, weekday=0,
                                 starts=datetime(2026, 1, 1, 19).time(), capacity=10)  # fmt: skip
    return membership


@pytest.fixture
def studio_history(cast: Cast) -> Program:
    return history(cast.studio)


def page(cast: Cast, user=None, **query: str):
    with time_machine.travel(NOW, tick=False):
        return client_for(user or cast.owner).get(f"/app/{cast.studio.slug}/cijfers/groei/", query)


def test_the_inputs_are_the_studios_own_last_twelve_months(cast: Cast, studio_history) -> None:
    # Another studio's leads and members never count.
    history(cast.other_studio)
    with time_machine.travel(datetime(2026, 5, 20, 9, 0, tzinfo=UTC), tick=False):
        program_price_set(
            program=studio_history, amount_cents=14900, effective_from=date(2026, 6, 1), by=None
        )
    with time_machine.travel(NOW, tick=False):
        inputs = growth_inputs(cast.studio)
    # Every run of the year was agreed at € 139; a new member pays € 149 today.
    assert inputs.price_index == pytest.approx(149 / 139)
    assert inputs.history.revenue_new_cents == pytest.approx(
        inputs.history.revenue_existing_cents * 149 / 139
    )
    assert (inputs.first_month, inputs.last_month) == (FIRST, date(2026, 6, 1))
    assert inputs.leads == 36
    assert inputs.fast == (12, 12) and inputs.later == (24, 0)
    assert [(s.key, s.leads, s.won) for s in inputs.sources] == [("website", 24, 0), ("meta", 12, 12)]
    assert inputs.curve_members == 26
    assert inputs.capacity.weekly_mats == 10
    history_ = inputs.history
    assert len(history_.months) == 12 and all(sum(t[0] for t in m.values()) == 3 for m in history_.months)
    # Meta converts 1 of 1 and was always answered fast: nothing to gain; the website's leads were all late.
    baseline = history_.baseline()
    meta = next(i for i in baseline.inflows if i.key == "meta")
    assert (meta.leads_per_month, meta.conversion, meta.fast_conversion) == (1, 1, 1)


def test_the_owner_sees_the_scenarios_side_by_side_and_the_rule_in_words(cast: Cast, studio_history) -> None:
    response = page(cast)
    assert response.status_code == 200
    text = response.text
    for words in ("Groeisimulator", "Zo doorgaan", "Retentie +20%", "Twee keer zoveel leads",
                  "+10% prijs voor nieuwe leden", "Elke lead binnen 5 minuten", "Jouw mix",
                  "Omzet in de eerste 12, 24 en 36 maanden", "Waar de simulator mee rekent",
                  "Op jouw cijfers levert", "trekkingen uit je eigen geschiedenis"):  # fmt: skip
        assert words in text, words
    assert "vuistregel" in text or "levert twee keer zoveel leads meer op dan 20% betere retentie" in text
    charts = re.findall(
        r'<img class="chart-image" src="data:image/svg\+xml;base64,([^"]+)" alt="([^"]+)"', text
    )
    assert [alt for _svg, alt in charts] == [
        "Omzet erbij in 36 maanden ten opzichte van zo doorgaan, met de bandbreedte",
        "Omzet per maand, per scenario",
    ]
    lines = base64.b64decode(charts[1][0]).decode()
    assert "Retentie +20%" in lines and "<script" not in lines
    assert "style=" not in text.split("<main", 1)[1]
    assert client_for(cast.agency).get(f"/app/{cast.studio.slug}/cijfers/groei/").status_code == 200


def test_a_coach_and_another_studio_get_a_404(cast: Cast, studio_history) -> None:
    assert page(cast, cast.coach).status_code == 404
    assert_other_studio_gets_404(f"/app/{cast.studio.slug}/cijfers/groei/", cast.outsider)


def test_the_owners_mix_is_counted_and_said_in_words(cast: Cast, studio_history) -> None:
    text = page(cast, retentie="20", leads="2,5", prijs="10", snel="on").text
    assert (
        "Jouw mix (retentie +20%, 2,5× leads, +10% prijs voor nieuwe leden, elke lead binnen 5 minuten)"
        in text
    )


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ({"retentie": "\x00", "leads": "1"}, "Vul een heel getal in, zoals 20."),
        ({"retentie": "9" * 5000, "leads": "1"}, "Vul een heel getal in, zoals 20."),
        ({"retentie": "99999999999999999999", "leads": "1"}, "Kies hoogstens 90."),
        ({"retentie": "10", "leads": "1e999"}, "Vul een getal in met hoogstens één cijfer achter de komma"),
        ({"retentie": "10", "leads": "NaN"}, "Vul een getal in, zoals 1,5."),
        ({"retentie": "10", "leads": "-1"}, "Minder dan geen leads kan niet"),
        ({"retentie": "10", "leads": "1,25"}, "hoogstens één cijfer achter de komma"),
        ({"retentie": "10", "leads": "1", "prijs": "-80"}, "Kies -50 of meer."),
        ({"retentie": "<script>", "leads": "1"}, "Vul een heel getal in, zoals 20."),
    ],
)
def test_hostile_mix_gets_a_dutch_error_and_the_example_mix(cast: Cast, studio_history, query, error) -> None:
    response = page(cast, **query)
    assert response.status_code == 200
    assert error in response.text
    assert "Jouw mix (retentie +10%, 1,5× leads, +5% prijs voor nieuwe leden)" in response.text
    assert "<script>" not in response.text.split("<main", 1)[1]


def test_too_little_history_is_said_not_projected(cast: Cast) -> None:
    response = page(cast)
    assert response.status_code == 200
    assert "Nog te weinig geschiedenis" in response.text
    assert "Omzet per scenario" not in response.text


def test_the_funnel_and_the_overview_link_to_it_for_the_owner_not_for_a_coach(
    cast: Cast, studio_history
) -> None:
    url = f"/app/{cast.studio.slug}/cijfers/groei/"
    with time_machine.travel(NOW, tick=False):
        owner, coach = client_for(cast.owner), client_for(cast.coach)
        assert url in owner.get(f"/app/{cast.studio.slug}/cijfers/funnel/").text
        assert url in owner.get(f"/app/{cast.studio.slug}/").text
        assert url not in coach.get(f"/app/{cast.studio.slug}/cijfers/funnel/").text
        assert url not in coach.get(f"/app/{cast.studio.slug}/").text


def test_the_places_are_the_mats_of_a_week_over_the_mats_a_member_takes(cast: Cast) -> None:
    # Four members training all along; the Monday class (10 mats) held on the 8 Mondays before this week, each
    # time booked by three of them (one cancelled booking more, which holds no mat): 24 mats taken of 80, by
    # 4 members × 8 weeks = 32 member-weeks: .75 a member a week, so 10 / .75 = 13.3 places; fill 24 / 80 = 30%.
    membership = make_program(cast.studio, name="Small group", price_cents=13900, weeks=4,
                              kind=Program.Kind.MEMBERSHIP, format=Program.Format.SMALL_GROUP)  # fmt: skip
    members = [make_member(cast.studio, name=f"Lid {i}") for i in range(4)]
    for member in members:
        for period in range(6):
            run(cast.studio, member, membership, date(2026, 4, 6) + timedelta(weeks=4 * period))
    template = ClassTemplate.objects.create(studio=cast.studio, name="Kracht", program=membership, weekday=0,
                                            starts=datetime(2026, 1, 1, 19).time(), capacity=10)  # fmt: skip
    for week in range(8):
        starts = datetime(2026, 5, 18, 17, 0, tzinfo=UTC) + timedelta(weeks=week)
        session = ClassSession.objects.create(studio=cast.studio, template=template, starts_at=starts,
                                              ends_at=starts + timedelta(hours=1), capacity=10, booked=3)  # fmt: skip
        for member in members[:3]:
            SessionBooking.objects.create(
                studio=cast.studio, session=session, member=member, person=member.person
            )
        SessionBooking.objects.create(studio=cast.studio, session=session, member=members[3],
                                      person=members[3].person, status=SessionBooking.Status.CANCELLED)  # fmt: skip
    with time_machine.travel(NOW, tick=False):
        capacity = growth_inputs(cast.studio).capacity
    assert (capacity.classes, capacity.weekly_mats) == (1, 10)
    assert capacity.mats_per_member == pytest.approx(0.75)
    assert capacity.places == pytest.approx(10 / 0.75)
    assert capacity.fill == pytest.approx(0.3)


def test_the_range_is_kept_while_the_numbers_stay_the_same_and_a_new_mix_draws_only_itself(
    cast: Cast, studio_history, monkeypatch
) -> None:
    drawn: list[list[str]] = []
    real = bootstrap.resample

    def counting(history, scenarios, **kwargs):
        drawn.append([s.key for s in scenarios])
        return real(history, scenarios, **kwargs)

    monkeypatch.setattr(growth, "resample", counting)
    with time_machine.travel(NOW, tick=False):
        first = growth.growth_report(cast.studio)
        again = growth.growth_report(cast.studio)
        growth.growth_report(cast.studio, mix=Scenario("mix", retention=0.3))
    assert drawn == [["basis", "retentie", "leads", "prijs", "snel", "mix"], ["mix"]]
    assert isinstance(first, growth.GrowthReport) and isinstance(again, growth.GrowthReport)
    assert [row.cells for row in first.rows] == [row.cells for row in again.rows]
    # What the cache holds is plain data; anything else under the key is drawn again.
    assert growth._kept("not a range") is None
