"""What ad spend bought: spend meets leads by campaign (case and spaces aside, utm_campaign, Google's campaign
number) and month; cost per lead, per booked conversation and per new member; the months to pay a member's ad back;
names that match nothing on either side; and the pages: owner only, another studio's rows out of reach."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from vollegym.analytics.adspend import adspend_save, spend_report
from vollegym.analytics.models import AdSpend
from vollegym.analytics.money import MONTH_DAYS, money_report
from vollegym.analytics.tests.adspend_files import META_NL
from vollegym.core.testing import Cast, client_for, make_lead
from vollegym.intake.models import Booking, ConsultationType
from vollegym.leads.models import Lead
from vollegym.programs.models import Enrolment, Member, Program, ProgramPrice
from vollegym.programs.tests.test_prices_and_enrolment import make_program

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 7, 15, 10, 0, tzinfo=UTC)
JUNE, JULY = date(2026, 6, 1), date(2026, 7, 1)


def at(day: int, month: int = 6) -> datetime:
    return datetime(2026, month, day, 9, 0, tzinfo=UTC)


def booked(cast: Cast, lead: Lead) -> None:
    kind, _new = ConsultationType.objects.for_studio(cast.studio).get_or_create(
        studio=cast.studio, name="Kennis"
    )
    Booking.objects.create(studio=cast.studio, lead=lead, person=lead.person, kind=kind, coach=cast.coach,
                           starts_at=at(20), ends_at=at(20) + timedelta(minutes=30))  # fmt: skip


@pytest.fixture
def june(cast: Cast) -> dict[str, Lead]:
    """€ 600 on "Najaar 40+" in June and three June leads of it, written three ways; two booked a conversation and
    one became a member (the membership, € 139 per 4 weeks, from 15 June). € 300 on "Voorjaar" that brought no lead;
    € 200 on a Google campaign whose lead form gave only its number; a lead of a campaign nobody typed the cost of;
    one of May; and the other studio's spend and lead on the same campaign."""
    for platform, campaign, cents in (("meta", "Najaar 40+", 60000), ("meta", "Voorjaar", 30000)):
        adspend_save(studio=cast.studio, platform=platform, campaign=campaign, month=JUNE, amount_cents=cents)
    AdSpend.objects.create(studio=cast.studio, platform="google", campaign="Search PT", campaign_ref="20123",
                           month=JUNE, amount_cents=20000, source="imported")  # fmt: skip
    leads = {
        "eva": make_lead(cast.studio, name="Eva", campaign="NAJAAR 40+", created_at=at(3)),
        "noor": make_lead(cast.studio, name="Noor", campaign="najaar 40 +", created_at=at(9)),
        "tim": make_lead(cast.studio, name="Tim", utm={"utm_campaign": "Najaar 40+"}, created_at=at(28)),
        "gijs": make_lead(cast.studio, name="Gijs", source="google", campaign="20123", created_at=at(12)),
        "zomer": make_lead(cast.studio, name="Zoë", campaign="Zomeractie", created_at=at(14)),
        "mei": make_lead(cast.studio, name="Mei", campaign="Najaar 40+", created_at=at(30, 5)),
    }
    make_lead(cast.studio, name="Test", campaign="Najaar 40+", created_at=at(4), is_test=True)
    booked(cast, leads["eva"])
    booked(cast, leads["noor"])
    membership = make_program(cast.studio, name="Small group", price_cents=13900, weeks=4,
                              kind=Program.Kind.MEMBERSHIP, format=Program.Format.SMALL_GROUP)  # fmt: skip
    member = Member.objects.create(studio=cast.studio, person=leads["eva"].person, lead=leads["eva"])
    price = ProgramPrice.objects.for_studio(cast.studio).get(program=membership)
    for period in range(2):
        starts = date(2026, 6, 15) + timedelta(weeks=4 * period)
        Enrolment.objects.create(
            studio=cast.studio, member=member, program=membership, price=price, price_cents=13900, starts_on=starts,
            ends_on=starts + timedelta(days=27), sessions_total=8, first_payment_cents=13900, first_payment_due=starts,
        )  # fmt: skip
    adspend_save(
        studio=cast.other_studio, platform="meta", campaign="Najaar 40+", month=JUNE, amount_cents=99900
    )
    make_lead(cast.other_studio, name="Xander", campaign="Najaar 40+", created_at=at(5))
    return leads


