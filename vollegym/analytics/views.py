from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from vollegym.analytics.speed import duration_label, speed_to_lead
from vollegym.studios.access import studio_of, studio_view


@studio_view()
def speed(request: HttpRequest) -> HttpResponse:
    studio = studio_of(request)
    report = speed_to_lead(studio)
    return render(
        request,
        "analytics/speed.html",
        {
            "studio": studio,
            "report": report,
            "median": duration_label(report.median_seconds),
            "coaches": [(r, duration_label(r.median_seconds)) for r in report.by_coach],
            "sources": [(r, duration_label(r.median_seconds)) for r in report.by_source],
            "nav": "speed",
        },
    )
