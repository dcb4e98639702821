"""Inbound webhooks: thin doors over `inbound_store`; a 2xx means the delivery is stored."""

from __future__ import annotations

import hmac
import json

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from vollegym.leads import google as google_api
from vollegym.leads import meta as meta_api
from vollegym.leads.inbound import SignatureError, generic_parse, inbound_store, verify_generic_signature
from vollegym.leads.models import InboundEvent, LeadSettings, MetaPage
from vollegym.leads.services import CaptureError, check_lead_input, lead_settings_for
from vollegym.studios.selectors import active_studio


def _refuse(status: int, reason: str) -> JsonResponse:
    return JsonResponse({"status": "refused", "reason": reason}, status=status)


@csrf_exempt
@require_POST
def generic(request: HttpRequest, studio: str) -> JsonResponse:
    """Zapier, Make or a studio's own site: a signed JSON lead."""
    # The studio and its secret in one query: this door takes hundreds of leads a second.
    config = (
        LeadSettings.all_studios.select_related("studio")
        .filter(studio__slug=studio, studio__is_active=True)
        .only("webhook_secret", "studio__id", "studio__slug", "studio__is_active")
        .first()
    )
    if config is None:
        found = active_studio(studio)
        if found is None:
            return _refuse(404, "no such studio")
        config = lead_settings_for(found)
    found = config.studio
    body = request.body
    try:
        verify_generic_signature(request.headers.get("X-Vollegym-Signature", ""), body, config.webhook_secret)
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


@csrf_exempt
def meta(request: HttpRequest) -> HttpResponse:
    """Meta Lead Ads: GET is the subscription handshake, POST a signed delivery of one or more leads."""
    if request.method == "GET":
        token = settings.META_VERIFY_TOKEN
        given = request.GET.get("hub.verify_token", "")
        if (
            request.GET.get("hub.mode") == "subscribe"
            and token
            and hmac.compare_digest(given.encode(), token.encode())
        ):
            return HttpResponse(request.GET.get("hub.challenge", ""), content_type="text/plain")
        return HttpResponse("verification failed", status=403, content_type="text/plain")
    if request.method != "POST":
        return _refuse(405, "GET (handshake) or POST (delivery)")
    body = request.body
    if not meta_api.verify_signature(
        request.headers.get("X-Hub-Signature-256", ""), body, settings.META_APP_SECRET
    ):
        return _refuse(403, "X-Hub-Signature-256 does not match the body and the app secret")
    try:
        changes = meta_api.leadgen_changes(json.loads(body))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return _refuse(400, f"body is not JSON: {exc}")
    except ValueError as exc:
        return _refuse(400, str(exc))
    pages = {p.page_id: p for p in MetaPage.all_studios.filter(page_id__in={c.page_id for c in changes})}
    stored = []
    for change in changes:
        page = pages.get(change.page_id)
        event, is_new = inbound_store(
            studio=page.studio if page else None,
            provider=InboundEvent.Provider.META,
            dedupe_key=change.leadgen_id,
            payload={**change.value, "page_id": change.page_id},
            process=page is not None,
        )
        stored.append(
            {"leadgen_id": change.leadgen_id, "event": event.pk, "new": is_new, "routed": page is not None}
        )
    return JsonResponse({"status": "accepted", "events": stored})


@csrf_exempt
@require_POST
def google(request: HttpRequest, studio: str) -> JsonResponse:
    """Google Ads lead forms: the body carries the form's key."""
    found = active_studio(studio)
    if found is None:
        return _refuse(404, "no such studio")
    try:
        payload = json.loads(request.body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return _refuse(400, f"body is not JSON: {exc}")
    try:
        lead = google_api.parse(payload)
    except CaptureError as exc:
        return _refuse(400, str(exc))
    if not google_api.key_matches(found, lead):
        return _refuse(403, "google_key does not match this studio's key for the form")
    try:
        check_lead_input(google_api.lead_input(lead))
    except CaptureError as exc:
        return _refuse(400, str(exc))
    event, is_new = inbound_store(
        studio=found,
        provider=InboundEvent.Provider.GOOGLE,
        dedupe_key=f"{found.pk}:{lead.lead_id}",
        payload=payload,
    )
    return JsonResponse({"status": "accepted" if is_new else "duplicate", "event": event.pk})
