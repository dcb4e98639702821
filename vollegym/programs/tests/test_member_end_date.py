"""A member's end date is computed in one place (programs.selectors.standing_from) and reads the same on the
member's own agenda, their page in the back office and the members list: the end of the last run still going,
so a renewal already agreed counts."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import time_machine

from vollegym.core.testing import client_for
from vollegym.programs.models import Enrolment, Member
from vollegym.programs.selectors import standing_from, standing_of
from vollegym.programs.services import enrolment_create, enrolment_renew
from vollegym.programs.tests.test_prices_and_enrolment import make_lead, make_program
from vollegym.schedule.tests.test_member_area import SITE, signed_in

pytestmark = pytest.mark.django_db

# Tuesday 1 December 2026; a small-group membership runs per four weeks.
DEC_1 = datetime.fromisoformat("2026-12-01T10:00:00+01:00")


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def membership(cast):
    return make_program(
        cast.studio, name="Small group lidmaatschap", format="small_group", kind="membership", weeks=4
    )


def member_renewed(cast, membership) -> Member:
    """Ahmed: a run from 17 November to 14 December, renewed for 15 December to 11 January."""
    with time_machine.travel(DEC_1, tick=False):
        run = enrolment_create(
            lead=make_lead(cast.studio, "Ahmed de Boer"),
            program=membership,
            starts_on=date(2026, 11, 17),
            by=None,
        )
        enrolment_renew(enrolment=run, by=cast.owner)
    return Member.objects.for_studio(cast.studio).get(pk=run.member_id)


def pages(cast, member: Member) -> tuple[str, str, str]:
    with time_machine.travel(DEC_1, tick=False):
        agenda = signed_in(member).get("/s/kracht-utrecht/leden/rooster/").content.decode()
        owner = client_for(cast.owner)
        page = owner.get(f"/app/kracht-utrecht/leden/{member.pk}/").content.decode()
        listed = owner.get("/app/kracht-utrecht/leden/").content.decode()
    return agenda, page, listed


def test_a_renewed_member_is_a_member_until_the_renewal_ends_on_every_page(cast, membership):
    ahmed = member_renewed(cast, membership)
    with time_machine.travel(DEC_1, tick=False):
        standing = standing_of(ahmed)
    assert standing.run is not None and standing.run.ends_on == date(2026, 12, 14)
    assert standing.until == date(2027, 1, 11) and standing.renewed
    agenda, page, listed = pages(cast, ahmed)
    assert (
        "Small group lidmaatschap · loopt tot 11 januari 2027 (verlengd) · 0 van 8 trainingen gedaan"
        in agenda
    )
    assert "14 december" not in agenda
    assert "lid tot 11 januari 2027" in page
    assert "11 jan 2027" in listed.split("Ahmed de Boer</a>")[1].split("</tr>")[0]


def test_a_program_followed_by_a_membership_names_both_and_one_end(cast, membership):
    program = make_program(cast.studio, name="Transformatie 12 weken", format="small_group")
    lead = make_lead(cast.studio, "Eva de Boer")
    with time_machine.travel(datetime.fromisoformat("2026-09-21T10:00:00+02:00"), tick=False):
        first = enrolment_create(lead=lead, program=program, starts_on=date(2026, 9, 21), by=None)
    with time_machine.travel(DEC_1, tick=False):
        enrolment_create(lead=lead, program=membership, starts_on=date(2026, 12, 14), by=None)
    eva = Member.objects.for_studio(cast.studio).get(pk=first.member_id)
    agenda, page, _listed = pages(cast, eva)
    said = (
        "Transformatie 12 weken tot 13 december, daarna Small group lidmaatschap · loopt tot 10 januari 2027"
    )
    assert said in agenda and "lid tot 10 januari 2027" in page


def test_a_stopped_run_does_not_count_and_an_ended_member_shows_when_it_ended(cast, membership):
    ahmed = member_renewed(cast, membership)
    Enrolment.objects.for_studio(cast.studio).filter(member=ahmed, renewal_of__isnull=False).update(
        status=Enrolment.Status.STOPPED
    )
    agenda, page, _listed = pages(cast, ahmed)
    assert "loopt tot 14 december 2026 ·" in agenda and "lid tot 14 december 2026" in page
    runs = list(Enrolment.objects.for_studio(cast.studio).filter(member=ahmed))
    later = standing_from(runs, date(2027, 2, 1))
    assert later.run is None and later.until is None and later.last is not None
    assert later.last.ends_on == date(2027, 1, 11)  # the stopped renewal is still their latest run
