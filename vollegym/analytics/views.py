from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from vollegym.analytics.forms import FunnelForm
from vollegym.analytics.funnel import GROUPINGS, STAYED_DAYS, STAYED_EXPLAINED, funnel, funnel_csv
from vollegym.analytics.overview import overview_of
from vollegym.analytics.portfolio import portfolio
from vollegym.analytics.speed import duration_label, speed_to_lead
from vollegym.core import clock
from vollegym.studios.access import agency_view, role_label, role_of, studio_of, studio_view, user_of
from vollegym.studios.models import Studio
from vollegym.studios.selectors import SITE_OWNER_SLUG, team_of


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


@studio_view()
def overview(request: HttpRequest) -> HttpResponse:
    """The studio's overview: the work waiting (as counts that lead to it), last week's figures, the team."""
    studio = studio_of(request)
    role = role_of(request)
    return render(
        request,
        "analytics/overview.html",
        {
            "studio": studio,
            "overview": overview_of(studio, user_of(request), role),
            "team": team_of(studio),
            "nav": "dashboard",
            "role_label": role_label(role),
        },
    )


@studio_view()
def funnel_page(request: HttpRequest) -> HttpResponse:
    """The funnel over any days (the last twelve months by default), per source, campaign, coach and month; each
    table also as a CSV."""
    studio = studio_of(request)
    form = FunnelForm(request.GET or None, today=clock.local(clock.now(), studio.zone).date())
    first_day, last_day = form.days()
    found = funnel(studio, first_day=first_day, last_day=last_day)
    wanted = request.GET.get("csv", "")
    if wanted and form.is_valid():
        return funnel_csv(found, wanted, studio_slug=studio.slug)
    return render(
        request,
        "analytics/funnel.html",
        {
            "studio": studio, "form": form, "funnel": found, "nav": "speed", "stayed_days": STAYED_DAYS,
            "stayed_explained": STAYED_EXPLAINED,
            "sections": [(key, label, found.groups[key]) for key, label in GROUPINGS],
            "query": urlencode({k: v for k in ("van", "tot") if (v := request.GET.get(k, ""))}),
        },
    )  # fmt: skip


@agency_view
def portfolio_page(request: HttpRequest) -> HttpResponse:
    """The agency's table of every active studio; nobody else has it (a 404, as for another studio's pages).

    The agency's own tenant (its intake for studio owners) is no gym: its figures would skew every median."""
    studios = list(Studio.objects.filter(is_active=True).exclude(slug=SITE_OWNER_SLUG).order_by("name"))
    return render(request, "analytics/portfolio.html", {"portfolio": portfolio(studios)})
