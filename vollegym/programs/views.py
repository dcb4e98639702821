"""Programs and members in the back office: prices through time, enrolling a won lead, the member's runs."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from vollegym.core.clientip import client_ip
from vollegym.core.money import euro
from vollegym.core.selection import outcome_lines
from vollegym.core.spreadsheet import csv_download
from vollegym.leads.models import Lead
from vollegym.people.models import AuditEntry
from vollegym.people.rights import audit_record
from vollegym.programs import runs, selectors
from vollegym.programs.bulk import members_assign, members_message
from vollegym.programs.endings import membership_rules_for
from vollegym.programs.exporting import member_list_header, member_list_rows
from vollegym.programs.forms import (
    CancelForm,
    EnrolForm,
    MemberBulkForm,
    MemberListForm,
    NewProgramForm,
    PauseForm,
    PriceForm,
    ProgramForm,
)
from vollegym.programs.models import Enrolment, Member, Program
from vollegym.programs.services import (
    RENEWAL_GRACE,
    ProgramError,
    enrolment_create,
    enrolment_mark_paid,
    enrolment_renew,
    program_create,
    program_price_set,
    program_save,
)
from vollegym.studios.access import role_of, studio_of, studio_view, user_of

OWNERS = frozenset({"owner"})


def _program(request: HttpRequest, program_id: int) -> Program:
    found = Program.objects.for_studio(studio_of(request)).filter(pk=program_id).first()
    if found is None:
        raise Http404("No such program")
    return found


@studio_view()
def programs(request: HttpRequest) -> HttpResponse:
    studio = studio_of(request)
    form = NewProgramForm(request.POST or None)
    if request.method == "POST":
        if role_of(request) == "coach":
            raise Http404("Owners only")
        if form.is_valid():
            program = form.save(commit=False)
            try:
                program_create(
                    studio=studio,
                    program=program,
                    price_cents=form.cleaned_data["price"],
                    by=user_of(request),
                )
            except ProgramError as exc:
                form.add_error(None, exc.reason)
            else:
                messages.success(request, _("%(name)s staat erin.") % {"name": program.name})
                return redirect("programs:programs", studio=studio.slug)
    return render(
        request,
        "programs/programs.html",
        {"studio": studio, "rows": selectors.programs_overview(studio), "form": form, "nav": "programmas"},
    )


@studio_view()
def program(request: HttpRequest, program_id: int) -> HttpResponse:
    studio = studio_of(request)
    found = _program(request, program_id)
    is_owner = role_of(request) != "coach"
    form = ProgramForm(request.POST or None, instance=found, prefix="program")
    price_form = PriceForm(prefix="price")
    if request.method == "POST":
        if not is_owner:
            raise Http404("Owners only")
        if form.is_valid():
            try:
                program_save(program=form.save(commit=False))
            except ProgramError as exc:
                form.add_error(None, exc.reason)
            else:
                messages.success(request, _("Bewaard."))
                return redirect("programs:program", studio=studio.slug, program_id=found.pk)
    return _program_page(request, found, form, price_form)


def _program_page(
    request: HttpRequest, found: Program, form: ProgramForm, price_form: PriceForm
) -> HttpResponse:
    return render(
        request,
        "programs/program.html",
        {"studio": studio_of(request), "program": found, "form": form, "price_form": price_form,
         "history": selectors.price_history(found), "today": selectors.today(), "nav": "programmas"},
    )  # fmt: skip


@studio_view(roles=OWNERS)
@require_POST
def price_add(request: HttpRequest, program_id: int) -> HttpResponse:
    found = _program(request, program_id)
    price_form = PriceForm(request.POST, prefix="price")
    if price_form.is_valid():
        data = price_form.cleaned_data
        try:
            price = program_price_set(
                program=found, amount_cents=data["price"], effective_from=data["effective_from"], by=user_of(request),
                reason=data["reason"],
            )  # fmt: skip
        except ProgramError as exc:
            price_form.add_error(None, exc.reason)
        else:
            messages.success(
                request,
                _("Nieuwe prijs %(price)s vanaf %(day)s; wie al lid is, houdt zijn prijs.")
                % {"price": euro(price.amount_cents), "day": price.effective_from.strftime("%d-%m-%Y")},
            )
            return redirect("programs:program", studio=studio_of(request).slug, program_id=found.pk)
    return _program_page(request, found, ProgramForm(instance=found, prefix="program"), price_form)


# Long enough to see a group at once, short enough for a phone.
PAGE_SIZE = 50


@studio_view()
def members(request: HttpRequest) -> HttpResponse:
    studio = studio_of(request)
    form = MemberListForm(request.GET, studio=studio)
    filters = form.filters()
    page = Paginator(selectors.member_list(studio, filters), PAGE_SIZE).get_page(request.GET.get("pagina"))
    return render(
        request,
        "programs/members.html",
        {"studio": studio, "rows": selectors.member_rows(studio, list(page)), "page": page, "form": form,
         "filters": filters, "tabs": selectors.member_tab_counts(studio, filters),
         "ready": selectors.ready_to_enrol(studio), "today": selectors.today(), "nav": "leden",
         "bulk_form": MemberBulkForm(studio=studio), "may_export": role_of(request) != "coach"},
    )  # fmt: skip


def _back_to_list(request: HttpRequest) -> str:
    """The list as it was when the selection was sent: its own address with the filters it had, nothing else."""
    query = QueryDict(request.POST.get("terug", "")).copy()
    path = reverse("programs:members", kwargs={"studio": studio_of(request).slug})
    return path + (f"?{query.urlencode()}" if query else "")


@studio_view()
@require_POST
def members_bulk(request: HttpRequest) -> HttpResponse:
    """Assign or write the ticked members; only this studio's members are touched (the rest is counted)."""
    studio, by = studio_of(request), user_of(request)
    form = MemberBulkForm(request.POST, studio=studio)
    ids = request.POST.getlist("ids")
    if not ids:
        messages.error(request, _("Vink eerst een of meer leden aan."))
        return redirect(_back_to_list(request))
    if not form.is_valid():
        messages.error(request, _("Kies wat er met de aangevinkte leden moet gebeuren."))
        return redirect(_back_to_list(request))
    data = form.cleaned_data
    try:
        if data["actie"] == MemberBulkForm.ASSIGN:
            outcome = members_assign(studio=studio, member_ids=ids, coach_id=data["coach"], by=by)
            done = ngettext("%(n)d lid toegewezen.", "%(n)d leden toegewezen.", outcome.done)
        else:
            outcome = members_message(
                studio=studio, member_ids=ids, channel=data["kanaal"] or "email", subject=data["onderwerp"],
                body=data["bericht"], marketing=data["nieuws"], by=by,
            )  # fmt: skip
            done = ngettext(
                "%(n)d bericht in de wachtrij gezet.", "%(n)d berichten in de wachtrij gezet.", outcome.done
            )
    except ProgramError as exc:
        messages.error(request, exc.reason)
        return redirect(_back_to_list(request))
    for line in outcome_lines(done % {"n": outcome.done}, outcome):
        messages.success(request, line)
    return redirect(_back_to_list(request))


