"""The lead inbox and a lead's page: thin views over the leads services."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from vollegym.core import clock
from vollegym.core.back import back_to
from vollegym.core.clientip import client_ip
from vollegym.core.selection import outcome_lines
from vollegym.core.spreadsheet import csv_download
from vollegym.leads import selectors
from vollegym.leads.bulk import leads_assign, leads_message, leads_move
from vollegym.leads.exporting import lead_list_header, lead_list_rows
from vollegym.leads.forms import (
    ContactForm,
    LeadBulkForm,
    LeadListForm,
    LeadSettingsForm,
    ManualLeadForm,
    MetaPageForm,
    MoveForm,
    OpeningHoursForm,
)
from vollegym.leads.inbound import inbound_retry
from vollegym.leads.models import GoogleLeadForm, InboundEvent, Lead, MetaPage
from vollegym.leads.services import (
    CaptureError,
    lead_enter,
    lead_log_contact,
    lead_move,
    lead_settings_for,
    lead_settings_update,
    meta_page_connect,
    webhook_secret_rotate,
)
from vollegym.people.models import AuditEntry
from vollegym.people.rights import audit_record
from vollegym.studios.access import role_of, studio_of, studio_view, user_of

OWNERS = frozenset({"owner"})


def _lead(request: HttpRequest, lead_id: int) -> Lead:
    lead = (
        Lead.objects.for_studio(studio_of(request)).filter(pk=lead_id).select_related("assigned_to").first()
    )
    if lead is None:
        raise Http404("No such lead")
    return lead


# Long enough to see a day's leads at once, short enough for a phone.
PAGE_SIZE = 50


@studio_view()
def inbox(request: HttpRequest) -> HttpResponse:
    studio = studio_of(request)
    form = LeadListForm(request.GET, studio=studio)
    filters = form.filters()
    page = Paginator(selectors.lead_list(studio, filters), PAGE_SIZE).get_page(request.GET.get("pagina"))
    rows = [(lead, selectors.clock_of(lead), selectors.phone_label(lead)) for lead in page]
    return render(
        request,
        "leads/inbox.html",
        {"studio": studio, "rows": rows, "page": page, "form": form, "filters": filters, "nav": "leads",
         "bulk_form": LeadBulkForm(studio=studio), "may_export": role_of(request) != "coach"},
    )  # fmt: skip


def _back_to_list(request: HttpRequest) -> str:
    """The list as it was when the selection was sent: its own address with the filters it had, nothing else."""
    studio = studio_of(request)
    query = QueryDict(request.POST.get("terug", "")).copy()
    return reverse("leads:inbox", kwargs={"studio": studio.slug}) + (f"?{query.urlencode()}" if query else "")


@studio_view()
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    """Assign, move or write the ticked leads; only this studio's leads are touched (the rest is counted)."""
    studio, by = studio_of(request), user_of(request)
    form = LeadBulkForm(request.POST, studio=studio)
    ids = request.POST.getlist("ids")
    if not ids:
        messages.error(request, _("Vink eerst een of meer leads aan."))
        return redirect(_back_to_list(request))
    if not form.is_valid():
        messages.error(request, _("Kies wat er met de aangevinkte leads moet gebeuren."))
        return redirect(_back_to_list(request))
    data = form.cleaned_data
    try:
        if data["actie"] == LeadBulkForm.ASSIGN:
            outcome = leads_assign(studio=studio, lead_ids=ids, coach_id=data["coach"], by=by)
            done = ngettext("%(n)d lead toegewezen.", "%(n)d leads toegewezen.", outcome.done)
        elif data["actie"] == LeadBulkForm.MOVE:
            outcome = leads_move(studio=studio, lead_ids=ids, stage=data["fase"], by=by)
            done = ngettext("%(n)d lead verplaatst.", "%(n)d leads verplaatst.", outcome.done)
        else:
            outcome = leads_message(
                studio=studio, lead_ids=ids, channel=data["kanaal"] or "email", subject=data["onderwerp"],
                body=data["bericht"], marketing=data["nieuws"], by=by,
            )  # fmt: skip
            done = ngettext(
                "%(n)d bericht in de wachtrij gezet.", "%(n)d berichten in de wachtrij gezet.", outcome.done
            )
    except CaptureError as exc:
        messages.error(request, exc.reason)
        return redirect(_back_to_list(request))
    for line in outcome_lines(done % {"n": outcome.done}, outcome):
        messages.success(request, line)
    return redirect(_back_to_list(request))


