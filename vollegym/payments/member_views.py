"""The member's payments: their terms, and paying one at Mollie's checkout (iDEAL | Wero), signed in or by the link
in their mail."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from vollegym.payments import selectors
from vollegym.payments.charging import checkout_check, checkout_start, mandate_switch_start
from vollegym.payments.models import Term
from vollegym.payments.mollie import IDEAL_LABEL
from vollegym.payments.services import PaymentsError, customer_of, pay_token_term
from vollegym.programs.models import Member
from vollegym.studios.models import Studio

# Mollie's hosted checkout, where the pay forms send the member on (a redirect the page's CSP form-action must allow).
MOLLIE_CHECKOUT = "https://www.mollie.com"


def _checkout_may_follow(response: HttpResponse) -> HttpResponse:
    """The pay buttons post here and are redirected to Mollie's checkout: the browser checks that hop against the
    page's form-action, so this page allows Mollie's (or the stand-in's) origin there, and only this page."""
    parts = urlsplit(settings.MOLLIE_API_URL)
    response._csp_update = {"form-action": [MOLLIE_CHECKOUT, f"{parts.scheme}://{parts.netloc}"]}  # type: ignore[attr-defined]
    return response


# Mollie sends the member back here with this mark: their payment is looked up at once rather than at the webhook.
BACK = "terug=1"


def _returned(request: HttpRequest, terms: list[Term]) -> bool:
    """Back from the checkout: the worker asks Mollie about the open payment now (the webhook may come later)."""
    if request.GET.get("terug") != "1":
        return False
    for term in terms:
        if term.status == Term.Status.OPEN:
            checkout_check(term=term)
    return True


def _door(request: HttpRequest, studio: str) -> tuple[Studio, Member | None]:
    from vollegym.schedule.member_views import member_or_login

    return member_or_login(request, studio)


@never_cache
def member_payments(request: HttpRequest, studio: str) -> HttpResponse:
    found, member = _door(request, studio)
    if member is None:
        return redirect("schedule:member_login", studio=found.slug)
    money = selectors.member_money(member)
    back = _returned(request, money.terms)
    context = {"studio": found, "member": member, "money": money, "label": IDEAL_LABEL, "back": back}
    return _checkout_may_follow(render(request, "payments/member.html", context))


@require_POST
def member_pay(request: HttpRequest, studio: str, term_id: int) -> HttpResponse:
    found, member = _door(request, studio)
    if member is None:
        return redirect("schedule:member_login", studio=found.slug)
    money = selectors.member_money(member)
    if money.payable is None or money.payable.pk != term_id:
        raise Http404("Not a term this member pays now")
    back = f"{settings.SITE_URL}{reverse('payments_public:member', kwargs={'studio': found.slug})}?{BACK}"
    try:
        return redirect(checkout_start(term=money.payable, redirect_url=back))
    except PaymentsError as exc:
        messages.error(request, exc.reason)
        return redirect("payments_public:member", studio=found.slug)


@require_POST
def member_switch(request: HttpRequest, studio: str) -> HttpResponse:
    """Another IBAN: the member pays their next term now as a first payment, whose mandate takes the later debits."""
    found, member = _door(request, studio)
    if member is None:
        return redirect("schedule:member_login", studio=found.slug)
    money = selectors.member_money(member)
    if money.switch_term is None:
        messages.error(
            request, _("Er staat geen afschrijving meer gepland om naar een andere rekening te zetten.")
        )
        return redirect("payments_public:member", studio=found.slug)
    back = f"{settings.SITE_URL}{reverse('payments_public:member', kwargs={'studio': found.slug})}?{BACK}"
    try:
        return redirect(mandate_switch_start(term=money.switch_term, redirect_url=back))
    except PaymentsError as exc:
        messages.error(request, exc.reason)
        return redirect("payments_public:member", studio=found.slug)


@never_cache
def pay(request: HttpRequest, studio: str, token: str) -> HttpResponse:
    """A term paid by the link in the mail, without signing in: the link names one term of this studio only."""
    from vollegym.intake.views import load_studio

    found = load_studio(studio)
    term = pay_token_term(found, token)
    if term is None:
        raise Http404("No such payment link")
    customer = customer_of(term.member_id, found)
    payable = selectors.payable_term([term], mandate=bool(customer and customer.mandate_id))
    error = ""
    back_from_checkout = _returned(request, [term])
    if request.method == "POST" and payable is not None:
        back = f"{settings.SITE_URL}{reverse('payments_public:pay', kwargs={'studio': found.slug, 'token': token})}?{BACK}"
        try:
            return redirect(checkout_start(term=term, redirect_url=back))
        except PaymentsError as exc:
            error = exc.reason
    return _checkout_may_follow(render(
        request,
        "payments/pay.html",
        {"studio": found, "term": term, "payable": payable is not None, "label": IDEAL_LABEL, "error": error,
         "paid": term.status == Term.Status.PAID, "back": back_from_checkout,
         "mandate": bool(customer and customer.mandate_id),
         "cents": selectors.term_owed_cents(term) if payable is not None else term.amount_cents},
        status=409 if error else 200,
    ))  # fmt: skip
