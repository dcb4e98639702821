"""The lead inbox and a lead's page: thin views over the leads services."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vollegym.leads import selectors
from vollegym.leads.forms import ContactForm, MoveForm
from vollegym.leads.models import Lead
from vollegym.leads.services import CaptureError, lead_log_contact, lead_move
from vollegym.studios.access import studio_view


def _lead(request: HttpRequest, lead_id: int) -> Lead:
    lead = Lead.objects.for_studio(request.studio).filter(pk=lead_id).select_related("assigned_to").first()  # type: ignore[attr-defined]
    if lead is None:
        raise Http404("No such lead")
    return lead


@studio_view()
def inbox(request: HttpRequest) -> HttpResponse:
    studio = request.studio  # type: ignore[attr-defined]
    leads = list(selectors.inbox(studio)[:200])
    rows = [(lead, selectors.clock_of(lead), selectors.phone_label(lead)) for lead in leads]
    return render(request, "leads/inbox.html", {"studio": studio, "rows": rows, "nav": "leads"})


@studio_view()
def detail(request: HttpRequest, lead_id: int) -> HttpResponse:
    studio = request.studio  # type: ignore[attr-defined]
    lead = _lead(request, lead_id)
    coach_name = request.user.get_short_name()  # type: ignore[union-attr]
    return render(
        request,
        "leads/detail.html",
        {
            "studio": studio,
            "lead": lead,
            "clock": selectors.clock_of(lead),
            "phone": selectors.phone_label(lead),
            "whatsapp": selectors.whatsapp_link(lead, coach_name, studio.name),
            "timeline": selectors.timeline(lead),
            "consents": selectors.consents_of(lead),
            "contact_form": ContactForm(),
            "move_form": MoveForm(initial={"stage": lead.stage}),
            "nav": "leads",
        },
    )


@studio_view()
@require_POST
def log_contact(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = _lead(request, lead_id)
    form = ContactForm(request.POST)
    if form.is_valid():
        try:
            lead_log_contact(lead=lead, by=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except CaptureError as exc:
            messages.error(request, exc.reason)
        else:
            messages.success(request, _("Vastgelegd."))
    else:
        messages.error(request, _("Kies wat je gedaan hebt."))
    return redirect("leads:detail", studio=lead.studio.slug, lead_id=lead.pk)


@studio_view()
@require_POST
def move(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = _lead(request, lead_id)
    form = MoveForm(request.POST)
    if form.is_valid():
        try:
            lead_move(lead=lead, by=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except CaptureError as exc:
            messages.error(request, exc.reason)
        else:
            messages.success(request, _("Fase bijgewerkt."))
    return redirect("leads:detail", studio=lead.studio.slug, lead_id=lead.pk)