@studio_view(roles=OWNERS)
def export(request: HttpRequest) -> HttpResponse:
    """The list as shown (same search and filters, every page) as a CSV file; the audit log keeps who took it."""
    studio = studio_of(request)
    filters = LeadListForm(request.GET, studio=studio).filters()
    leads = list(selectors.lead_list(studio, filters))
    audit_record(action=AuditEntry.Action.EXPORTED, user=user_of(request), studio=studio,
                 detail=f"leadlijst CSV: {len(leads)} rijen", address=client_ip(request))  # fmt: skip
    return csv_download(
        f"leads-{studio.slug}-{clock.local(clock.now(), studio.zone):%Y-%m-%d}.csv",
        lead_list_header(), lead_list_rows(leads), studio.zone,
    )  # fmt: skip


@studio_view()
def detail(request: HttpRequest, lead_id: int) -> HttpResponse:
    studio = studio_of(request)
    lead = _lead(request, lead_id)
    coach_name = user_of(request).get_short_name()
    audit_record(action=AuditEntry.Action.VIEWED, user=user_of(request), studio=studio, person=lead.person,
                 detail=f"lead {lead.pk}", address=client_ip(request))  # fmt: skip
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
            "earlier_leads": selectors.earlier_leads(lead),
            "contact_form": ContactForm(),
            "move_form": MoveForm(initial={"stage": lead.stage}),
            "nav": "leads",
        },
    )