def report(cast: Cast):
    with time_machine.travel(NOW, tick=False):
        money = money_report(cast.studio, first_day=date(2024, 8, 1), last_day=NOW.date())
        return spend_report(cast.studio, first_month=JUNE, last_month=JULY, money=money)


def test_cost_per_lead_per_booked_conversation_and_per_new_member(cast: Cast, june) -> None:
    found = report(cast)
    najaar = next(b for b in found.campaigns if b.label == "Najaar 40+")
    assert (najaar.spend_cents, najaar.leads, najaar.booked, najaar.won) == (60000, 3, 2, 1)
    assert (najaar.per_lead, najaar.per_booked, najaar.cac) == (20000, 30000, 60000)
    search = next(b for b in found.campaigns if b.label == "Search PT")
    assert (search.leads, search.per_lead, search.cac) == (1, 20000, None)
    total = found.total
    assert (total.spend_cents, total.leads, total.booked, total.won) == (110000, 4, 2, 1)
    assert total.cac == 110000
    months = dict(found.months)
    assert (months[JUNE].spend_cents, months[JUNE].leads, months[JULY].spend_cents) == (110000, 4, 0)


def test_payback_is_cac_over_what_a_member_brings_per_month(cast: Cast, june) -> None:
    found = report(cast)
    # Eva's membership, € 139 per 28 days, is the only revenue: a member-month brings € 139 * 30.4375 / 28.
    per_month = 13900 * MONTH_DAYS / 28
    assert found.money is not None and found.money.per_month_cents == pytest.approx(per_month)
    assert found.payback_months == pytest.approx(110000 / per_month)  # 7.3 months
    assert found.ltv_per_cac == pytest.approx(found.money.ltv_cents / 110000)


def test_names_that_match_nothing_are_listed_on_both_sides(cast: Cast, june) -> None:
    found = report(cast)
    assert [b.label for b in found.spend_without_leads] == ["Voorjaar"]
    assert found.leads_without_spend == [("Zomeractie", 1)]


def test_the_page_shows_the_figures_to_the_owner_and_the_agency_only(cast: Cast, june) -> None:
    url = f"/app/{cast.studio.slug}/cijfers/advertenties/?van=01-06-2026&tot=31-07-2026"
    with time_machine.travel(NOW, tick=False):
        page = client_for(cast.owner).get(url)
        assert page.status_code == 200
        assert "Najaar 40+" in page.text and "€\u00a0200,00" in page.text and "Zomeractie" in page.text
        assert (
            "99.900" not in page.text and "999" not in page.text.split("Opgeslagen")[1].split("</details>")[0]
        )
        assert client_for(cast.agency).get(url).status_code == 200
        assert client_for(cast.coach).get(url).status_code == 404
        assert client_for(cast.outsider).get(url).status_code == 404
        members = f"/app/{cast.studio.slug}/cijfers/leden/"
        assert client_for(cast.coach).get(members).status_code == 404
        assert client_for(cast.outsider).get(members).status_code == 404
        shown = client_for(cast.owner).get(members)
        assert shown.status_code == 200 and "niet wat er binnenkwam" in shown.text


def test_a_typed_month_is_saved_and_typed_again_replaced(cast: Cast) -> None:
    url = f"/app/{cast.studio.slug}/cijfers/advertenties/"
    owner = client_for(cast.owner)
    with time_machine.travel(NOW, tick=False):
        form = {
            "doel": "invoer",
            "platform": "meta",
            "campaign": " Najaar 40+ ",
            "month": "2026-06",
            "amount": "1.250,50",
        }
        assert owner.post(url, form).status_code == 302
        assert owner.post(url, {**form, "campaign": "najaar 40+", "amount": "€ 99"}).status_code == 302
        row = AdSpend.objects.for_studio(cast.studio).get()
        assert (row.campaign, row.month, row.amount_cents, row.source) == ("najaar 40+", JUNE, 9900, "typed")
        for bad in ({"amount": "-5"}, {"amount": "1e9"}, {"amount": "99999999,00"}, {"month": "1999-01"},
                    {"campaign": "\x00"}, {"platform": "tiktok"}):  # fmt: skip
            response = owner.post(url, {**form, **bad})
            assert response.status_code == 200 and response.context["spend_form"].errors, bad
        assert AdSpend.objects.for_studio(cast.studio).get().amount_cents == 9900


