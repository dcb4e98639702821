"""The Today page: one phone-first list of the day's work for a coach, or for the whole studio for its owner."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from vollegym.core import clock
from vollegym.intake.booking_forms import OutcomeForm
from vollegym.studios.access import role_of, studio_of, studio_view, user_of
from vollegym.today.selectors import day_of

MINE = "ik"


@studio_view()
def today(request: HttpRequest) -> HttpResponse:
    studio = studio_of(request)
    role = role_of(request)
    # A coach sees their own work; an owner (or the agency) the studio's, or only their own with ?wie=ik.
    mine = role == "coach" or request.GET.get("wie") == MINE
    day = day_of(studio, user_of(request), mine=mine, role=role)
    return render(
        request,
        "today/today.html",
        {
            "studio": studio,
            "day": day,
            "mine": mine,
            "can_choose": role != "coach",
            "now": clock.now(),
            "today": clock.local(clock.now(), studio.zone).date(),
            "outcome_form": OutcomeForm(),
            "nav": "vandaag",
        },
    )
