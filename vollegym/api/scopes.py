"""What a token may do: read (and for some resources write) per resource of the API."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

READ, WRITE = "read", "write"


@dataclass(frozen=True)
class Resource:
    key: str
    label: str | Promise
    writable: bool = False  # the API has writes for it (through the same services as the pages)


RESOURCES = [
    Resource("people", _("Personen")),
    Resource("leads", _("Leads"), writable=True),
    Resource("intake", _("Intakes")),
    Resource("conversations", _("Kennismakingsgesprekken"), writable=True),
    Resource("programs", _("Programma's en prijzen")),
    Resource("members", _("Leden")),
    Resource("enrolments", _("Inschrijvingen")),
    Resource("schedule", _("Lessen, sessies en boekingen")),
    Resource("payments", _("Betalingen")),
    Resource("events", _("Gebeurtenissen")),
]
BY_KEY = {r.key: r for r in RESOURCES}
ALL_SCOPES = frozenset(
    [f"{r.key}:{READ}" for r in RESOURCES] + [f"{r.key}:{WRITE}" for r in RESOURCES if r.writable]
)


def scope(resource: str, access: str) -> str:
    return f"{resource}:{access}"


def scopes_valid(scopes: list[str]) -> bool:
    return bool(scopes) and set(scopes) <= ALL_SCOPES


def scope_choices() -> list[tuple[str, str]]:
    """Every scope as a form choice: "Leads: lezen", "Leads: wijzigen"."""
    choices = []
    for r in RESOURCES:
        choices.append((scope(r.key, READ), f"{r.label}: {_('lezen')}"))
        if r.writable:
            choices.append((scope(r.key, WRITE), f"{r.label}: {_('wijzigen')}"))
    return choices