def test_an_upload_reports_rejected_rows_and_an_oversized_file_is_refused(cast: Cast) -> None:
    url = f"/app/{cast.studio.slug}/cijfers/advertenties/"
    owner = client_for(cast.owner)
    with time_machine.travel(NOW, tick=False):
        page = owner.post(url, {"doel": "bestand", "file": SimpleUploadedFile("meta.csv", META_NL)})
        assert page.status_code == 200 and page.context["imported"].created == 2
        assert "Start rapportage / Einde rapportage" in page.text
        # 50 MB: Django spools an upload to disk in chunks; the import reads no more than one byte past its limit.
        big = SimpleUploadedFile("groot.csv", b"Campaign,Cost,Month\n" + b"9" * (50 * 1024 * 1024))
        refused = owner.post(url, {"doel": "bestand", "file": big})
        assert "groter dan 10 MB" in refused.text
        assert client_for(cast.coach).post(url, {"doel": "bestand", "file": SimpleUploadedFile("m.csv", META_NL)}
                                           ).status_code == 404  # fmt: skip
    assert AdSpend.objects.for_studio(cast.studio).count() == 2


def test_a_row_is_deleted_only_from_its_own_studio(cast: Cast) -> None:
    mine = AdSpend.objects.create(
        studio=cast.studio, platform="meta", campaign="A", month=JUNE, amount_cents=1
    )
    theirs = AdSpend.objects.create(studio=cast.other_studio, platform="meta", campaign="A", month=JUNE,
                                    amount_cents=2)  # fmt: skip
    owner = client_for(cast.owner)
    base = f"/app/{cast.studio.slug}/cijfers/advertenties"
    assert owner.post(f"{base}/{theirs.pk}/verwijderen/").status_code == 302
    assert owner.get(f"{base}/{mine.pk}/verwijderen/").status_code == 405
    assert client_for(cast.outsider).post(f"{base}/{mine.pk}/verwijderen/").status_code == 404
    assert AdSpend.objects.for_studio(cast.other_studio).filter(pk=theirs.pk).exists()
    response = owner.post(
        f"{base}/{mine.pk}/verwijderen/", {"van": "01-06-2026", "tot": "https://evil.example"}
    )
    assert response["Location"].startswith(f"{base}/?") and "evil.example" in response["Location"]
    assert "//evil" not in response["Location"].split("?")[0]
    assert not AdSpend.objects.for_studio(cast.studio).exists()


def test_the_csv_downloads_keep_a_formula_in_a_campaign_name_as_text(cast: Cast) -> None:
    adspend_save(studio=cast.studio, platform="other", campaign='=HYPERLINK("https://x.example")', month=JUNE,
                 amount_cents=5000)  # fmt: skip
    with time_machine.travel(NOW, tick=False):
        response = client_for(cast.owner).get(
            f"/app/{cast.studio.slug}/cijfers/advertenties/",
            {"van": "01-06-2026", "tot": "30-06-2026", "csv": "campagnes"},
        )
        assert response["Content-Type"].startswith("text/csv")
        assert "'=HYPERLINK" in response.content.decode()
        members = client_for(cast.owner).get(f"/app/{cast.studio.slug}/cijfers/leden/", {"csv": "maanden"})
        assert members.status_code == 200 and members["Content-Type"].startswith("text/csv")
        assert (
            client_for(cast.owner).get(f"/app/{cast.studio.slug}/cijfers/leden/", {"csv": "x"}).status_code
            == 404
        )
