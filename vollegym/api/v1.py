"""The API, version 1: its routers, its errors as problem documents, and its body parser."""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.types import DictStrAny

from vollegym.api.auth import TokenAuth
from vollegym.api.problems import (
    PROBLEM_TYPE,
    ApiProblem,
    crash,
    from_problem,
    problem_response,
    validation_errors,
)
from vollegym.leads.inbound import BodyError, read_json

DESCRIPTION = """\
The Volle Gym API: a studio's people, leads, intakes, conversations, programs, members, agenda, payments and the
feed of what happened, under `/api/v1/studios/{studio}/…`.

Authenticate with `Authorization: Bearer <token>`; an owner makes a studio's tokens in the back office
(Instellingen → API), the agency makes tokens that reach every studio it runs. Each token has scopes (read or write
per resource) and a limit of requests per minute.

Lists are pages: pass the `next_cursor` of one page as `cursor` to get the next; `updated_since` returns only rows
changed (or made) since that moment. Times are UTC (ISO 8601), money is in cents. Every error is an RFC 9457
problem document (`application/problem+json`) with a stable `code`.
"""


class StrictJsonParser(Parser):
    """The same strict reading as our webhooks: no NaN, no numbers beyond a double, no deep nesting, no NUL."""

    def parse_body(self, request: HttpRequest) -> DictStrAny:
        value = read_json(request.body)
        return cast(DictStrAny, value)  # a body that is not an object fails the schema with a 422


class VolleGymApi(NinjaAPI):
    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        """Errors are documented as what they are: problem documents."""
        schema = super().get_openapi_schema(*args, **kwargs)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if int(status) >= 400 and "application/json" in content:
                        content[PROBLEM_TYPE] = content.pop("application/json")
        return schema


api = VolleGymApi(
    title="Volle Gym API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=TokenAuth(),
    parser=StrictJsonParser(),
    docs_url=None,  # our own reference page: Swagger UI runs inline script and CDN assets, which our CSP forbids
)


@api.exception_handler(ApiProblem)
def _problem(request: HttpRequest, exc: ApiProblem) -> HttpResponse:
    return from_problem(request, exc)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return problem_response("not_authenticated", "Send a valid token as `Authorization: Bearer <token>`.")


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, BodyError):
        return problem_response("invalid_body", str(exc.__cause__))
    if exc.status_code == 400:
        return problem_response("invalid_body")
    return problem_response("server_error")


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = validation_errors(exc.errors)
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
    return problem_response("validation_failed", detail, errors=errors)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem_response("not_found")


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return problem_response("too_large")


@api.exception_handler(Exception)
def _crash(request: HttpRequest, exc: Exception) -> HttpResponse:
    return crash(request, exc)


def _register() -> None:
    from vollegym.api.endpoints import events, intake, leads, members, payments, people, programs, schedule

    for module in (people, leads, intake, programs, members, schedule, payments, events):
        api.add_router("/", module.router)


_register()
