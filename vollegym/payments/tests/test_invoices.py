"""Invoices: one per paid payment with BTW per line, credit notes for refunds in the same gapless sequence, PDFs for the
owner and the member (no one else), kept as issued when the person is erased; and the month for the bookkeeper."""

import re
import zlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from vollegym.core import clock
from vollegym.core.testing import assert_other_studio_gets_404, client_for
from vollegym.payments.books import bookkeeping_rows, collected_per_month
from vollegym.payments.invoicing import invoice_issue, invoices_sweep, vat_split
from vollegym.payments.models import MAX_CENTS, Invoice, InvoiceLine, MolliePayment
from vollegym.payments.refunds import refund_create
from vollegym.payments.tests.books_kit import enrolled, paid, started
from vollegym.payments.tests.kit import connect, make_program
from vollegym.people.rights import person_erase
from vollegym.programs.models import VatRate
from vollegym.schedule.services import member_link

pytestmark = pytest.mark.django_db


def pdf_text(raw: bytes) -> str:
    """The text drawn in a PDF: its content streams inflated (fpdf2 compresses them)."""
    assert raw.startswith(b"%PDF-")
    found = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", raw, re.S):
        try:
            found.append(zlib.decompress(stream).decode("cp1252", "replace"))
        except zlib.error:
            continue
    return "\n".join(found)


@pytest.fixture
def studio_details(cast):
    cast.studio.street, cast.studio.postal_code, cast.studio.city = "Oudegracht 1", "3511 AA", "Utrecht"
    cast.studio.kvk_number, cast.studio.vat_number = "12345678", "NL123456789B01"
    cast.studio.save()
    return cast.studio


@given(cents=st.integers(min_value=0, max_value=MAX_CENTS), rate=st.sampled_from([0, 9, 21]))
def test_excl_and_btw_add_up_to_the_amount_to_the_cent(cents, rate):
    split = vat_split(total_cents=cents, rate=rate)
    assert split.excl_cents + split.vat_cents == cents
    # The BTW is the rate's share of the amount excl., within half a cent of the exact amount.
    assert abs(split.excl_cents * rate / 100 - split.vat_cents) <= 0.5 + rate / 200
    mirrored = vat_split(total_cents=-cents, rate=rate)
    assert (mirrored.vat_cents, mirrored.excl_cents) == (-split.vat_cents, -split.excl_cents)


def test_known_amounts_split_as_a_bookkeeper_would():
    assert vat_split(total_cents=19900, rate=9).vat_cents == 1643  # 199 / 1.09 = 182.5688 → 182.57
    assert vat_split(total_cents=12100, rate=21).vat_cents == 2100
    assert vat_split(total_cents=1, rate=21).vat_cents == 0


def test_a_paid_payment_gets_an_invoice_at_its_programs_rate_with_the_studios_details(
    cast, mollie, studio_details
):
    connect(cast)
    program = make_program(cast, cents=59700, terms=3)
    program.vat_rate = VatRate.GENERAL
    program.save()
    payment = paid(mollie, enrolled(cast, program, name="Eva de Boer"))
    invoice = Invoice.objects.for_studio(cast.studio).get()
    assert (invoice.number, invoice.kind, invoice.payment_id) == (1, "invoice", payment.pk)
    assert (invoice.total_cents, invoice.vat_cents, invoice.excl_cents) == (19900, 3454, 16446)
    assert invoice.seller_kvk == "12345678" and invoice.seller_vat == "NL123456789B01"
    assert invoice.seller_address == "Oudegracht 1, 3511 AA Utrecht" and invoice.buyer_name == "Eva de Boer"
    (line,) = InvoiceLine.objects.for_studio(cast.studio).filter(invoice=invoice)
    assert line.vat_rate == 21 and line.description == "12 weken sterker · termijn 1 van 3"
    assert invoice_issue(payment=payment) == invoice and invoices_sweep() == 0  # once
    text = pdf_text(
        client_for(cast.owner).get(f"/app/kracht-utrecht/betalingen/facturen/{invoice.pk}/").content
    )
    for shown in ("Factuur", "000001", "Kracht Utrecht", "KvK-nummer: 12345678", "Btw-id: NL123456789B01",
                  "Eva de Boer", "Btw 21% over € 164,46", "€ 34,54", "€ 199,00", payment.mollie_id):  # fmt: skip
        assert shown in text, shown


