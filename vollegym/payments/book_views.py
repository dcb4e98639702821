"""The owner's books: a payment's page (refund, invoices), a member's payments, the studio's invoices, the month as a
CSV for the bookkeeper; and the member's own invoices as PDF."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from vollegym.core import clock
from vollegym.core.money import euro
from vollegym.core.spreadsheet import csv_download
from vollegym.payments import books
from vollegym.payments.forms import MonthForm, RefundForm
from vollegym.payments.invoice_pdf import invoice_pdf
from vollegym.payments.models import Invoice, MolliePayment, Refund
from vollegym.payments.refunds import refund_create
from vollegym.payments.services import PaymentsError
from vollegym.programs.models import Member
from vollegym.studios.access import studio_of, studio_view, user_of
from vollegym.studios.models import StaffMembership

OWNERS = frozenset({StaffMembership.Role.OWNER})


def _payment(request: HttpRequest, payment_id: int) -> MolliePayment:
    found = books.payment_in(studio_of(request), payment_id)
    if found is None:
        raise Http404("No such payment")
    return found


def _page(request: HttpRequest, payment: MolliePayment, form: RefundForm, status: int = 200) -> HttpResponse:
    studio = studio_of(request)
    context = {"studio": studio, "page": books.payment_page(payment), "form": form, "nav": "leden"}
    return render(request, "payments/payment.html", context, status=status)


@studio_view(roles=OWNERS)
def payment(request: HttpRequest, payment_id: int) -> HttpResponse:
    """One payment: what was paid, what went back, its invoice and credit notes, and a refund form."""
    found = _payment(request, payment_id)
    return _page(request, found, RefundForm())


@studio_view(roles=OWNERS)
@require_POST
def refund(request: HttpRequest, payment_id: int) -> HttpResponse:
    found = _payment(request, payment_id)
    form = RefundForm(request.POST)
    if form.is_valid():
        try:
            made = refund_create(
                payment=found, cents=form.cleaned_data["amount"], by=user_of(request),
                description=form.cleaned_data["description"],
            )  # fmt: skip
        except PaymentsError as exc:
            form.add_error("amount", exc.reason)
        else:
            if made.status == Refund.Status.REQUESTED:
                messages.warning(
                    request,
                    _(
                        "De terugbetaling van %(amount)s is vastgelegd, maar Mollie gaf nog geen antwoord. We vragen "
                        "het Mollie vanzelf opnieuw (nooit twee keer); de creditfactuur volgt zodra Mollie de "
                        "terugbetaling bevestigt."
                    )
                    % {"amount": euro(made.amount_cents)},
                )
            else:
                messages.success(
                    request,
                    _("Terugbetaald via Mollie: %(amount)s. De creditfactuur staat hieronder.")
                    % {"amount": euro(made.amount_cents)},
                )
            return redirect("payments:payment", studio=studio_of(request).slug, payment_id=found.pk)
    return _page(request, found, form, status=400)


@studio_view(roles=OWNERS)
def member(request: HttpRequest, member_id: int) -> HttpResponse:
    """A member's payments at Mollie, with what went back and the invoices; each links to its own page."""
    studio = studio_of(request)
    found = Member.objects.for_studio(studio).filter(pk=member_id).select_related("person").first()
    if found is None:
        raise Http404("No such member")
    context = {"studio": studio, "member": found, "rows": books.member_payments(found), "nav": "leden"}
    return render(request, "payments/member_payments.html", context)


def _month(request: HttpRequest) -> tuple[MonthForm, date]:
    today = clock.today(studio_of(request).zone)
    form = MonthForm(request.GET or {"maand": f"{today:%Y-%m}"})
    if form.is_valid():
        year, month = (int(part) for part in form.cleaned_data["maand"].split("-"))
        return form, date(year, month, 1)
    return form, today.replace(day=1)


@studio_view(roles=OWNERS)
def invoices(request: HttpRequest) -> HttpResponse:
    """The studio's invoices and credit notes of a month, and the month as a CSV for the bookkeeper."""
    studio = studio_of(request)
    form, month = _month(request)
    context = {
        "studio": studio, "form": form, "month": month, "invoices": books.invoices_in_month(studio, month),
        "nav": "leden",
    }  # fmt: skip
    return render(request, "payments/invoices.html", context, status=200 if form.is_valid() else 400)


@studio_view(roles=OWNERS)
def bookkeeping(request: HttpRequest) -> HttpResponse:
    studio = studio_of(request)
    form, month = _month(request)
    if not form.is_valid():
        raise Http404("No such month")
    return csv_download(
        f"boekhouding-{studio.slug}-{month:%Y-%m}.csv",
        books.bookkeeping_header(),
        books.bookkeeping_rows(studio, month),
        studio.zone,
    )


def _pdf(invoice: Invoice) -> HttpResponse:
    response = HttpResponse(invoice_pdf(invoice, books.lines_of(invoice)), content_type="application/pdf")
    kind = {Invoice.Kind.CREDIT_NOTE: "creditfactuur", Invoice.Kind.CORRECTION: "correctiefactuur"}.get(
        Invoice.Kind(invoice.kind), "factuur"
    )
    response["Content-Disposition"] = f'inline; filename="{kind}-{invoice.code}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@studio_view(roles=OWNERS)
def invoice_download(request: HttpRequest, invoice_id: int) -> HttpResponse:
    found = books.invoice_in(studio_of(request), invoice_id)
    if found is None:
        raise Http404("No such invoice")
    return _pdf(found)


@never_cache
def member_invoice(request: HttpRequest, studio: str, invoice_id: int) -> HttpResponse:
    """A member downloads one of their own invoices; anyone else's id is a 404."""
    from vollegym.schedule.member_views import member_or_login

    found, signed_in = member_or_login(request, studio)
    if signed_in is None:
        return redirect("schedule:member_login", studio=found.slug)
    invoice = books.member_invoice(signed_in, invoice_id)
    if invoice is None:
        raise Http404("No such invoice")
    return _pdf(invoice)
