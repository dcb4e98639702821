"""A person's page in the back office (what the studio keeps about them, merge, export, erase) and the privacy page."""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from vollegym.core.clientip import client_ip
from vollegym.people import selectors
from vollegym.people.models import AuditEntry, Person, PrivacyRequest
from vollegym.people.rights import (
    audit_record,
    person_erase,
    person_export,
    privacy_request_close,
    privacy_request_open,
    privacy_settings_for,
    privacy_settings_update,
)
from vollegym.people.services import PersonError, person_find_other, person_merge
from vollegym.studios.access import role_of, studio_of, studio_view, user_of
from vollegym.studios.models import StaffMembership

OWNERS = frozenset({StaffMembership.Role.OWNER})


def _person(request: HttpRequest, person_id: int) -> Person:
    person = Person.objects.for_studio(studio_of(request)).filter(pk=person_id).first()
    if person is None:
        raise Http404("No such person")
    return person


def _address(request: HttpRequest) -> str:
    return client_ip(request)


@studio_view()
def person_detail(request: HttpRequest, person_id: int) -> HttpResponse:
    studio, person = studio_of(request), _person(request, person_id)
    data = selectors.person_sections(person)
    audit_record(action=AuditEntry.Action.VIEWED, user=user_of(request), studio=studio, person=person,
                 detail="persoonspagina", address=_address(request))  # fmt: skip
    return render(
        request,
        "people/detail.html",
        {
            "studio": studio, "person": person, "sections": data,
            "consents": selectors.consent_rows(person), "requests": selectors.requests_of(person),
            "is_owner": role_of(request) in (StaffMembership.Role.OWNER, "agency"),
            "nav": "leads",
        },
    )  # fmt: skip


@studio_view(roles=OWNERS)
def person_export_download(request: HttpRequest, person_id: int) -> HttpResponse:
    person = _person(request, person_id)
    request_row = privacy_request_open(person=person, kind=PrivacyRequest.Kind.EXPORT, by=user_of(request))
    data = person_export(person=person, by=user_of(request), request=request_row)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="persoon-{person.pk}.json"'
    return response


class EraseForm(forms.Form):
    confirm = forms.CharField(label=gettext_lazy("Typ de naam om te bevestigen"), max_length=200)


@studio_view(roles=OWNERS)
def person_erase_view(request: HttpRequest, person_id: int) -> HttpResponse:
    studio, person = studio_of(request), _person(request, person_id)
    expected = person.name or "WISSEN"
    form = EraseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["confirm"].strip().casefold() != expected.casefold():
            form.add_error("confirm", _("Dat is niet de naam van deze persoon; er is niets gewist."))
        else:
            row = privacy_request_open(person=person, kind=PrivacyRequest.Kind.ERASURE, by=user_of(request))
            person_erase(person=person, by=user_of(request), request=row)
            messages.success(request, _("Gewist. De tellingen in de rapporten blijven kloppen."))
            return redirect("people:detail", studio=studio.slug, person_id=person.pk)
    return render(
        request, "people/erase.html", {"studio": studio, "person": person, "form": form, "expected": expected}
    )


class MergeForm(forms.Form):
    other = forms.CharField(label=gettext_lazy("E-mail of telefoon van de andere persoon"), max_length=254)


@studio_view()
def person_merge_view(request: HttpRequest, person_id: int) -> HttpResponse:
    studio, person = studio_of(request), _person(request, person_id)
    form = MergeForm(request.POST or request.GET or None)
    other = None
    if form.is_valid():
        try:
            other = person_find_other(person=person, typed=form.cleaned_data["other"])
        except PersonError as exc:
            form.add_error("other", str(exc))
        if other is not None and request.method == "POST" and request.POST.get("confirmed") == "1":
            try:
                kept = person_merge(keep=person, other=other, by=user_of(request))
            except PersonError as exc:
                form.add_error("other", str(exc))
            else:
                audit_record(action=AuditEntry.Action.MERGED, user=user_of(request), studio=studio, person=kept,
                             detail=f"persoon {other.pk} samengevoegd", address=_address(request))  # fmt: skip
                messages.success(request, _("Samengevoegd: alles staat nu bij één persoon."))
                return redirect("people:detail", studio=studio.slug, person_id=kept.pk)
    other_sections = selectors.person_sections(other) if other is not None else {}
    return render(
        request,
        "people/merge.html",
        {"studio": studio, "person": person, "form": form, "other": other, "other_sections": other_sections},
    )


class RetentionForm(forms.Form):
    lead_months = forms.IntegerField(
        label=gettext_lazy("Leads die geen lid werden, bewaren we (maanden)"), min_value=1, max_value=120
    )
    raw_delivery_days = forms.IntegerField(
        label=gettext_lazy("Ruwe berichten van Meta, Google en koppelingen (dagen)"),
        min_value=1,
        max_value=365,
    )


@studio_view(roles=OWNERS)
def privacy(request: HttpRequest) -> HttpResponse:
    studio = studio_of(request)
    config = privacy_settings_for(studio)
    form = RetentionForm(
        request.POST or None,
        initial={"lead_months": config.lead_months, "raw_delivery_days": config.raw_delivery_days},
    )
    if request.method == "POST" and form.is_valid():
        privacy_settings_update(studio=studio, by=user_of(request), **form.cleaned_data)
        messages.success(request, _("De bewaartermijnen zijn aangepast."))
        return redirect("people:privacy", studio=studio.slug)
    return render(
        request,
        "people/privacy.html",
        {
            "studio": studio, "form": form, "config": config,
            "requests": selectors.open_requests(studio), "audit": selectors.audit_log(studio)[:100],
            "nav": "dashboard",
        },
    )  # fmt: skip


@studio_view(roles=OWNERS)
@require_POST
def request_done(request: HttpRequest, request_id: int) -> HttpResponse:
    studio = studio_of(request)
    found = PrivacyRequest.objects.for_studio(studio).filter(pk=request_id).first()
    if found is None:
        raise Http404("No such request")
    privacy_request_close(request=found, by=user_of(request))
    return redirect("people:privacy", studio=studio.slug)
