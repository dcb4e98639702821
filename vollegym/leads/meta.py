"""Meta Lead Ads: the webhook's handshake and signature, and the Graph API fetch of a lead's answers.

The webhook only says *that* a lead exists (page, form, leadgen id); the answers come from
GET {META_GRAPH_URL}/{leadgen_id} with the page's access token.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from vollegym.leads.services import ConsentInput, LeadInput

GRAPH_FIELDS = "id,created_time,ad_id,ad_name,adset_name,campaign_id,campaign_name,form_id,field_data,custom_disclaimer_responses,is_organic,platform"


# Meta's ids are digits, some 16 long; the leadgen id is the stored delivery's key (at most 200 characters).
MAX_ID_CHARACTERS = 64


class GraphUnavailable(Exception):
    """A temporary failure: Meta's side is down, slow or rate-limiting; try again later."""


class GraphRefused(Exception):
    """A permanent failure: the token is wrong or the lead is gone; retrying will not help."""


def verify_signature(header: str, body: bytes, app_secret: str) -> bool:
    """X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body with the app secret>."""
    if not app_secret or not header.startswith("sha256="):
        return False
    expected = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    # As bytes: compare_digest() raises on a str with a character outside ASCII.
    given = header.removeprefix("sha256=").strip().lower().encode("utf-8", "replace")
    return hmac.compare_digest(expected.encode(), given)


@dataclass(frozen=True)
class LeadgenChange:
    page_id: str
    leadgen_id: str
    value: dict[str, Any]


def leadgen_changes(payload: object) -> list[LeadgenChange]:
    """Every `leadgen` change of a delivery (a delivery may batch several entries and changes)."""
    if (
        not isinstance(payload, dict)
        or payload.get("object") != "page"
        or not isinstance(payload.get("entry"), list)
    ):
        raise ValueError('expected {"object": "page", "entry": [...]}')
    found = []
    for entry in payload["entry"]:
        if not isinstance(entry, dict):
            raise ValueError("each entry must be an object")
        for change in entry.get("changes") or []:
            if not isinstance(change, dict) or change.get("field") != "leadgen":
                continue
            value = change.get("value")
            if not isinstance(value, dict) or not value.get("leadgen_id"):
                raise ValueError("a leadgen change needs value.leadgen_id")
            page_id = str(value.get("page_id") or entry.get("id") or "")
            if not page_id:
                raise ValueError("a leadgen change needs a page id")
            leadgen_id = str(value["leadgen_id"])
            if len(leadgen_id) > MAX_ID_CHARACTERS or len(page_id) > MAX_ID_CHARACTERS:
                raise ValueError(f"a leadgen_id or page id has at most {MAX_ID_CHARACTERS} characters")
            found.append(LeadgenChange(page_id=page_id, leadgen_id=leadgen_id, value=value))
    return found


def graph_fetch_lead(leadgen_id: str, page_token: str) -> dict[str, Any]:
    query = urllib.parse.urlencode({"access_token": page_token, "fields": GRAPH_FIELDS})
    url = f"{settings.META_GRAPH_URL}/{urllib.parse.quote(leadgen_id)}?{query}"
    try:
        with urllib.request.urlopen(url, timeout=settings.HTTP_TIMEOUT_SECONDS) as response:  # noqa: S310 - our setting
            data = json.loads(response.read())
    except urllib.error.HTTPError as exc:
        detail = exc.read()[:300].decode(errors="replace")
        if exc.code in (400, 401, 403, 404):
            raise GraphRefused(f"Graph API {exc.code}: {detail}") from exc
        raise GraphUnavailable(f"Graph API {exc.code}: {detail}") from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise GraphUnavailable(f"Graph API unreachable: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise GraphUnavailable(f"Graph API answered something that is not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise GraphUnavailable("Graph API answered an unexpected shape")
    return data


_NAME_FIELDS = {"full_name", "volledige_naam", "naam", "name"}
_EMAIL_FIELDS = {"email", "e-mail", "e-mailadres", "work_email"}
_PHONE_FIELDS = {"phone_number", "phone", "telefoonnummer", "telefoon", "work_phone_number"}


def lead_input_from_graph(lead: dict[str, Any], change: dict[str, Any]) -> LeadInput:
    """Maps a Graph lead (field_data) to our lead; unknown questions become answers."""
    answers: dict[str, Any] = {}
    name = first = last = email = phone = ""
    for item in lead.get("field_data") or []:
        key = str(item.get("name", "")).strip()
        values = [str(v) for v in item.get("values") or []]
        text = ", ".join(values)
        lowered = key.lower()
        if lowered in _NAME_FIELDS:
            name = text
        elif lowered == "first_name":
            first = text
        elif lowered == "last_name":
            last = text
        elif lowered in _EMAIL_FIELDS:
            email = text
        elif lowered in _PHONE_FIELDS:
            phone = text
        elif key:
            answers[key] = text
    consents = [
        ConsentInput(
            purpose="other",
            wording=f"Meta-formulier {lead.get('form_id') or change.get('form_id', '')}: {d.get('checkbox_key', '')}",
            given=bool(d.get("is_checked")),
            channel="meta",
        )
        for d in lead.get("custom_disclaimer_responses") or []
        if isinstance(d, dict)
    ]
    return LeadInput(
        source="meta",
        name=name or " ".join(p for p in (first, last) if p),
        email=email,
        phone=phone,
        campaign=str(lead.get("campaign_name") or lead.get("campaign_id") or ""),
        ad=str(lead.get("ad_name") or lead.get("ad_id") or change.get("ad_id") or ""),
        form=str(lead.get("form_id") or change.get("form_id") or ""),
        utm={
            k: str(v) for k, v in (("platform", lead.get("platform")), ("adset", lead.get("adset_name"))) if v
        },
        answers=answers,
        consents=consents,
    )
