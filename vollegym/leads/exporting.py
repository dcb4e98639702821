"""Reads of a studio's leads as plain data, for the agency and for data portability (JSON or CSV)."""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from django.utils.translation import gettext as _

from vollegym.core.phones import display_phone
from vollegym.core.spreadsheet import Cell
from vollegym.leads.models import Lead
from vollegym.people.models import ConsentEntry
from vollegym.studios.models import Studio

FIELDS = [
    "id", "created_at", "name", "email", "phone", "phone_as_given", "phone_invalid", "source", "campaign", "ad",
    "form", "utm", "stage", "lost_reason", "assigned_to", "due_at", "first_contact_at", "response_seconds",
    "escalated_at", "answers", "consents",
]  # fmt: skip
_STRUCTURED = frozenset({"utm", "answers", "consents"})


def _utc(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _sorted(value: Any) -> Any:
    """Keys in alphabetical order, at every depth: PostgreSQL's jsonb does not keep the order they came in."""
    if isinstance(value, dict):
        return {key: _sorted(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [_sorted(item) for item in value]
    return value


def leads_export_rows(studio: Studio, include_test: bool = False) -> list[dict[str, Any]]:
    """Every lead of one studio, oldest first, with its consents in the words the person saw."""
    leads = Lead.objects.for_studio(studio).select_related("person", "assigned_to")
    if not include_test:
        leads = leads.real()
    consents: defaultdict[int, list[dict[str, Any]]] = defaultdict(list)
    for consent in ConsentEntry.objects.for_studio(studio).order_by("at", "id"):
        consents[consent.person_id].append(
            {
                "purpose": consent.purpose,
                "channel": consent.source,
                "wording": consent.wording,
                "given": consent.given,
                "recorded_at": _utc(consent.at),
            }
        )
    return [
        {
            "id": lead.pk,
            "created_at": _utc(lead.created_at),
            "name": lead.name,
            "email": lead.email,
            "phone": lead.phone,
            "phone_as_given": lead.phone_as_given,
            "phone_invalid": lead.phone_invalid,
            "source": lead.source,
            "campaign": lead.campaign,
            "ad": lead.ad,
            "form": lead.form,
            "utm": _sorted(lead.utm),
            "stage": lead.stage,
            "lost_reason": lead.lost_reason,
            "assigned_to": lead.assigned_to.email if lead.assigned_to else None,
            "due_at": _utc(lead.due_at),
            "first_contact_at": _utc(lead.first_contact_at),
            "response_seconds": lead.response_seconds,
            "escalated_at": _utc(lead.escalated_at),
            "answers": _sorted(lead.answers),
            "consents": consents.get(lead.person_id, []),
        }
        for lead in leads.select_related("assigned_to").order_by("created_at", "id")
    ]


def leads_export_json(rows: list[dict[str, Any]]) -> str:
    return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"


def _cell(name: str, value: Any) -> str:
    if name in _STRUCTURED:
        return json.dumps(value, ensure_ascii=False)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def leads_export_csv(rows: list[dict[str, Any]]) -> str:
    """One header row, one row per lead; utm, answers and consents as JSON text, a missing value empty."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(FIELDS)
    for row in rows:
        writer.writerow([_cell(name, row[name]) for name in FIELDS])
    return out.getvalue()


def lead_list_header() -> list[str]:
    """The columns of the leads list's CSV, in the viewer's language."""
    return [
        _("Naam"), _("E-mail"), _("Telefoon"), _("Bron"), _("Fase"), _("Coach"), _("Binnengekomen"),
        _("Eerste contact"), _("Campagne"),
    ]  # fmt: skip


def lead_list_rows(leads: Iterable[Lead]) -> Iterator[list[Cell]]:
    """The leads as the list shows them, one row each (a phone as a Dutch studio writes it)."""
    for lead in leads:
        yield [
            lead.name, lead.email, display_phone(lead.phone) if lead.phone else lead.phone_as_given,
            lead.get_source_display(), lead.get_stage_display(),
            lead.assigned_to.get_short_name() if lead.assigned_to else "", lead.created_at, lead.first_contact_at,
            lead.campaign,
        ]  # fmt: skip
