"""Churn risk in the back office: the coaches' ranked call list, logging an outreach from it, and the report."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vollegym.core import clock
from vollegym.core.back import back_to
from vollegym.programs.models import Member
from vollegym.retention.outreach import OutreachError, outreach_log
from vollegym.retention.risk import ENDING_WITHIN, THRESHOLD
from vollegym.retention.risk_forms import OutreachForm
from vollegym.retention.risk_replay import STAY_WEEKS, outreach_report, report_total
from vollegym.retention.risk_selectors import REACHED_RECENTLY, risk_rows
from vollegym.studios.access import role_of, studio_of, studio_view, user_of
from vollegym.studios.models import StaffMembership, User

MINE = "mijn"
REPORT_MONTHS = 6


@dataclass(frozen=True)
class Whose:
    """Whose members the list shows: the key in the address, its label, and the coach (None: everyone's)."""

    key: str
    label: str
    coach: User | None


def _whose(request: HttpRequest, key: str | None) -> tuple[Whose, list[Whose]]:
    """The filter asked for (a coach sees their own members unless they ask for all) and every choice.

    Only the signed-in person or a coach of this studio can be chosen: any other value shows everyone's members.
    """
    me = user_of(request)
    team = [
        m.user
        for m in StaffMembership.objects.for_studio(studio_of(request))
        .select_related("user")
        .order_by("user_id")
        if m.user_id != me.pk
    ]
    choices = [Whose("", _("Alle leden"), None), Whose(MINE, _("Mijn leden"), me)]
    choices += [Whose(str(u.pk), u.get_short_name(), u) for u in team]
    if key is None:
        key = MINE if role_of(request) == "coach" else ""
    chosen = next((c for c in choices if c.key == key), choices[0])
    return chosen, choices


def _list(
    request: HttpRequest, *, key: str | None, bound: tuple[int, OutreachForm] | None = None, status: int = 200
) -> HttpResponse:
    studio = studio_of(request)
    whose, choices = _whose(request, key)
    now = clock.now()
    rows = risk_rows(studio, coach=whose.coach, as_of=now, at_risk_only=False)
    forms = {
        row.member.pk: bound[1]
        if bound and bound[0] == row.member.pk
        else OutreachForm(auto_id=f"r{row.member.pk}_%s")
        for row in rows
        if row.risk.at_risk
    }
    context: dict[str, Any] = {
        "studio": studio, "nav": "leden", "whose": whose, "choices": choices,
        "calls": [(row, forms[row.member.pk]) for row in rows if row.risk.at_risk],
        "watch": [row for row in rows if not row.risk.at_risk],
        "threshold": THRESHOLD, "ending_within": ENDING_WITHIN, "recently_days": REACHED_RECENTLY.days,
        "open_form": bound[0] if bound else None,
    }  # fmt: skip
    return render(request, "retention/risk.html", context, status=status)


@studio_view()
def risk_list(request: HttpRequest) -> HttpResponse:
    return _list(request, key=request.GET.get("coach"))


@studio_view()
@require_POST
def outreach_add(request: HttpRequest, member_id: int) -> HttpResponse:
    studio = studio_of(request)
    member = Member.objects.for_studio(studio).filter(pk=member_id).select_related("person").first()
    if member is None:
        raise Http404("No such member")
    key = request.POST.get("coach", "")
    whose, _choices = _whose(request, key)
    form = OutreachForm(request.POST, auto_id=f"r{member.pk}_%s")
    if not form.is_valid():
        return _list(request, key=whose.key, bound=(member.pk, form), status=400)
    try:
        outreach = outreach_log(
            member=member, by=user_of(request), way=form.cleaned_data["way"],
            outcome=form.cleaned_data["outcome"], note=form.cleaned_data["note"],
        )  # fmt: skip
    except OutreachError as exc:
        form.add_error(None, str(exc))
        return _list(request, key=whose.key, bound=(member.pk, form), status=400)
    messages.success(
        request,
        _("Vastgelegd: %(name)s, %(way)s.")
        % {"name": member.person.name, "way": outreach.get_way_display().lower()},
    )
    url = reverse("retention:risk", kwargs={"studio": studio.slug})
    return back_to(request, studio.slug, f"{url}?{urlencode({'coach': whose.key})}#lid-{member.pk}")


@studio_view()
def risk_report(request: HttpRequest) -> HttpResponse:
    studio = studio_of(request)
    months = outreach_report(studio, months=REPORT_MONTHS, now=clock.now())
    return render(
        request, "retention/risk_report.html",
        {"studio": studio, "nav": "leden", "months": months, "total": report_total(months), "stay_weeks": STAY_WEEKS,
         "threshold": THRESHOLD},
    )  # fmt: skip
