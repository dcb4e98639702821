"""The member's rating page, from the link in the day-30 or end-of-program mail: one question, then thanks."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from vollegym.core.names import first_name
from vollegym.retention.forms import RatingForm
from vollegym.retention.ratings import RatingError, rating_answer, rating_from_token
from vollegym.studios.selectors import active_studio


@never_cache
def rating(request: HttpRequest, studio: str, token: str) -> HttpResponse:
    """Asks 0 to 10 and a comment; after answering, everyone sees the same thanks and the studio's review link.

    The score is never shown back (it stays private); answering again replaces the first answer.
    """
    found = active_studio(studio)
    asked = rating_from_token(token, found.pk) if found is not None else None
    if found is None or asked is None:
        raise Http404("No such link")
    form = RatingForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                rating_answer(
                    rating=asked, score=form.cleaned_data["score"], comment=form.cleaned_data["comment"]
                )
            except RatingError as exc:
                form.add_error("comment", str(exc))
            else:
                return redirect(request.path)
        status = 400
    answered = asked.answered_at is not None and request.method == "GET" and "opnieuw" not in request.GET
    return render(
        request,
        "retention/rating.html",
        {
            "studio": found, "form": form, "answered": answered, "again": asked.answered_at is not None,
            "first_name": first_name(asked.person.name), "review_url": found.google_review_url,
        },
        status=status,
    )  # fmt: skip
