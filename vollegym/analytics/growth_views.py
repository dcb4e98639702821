"""The growth simulator's page (owner and agency; coaches get a 404, as on the other money pages). Thin: the mix
form, one report, a page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from vollegym.analytics.growth import GrowthReport, growth_report
from vollegym.analytics.growth_forms import MixForm
from vollegym.analytics.money_views import OWNER
from vollegym.studios.access import studio_of, studio_view


@studio_view(roles=OWNER)
def growth(request: HttpRequest) -> HttpResponse:
    """Members, revenue and fill for 12, 24 and 36 months under each scenario, the owner's mix among them."""
    studio = studio_of(request)
    asked = any(name in request.GET for name in MixForm.base_fields)
    form = MixForm(request.GET if asked else None)
    found = growth_report(studio, mix=form.scenario())
    report = found if isinstance(found, GrowthReport) else None
    return render(
        request,
        "analytics/growth.html",
        {"studio": studio, "nav": "speed", "form": form, "report": report, "inputs": found if report is None
         else report.inputs},
    )  # fmt: skip
