"""Ad spend from the exports of Meta Ads Manager and Google Ads, in Dutch and English: their headers, encodings,
separators and number formats; a file imported twice replaces, never doubles; hostile files are refused or their
rows rejected by line and column; and only the studio of the URL (or the command) is touched."""

from __future__ import annotations

import codecs
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from vollegym.analytics.adspend import adspend_import, adspend_save
from vollegym.analytics.adspend_import import MAX_BYTES, ImportRefused, SpendLine, parse_export
from vollegym.analytics.models import AdSpend
from vollegym.analytics.tests.adspend_files import GOOGLE_EN, GOOGLE_NL, GOOGLE_ONE_MONTH, META_EN, META_NL
from vollegym.core.testing import Cast

MARCH, APRIL, MAY = date(2026, 3, 1), date(2026, 4, 1), date(2026, 5, 1)


def spend(per_month: dict[tuple[str, date], SpendLine]) -> dict[tuple[str, date], int]:
    return {(line.campaign, line.month): line.cents for line in per_month.values()}


def test_a_meta_export_in_english_by_month() -> None:
    parsed = parse_export(META_EN)
    assert parsed.platform == "meta" and not parsed.rejected
    assert spend(parsed.per_month()) == {
        ("Najaar 40+", MARCH): 123456, ("Najaar 40+", APRIL): 98710, ("Sterk na je bevalling", APRIL): 45000,
    }  # fmt: skip


def test_a_meta_export_in_dutch_with_a_row_over_two_months() -> None:
    parsed = parse_export(META_NL)
    assert parsed.platform == "meta"
    assert spend(parsed.per_month()) == {("Najaar 40+", MARCH): 123456, ("Small group januari", MARCH): 31240}
    [rejected] = parsed.rejected
    assert rejected.line == 4 and rejected.field == "Start rapportage / Einde rapportage"
    assert "per maand" in rejected.reason


def test_a_google_export_in_english_utf16_with_tabs_totals_skipped() -> None:
    parsed = parse_export(GOOGLE_EN)
    assert parsed.platform == "google" and not parsed.rejected and parsed.totals_skipped == 2
    assert spend(parsed.per_month()) == {
        ("Personal trainer Utrecht", MARCH): 120450, ("Personal trainer Utrecht", APRIL): 98000,
        ("Small group training Utrecht", APRIL): 41025,
    }  # fmt: skip
    assert {line.ref for line in parsed.lines} == {"20123456789", "20987654321"}


def test_a_google_export_in_dutch_by_day_adds_up_the_days() -> None:
    parsed = parse_export(GOOGLE_NL)
    assert parsed.platform == "google" and not parsed.rejected and parsed.totals_skipped == 2
    assert spend(parsed.per_month()) == {
        ("Personal trainer Utrecht", MARCH): 103250, ("Small group training Utrecht", MARCH): 725,
    }  # fmt: skip
    assert [line.line for line in parsed.lines] == [4, 5, 6]  # the title and the date range are lines 1 and 2


def test_a_google_export_without_a_date_column_takes_the_month_of_its_date_range() -> None:
    parsed = parse_export(GOOGLE_ONE_MONTH)
    assert spend(parsed.per_month()) == {("Personal trainer Utrecht", MAY): 64000}
    two_months = GOOGLE_ONE_MONTH.replace(b"May 31", b"June 30")
    with pytest.raises(ImportRefused, match="Maand"):
        parse_export(two_months)


def test_the_same_export_in_utf8_utf16_without_bom_and_semicolons_reads_the_same() -> None:
    text = GOOGLE_NL.decode()
    for data in (
        codecs.BOM_UTF8 + GOOGLE_NL,
        text.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + text.encode("utf-16-be"),
        text.replace(",", ";")
        .replace('"12;50"', '"12,50"')
        .replace('"1.020;00"', '"1.020,00"')
        .replace('"7;25"', '"7,25"')
        .replace('"1.039;75"', '"1.039,75"')
        .encode(),
    ):
        assert spend(parse_export(data).per_month()) == spend(parse_export(GOOGLE_NL).per_month())


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("-12,50", "negatief"), ("(12.50)", "negatief"), ("$ 12.50", "andere valuta"),
        ("99999999999999999999", "bedrag"), ("2.000.000,00", "hoog"), ("12,345", "twee decimalen"),
        ("=1+1", "bedrag"), ("twaalf", "bedrag"),
    ],
)  # fmt: skip
def test_bad_amounts_are_rejected_by_line_and_column(cell: str, reason: str) -> None:
    data = (
        f"Campaign name;Amount spent (EUR);Month\nNajaar 40+;12,50;2026-03\nSterk;{cell};2026-03\n".encode()
    )
    parsed = parse_export(data)
    [rejected] = parsed.rejected
    assert (rejected.line, rejected.field) == (3, "Amount spent (EUR)") and reason in rejected.reason
    assert spend(parsed.per_month()) == {("Najaar 40+", MARCH): 1250}