@studio_view()
@require_POST
def log_contact(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = _lead(request, lead_id)
    data = request.POST.copy()
    if quick := data.get("quick"):
        data["kind"], _sep, data["outcome"] = quick.partition(":")
    form = ContactForm(data)
    if form.is_valid():
        try:
            lead_log_contact(lead=lead, by=user_of(request), **form.cleaned_data)
        except CaptureError as exc:
            messages.error(request, exc.reason)
        else:
            messages.success(request, _("Vastgelegd."))
    else:
        messages.error(request, _("Kies wat je gedaan hebt."))
    return back_to(request, lead.studio.slug, reverse("leads:detail", args=[lead.studio.slug, lead.pk]))


@studio_view()
@require_POST
def move(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = _lead(request, lead_id)
    form = MoveForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            lead_move(lead=lead, by=user_of(request), **form.cleaned_data)
        except CaptureError as exc:
            error = exc.reason
    else:
        error = _("Kies een fase.")
    if request.headers.get("HX-Request"):
        return render(request, "leads/_board.html", _board_context(request, board_error=error))
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Fase bijgewerkt."))
    if request.POST.get("next") == "pipeline":
        return redirect("leads:pipeline", studio=lead.studio.slug)
    return redirect("leads:detail", studio=lead.studio.slug, lead_id=lead.pk)


def _board_context(request: HttpRequest, board_error: str = "") -> dict[str, object]:
    studio = studio_of(request)
    return {"studio": studio, "columns": selectors.board(studio), "board_error": board_error, "nav": "leads"}


@studio_view()
def pipeline(request: HttpRequest) -> HttpResponse:
    return render(request, "leads/pipeline.html", _board_context(request))


@studio_view()
def new(request: HttpRequest) -> HttpResponse:
    studio = studio_of(request)
    form = ManualLeadForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            captured = lead_enter(studio=studio, by=user_of(request), **form.cleaned_data)
        except CaptureError as exc:
            form.add_error(None, exc.reason)
        else:
            if captured.created:
                messages.success(request, _("Lead toegevoegd."))
            else:
                messages.success(
                    request, _("Deze persoon stond al open; de gegevens zijn bij de bestaande lead gezet.")
                )
            return redirect("leads:detail", studio=studio.slug, lead_id=captured.lead.pk)
    return render(request, "leads/new.html", {"studio": studio, "form": form, "nav": "leads"})


@studio_view(roles=OWNERS)
def lead_settings(request: HttpRequest) -> HttpResponse:
    studio = studio_of(request)
    config = lead_settings_for(studio)
    data = request.POST if request.method == "POST" else None
    settings_form = LeadSettingsForm(
        data, initial={"sla_minutes": config.sla_minutes, "round_robin": config.round_robin}
    )
    hours_form = OpeningHoursForm(data, initial=OpeningHoursForm.initial_from(config.opening_hours))
    if data is not None and settings_form.is_valid() and hours_form.is_valid():
        lead_settings_update(studio=studio, opening_hours=hours_form.hours(), **settings_form.cleaned_data)
        messages.success(request, _("Instellingen opgeslagen."))
        return redirect("leads:settings", studio=studio.slug)
    return render(
        request,
        "leads/settings.html",
        {
            "studio": studio,
            "settings_form": settings_form,
            "hours_rows": [(hours_form[f"opens_{d}"], hours_form[f"closes_{d}"]) for d in range(7)],
            "nav": "leads",
        },
    )


# Deliveries that went wrong lately: old ones are history, not something to act on.
PROBLEM_WINDOW = timedelta(days=30)


@studio_view(roles=OWNERS)
def integrations(request: HttpRequest) -> HttpResponse:
    """The developer material (webhook secret, signing, Meta pages, Google keys), away from the opening hours."""
    studio = studio_of(request)
    action = request.POST.get("action") if request.method == "POST" else None
    meta_form = MetaPageForm(request.POST if action == "meta" else None)
    if action == "rotate":
        webhook_secret_rotate(studio=studio)
        messages.success(request, _("Nieuw webhookgeheim gemaakt; het oude werkt niet meer."))
        return redirect("leads:integrations", studio=studio.slug)
    if action == "meta" and meta_form.is_valid():
        try:
            meta_page_connect(studio=studio, **meta_form.cleaned_data)
        except ValueError as exc:
            meta_form.add_error("page_id", str(exc))
        else:
            messages.success(request, _("Meta-pagina gekoppeld."))
            return redirect("leads:integrations", studio=studio.slug)
    pages = MetaPage.objects.for_studio(studio).order_by("page_id")
    return render(
        request,
        "leads/integrations.html",
        {
            "studio": studio,
            "webhook_secret": lead_settings_for(studio).webhook_secret,
            "webhook_url": request.build_absolute_uri(
                reverse("hooks:generic", kwargs={"studio": studio.slug})
            ),
            "google_url": request.build_absolute_uri(reverse("hooks:google", kwargs={"studio": studio.slug})),
            # A page token is a password to the studio's Facebook page: only its tail, to tell tokens apart.
            "meta_pages": [
                (page, page.page_token[-4:] if len(page.page_token) > 8 else "") for page in pages
            ],
            "meta_form": meta_form,
            "google_forms": GoogleLeadForm.objects.for_studio(studio).order_by("form_id"),
            "problems": InboundEvent.objects.for_studio(studio)
            .filter(status=InboundEvent.Status.FAILED, received_at__gte=clock.now() - PROBLEM_WINDOW)
            .count(),
            "nav": "leads",
        },
    )


@studio_view()
def events(request: HttpRequest) -> HttpResponse:
    studio = studio_of(request)
    failed = (
        InboundEvent.objects.for_studio(studio)
        .filter(status=InboundEvent.Status.FAILED)
        .order_by("-received_at")
    )
    recent = InboundEvent.objects.for_studio(studio).order_by("-received_at")[:50]
    return render(
        request, "leads/events.html", {"studio": studio, "failed": failed, "recent": recent, "nav": "leads"}
    )


@studio_view()
@require_POST
def event_retry(request: HttpRequest, event_id: int) -> HttpResponse:
    studio = studio_of(request)
    if not inbound_retry(studio=studio, event_id=event_id):
        raise Http404("No such failed event")
    messages.success(request, _("Opnieuw in de wachtrij gezet."))
    return redirect("leads:events", studio=studio.slug)