def test_credit_notes_are_negative_take_the_next_number_and_name_the_invoice(cast, mollie):
    connect(cast)
    program = make_program(cast, cents=30000)
    first = paid(mollie, enrolled(cast, program))
    second = paid(mollie, enrolled(cast, program))
    refund_create(payment=first, cents=10000, by=cast.owner)
    third = paid(mollie, enrolled(cast, program))
    rows = list(
        Invoice.objects.for_studio(cast.studio)
        .order_by("number")
        .values_list("number", "kind", "payment_id", "total_cents")
    )
    assert rows == [
        (1, "invoice", first.pk, 30000), (2, "invoice", second.pk, 30000), (3, "credit_note", first.pk, -10000),
        (4, "invoice", third.pk, 30000),
    ]  # fmt: skip
    note = Invoice.objects.for_studio(cast.studio).get(number=3)
    assert (
        note.credits is not None
        and note.credits.number == 1
        and note.vat_cents == -826
        and note.excl_cents == -9174
    )
    text = pdf_text(client_for(cast.owner).get(f"/app/kracht-utrecht/betalingen/facturen/{note.pk}/").content)
    assert "Creditfactuur" in text and "-€ 100,00" in text and "factuur 000001" in text


def test_the_sweep_gives_an_invoice_to_a_paid_payment_that_has_none(cast, mollie):
    connect(cast)
    payment = paid(mollie, enrolled(cast, make_program(cast)))
    Invoice.objects.for_studio(cast.studio).delete()  # as if it was paid before invoices existed
    assert invoices_sweep() == 1 and invoices_sweep() == 0
    assert Invoice.objects.for_studio(cast.studio).get().payment_id == payment.pk


def test_an_open_payment_gets_no_invoice(cast, mollie):
    connect(cast)
    payment = started(enrolled(cast, make_program(cast)))
    assert invoice_issue(payment=payment) is None and invoices_sweep() == 0


