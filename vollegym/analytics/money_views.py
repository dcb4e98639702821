"""The owner's money pages: members and money (cohorts, survival, lifetime value, revenue per month) and ad spend
(typed or imported, and what it bought). Thin: a form, one service or report, a page."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import dateformat
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vollegym.analytics.adspend import (
    ImportReport,
    adspend_delete,
    adspend_import,
    adspend_save,
    spend_report,
)
from vollegym.analytics.adspend_import import MAX_BYTES, ImportRefused
from vollegym.analytics.forms import FunnelForm
from vollegym.analytics.money import money_report
from vollegym.analytics.money_forms import CohortForm, SpendForm, UploadForm, months_back
from vollegym.analytics.money_tables import (
    marks_within,
    money_csv,
    revenue_chart,
    spend_chart,
    spend_csv,
    survival_chart,
)
from vollegym.core import clock
from vollegym.studios.access import studio_of, studio_view, user_of

OWNER = frozenset({"owner"})
log = logging.getLogger(__name__)


def _query(request: HttpRequest) -> str:
    return urlencode({k: v for k in ("van", "tot") if (v := request.GET.get(k, ""))})


@studio_view(roles=OWNER)
def members_money(request: HttpRequest) -> HttpResponse:
    """Cohorts and their survival, lifetime and lifetime value, and revenue, recurring revenue, churn and growth per
    month; each table also as a CSV."""
    studio = studio_of(request)
    today = clock.local(clock.now(), studio.zone).date()
    form = CohortForm(request.GET or None, today=today)
    first_day, last_day = form.days()
    report = money_report(studio, first_day=first_day, last_day=last_day)
    wanted = request.GET.get("csv", "")
    if wanted and form.is_valid():
        return money_csv(report, wanted, studio_slug=studio.slug)
    marks = marks_within(report.horizon)
    return render(
        request,
        "analytics/members.html",
        {
            "studio": studio, "form": form, "report": report, "nav": "speed", "marks": marks,
            "curve_rows": [report.curve[m] for m in marks],
            "cohort_rows": [(c, [c.survival[m] if m < len(c.survival) else None for m in marks])
                            for c in reversed(report.cohorts)],
            "survival_chart": survival_chart(report), "revenue_chart": revenue_chart(report),
            "query": _query(request),
        },
    )  # fmt: skip


def _spend_page(
    request: HttpRequest, *, spend_form: SpendForm, imported: ImportReport | None
) -> HttpResponse:
    studio = studio_of(request)
    today = clock.local(clock.now(), studio.zone).date()
    form = FunnelForm(
        request.GET or None, today=today
    )  # by default the last twelve months, this one included
    first_day, last_day = form.days()
    money = money_report(studio, first_day=months_back(today, 35), last_day=today)
    report = spend_report(studio, first_month=first_day.replace(day=1), last_month=last_day.replace(day=1),
                          money=money)  # fmt: skip
    wanted = request.GET.get("csv", "")
    if wanted and request.method == "GET" and form.is_valid():
        return spend_csv(report, wanted, studio_slug=studio.slug)
    return render(
        request,
        "analytics/adspend.html",
        {
            "studio": studio, "form": form, "report": report, "nav": "speed", "spend_form": spend_form,
            "upload_form": UploadForm(), "imported": imported, "chart": spend_chart(report),
            "query": _query(request), "first_day": first_day, "last_day": last_day,
        },
    )  # fmt: skip


@studio_view(roles=OWNER)
def ad_spend(request: HttpRequest) -> HttpResponse:
    """Ad spend per campaign and month against the leads and members it brought; a month typed in, an export
    uploaded."""
    studio = studio_of(request)
    today = clock.local(clock.now(), studio.zone).date()
    spend_form = SpendForm(today=today)
    imported: ImportReport | None = None
    if request.method == "POST" and request.POST.get("doel") == "invoer":
        spend_form = SpendForm(request.POST, today=today)
        if spend_form.is_valid():
            data = spend_form.cleaned_data
            try:
                new = adspend_save(
                    studio=studio, platform=data["platform"], campaign=data["campaign"], month=data["month"],
                    amount_cents=data["amount"], by=user_of(request),
                )  # fmt: skip
            except ValidationError as exc:
                spend_form.add_error(None, exc)
            else:
                month = dateformat.format(data["month"], "F Y")
                text = (
                    _("%(campaign)s in %(month)s is opgeslagen.")
                    if new
                    else _("%(campaign)s in %(month)s is vervangen door het nieuwe bedrag.")
                )
                messages.success(request, text % {"campaign": data["campaign"], "month": month})
                return redirect(request.get_full_path())
    elif request.method == "POST":
        upload = UploadForm(request.POST, request.FILES)
        if upload.is_valid():
            file = upload.cleaned_data["file"]
            try:
                # One byte past the limit is enough for the import to refuse an oversized file unread.
                imported = adspend_import(
                    studio=studio,
                    data=file.read(MAX_BYTES + 1),
                    file_name=file.name or "",
                    by=user_of(request),
                )
            except ImportRefused as exc:
                messages.error(
                    request, _("Dit bestand is niet ingelezen: %(reason)s") % {"reason": exc.reason}
                )
            except Exception:
                log.exception("ad spend import for studio %s failed", studio.slug)
                messages.error(
                    request, _("Het inlezen is mislukt; er is niets opgeslagen. Probeer het nog eens.")
                )
        else:
            messages.error(request, _("Kies een CSV-bestand om in te lezen."))
    return _spend_page(request, spend_form=spend_form, imported=imported)


@studio_view(roles=OWNER)
@require_POST
def ad_spend_delete(request: HttpRequest, spend_id: int) -> HttpResponse:
    """Removes one stored month of a campaign, and returns to the page as it was."""
    studio = studio_of(request)
    if adspend_delete(studio=studio, spend_id=spend_id):
        messages.success(request, _("De maand is verwijderd."))
    back = reverse("analytics:adspend", args=[studio.slug])
    query = urlencode({k: v for k in ("van", "tot") if (v := request.POST.get(k, ""))})
    return redirect(f"{back}?{query}" if query else back)
