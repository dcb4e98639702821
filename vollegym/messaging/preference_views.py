"""A person's own page, from the link under every mail: which messages they get, and withdrawing each consent."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from vollegym.core.names import first_name
from vollegym.messaging.services import person_unsubscribe
from vollegym.people.links import person_from_token
from vollegym.people.models import Purpose
from vollegym.people.selectors import consent_state
from vollegym.studios.selectors import active_studio

# What a person can switch off here; health data and measurements are withdrawn the same way.
WITHDRAWABLE = (Purpose.CONTACT, Purpose.MARKETING, Purpose.WHATSAPP, Purpose.HEALTH, Purpose.MEASUREMENTS)


@never_cache
def preferences(request: HttpRequest, studio: str, token: str) -> HttpResponse:
    found = active_studio(studio)
    person = person_from_token(token, found.pk) if found is not None else None
    if found is None or person is None:
        raise Http404("No such link")
    if request.method == "POST":
        purpose = request.POST.get("doel", "")
        if purpose not in WITHDRAWABLE:
            return HttpResponse(_("Onbekende keuze."), status=400, content_type="text/plain; charset=utf-8")
        wording = _("Ingetrokken via de link in een bericht van %(studio)s.") % {"studio": found.name}
        person_unsubscribe(person=person, purpose=purpose, wording=wording)
        return redirect(f"{request.path}?ingetrokken={purpose}")
    state = consent_state(person, found.pk)
    # Someone who asked the studio something hears about it unless they said no: contact never asked counts as on.
    if state[Purpose.CONTACT] is None:
        state[Purpose.CONTACT] = True
    rows = [
        {"purpose": p, "label": Purpose(p).label, "given": state[p], "focus": request.GET.get("doel") == p}
        for p in WITHDRAWABLE
        if state[p] is not None or p == Purpose.MARKETING
    ]
    withdrawn = request.GET.get("ingetrokken", "")
    return render(
        request,
        "messaging/preferences.html",
        {
            "studio": found,
            "first_name": first_name(person.name),
            "rows": rows,
            "withdrawn": Purpose(withdrawn).label if withdrawn in Purpose.values else "",
        },
    )
