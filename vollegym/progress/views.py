"""Progress pages: the coach records a member's measurements on a phone, the owner keeps the kinds, the member sees
their charts."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from vollegym.core import clock
from vollegym.programs.models import Member
from vollegym.progress import selectors
from vollegym.progress.forms import ConsentForm, KindForm, RecordForm, RenameForm, TargetForm, kind_field_name
from vollegym.progress.models import MeasurementKind
from vollegym.progress.services import (
    ProgressError,
    Reading,
    consent_wording,
    kind_add,
    kind_archive,
    kind_rename,
    kinds_install,
    measurement_consent,
    measurement_consent_record,
    measurements_record,
    target_set,
)
from vollegym.studios.access import studio_of, studio_view, user_of
from vollegym.studios.models import StaffMembership

OWNERS = frozenset({StaffMembership.Role.OWNER})


def _member(request: HttpRequest, member_id: int) -> Member:
    found = (
        Member.objects.for_studio(studio_of(request)).filter(pk=member_id).select_related("person").first()
    )
    if found is None:
        raise Http404("No such member")
    return found


def _page_url(member: Member) -> str:
    return reverse("progress:member", kwargs={"studio": member.studio.slug, "member_id": member.pk})


def _record_page(
    request: HttpRequest, member: Member, *, form: RecordForm | None = None, target_form: TargetForm | None = None,
    consent_form: ConsentForm | None = None, status: int = 200,
) -> HttpResponse:  # fmt: skip
    studio = studio_of(request)
    kinds = kinds_install(studio=studio)
    return render(
        request,
        "progress/record.html",
        {
            "studio": studio, "member": member, "consent": measurement_consent(member.person),
            "wording": consent_wording(studio), "consent_form": consent_form or ConsentForm(),
            "form": form or RecordForm(kinds=kinds, initial={"measured_on": clock.today(studio.zone)}),
            "target_form": target_form or TargetForm(kinds=selectors.kinds_of(studio)),
            "series": selectors.progress_of(member.person), "goal": selectors.intake_goal(member.person),
            "nav": "leden",
        },
        status=status,
    )  # fmt: skip


@studio_view()
def member_page(request: HttpRequest, member_id: int) -> HttpResponse:
    """The coach's page for one member's measurements: record several at once, set a target, see the charts."""
    member = _member(request, member_id)
    if request.method != "POST":
        return _record_page(request, member)
    studio = studio_of(request)
    form = RecordForm(request.POST, kinds=kinds_install(studio=studio))
    if form.is_valid():
        readings = [Reading(kind=kind, value=value) for kind, value in form.readings()]
        try:
            stored = measurements_record(
                studio=studio, person=member.person, readings=readings, measured_on=form.cleaned_data["measured_on"],
                moment=form.cleaned_data["moment"], by=user_of(request),
            )  # fmt: skip
        except ProgressError as exc:
            kind = next((k for k in form.kinds if k.pk == exc.kind_id), None)
            form.add_error(kind_field_name(kind) if kind else None, str(exc))
        else:
            messages.success(request, _("%(n)s meting(en) vastgelegd.") % {"n": len(stored)})
            return redirect(_page_url(member))
    return _record_page(request, member, form=form, status=400)


@studio_view()
@require_POST
def consent(request: HttpRequest, member_id: int) -> HttpResponse:
    """The member agrees, in the coach's presence, to the exact words on the page; their yes goes in the ledger."""
    member = _member(request, member_id)
    form = ConsentForm(request.POST)
    if not form.is_valid():
        return _record_page(request, member, consent_form=form, status=400)
    measurement_consent_record(person=member.person, by=user_of(request))
    messages.success(request, _("Toestemming vastgelegd, met de tekst die het lid zag."))
    return redirect(_page_url(member))


@studio_view()
@require_POST
def target(request: HttpRequest, member_id: int) -> HttpResponse:
    member = _member(request, member_id)
    studio = studio_of(request)
    form = TargetForm(request.POST, kinds=selectors.kinds_of(studio))
    if form.is_valid():
        try:
            target_set(studio=studio, person=member.person, kind=form.cleaned_data["kind"],
                       value=form.cleaned_data["value"], by=user_of(request))  # fmt: skip
        except ProgressError as exc:
            form.add_error("value", str(exc))
        else:
            messages.success(
                request, _("Doel bewaard. Wordt het gehaald, dan krijgt het lid een felicitatie.")
            )
            return redirect(_page_url(member))
    return _record_page(request, member, target_form=form, status=400)


@studio_view(roles=OWNERS)
def kinds(request: HttpRequest) -> HttpResponse:
    """The owner's list of what the studio measures: add a kind, rename one, archive or bring one back."""
    studio = studio_of(request)
    kinds_install(studio=studio)
    form = KindForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            kind_add(studio=studio, **form.cleaned_data)
        except ProgressError as exc:
            form.add_error("name", str(exc))
        else:
            messages.success(request, _("Meting toegevoegd."))
            return redirect("progress:kinds", studio=studio.slug)
    return render(
        request,
        "progress/kinds.html",
        {"studio": studio, "form": form, "kinds": selectors.kinds_of(studio, archived=True), "nav": "leden"},
        status=400 if form.errors else 200,
    )


def _kind(request: HttpRequest, kind_id: int) -> MeasurementKind:
    found = MeasurementKind.objects.for_studio(studio_of(request)).filter(pk=kind_id).first()
    if found is None:
        raise Http404("No such kind")
    return found


@studio_view(roles=OWNERS)
@require_POST
def kind_rename_view(request: HttpRequest, kind_id: int) -> HttpResponse:
    kind = _kind(request, kind_id)
    form = RenameForm(request.POST)
    try:
        if not form.is_valid():
            raise ProgressError(_("Geef de meting een naam."))
        kind_rename(kind=kind, name=form.cleaned_data["name"])
    except ProgressError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Naam gewijzigd; de metingen blijven erbij."))
    return redirect("progress:kinds", studio=studio_of(request).slug)


@studio_view(roles=OWNERS)
@require_POST
def kind_archive_view(request: HttpRequest, kind_id: int) -> HttpResponse:
    kind = _kind(request, kind_id)
    archived = request.POST.get("archived") == "1"
    kind_archive(kind=kind, archived=archived)
    messages.success(
        request,
        _("Gearchiveerd: niet meer te kiezen, de oude waarden blijven zichtbaar.")
        if archived
        else _("Weer in gebruik."),
    )
    return redirect("progress:kinds", studio=studio_of(request).slug)


@never_cache
def member_progress(request: HttpRequest, studio: str) -> HttpResponse:
    """The member's own charts in the member area (signed in through their mailed link)."""
    from vollegym.schedule.member_views import member_or_login

    found, member = member_or_login(request, studio)
    if member is None:
        return redirect("schedule:member_login", studio=found.slug)
    return render(
        request,
        "progress/member.html",
        {"studio": found, "member": member, "series": selectors.progress_of(member.person),
         "consent": measurement_consent(member.person)},
    )  # fmt: skip
