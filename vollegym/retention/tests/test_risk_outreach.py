"""The coaches' call list: ranked with reasons, filtered per coach, an outreach logged with its event; the report of
who was reached and who stayed; every door closed to another studio and to hostile input."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from vollegym.core.testing import assert_other_studio_gets_404, client_for, make_member
from vollegym.people.models import DomainEvent
from vollegym.people.rights import person_erase, person_export
from vollegym.programs.models import Enrolment, Member
from vollegym.programs.services import enrolment_renew
from vollegym.retention.models import Outreach
from vollegym.retention.outreach import OutreachError, outreach_log
from vollegym.retention.risk_replay import outreach_report
from vollegym.retention.tests.risk_kit import NOW, fading, member_in, program, steady

pytestmark = pytest.mark.django_db


def list_url(studio, **query) -> str:
    url = reverse("retention:risk", kwargs={"studio": studio.slug})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def log_url(studio, member_id: int) -> str:
    return reverse("retention:risk_outreach", kwargs={"studio": studio.slug, "member_id": member_id})


@pytest.fixture
def fading_two(cast):
    """Two fading members (one the coach's), one steady, all in the small group since 5 January."""
    group = program(cast.studio, "Small group")
    bram, _ = member_in(cast.studio, "Bram de Vries", group, coach=cast.coach, phone="+31612345678")
    dirk, _ = member_in(cast.studio, "Dirk Jansen", group, coach=cast.owner, phone="+31687654321")
    anna, _ = member_in(cast.studio, "Anna Smit", group, coach=cast.coach)
    fading(bram)
    fading(dirk)
    steady(anna)
    return bram, dirk, anna


def test_the_call_list_shows_each_fading_member_with_reasons_a_tel_link_and_a_form(cast, fading_two):
    bram, _dirk, _anna = fading_two
    with time_machine.travel(NOW, tick=False):
        page = client_for(cast.owner).get(list_url(cast.studio)).content.decode()
    assert "Bram de Vries" in page and "Dirk Jansen" in page and "Anna Smit" not in page
    assert "Kwam de laatste 21 dagen niet; normaal 2 keer per week" in page
    assert "2 van de laatste 4 geboekte lessen gemist" in page
    assert 'href="tel:+31612345678"' in page and "Bel 06 12345678" in page
    assert page.count('name="way"') == 2 * 4  # four ways to log, per member on the list
    assert log_url(cast.studio, bram.pk) in page


def test_a_coach_sees_their_own_members_first_and_can_ask_for_everyone(cast, fading_two):
    coach = client_for(cast.coach)
    with time_machine.travel(NOW, tick=False):
        mine = coach.get(list_url(cast.studio)).content.decode()
        everyone = coach.get(list_url(cast.studio, coach="")).content.decode()
        the_owners = coach.get(list_url(cast.studio, coach=cast.owner.pk)).content.decode()
        owner_mine = client_for(cast.owner).get(list_url(cast.studio, coach="mijn")).content.decode()
    assert "Bram de Vries" in mine and "Dirk Jansen" not in mine
    assert "Bram de Vries" in everyone and "Dirk Jansen" in everyone
    assert "Dirk Jansen" in the_owners and "Bram de Vries" not in the_owners
    assert "Dirk Jansen" in owner_mine and "Bram de Vries" not in owner_mine


def test_logging_a_call_keeps_what_the_coach_saw_writes_an_event_and_moves_the_member_down(cast, fading_two):
    bram, dirk, _anna = fading_two
    client = client_for(cast.coach)
    with time_machine.travel(NOW, tick=False):
        before = client.get(list_url(cast.studio, coach="")).content.decode()
        # Both faded alike: whoever is first on the list gets the call.
        called = bram if before.index(f'id="lid-{bram.pk}"') < before.index(f'id="lid-{dirk.pk}"') else dirk
        response = client.post(
            log_url(cast.studio, called.pk),
            {"way": "reached", "outcome": "stays", "note": "Drukke weken; komt donderdag weer.", "coach": ""},
        )
        assert response.status_code == 302
        assert response["Location"].endswith(f"?coach=#lid-{called.pk}")
        after = client.get(response["Location"]).content.decode()

    outreach = Outreach.objects.for_studio(cast.studio).get()
    assert (outreach.member_id, outreach.way, outreach.outcome, outreach.by) == (
        called.pk, "reached", "stays", cast.coach,
    )  # fmt: skip
    assert outreach.at == NOW and outreach.score >= 30
    assert "Kwam de laatste 21 dagen niet; normaal 2 keer per week" in outreach.reasons
    event = DomainEvent.objects.for_studio(cast.studio).get(kind="risk.outreach")
    assert event.person_id == called.person_id and event.payload["outreach_id"] == outreach.pk
    assert event.payload["way"] == "reached" and event.by == cast.coach
    # Reached lately: below the member nobody reached, with the call shown.
    other = dirk if called == bram else bram
    assert after.index(f'id="lid-{other.pk}"') < after.index(f'id="lid-{called.pk}"')
    assert "Gebeld en gesproken op 16 mrt" in after and "blijft trainen" in after
    assert "Drukke weken; komt donderdag weer." in after


def test_a_call_not_answered_keeps_the_member_on_top_and_says_so(cast, fading_two):
    bram, _dirk, _anna = fading_two
    with time_machine.travel(NOW, tick=False):
        outreach_log(member=bram, by=cast.coach, way="not_reached", note="Voicemail ingesproken.")
        page = client_for(cast.coach).get(list_url(cast.studio)).content.decode()
    assert "Gebeld, niet bereikt op 16 mrt" in page
    assert f'class="task risk task--flag" id="lid-{bram.pk}"' in page


def test_an_outcome_is_only_for_a_member_who_was_reached(cast, fading_two):
    bram, _dirk, _anna = fading_two
    with pytest.raises(OutreachError):
        outreach_log(member=bram, by=cast.coach, way="message", outcome="stays")
    with time_machine.travel(NOW, tick=False):
        response = client_for(cast.coach).post(
            log_url(cast.studio, bram.pk), {"way": "not_reached", "outcome": "leaving", "coach": "mijn"}
        )
    assert response.status_code == 400
    assert "Een uitkomst hoort bij een gesprek" in response.content.decode()
    assert not Outreach.objects.for_studio(cast.studio).exists()


@pytest.mark.parametrize(
    "data, error",
    [
        ({"way": "reached", "note": "Ik bel je\x00 morgen"}, "Null-tekens zijn niet toegestaan."),
        ({"way": "reached", "note": "x" * 1001}, "1000"),
        ({"way": "gebeld; DROP TABLE", "note": ""}, "Kies hoe je contact had."),
        ({"way": "", "note": ""}, "Kies hoe je contact had."),
        ({"way": "reached", "outcome": "9" * 40}, "Kies een uitkomst uit de lijst."),
    ],
    ids=["nul-byte", "too-long", "unknown-way", "no-way", "unknown-outcome"],
)
def test_hostile_posts_are_refused_in_words_and_log_nothing(cast, fading_two, data, error):
    bram, _dirk, _anna = fading_two
    with time_machine.travel(NOW, tick=False):
        response = client_for(cast.owner).post(log_url(cast.studio, bram.pk), {**data, "coach": ""})
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not Outreach.objects.for_studio(cast.studio).exists()


def test_another_studios_member_a_huge_id_and_a_strange_filter_get_nowhere(cast, fading_two):
    bram, _dirk, _anna = fading_two
    stranger = make_member(cast.other_studio, name="Vreemde Eend")
    client = client_for(cast.owner)
    with time_machine.travel(NOW, tick=False):
        assert client.post(log_url(cast.studio, stranger.pk), {"way": "reached"}).status_code == 404
        assert client.post(log_url(cast.studio, 10**20), {"way": "reached"}).status_code == 404
        assert client.get(log_url(cast.studio, bram.pk)).status_code == 405
        # A filter on someone not in the team, a huge number or a NUL byte shows everyone's members.
        for coach in (cast.outsider.pk, 10**30, "%00", "-1"):
            page = client.get(list_url(cast.studio, coach=coach))
            assert page.status_code == 200 and "Bram de Vries" in page.content.decode()
        # A coach of the other studio given as the filter in a post is ignored the same way.
        response = client.post(log_url(cast.studio, bram.pk), {"way": "message", "coach": cast.outsider.pk})
    assert response.status_code == 302 and response["Location"].endswith(f"?coach=#lid-{bram.pk}")
    assert Outreach.objects.for_studio(cast.studio).count() == 1
    assert not Outreach.objects.for_studio(cast.other_studio).exists()


def test_every_new_page_is_404_for_someone_from_another_studio(cast, fading_two):
    bram, _dirk, _anna = fading_two
    for url in (list_url(cast.studio), reverse("retention:risk_report", kwargs={"studio": cast.studio.slug})):
        assert_other_studio_gets_404(url, cast.outsider)
    assert_other_studio_gets_404(log_url(cast.studio, bram.pk), cast.outsider, method="post")
    assert not Outreach.objects.for_studio(cast.studio).exists()


def test_the_list_page_takes_the_same_queries_for_a_small_and_a_larger_studio(
    cast, django_assert_max_num_queries
):
    group = program(cast.studio, "Small group")
    client = client_for(cast.owner)

    def page_queries() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with time_machine.travel(NOW, tick=False), CaptureQueriesContext(connection) as queries:
            assert client.get(list_url(cast.studio)).status_code == 200
        return len(queries)

    for n in range(2):
        fading(member_in(cast.studio, f"Eerste{n} Lid", group)[0])
    few = page_queries()
    for n in range(12):
        fading(member_in(cast.studio, f"Later{n} Lid", group)[0])
    assert page_queries() == few
    with time_machine.travel(NOW, tick=False), django_assert_max_num_queries(17):
        client.get(list_url(cast.studio))


def test_the_report_counts_who_was_reached_and_who_stayed(cast):
    """Two members fade in February; in March one is called and spoken to and renews, the other is not and leaves."""
    sterk = program(cast.studio, "Sterk in 12 weken", weeks=12)
    bram, bram_run = member_in(cast.studio, "Bram de Vries", sterk, coach=cast.coach)
    dirk, _dirk_run = member_in(cast.studio, "Dirk Jansen", sterk, coach=cast.coach)
    fading(bram)
    fading(dirk)
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        outreach_log(member=bram, by=cast.coach, way="reached", outcome="stays")
        enrolment_renew(enrolment=bram_run, by=cast.coach)
    later = datetime(2026, 5, 20, 8, tzinfo=UTC)  # eight weeks after the checks of March have passed

    months = {row.month: row for row in outreach_report(cast.studio, months=4, now=later)}

    march = months[date(2026, 3, 1)]
    assert (march.flagged, march.contacted, march.reached) == (2, 1, 1)
    assert (march.reached_stayed, march.reached_known) == (1, 1)
    assert (march.others_stayed, march.others_known) == (0, 1)
    assert months[date(2026, 5, 1)].reached_known == 0  # too soon to tell
    with time_machine.travel(later, tick=False):
        page = client_for(cast.owner).get(
            reverse("retention:risk_report", kwargs={"studio": cast.studio.slug})
        )
    html = page.content.decode()
    assert page.status_code == 200 and "maart 2026" in html
    assert "1 van 1 (100%)" in html and "0 van 1 (0%)" in html


def test_export_shows_the_outreach_and_erasure_forgets_its_note(cast, fading_two):
    bram, _dirk, _anna = fading_two
    with time_machine.travel(NOW, tick=False):
        outreach_log(member=bram, by=cast.coach, way="reached", outcome="doubts", note="Verhuist misschien")
    person = Member.objects.for_studio(cast.studio).get(pk=bram.pk).person
    exported = person_export(person=person, by=cast.owner)
    assert exported["outreach"][0]["note"] == "Verhuist misschien"
    person_erase(person=person, by=cast.owner)
    outreach = Outreach.objects.for_studio(cast.studio).get()
    assert outreach.note == "" and outreach.way == "reached"  # the contact still counts, without its words
    assert Enrolment.objects.for_studio(cast.studio).filter(member=bram).exists()