def test_another_currency_is_refused_in_a_meta_header_and_rejected_in_a_google_row() -> None:
    with pytest.raises(ImportRefused, match="USD"):
        parse_export(b"Campaign name,Amount spent (USD),Month\nNajaar,12.50,2026-03\n")
    parsed = parse_export(GOOGLE_NL.replace(b"2026-03-02,EUR", b"2026-03-02,USD", 1))
    [rejected] = parsed.rejected
    assert (rejected.line, rejected.field) == (5, "Valutacode") and "USD" in rejected.reason


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"Campaign name,Amount spent (EUR)\x00,Month\nNajaar,1,2026-03\n", "NUL"),
        (b"PK\x03\x04" + b"\x00" * 100, "Excel"),
        (b"", "leeg"),
        (b"naam,e-mail,telefoon\nEva,eva@example.nl,0612345678\n", "geen export"),
        (b"Campaign name,Amount spent (EUR)\nNajaar,12.50\n", "welke maand"),
    ],
)
def test_files_that_are_no_export_are_refused_whole(data: bytes, reason: str) -> None:
    with pytest.raises(ImportRefused, match=reason):
        parse_export(data)


def test_a_file_over_the_limit_is_refused_before_it_is_read() -> None:
    big = META_EN + b"x" * (MAX_BYTES + 1 - len(META_EN))
    with pytest.raises(ImportRefused, match="groter dan"):
        parse_export(big)


def test_a_file_that_starts_after_the_first_of_a_month_warns_that_it_replaces_the_whole_month() -> None:
    partial = GOOGLE_NL.replace(b"1 maart 2026 - 31 maart 2026", b"15 maart 2026 - 31 maart 2026")
    [warning] = parse_export(partial).warnings
    assert "maart 2026 begint in dit bestand pas op 15 maart" in warning
    assert not parse_export(GOOGLE_NL).warnings
    meta = META_EN.replace(b"2026-04-01,2026-04-30,Sterk", b"2026-04-10,2026-04-30,Sterk")
    assert ["april 2026" in w for w in parse_export(meta).warnings] == [True]


def test_a_campaign_called_total_is_no_totals_row_but_total_colon_is() -> None:
    parsed = parse_export(b"Campaign,Month,Cost\nTotaal fit,2026-03,10.00\nTotal: Account,--,10.00\n")
    assert spend(parsed.per_month()) == {("Totaal fit", MARCH): 1000} and parsed.totals_skipped == 1


@pytest.mark.django_db
def test_importing_the_same_file_twice_replaces_and_never_doubles(cast: Cast) -> None:
    first = adspend_import(studio=cast.studio, data=GOOGLE_EN, file_name="Campagnerapport.csv", by=cast.owner)
    assert (first.created, first.replaced, first.months) == (3, 0, [MARCH, APRIL])
    again = adspend_import(studio=cast.studio, data=GOOGLE_EN, file_name="Campagnerapport.csv", by=cast.owner)
    assert (again.created, again.replaced) == (0, 3)
    rows = AdSpend.objects.for_studio(cast.studio)
    assert rows.count() == 3 and sum(r.amount_cents for r in rows) == 120450 + 98000 + 41025
    row = rows.get(month=MARCH)
    assert (row.source, row.file_name, row.campaign_ref, row.platform) == (
        "imported", "Campagnerapport.csv", "20123456789", "google",
    )  # fmt: skip


@pytest.mark.django_db
def test_a_corrected_export_replaces_a_typed_month_of_the_same_campaign_whatever_its_case(cast: Cast) -> None:
    adspend_save(studio=cast.studio, platform="meta", campaign="NAJAAR  40+", month=MARCH, amount_cents=100)
    adspend_import(studio=cast.studio, data=META_EN, file_name="meta.csv")
    row = AdSpend.objects.for_studio(cast.studio).get(month=MARCH)
    assert (row.campaign, row.amount_cents, row.source) == ("Najaar 40+", 123456, "imported")


@pytest.mark.django_db
def test_an_import_touches_only_its_own_studio_whatever_the_file_says(cast: Cast) -> None:
    adspend_save(
        studio=cast.other_studio, platform="meta", campaign="Najaar 40+", month=MARCH, amount_cents=777
    )
    named = META_EN.replace(b"Sterk na je bevalling", cast.other_studio.name.encode())
    adspend_import(studio=cast.studio, data=named, file_name="andere-studio.csv")
    assert AdSpend.objects.for_studio(cast.other_studio).get().amount_cents == 777
    assert AdSpend.objects.for_studio(cast.studio).count() == 3


@pytest.mark.django_db
def test_the_command_reports_file_line_and_column_and_exits_1_on_a_rejected_row(
    cast: Cast, tmp_path, capsys
) -> None:
    path = tmp_path / "meta-nl.csv"
    path.write_bytes(META_NL)
    with pytest.raises(CommandError, match="2 new and 0 replaced"):
        call_command("import_adspend", cast.studio.slug, str(path))
    out = capsys.readouterr().out
    assert f"{path}: line 4: Start rapportage / Einde rapportage: " in out
    assert AdSpend.objects.for_studio(cast.studio).count() == 2
    good = tmp_path / "google.csv"
    good.write_bytes(GOOGLE_NL)
    call_command("import_adspend", cast.studio.slug, str(good))
    assert "2 totals rows skipped, 0 rows rejected" in capsys.readouterr().out


@pytest.mark.django_db
def test_the_command_refuses_an_unknown_studio_and_a_file_that_is_no_export(cast: Cast, tmp_path) -> None:
    path = tmp_path / "nul.csv"
    path.write_bytes(b"Campaign\x00")
    with pytest.raises(CommandError, match="no studio"):
        call_command("import_adspend", "bestaat-niet", str(path))
    with pytest.raises(CommandError, match=str(path)):
        call_command("import_adspend", cast.studio.slug, str(path))
    assert not AdSpend.objects.for_studio(cast.studio).exists()
