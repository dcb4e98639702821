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
from vollegym.people.selectors import WITHDRAWABLE, consent_choices
from vollegym.studios.selectors import active_studio


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
    focus = request.GET.get("doel")
    rows = [
        {"purpose": p, "label": label, "given": given, "focus": focus == p}
        for p, label, given in consent_choices(person)
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
