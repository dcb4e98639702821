"""A member whose runs ended is enrolled again from their own page, through the enrolment service, at the price
of today (the one they had is history)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import time_machine

from vollegym.core.testing import assert_other_studio_gets_404, client_for, make_member
from vollegym.leads.models import Activity
from vollegym.programs.models import Enrolment, Member, Program
from vollegym.programs.services import enrolment_create, program_price_set
from vollegym.programs.tests.test_prices_and_enrolment import make_lead, make_program

pytestmark = pytest.mark.django_db

JUN = datetime.fromisoformat("2026-06-01T10:00:00+02:00")
DEC_1 = datetime.fromisoformat("2026-12-01T10:00:00+01:00")


def ended_member(cast) -> tuple[Member, Program]:
    """Eva did the twelve weeks from June to August at € 1.195,00; since October the program costs € 1.295,00."""
    program = make_program(cast.studio)
    with time_machine.travel(JUN, tick=False):
        run = enrolment_create(
            lead=make_lead(cast.studio), program=program, starts_on=date(2026, 6, 1), by=None
        )
        program_price_set(
            program=program, amount_cents=129500, effective_from=date(2026, 10, 1), by=cast.owner
        )
    return Member.objects.for_studio(cast.studio).get(pk=run.member_id), program


def test_an_ended_member_is_enrolled_again_from_their_page_at_todays_price(cast):
    eva, program = ended_member(cast)
    page_url = f"/app/kracht-utrecht/leden/{eva.pk}/"
    with time_machine.travel(DEC_1, tick=False):
        coach = client_for(cast.coach)
        page = coach.get(page_url).content.decode()
        assert "Opnieuw inschrijven" in page and "liep tot 23 augustus 2026" in page
        assert "Transformatie 12 weken · € 1.295,00" in page  # the choice names today's price
        response = coach.post(
            f"{page_url}opnieuw-inschrijven/",
            {
                "opnieuw-program": program.pk,
                "opnieuw-starts_on": "2026-12-07",
                "opnieuw-first_payment_due": "",
            },
        )
        assert response.status_code == 302 and response["Location"] == page_url
        page = coach.get(page_url).content.decode()
    again = Enrolment.objects.for_studio(cast.studio).filter(member=eva).order_by("-starts_on").first()
    assert again is not None and again.starts_on == date(2026, 12, 7) and again.ends_on == date(2027, 2, 28)
    assert again.price_cents == 129500 and again.renewal_of is None and again.created_by == cast.coach
    assert "is opnieuw ingeschreven: Transformatie 12 weken vanaf 07-12-2026 voor € 1.295,00" in page
    assert "Opnieuw inschrijven" not in page and "lid tot 28 februari 2027" in page
    assert Activity.objects.for_studio(cast.studio).filter(lead=eva.lead, data__enrolment=again.pk).exists()
    assert eva.lead is not None and eva.lead.stage == "won"


def test_a_walk_in_without_a_lead_is_enrolled_again_too(cast):
    program = make_program(cast.studio)
    walk_in = make_member(cast.studio, name="Joep Smit", email="joep@example.nl")
    with time_machine.travel(DEC_1, tick=False):
        response = client_for(cast.owner).post(
            f"/app/kracht-utrecht/leden/{walk_in.pk}/opnieuw-inschrijven/",
            {"opnieuw-program": program.pk, "opnieuw-starts_on": "2026-12-01"},
        )
    assert response.status_code == 302
    assert Enrolment.objects.for_studio(cast.studio).get(member=walk_in).price_cents == 119500


def test_a_start_long_ago_is_refused_on_the_page_with_its_reason(cast):
    eva, program = ended_member(cast)
    with time_machine.travel(DEC_1, tick=False):
        response = client_for(cast.owner).post(
            f"/app/kracht-utrecht/leden/{eva.pk}/opnieuw-inschrijven/",
            {"opnieuw-program": program.pk, "opnieuw-starts_on": "2026-11-01"},
        )
    assert response.status_code == 400
    assert "Een start meer dan twee weken terug kan niet" in response.content.decode()
    assert Enrolment.objects.for_studio(cast.studio).filter(member=eva).count() == 1


def test_a_running_member_gets_no_enrol_again_form_and_another_studio_gets_a_404(cast):
    program = make_program(cast.studio)
    with time_machine.travel(DEC_1, tick=False):
        run = enrolment_create(
            lead=make_lead(cast.studio), program=program, starts_on=date(2026, 12, 1), by=None
        )
        page = client_for(cast.owner).get(f"/app/kracht-utrecht/leden/{run.member_id}/").content.decode()
        assert "Opnieuw inschrijven" not in page
        assert_other_studio_gets_404(
            f"/app/kracht-utrecht/leden/{run.member_id}/opnieuw-inschrijven/", cast.outsider, method="post"
        )
    assert Enrolment.objects.for_studio(cast.studio).count() == 1
