"""The back-office page where an owner uploads a CSV of leads: thin over `leads_import_csv`."""

from __future__ import annotations

import logging

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vollegym.leads.importing import MAX_BYTES, ImportRefused, ImportReport, leads_import_csv
from vollegym.studios.access import studio_of, studio_view, user_of

# An upload is handled within the web request: kept small enough to finish well inside the server's timeout.
# Larger files go through `vollegym import-leads`.
MAX_ROWS = 1000

log = logging.getLogger(__name__)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV-bestand"),
        help_text=format_lazy(
            gettext_lazy(
                "Uit Excel, Google Sheets of je oude systeem. Met een kolom voor e-mail of telefoon; "
                "naam, bron, campagne en notities mogen erbij. Hoogstens {rows} rijen en {mb} MB."
            ),
            rows=MAX_ROWS,
            mb=MAX_BYTES // (1024 * 1024),
        ),
        widget=forms.FileInput(attrs={"accept": ".csv,.txt,text/csv"}),
    )


@studio_view(roles=frozenset({"owner"}))
def import_csv(request: HttpRequest) -> HttpResponse:
    studio = studio_of(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    report: ImportReport | None = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            # One byte past the limit is enough for the service to refuse an oversized file.
            report = leads_import_csv(
                studio=studio,
                data=upload.read(MAX_BYTES + 1),
                by=user_of(request),
                max_rows=MAX_ROWS,
            )
        except ImportRefused as exc:
            messages.error(request, _("Dit bestand is niet ingelezen: %(reason)s") % {"reason": exc.reason})
        except Exception:
            log.exception("lead import for studio %s failed", studio.slug)
            messages.error(
                request, _("Het inlezen is mislukt; er is niets geïmporteerd. Probeer het later nog eens.")
            )
    return render(
        request, "leads/import.html", {"studio": studio, "form": form, "report": report, "nav": "leads"}
    )
