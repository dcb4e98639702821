"""The funnel: leads of a period followed step by step from their own rows, per source, campaign, coach and month;
a lead that skipped a step counts for the steps it reached; "still a member after N days" only for members whose
day N has come; any range of days, typed the Dutch way; each table as a CSV; never another studio's leads."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from vollegym.analytics.funnel import EXPLAINED, STAYED_EXPLAINED, STEPS, funnel
from vollegym.core.testing import Cast, client_for, make_lead
from vollegym.intake.models import Booking, ConsultationType, IntakeResponse
from vollegym.intake.selectors import current_version
from vollegym.intake.services import questionnaire_install
from vollegym.leads.models import Lead
from vollegym.programs.services import enrolment_create
from vollegym.programs.tests.test_prices_and_enrolment import make_program

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 4, 11, 0, tzinfo=UTC)
DAY = date(2026, 6, 1)


def at(day: date, minutes: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, 8, 0, tzinfo=UTC) + timedelta(minutes=minutes)


def conversation(cast: Cast, lead: Lead, *, showed: bool) -> Booking:
    kind, _new = ConsultationType.objects.for_studio(cast.studio).get_or_create(
        studio=cast.studio, name="Kennismaking"
    )
    starts = at(DAY, 60 * 24)
    return Booking.objects.create(
        studio=cast.studio, lead=lead, person=lead.person, kind=kind, coach=cast.coach, starts_at=starts,
        ends_at=starts + timedelta(minutes=30), created_at=at(DAY, 30),
        status=Booking.Status.SHOWED if showed else Booking.Status.NO_SHOW,
    )  # fmt: skip


def intake_done(cast: Cast, lead: Lead) -> None:
    questionnaire_install(studio=cast.studio, kind="small_group")
    version = current_version(cast.studio)
    assert version is not None
    IntakeResponse.objects.create(
        studio=cast.studio, lead=lead, person=lead.person, version=version, completed_at=at(DAY, 20)
    )


@pytest.fixture
def paths(cast: Cast) -> dict[str, Lead]:
    """Three leads in June: one all the way to a member who stayed, one without an intake who did not show, one
    nobody reached; one lead in May, and one of another studio."""
    whole = make_lead(cast.studio, name="Eva Heel", email="eva@example.nl", source="website", created_at=at(DAY),
                      first_contact_at=at(DAY, 10), assigned_to=cast.coach, stage="won")  # fmt: skip
    intake_done(cast, whole)
    conversation(cast, whole, showed=True)
    program = make_program(cast.studio, weeks=12)
    with time_machine.travel(at(DAY + timedelta(days=2)), tick=False):
        enrolment_create(lead=whole, program=program, starts_on=DAY + timedelta(days=2), by=None)
    skipped = make_lead(cast.studio, name="Noor Overslaan", source="meta", campaign="Najaar 40+",
                        created_at=at(DAY, 5), first_contact_at=at(DAY, 35))  # fmt: skip
    conversation(cast, skipped, showed=False)
    make_lead(cast.studio, name="Tim Stil", source="meta", campaign="Najaar 40+", created_at=at(DAY, 9))
    make_lead(cast.studio, name="Mei Eerder", created_at=at(date(2026, 5, 20)))
    make_lead(cast.other_studio, name="Xander Elders", created_at=at(DAY))
    return {"whole": whole, "skipped": skipped}


def june(cast: Cast):
    with time_machine.travel(NOW, tick=False):
        return funnel(cast.studio, first_day=date(2026, 6, 1), last_day=date(2026, 6, 30))


def test_each_lead_counts_for_the_steps_it_reached(cast: Cast, paths) -> None:
    total = june(cast).total
    assert {c.key: c.count for c in total.cells} == {
        "lead": 3, "contacted": 2, "intake": 1, "booked": 2, "showed": 1, "won": 1,
    }  # fmt: skip
    cells = {c.key: c for c in total.cells}
    assert cells["contacted"].of_leads == 67 and cells["contacted"].from_before == 67
    # Noor booked without an intake: of the one with an intake, one went on (100%), not "two of one".
    assert cells["booked"].from_before == 100
    assert cells["showed"].from_before == 50
    assert cells["contacted"].median == 20 * 60  # 10 and 30 minutes


def test_still_a_member_counts_only_days_that_came(cast: Cast, paths) -> None:
    stayed = {days: (share, known) for days, share, known in june(cast).total.stayed_cells}
    assert stayed[30] == (100, 1)
    assert stayed[90] == (0, 1)  # twelve weeks from 3 June end before day 90 (1 September)
    assert stayed[180] == (None, 0)  # 30 November has not come on 4 November


def test_per_source_campaign_coach_and_month(cast: Cast, paths) -> None:
    found = june(cast)
    sources = {row.label: row.count("lead") for row in found.groups["bron"]}
    assert sources == {"Meta (Facebook/Instagram)": 2, "Website": 1}
    campaigns = {row.label: row.count("won") for row in found.groups["campagne"]}
    assert campaigns == {"Najaar 40+": 0, "(geen campagne)": 1}
    coaches = {row.label: row.count("lead") for row in found.groups["coach"]}
    assert coaches == {"(niemand)": 2, cast.coach.get_short_name(): 1}
    assert [row.label for row in found.groups["maand"]] == ["juni 2026"]


def test_the_page_a_range_and_each_table_as_csv(cast: Cast, paths) -> None:
    client = client_for(cast.owner)
    base = f"/app/{cast.studio.slug}/cijfers/funnel/"
    with time_machine.travel(NOW, tick=False):
        page = client.get(base, {"van": "1-6-2026", "tot": "30-6-2026"})
        default = client.get(base)
        csv = client.get(base, {"van": "1-6-2026", "tot": "30-6-2026", "csv": "bron"})
        total = client.get(base, {"van": "1-6-2026", "tot": "30-6-2026", "csv": "totaal"})
        unknown = client.get(base, {"csv": "../../etc"})
    html = page.content.decode()
    assert page.status_code == 200 and "Najaar 40+" in html and "Mei Eerder" not in html
    assert "1 juni 2026 tot en met 30 juni 2026" in html
    assert "december 2025" in default.content.decode()  # the last twelve months by default
    assert csv["Content-Type"].startswith("text/csv")
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Bron;Lead;Lead %;")
    assert lines[1].startswith("Meta (Facebook/Instagram);2;100;;")
    assert total.content.decode("utf-8-sig").splitlines()[1].startswith("Alle leads;3;")
    assert unknown.status_code == 404


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"van": "31-6-2026"}, "Vul een datum in als dd-mm-jjjj"),
        ({"van": "1-7-2026", "tot": "1-6-2026"}, "De eerste dag ligt na de laatste"),
        ({"van": "1-1-2020", "tot": "1-1-2026"}, "Kies hoogstens drie jaar"),
        ({"van": "1-1-99999"}, "Vul een datum in als dd-mm-jjjj"),
        ({"van": "1-6-2026\x00"}, "Vul een datum in als dd-mm-jjjj"),
    ],
)
def test_a_bad_range_says_why_in_dutch_and_shows_the_default(cast: Cast, query, message) -> None:
    with time_machine.travel(NOW, tick=False):
        response = client_for(cast.owner).get(f"/app/{cast.studio.slug}/cijfers/funnel/", query)
        download = client_for(cast.owner).get(
            f"/app/{cast.studio.slug}/cijfers/funnel/", {**query, "csv": "bron"}
        )
    assert response.status_code == 200 and message in response.content.decode()
    assert not download["Content-Type"].startswith("text/csv")  # no file for a range that is not one


def test_another_studio_gets_404(cast: Cast) -> None:
    assert client_for(cast.outsider).get(f"/app/{cast.studio.slug}/cijfers/funnel/").status_code == 404


def test_each_step_opens_what_it_counts_the_days_and_how_shares_are_taken(cast: Cast, paths) -> None:
    with time_machine.travel(NOW, tick=False):
        html = (
            client_for(cast.owner)
            .get(f"/app/{cast.studio.slug}/cijfers/funnel/", {"van": "1-6-2026", "tot": "30-6-2026"})
            .content.decode()
        )
    for key, label in STEPS:
        assert f"<summary>{label}</summary><p>{EXPLAINED[key]}" in html, key
    assert html.count("van 1 juni 2026 tot en met 30 juni 2026, ook als de stap zelf later viel") == len(
        STEPS
    )
    assert html.count("“van de stap ervoor” is het deel") == len(STEPS) - 1
    assert str(STAYED_EXPLAINED) in html


def test_a_lead_that_filled_in_the_intake_before_the_first_answer_adds_no_time_to_that_step(
    cast: Cast, paths
) -> None:
    """Eva answered after 10 minutes and filled in the intake after 20; Fleur filled it in after 20 minutes but was
    answered only after an hour: she went on to the intake, but "minus forty minutes" is no time the step took."""
    early = make_lead(cast.studio, name="Fleur Vroeg", email="fleur@example.nl", created_at=at(DAY),
                      first_contact_at=at(DAY, 60))  # fmt: skip
    intake_done(cast, early)
    total = june(cast).total
    cells = {c.key: c for c in total.cells}
    assert cells["intake"].count == 2 and total.went_on["intake"] == 2
    assert cells["intake"].median == 10 * 60  # Eva's ten minutes only
    assert cells["contacted"].median == 30 * 60  # 10, 30 and 60 minutes


def test_the_funnel_takes_the_same_queries_for_three_leads_or_thirty(cast: Cast, paths) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            june(cast)
        return len(queries)

    few = count()
    for n in range(27):
        lead = make_lead(cast.studio, name=f"Lead {n}", email=f"lead{n}@example.nl", created_at=at(DAY, n),
                         first_contact_at=at(DAY, n + 3), assigned_to=cast.coach if n % 2 else None)  # fmt: skip
        if n % 3 == 0:
            conversation(cast, lead, showed=n % 2 == 0)
    assert count() == few