def test_the_member_downloads_their_own_invoice_and_nobody_elses(cast, mollie):
    connect(cast)
    program = make_program(cast)
    mine = paid(mollie, enrolled(cast, program, name="Eva de Boer"))
    theirs = paid(mollie, enrolled(cast, program, name="Tom Bakker"))
    eva = mine.term.member
    my_invoice = Invoice.objects.for_studio(cast.studio).get(payment=mine)
    their_invoice = Invoice.objects.for_studio(cast.studio).get(payment=theirs)
    member = Client()
    link = member_link(eva)
    assert member.get(link.removeprefix("http://testserver")).status_code == 302
    page = member.get("/s/kracht-utrecht/leden/betalingen/")
    assert f"/s/kracht-utrecht/leden/betalingen/facturen/{my_invoice.pk}/" in page.text
    assert f"facturen/{their_invoice.pk}/" not in page.text
    download = member.get(f"/s/kracht-utrecht/leden/betalingen/facturen/{my_invoice.pk}/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert "Eva de Boer" in pdf_text(download.content)
    assert member.get(f"/s/kracht-utrecht/leden/betalingen/facturen/{their_invoice.pk}/").status_code == 404
    assert member.get(f"/s/andere-studio/leden/betalingen/facturen/{my_invoice.pk}/").status_code in (
        302,
        404,
    )
    signed_out = client_for(cast.owner).get(f"/s/kracht-utrecht/leden/betalingen/facturen/{my_invoice.pk}/")
    assert signed_out.status_code == 302  # staff are not the member: to the member's sign-in


def test_only_the_owner_of_the_studio_downloads_its_invoices(cast, mollie):
    connect(cast)
    invoice_payment = paid(mollie, enrolled(cast, make_program(cast)))
    invoice = Invoice.objects.for_studio(cast.studio).get(payment=invoice_payment)
    url = f"/app/kracht-utrecht/betalingen/facturen/{invoice.pk}/"
    assert client_for(cast.owner).get(url).status_code == 200
    assert client_for(cast.coach).get(url).status_code == 404
    assert_other_studio_gets_404(url, cast.outsider)
    assert (
        client_for(cast.outsider).get(f"/app/andere-studio/betalingen/facturen/{invoice.pk}/").status_code
        == 404
    )


def test_erasing_the_person_leaves_the_invoice_as_it_was_issued(cast, mollie):
    connect(cast)
    payment = paid(mollie, enrolled(cast, make_program(cast), name="Eva de Boer"))
    refund_create(payment=payment, cents=500, by=cast.owner)
    person = payment.term.member.person
    person_erase(person=person, by=cast.owner)
    person.refresh_from_db()
    assert person.name == "" and person.erased_at is not None
    names = set(Invoice.objects.for_studio(cast.studio).values_list("buyer_name", flat=True))
    assert names == {"Eva de Boer"} and Invoice.objects.for_studio(cast.studio).count() == 2
    invoice = Invoice.objects.for_studio(cast.studio).get(kind="invoice")
    text = pdf_text(
        client_for(cast.owner).get(f"/app/kracht-utrecht/betalingen/facturen/{invoice.pk}/").content
    )
    assert "Eva de Boer" in text and "€ 199,00" not in text  # the default program costs € 597


def test_the_months_csv_has_invoices_payments_refunds_and_charge_backs(cast, mollie):
    connect(cast)
    program = make_program(cast, cents=30000)
    payment = paid(mollie, enrolled(cast, program, name="Eva de Boer"))
    refund_create(payment=payment, cents=2500, by=cast.owner, description="Les gemist")
    other = paid(mollie, enrolled(cast, program, name="Tom Bakker"))
    mollie.charge_back(other.mollie_id)
    from vollegym.payments.tests.kit import deliver

    deliver()
    month = clock.today().replace(day=1)
    response = client_for(cast.owner).get(
        "/app/kracht-utrecht/betalingen/boekhouding/", {"maand": f"{month:%Y-%m}"}
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Soort;Datum;Nummer;Verwijst naar;Klant")
    body = "\n".join(lines[1:])
    assert "Factuur;" in body and ";000001;;Eva de Boer;12 weken sterker;9%;275,23;24,77;300,00;" in body
    assert (
        "Creditfactuur;" in body and ";000002;000001;Eva de Boer;" in body and ";-22,94;-2,06;-25,00;" in body
    )
    assert "Terugbetaling;" in body and ";-25,00;re_" in body and "Terugboeking door de bank;" in body
    assert body.count("Betaling;") == 2
    assert collected_per_month(cast.studio, month, month) == {month: 30000 + 30000 - 2500 - 30000}
    out = StringIO()
    call_command("export_bookkeeping", studio="kracht-utrecht", month=f"{month:%Y-%m}", stdout=out)
    assert out.getvalue().lstrip("\ufeff").splitlines()[1:] == lines[1:]
    assert len(bookkeeping_rows(cast.studio, month.replace(year=month.year - 1))) == 0


@pytest.mark.parametrize(
    "month", ["2026-13", "26-11", "'; DROP TABLE", "2026-1", "0000-01", "9999-12", "2026-11\x00"]
)
def test_a_bad_month_is_refused(cast, month):
    owner = client_for(cast.owner)
    assert owner.get("/app/kracht-utrecht/betalingen/boekhouding/", {"maand": month}).status_code == 404
    assert owner.get("/app/kracht-utrecht/betalingen/facturen/", {"maand": month}).status_code == 400
    with pytest.raises(CommandError):
        call_command("export_bookkeeping", studio="kracht-utrecht", month=month)


def test_the_bookkeeping_is_the_owners_only(cast):
    assert client_for(cast.coach).get("/app/kracht-utrecht/betalingen/boekhouding/").status_code == 404
    assert client_for(cast.coach).get("/app/kracht-utrecht/betalingen/facturen/").status_code == 404
    assert client_for(cast.owner).get("/app/kracht-utrecht/betalingen/facturen/").status_code == 200


def test_the_numbers_page_shows_collected_revenue_for_a_studio_with_mollie(cast, mollie):
    owner = client_for(cast.owner)
    assert "Geïnd" not in owner.get("/app/kracht-utrecht/cijfers/leden/").text
    connect(cast)
    paid(mollie, enrolled(cast, make_program(cast, cents=30000)))
    page = owner.get("/app/kracht-utrecht/cijfers/leden/")
    assert re.search(r'data-label="Geïnd">€\s300</td>', page.text)
    assert MolliePayment.objects.for_studio(cast.studio).count() == 1
