"""Errors as RFC 9457 problem documents: `application/problem+json` with type, title, status, detail and our `code`.

Every error the API gives is one of these, from a missing token to a crash; `code` is stable, the words may change.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Schema

logger = logging.getLogger(__name__)

PROBLEM_TYPE = "application/problem+json"

# code -> (status, title); the reference page lists them, each under its own anchor (the problem's `type`).
CODES: dict[str, tuple[int, str]] = {
    "invalid_body": (400, "The request body is not JSON the API takes"),
    "invalid_cursor": (400, "The cursor is not one this list gave out"),
    "not_authenticated": (401, "A valid API token is required"),
    "token_revoked": (401, "The API token was revoked"),
    "forbidden_scope": (403, "The API token lacks the scope for this"),
    "not_found": (404, "Not found"),
    "method_not_allowed": (405, "Method not allowed"),
    "validation_failed": (422, "The request does not validate"),
    "refused": (422, "The change was refused"),
    "too_large": (413, "The request body is too large"),
    "rate_limited": (429, "Too many requests for this token"),
    "server_error": (500, "Something went wrong on our side"),
}


def problem_type(code: str) -> str:
    return f"/api/v1/docs/#problem-{code}"


class FieldError(Schema):
    field: str
    message: str


class Problem(Schema):
    type: str
    title: str
    status: int
    detail: str
    code: str
    errors: list[FieldError] | None = None


class ApiProblem(Exception):
    """Raised anywhere in the API to answer with a problem document."""

    def __init__(
        self, code: str, detail: str = "", *, errors: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:  # fmt: skip
        super().__init__(detail or code)
        self.code, self.detail, self.errors, self.headers = code, detail, errors, headers or {}

    @property
    def status(self) -> int:
        return CODES[self.code][0]


def problem_response(
    code: str, detail: str = "", *, errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> HttpResponse:  # fmt: skip
    status, title = CODES[code]
    body: dict[str, Any] = {
        "type": problem_type(code), "title": title, "status": status, "detail": detail or title, "code": code,
    }  # fmt: skip
    if errors is not None:
        body["errors"] = errors
    response = HttpResponse(json.dumps(body), status=status, content_type=PROBLEM_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="vollegym"'
    return response


def from_problem(request: HttpRequest, exc: ApiProblem) -> HttpResponse:
    return problem_response(exc.code, exc.detail, errors=exc.errors, headers=exc.headers)


def _location(loc: Any) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "payload", "filters")]
    return ".".join(parts) or "body"


def validation_errors(raw: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Pydantic's errors as field and message, without echoing the input (it may hold anything)."""
    return [{"field": _location(e.get("loc", ())), "message": str(e.get("msg", ""))[:300]} for e in raw]


def crash(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("API request failed: %s %s", request.method, request.path, exc_info=exc)
    return problem_response("server_error")
