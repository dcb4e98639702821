"""An invoice or credit note as a PDF (A4), drawn with fpdf2 from what the invoice row froze when it was issued.

The PDF is made again on each download from the kept row, so it never needs a file store, and it reads the same in
seven years as today: nothing on it comes from the studio's or the person's current details.

The PDF's built-in Helvetica speaks Windows-1252 (euro sign, accents of Dutch, French, German); a letter outside it
(a Polish ł, say) is written without its accent where it has one, else as "?", rather than shipping a font file.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict

from django.utils import translation
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from fpdf import FPDF

from vollegym.core.money import euro
from vollegym.payments.models import Invoice, InvoiceLine

ENCODING = "windows-1252"
INK = (33, 37, 41)
MUTED = (108, 117, 125)


def _text(value: str) -> str:
    """Text the built-in font can show: as it is, else without accents, else with "?" for what is left."""
    try:
        value.encode(ENCODING)
        return value
    except UnicodeEncodeError:
        pass
    plain = unicodedata.normalize("NFKD", value)
    kept = "".join(c for c in plain if not unicodedata.combining(c))
    return kept.encode(ENCODING, errors="replace").decode(ENCODING)


def _day(invoice_at: object) -> str:
    return date_format(localtime(invoice_at), "j F Y")  # type: ignore[arg-type]


class _Page(FPDF):
    def __init__(self, invoice: Invoice) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.core_fonts_encoding = ENCODING
        self.invoice = invoice
        self.set_auto_page_break(auto=True, margin=28)
        self.set_margins(20, 20, 20)

    def footer(self) -> None:
        seller = self.invoice
        self.set_y(-22)
        self.set_font("helvetica", size=8)
        self.set_text_color(*MUTED)
        parts = [seller.seller_name]
        if seller.seller_kvk:
            parts.append(_("KvK %(number)s") % {"number": seller.seller_kvk})
        if seller.seller_vat:
            parts.append(_("btw-id %(number)s") % {"number": seller.seller_vat})
        self.cell(0, 4, _text(" · ".join(parts)), align="C", new_x="LMARGIN", new_y="NEXT")
        self.cell(0, 4, _text(_("Pagina %(page)s") % {"page": self.page_no()}), align="C")


def invoice_pdf(invoice: Invoice, lines: list[InvoiceLine]) -> bytes:
    """The invoice as PDF bytes, in Dutch."""
    with translation.override("nl"):
        return _draw(invoice, lines)


def _draw(invoice: Invoice, lines: list[InvoiceLine]) -> bytes:
    pdf = _Page(invoice)
    pdf.set_title(_text(f"{invoice.get_kind_display()} {invoice.code}"))
    pdf.set_author(_text(invoice.seller_name))
    pdf.add_page()
    pdf.set_text_color(*INK)
    width = pdf.epw

    # The seller, and what this is.
    pdf.set_font("helvetica", "B", 16)
    pdf.cell(width * 0.6, 8, _text(invoice.seller_name))
    title = invoice.get_kind_display()
    pdf.cell(width * 0.4, 8, _text(title), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", size=10)
    top = pdf.get_y()
    for row in (invoice.seller_address, invoice.seller_email):
        if row:
            pdf.cell(width * 0.6, 5, _text(row), new_x="LMARGIN", new_y="NEXT")
    if invoice.seller_kvk:
        pdf.cell(
            width * 0.6,
            5,
            _text(_("KvK-nummer: %(n)s") % {"n": invoice.seller_kvk}),
            new_x="LMARGIN",
            new_y="NEXT",
        )
    if invoice.seller_vat:
        pdf.cell(
            width * 0.6,
            5,
            _text(_("Btw-id: %(n)s") % {"n": invoice.seller_vat}),
            new_x="LMARGIN",
            new_y="NEXT",
        )
    left_end = pdf.get_y()
    pdf.set_y(top)
    facts = [
        (_("Nummer"), invoice.code),
        (_("Datum"), _day(invoice.issued_at)),
    ]
    if invoice.credits is not None:
        refers = _("Corrigeert") if invoice.kind == Invoice.Kind.CORRECTION else _("Crediteert")
        facts.append((refers, invoice.credits.code))
    for label, value in facts:
        pdf.set_x(pdf.l_margin + width * 0.6)
        pdf.set_text_color(*MUTED)
        pdf.cell(width * 0.2, 5, _text(label), align="R")
        pdf.set_text_color(*INK)
        pdf.cell(width * 0.2, 5, _text(value), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(max(left_end, pdf.get_y()) + 8)

    # The buyer.
    pdf.set_text_color(*MUTED)
    pdf.cell(0, 5, _text(_("Aan")), new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*INK)
    pdf.set_font("helvetica", "B", 11)
    pdf.cell(0, 6, _text(invoice.buyer_name or "-"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)

    # The lines: per line its rate, excl., BTW and incl.
    columns = (width * 0.43, width * 0.1, width * 0.16, width * 0.14, width * 0.17)
    pdf.set_font("helvetica", "B", 9)
    pdf.set_fill_color(241, 243, 245)
    for text, size, align in zip(
        (_("Omschrijving"), _("Btw"), _("Excl. btw"), _("Btw"), _("Incl. btw")),
        columns, ("L", "R", "R", "R", "R"), strict=True,
    ):  # fmt: skip
        pdf.cell(size, 7, _text(text), align=align, fill=True)
    pdf.ln(7)
    pdf.set_font("helvetica", size=10)
    for line in lines:
        y = pdf.get_y()
        pdf.multi_cell(columns[0] - 2, 6, _text(line.description), align="L", new_x="LMARGIN", new_y="NEXT")
        bottom = pdf.get_y()
        pdf.set_xy(pdf.l_margin + columns[0], y)
        for value, size in zip(
            (f"{line.vat_rate}%", euro(line.excl_cents), euro(line.vat_cents), euro(line.total_cents)),
            columns[1:], strict=True,
        ):  # fmt: skip
            pdf.cell(size, 6, _text(value), align="R")
        pdf.set_y(bottom + 1)
    pdf.set_draw_color(206, 212, 218)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + width, pdf.get_y())
    pdf.ln(3)

    # Totals, and the BTW per rate.
    per_rate: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for line in lines:
        per_rate[line.vat_rate][0] += line.excl_cents
        per_rate[line.vat_rate][1] += line.vat_cents
    rows = [(_("Totaal excl. btw"), euro(invoice.excl_cents))]
    for rate in sorted(per_rate):
        excl, vat = per_rate[rate]
        rows.append((_("Btw %(rate)s%% over %(base)s") % {"rate": rate, "base": euro(excl)}, euro(vat)))
    for label, value in rows:
        pdf.cell(width * 0.7, 6, _text(label), align="R")
        pdf.cell(width * 0.3, 6, _text(value), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "B", 12)
    pdf.cell(width * 0.7, 8, _text(_("Totaal incl. btw")), align="R")
    pdf.cell(width * 0.3, 8, _text(euro(invoice.total_cents)), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)

    # How it was settled.
    pdf.set_font("helvetica", size=10)
    original = invoice.credits
    if invoice.kind == Invoice.Kind.CORRECTION and original is not None:
        note = _(
            "Correctie op creditfactuur %(code)s van %(day)s: die terugbetaling is niet gelukt, dus het bedrag "
            "bleef betaald."
        ) % {"code": original.code, "day": _day(original.issued_at)}
    elif invoice.kind == Invoice.Kind.CREDIT_NOTE:
        if invoice.chargeback_id is not None:
            note = _("Je bank heeft dit bedrag van je betaling teruggeboekt.")
        else:
            note = _("Dit bedrag betalen we terug naar de rekening waarvan je betaalde (via Mollie).")
        if original is not None:
            note = (
                _("Creditfactuur bij factuur %(code)s van %(day)s. ")
                % {"code": original.code, "day": _day(original.issued_at)}
                + note
            )
    elif invoice.paid_at is not None:
        note = _("Betaald op %(day)s via Mollie (betaling %(id)s). Je hoeft niets meer te doen.") % {
            "day": _day(invoice.paid_at), "id": invoice.payment.mollie_id,
        }  # fmt: skip
    else:
        note = _("Betaald via Mollie.")
    pdf.multi_cell(0, 5, _text(note), align="L")
    return bytes(pdf.output())
