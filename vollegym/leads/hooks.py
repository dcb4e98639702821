"""Inbound webhooks: thin doors over `inbound_store`; a 2xx means the delivery is stored."""

from __future__ import annotations

import hmac

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from vollegym.leads import google as google_api
from vollegym.leads import meta as meta_api
from vollegym.leads.inbound import (
    BodyError,
    SignatureError,
    generic_parse,
    inbound_keep_refused,
    inbound_store,
    read_json,
    verify_generic_signature,
)
from vollegym.leads.models import InboundEvent, LeadSettings, MetaPage
from vollegym.leads.services import CaptureError, check_lead_input, lead_settings_for
from vollegym.studios.selectors import active_studio


def _refuse(status: int, reason: str, *, kept: InboundEvent | None = None) -> JsonResponse:
    answer: dict[str, object] = {"status": "refused", "reason": reason}
    if kept is not None:
        answer["event"] = kept.pk  # kept for a person to look at, under this number
    return JsonResponse(answer, status=status)


def _body(request: HttpRequest) -> bytes | None:
    """The raw body, or None when it is larger than Django reads into memory."""
    try:
        return request.body
    except RequestDataTooBig:
        return None


def _too_big() -> JsonResponse:
    return _refuse(413, f"body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes")


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
    body = _body(request)
    if body is None:
        return _too_big()
    try:
        verify_generic_signature(request.headers.get("X-Vollegym-Signature", ""), body, config.webhook_secret)
    except SignatureError as exc:
        return _refuse(403, str(exc))
    # Signed, so it comes from the studio's own sender: what cannot become a lead is kept for a person.
    try:
        payload = read_json(body)
        parsed = generic_parse(payload)
    except (BodyError, CaptureError) as exc:
        kept = inbound_keep_refused(
            studio=found, provider=InboundEvent.Provider.GENERIC, body=body, reason=str(exc)
        )
        return _refuse(400, str(exc), kept=kept)
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
    body = _body(request)
    if body is None:
        return _too_big()
    if not meta_api.verify_signature(
        request.headers.get("X-Hub-Signature-256", ""), body, settings.META_APP_SECRET
    ):
        return _refuse(403, "X-Hub-Signature-256 does not match the body and the app secret")
    try:
        changes = meta_api.leadgen_changes(read_json(body))
    except ValueError as exc:  # BodyError included
        # Signed by Meta, but which studio it is for cannot be read: kept without one, for the agency's admin.
        kept = inbound_keep_refused(
            studio=None, provider=InboundEvent.Provider.META, body=body, reason=str(exc)
        )
        return _refuse(400, str(exc), kept=kept)
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
    body = _body(request)
    if body is None:
        return _too_big()
    # The key is inside the body, so a body that cannot be read is not known to be Google's: refused, not kept.
    try:
        payload = read_json(body)
    except BodyError as exc:
        return _refuse(400, str(exc))
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
