"""WhatsApp's webhook: the verify handshake, then signed deliveries stored before anything else (a 200 at once)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.crypto import constant_time_compare
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from vollegym.inbox.delivery import SignatureError, delivery_store, signature_check
from vollegym.leads.inbound import BodyError, read_json


def _refuse(status: int, reason: str) -> JsonResponse:
    return JsonResponse({"status": "refused", "reason": reason}, status=status)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def whatsapp(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        token = settings.WHATSAPP_VERIFY_TOKEN
        mode, given = request.GET.get("hub.mode", ""), request.GET.get("hub.verify_token", "")
        challenge = request.GET.get("hub.challenge", "")
        if mode == "subscribe" and token and constant_time_compare(given, token) and challenge.isascii():
            return HttpResponse(challenge[:200], content_type="text/plain")
        return HttpResponse("verify token does not match", status=403, content_type="text/plain")
    try:
        body = request.body
    except RequestDataTooBig:
        return _refuse(413, f"body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes")
    try:
        signature_check(
            header=request.headers.get("X-Hub-Signature-256", ""),
            body=body,
            secret=settings.WHATSAPP_APP_SECRET,
        )
    except SignatureError as exc:
        return _refuse(401, str(exc))
    try:
        payload = read_json(body)
    except BodyError as exc:
        return _refuse(400, str(exc))
    if not isinstance(payload, dict):
        return _refuse(400, "body must be a JSON object")
    delivery, is_new = delivery_store(payload=payload)
    return JsonResponse({"status": "stored" if is_new else "duplicate", "delivery": delivery.pk})
