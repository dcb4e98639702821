"""The API under /api/v1/: ninja's operations and schema, our reference page, and problem documents for the rest."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, URLResolver, path

from vollegym.api import reference
from vollegym.api.problems import problem_response
from vollegym.api.v1 import api


def _problem_for_wrong_method(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Ninja answers a method a path does not take with a bare 405; ours is a problem document too."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and response.get("Content-Type", "").startswith("text/html"):
            allowed = response.get("Allow", "")
            answer = problem_response("method_not_allowed", f"This path takes {allowed}.")
            answer["Allow"] = allowed
            return answer
        return response

    return wrapped


def _operations() -> list[URLPattern | URLResolver]:
    patterns, _app, _namespace = api.urls
    found: list[URLPattern | URLResolver] = []
    for pattern in patterns:
        if isinstance(pattern, URLPattern) and pattern.name == "api-root":
            pattern.callback = (
                _to_reference  # kept under ninja's name: ninja reverses it to find its own paths
            )
        elif isinstance(pattern, URLPattern):
            pattern.callback = _problem_for_wrong_method(pattern.callback)
        found.append(pattern)
    return found


def _to_reference(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    return redirect("api:reference")


def _not_found(request: HttpRequest, rest: str) -> HttpResponse:
    return problem_response("not_found", "No such path in the API; see /api/v1/docs/.")


app_name = "api"

urlpatterns = [
    path("docs/", reference.reference_page, name="reference"),
    *_operations(),
    path("<path:rest>", _not_found),
]
