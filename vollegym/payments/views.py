"""The owner's payment pages: the Mollie connection and how each program is paid, with the terms coming up."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vollegym.payments import selectors
from vollegym.payments.forms import ConnectionForm, DecideAfterForm, PlanForm
from vollegym.payments.missed import decide_after_set
from vollegym.payments.services import (
    PaymentsError,
    connection_of,
    connection_remove,
    connection_save,
    plan_set,
)
from vollegym.programs.models import Program
from vollegym.studios.access import studio_of, studio_view, user_of
from vollegym.studios.models import StaffMembership

OWNERS = frozenset({StaffMembership.Role.OWNER})


@studio_view(roles=OWNERS)
def overview(request: HttpRequest) -> HttpResponse:
    """How each program is paid, the terms of the coming weeks, and the latest payments at Mollie."""
    studio = studio_of(request)
    data = selectors.payments_overview(studio)
    forms = [
        (row, PlanForm(prefix=f"p{row.program.pk}", initial={
            "kind": row.plan.kind if row.plan else "in_full", "terms": row.plan.terms if row.plan else 3,
            "every_weeks": row.plan.every_weeks if row.plan else 4,
        }))
        for row in data.plans
    ]  # fmt: skip
    return render(
        request, "payments/overview.html", {"studio": studio, "data": data, "forms": forms, "nav": "leden"}
    )


@studio_view(roles=OWNERS)
@require_POST
def plan(request: HttpRequest, program_id: int) -> HttpResponse:
    studio = studio_of(request)
    program = Program.objects.for_studio(studio).filter(pk=program_id).first()
    if program is None:
        raise Http404("No such program")
    form = PlanForm(request.POST, prefix=f"p{program.pk}")
    if not form.is_valid():
        messages.error(request, _("Kies een betaalwijze; termijnen: 2 tot 24, elke 1 tot 52 weken."))
        return redirect("payments:overview", studio=studio.slug)
    data = form.cleaned_data
    try:
        plan_set(
            program=program, kind=data["kind"], terms=data["terms"] or 1, every_weeks=data["every_weeks"] or 4
        )
    except PaymentsError as exc:
        messages.error(request, exc.reason)
    else:
        messages.success(request, _("Betaalwijze van %(program)s bewaard.") % {"program": program.name})
    return redirect("payments:overview", studio=studio.slug)


@studio_view(roles=OWNERS)
def settings_page(request: HttpRequest) -> HttpResponse:
    """The owner pastes the studio's Mollie API key; it is checked with Mollie and kept encrypted, never shown."""
    studio = studio_of(request)
    form = ConnectionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if request.POST.get("action") == "beslissen":
            rule = DecideAfterForm(request.POST)
            if not rule.is_valid():
                messages.error(request, _("Kies een aantal van 1 tot 12."))
                return redirect("payments:settings", studio=studio.slug)
            try:
                decide_after_set(studio=studio, value=rule.cleaned_data["decide_after"])
            except PaymentsError as exc:
                messages.error(request, exc.reason)
            else:
                messages.success(request, _("Bewaard."))
            return redirect("payments:settings", studio=studio.slug)
        if request.POST.get("action") == "ontkoppelen":
            connection_remove(studio=studio)
            messages.success(request, _("Mollie is ontkoppeld. Er wordt niets meer afgeschreven."))
            return redirect("payments:settings", studio=studio.slug)
        if form.is_valid():
            try:
                connection_save(studio=studio, api_key=form.cleaned_data["api_key"], by=user_of(request))
            except PaymentsError as exc:
                form.add_error("api_key", exc.reason)
            else:
                messages.success(
                    request, _("Mollie is gekoppeld: de sleutel werkt en is versleuteld bewaard.")
                )
                return redirect("payments:settings", studio=studio.slug)
        status = 400
    connection = connection_of(studio)
    rule_form = DecideAfterForm(initial={"decide_after": selectors.decide_after(studio)})
    return render(
        request,
        "payments/settings.html",
        {"studio": studio, "form": form, "connection": connection, "nav": "leden", "rule_form": rule_form},
        status=status,
    )
