"""Inbound webhooks: thin doors over `inbound_store`; a 2xx means the delivery is stored."""

from __future__ import annotations

import json

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from vollegym.leads.inbound import SignatureError, generic_parse, inbound_store, verify_generic_signature
from vollegym.leads.models import InboundEvent
from vollegym.leads.services import CaptureError, lead_settings_for
from vollegym.studios.models import Studio


def _refuse(status: int, reason: str) -> JsonResponse:
    return JsonResponse({"status": "refused", "reason": reason}, status=status)


@csrf_exempt
@require_POST
def generic(request: HttpRequest, studio: str) -> JsonResponse:
    """Zapier, Make or a studio's own site: a signed JSON lead."""
    found = Studio.objects.filter(slug=studio, is_active=True).first()
    if found is None:
        return _refuse(404, "no such studio")
    body = request.body
    try:
        verify_generic_signature(
            request.headers.get("X-Vollegym-Signature", ""), body, lead_settings_for(found).webhook_secret
        )
    except SignatureError as exc:
        return _refuse(403, str(exc))
    try:
        payload = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return _refuse(400, f"body is not JSON: {exc}")
    try:
        parsed = generic_parse(payload)
    except CaptureError as exc:
        return _refuse(400, str(exc))
    event, is_new = inbound_store(
        studio=found,
        provider=InboundEvent.Provider.GENERIC,
        dedupe_key=f"{found.pk}:{parsed.external_id}",
        payload=payload,
    )
    return JsonResponse(
        {"status": "accepted" if is_new else "duplicate", "event": event.pk}, status=202 if is_new else 200
    )