@studio_view(roles=OWNERS)
def members_export(request: HttpRequest) -> HttpResponse:
    """The list as shown (same tab, search and filters, every page) as a CSV file; the audit log keeps who took it."""
    studio = studio_of(request)
    filters = MemberListForm(request.GET, studio=studio).filters()
    found = list(selectors.member_list(studio, filters))
    audit_record(action=AuditEntry.Action.EXPORTED, user=user_of(request), studio=studio,
                 detail=f"ledenlijst CSV: {len(found)} rijen", address=client_ip(request))  # fmt: skip
    return csv_download(
        f"leden-{studio.slug}-{selectors.today():%Y-%m-%d}.csv",
        member_list_header(), member_list_rows(studio, found), studio.zone,
    )  # fmt: skip


@studio_view()
def enrol(request: HttpRequest, lead_id: int) -> HttpResponse:
    studio = studio_of(request)
    lead = Lead.objects.for_studio(studio).filter(pk=lead_id).first()
    if lead is None:
        raise Http404("No such lead")
    offers = selectors.programs_for_sale(studio)
    form = EnrolForm(
        request.POST or None, studio=studio, offers=offers, initial={"starts_on": selectors.today()},
        needs_clearance=lead.needs_clearance and lead.clearance_confirmed_at is None,
    )  # fmt: skip
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            enrolment = enrolment_create(
                lead=lead, program=data["program"], starts_on=data["starts_on"], by=user_of(request),
                first_payment_due=data["first_payment_due"], health_cleared=data.get("health_cleared", False),
                at_distance=data.get("at_distance", False),
            )  # fmt: skip
        except ProgramError as exc:
            form.add_error(None, exc.reason)
        else:
            messages.success(request, _("%(name)s is ingeschreven.") % {"name": lead})
            return redirect("programs:member", studio=studio.slug, member_id=enrolment.member_id)
    return render(
        request,
        "programs/enrol.html",
        {"studio": studio, "lead": lead, "form": form, "offers": offers, "member": selectors.member_of_lead(lead),
         "nav": "leden"},
    )  # fmt: skip


