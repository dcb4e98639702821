"""The API's reference page, rendered on the server from the OpenAPI schema: readable without JavaScript, and within
our Content-Security-Policy (ninja's Swagger page loads script from a CDN and runs inline script)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from vollegym.api.problems import CODES
from vollegym.api.scopes import ALL_SCOPES
from vollegym.api.v1 import api

METHODS = ("get", "post", "put", "patch", "delete")


@dataclass
class Param:
    name: str
    where: str
    type: str
    required: bool
    description: str


@dataclass
class Operation:
    method: str
    path: str
    summary: str
    description: str
    anchor: str
    params: list[Param] = field(default_factory=list)
    body: str = ""  # the name of the request body's schema
    answers: list[tuple[str, str]] = field(default_factory=list)  # (status, schema name or "problem")


@dataclass
class Model:
    name: str
    fields: list[Param]


def type_of(spec: dict[str, Any]) -> str:
    """A schema in a few words: `string (date-time)`, `list of LeadOut`, `integer or null`."""
    if "$ref" in spec:
        return str(spec["$ref"]).rsplit("/", 1)[-1]
    if "anyOf" in spec:
        return " or ".join(type_of(s) for s in spec["anyOf"])
    kind = str(spec.get("type", "any"))
    if kind == "array":
        return f"list of {type_of(spec.get('items', {}))}"
    if kind == "object" and "additionalProperties" in spec:
        return "object"
    if "format" in spec:
        return f"{kind} ({spec['format']})"
    return kind


def limits_of(spec: dict[str, Any]) -> str:
    words = [f"{label} {spec[key]}" for key, label in (
        ("minimum", "≥"), ("maximum", "≤"), ("minLength", "min. length"), ("maxLength", "max. length"),
        ("maxItems", "max. items"),
    ) if key in spec]  # fmt: skip
    if "default" in spec and spec["default"] not in ("", None):
        words.append(f"default {spec['default']}")
    return ", ".join(words)


def _operations(schema: dict[str, Any]) -> list[tuple[str, list[Operation]]]:
    groups: dict[str, list[Operation]] = {}
    for path, item in schema.get("paths", {}).items():
        for method in METHODS:
            spec = item.get(method)
            if spec is None:
                continue
            op = Operation(
                method=method.upper(), path=path, summary=spec.get("summary", ""),
                description=spec.get("description", ""), anchor=spec.get("operationId", f"{method}-{path}"),
            )  # fmt: skip
            for p in spec.get("parameters", []):
                s = p.get("schema", {})
                op.params.append(Param(
                    p["name"], p["in"], type_of(s), bool(p.get("required")),
                    " · ".join(x for x in (s.get("description", ""), limits_of(s)) if x),
                ))  # fmt: skip
            body = (
                spec.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
            )
            op.body = type_of(body) if body else ""
            for status, answer in spec.get("responses", {}).items():
                content = answer.get("content", {})
                named = next((type_of(c.get("schema", {})) for c in content.values()), "")
                op.answers.append((status, named))
            groups.setdefault((spec.get("tags") or ["api"])[0], []).append(op)
    return list(groups.items())


def _models(schema: dict[str, Any]) -> list[Model]:
    found = []
    for name, spec in sorted(schema.get("components", {}).get("schemas", {}).items()):
        required = set(spec.get("required", []))
        found.append(Model(name, [
            Param(key, "", type_of(s), key in required,
                  " · ".join(x for x in (s.get("description", ""), limits_of(s)) if x))
            for key, s in spec.get("properties", {}).items()
        ]))  # fmt: skip
    return found


def reference_page(request: HttpRequest) -> HttpResponse:
    schema = api.get_openapi_schema()
    return render(request, "api/reference.html", {
        "info": schema.get("info", {}), "groups": _operations(schema), "models": _models(schema),
        "problems": [(code, status, title) for code, (status, title) in CODES.items()],
        "scopes": sorted(ALL_SCOPES),
    })  # fmt: skip