def _member(request: HttpRequest, member_id: int) -> Member:
    found = Member.objects.for_studio(studio_of(request)).filter(pk=member_id).select_related("lead").first()
    if found is None:
        raise Http404("No such member")
    return found


@studio_view()
def member(request: HttpRequest, member_id: int) -> HttpResponse:
    return member_page(request, _member(request, member_id))


def _enrol_again_form(request: HttpRequest, *, sent: bool = False) -> EnrolForm:
    studio = studio_of(request)
    return EnrolForm(
        request.POST if sent else None, studio=studio, offers=selectors.programs_for_sale(studio), initial={"starts_on": selectors.today()},
        prefix="opnieuw",
    )  # fmt: skip


def member_page(
    request: HttpRequest,
    found: Member,
    *,
    form: EnrolForm | None = None,
    pause_form: PauseForm | None = None,
    cancel_form: CancelForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The member's page in the back office; the agenda's pause and cancel views show it again with their form."""
    studio = studio_of(request)
    enrolments = selectors.enrolments_of(found)
    states = runs.run_states(found)
    cancellations = runs.cancellations_of(found)
    pausable = [state.run for state in states if state.cancellation is None]
    cancellable = [state.run for state in states if state.ending is not None]
    return render(
        request,
        "programs/member.html",
        {"studio": studio, "member": found, "enrolments": enrolments,
         "standing": selectors.standing_from(enrolments, selectors.today()),
         "enrol_form": form or _enrol_again_form(request), "offers": selectors.programs_for_sale(studio),
         "today": selectors.today(), "renewable_from": selectors.today() - RENEWAL_GRACE, "nav": "leden",
         "states": states, "pause_form": pause_form or PauseForm(runs=pausable, prefix="pauze"),
         "cancel_form": cancel_form or CancelForm(runs=cancellable, prefix="opzeggen"),
         "pauses": runs.pauses_of(found), "cancellations": cancellations,
         "cancelled_runs": {c.enrolment_id for c in cancellations},
         "win_backs": runs.win_backs_of(found), "rules": membership_rules_for(studio)},
        status=status,
    )  # fmt: skip


@studio_view()
@require_POST
def enrol_again(request: HttpRequest, member_id: int) -> HttpResponse:
    """A member whose runs ended (or anyone) enrolled from their own page, at the price of today."""
    found = _member(request, member_id)
    form = _enrol_again_form(request, sent=True)
    if form.is_valid():
        data = form.cleaned_data
        try:
            enrolment = enrolment_create(
                member=found, program=data["program"], starts_on=data["starts_on"], by=user_of(request),
                first_payment_due=data["first_payment_due"], at_distance=data.get("at_distance", False),
            )  # fmt: skip
        except ProgramError as exc:
            form.add_error(None, exc.reason)
        else:
            messages.success(
                request,
                _("%(name)s is opnieuw ingeschreven: %(program)s vanaf %(day)s voor %(price)s.")
                % {"name": found, "program": enrolment.program.name, "day": enrolment.starts_on.strftime("%d-%m-%Y"),
                   "price": euro(enrolment.price_cents)},
            )  # fmt: skip
            return redirect("programs:member", studio=studio_of(request).slug, member_id=found.pk)
    return member_page(request, found, form=form, status=400)


def _enrolment(request: HttpRequest, enrolment_id: int) -> Enrolment:
    found = (
        Enrolment.objects.for_studio(studio_of(request))
        .filter(pk=enrolment_id)
        .select_related("program")
        .first()
    )
    if found is None:
        raise Http404("No such enrolment")
    return found


@studio_view()
@require_POST
def mark_paid(request: HttpRequest, enrolment_id: int) -> HttpResponse:
    enrolment = _enrolment(request, enrolment_id)
    enrolment_mark_paid(enrolment=enrolment, by=user_of(request))
    messages.success(request, _("Eerste betaling staat op ontvangen."))
    return redirect("programs:member", studio=studio_of(request).slug, member_id=enrolment.member_id)


@studio_view(roles=OWNERS)
@require_POST
def renew(request: HttpRequest, enrolment_id: int) -> HttpResponse:
    enrolment = _enrolment(request, enrolment_id)
    try:
        renewed = enrolment_renew(enrolment=enrolment, by=user_of(request))
    except ProgramError as exc:
        messages.error(request, exc.reason)
    else:
        messages.success(
            request,
            _("Verlengd vanaf %(day)s voor %(price)s.")
            % {"day": renewed.starts_on.strftime("%d-%m-%Y"), "price": euro(renewed.price_cents)},
        )
    return redirect("programs:member", studio=studio_of(request).slug, member_id=enrolment.member_id)
