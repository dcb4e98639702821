"""Mollie's webhook: a thin door over `webhook_store`; a 200 means the call is stored (Mollie retries on anything else).

The studio comes from the URL and, when the call is processed, from the payment we stored for it: never from the
body, which holds only `id=tr_…` and is not signed.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from vollegym.payments.webhooks import PAYMENT_ID, webhook_store
from vollegym.studios.selectors import active_studio

MAX_BODY = 1000  # `id=tr_…` is some 20 bytes


def _refuse(status: int, reason: str) -> JsonResponse:
    return JsonResponse({"status": "refused", "reason": reason}, status=status)


@csrf_exempt
@require_POST
def mollie(request: HttpRequest, studio: str) -> JsonResponse:
    found = active_studio(studio)
    if found is None:
        return _refuse(404, "no such studio")
    if request.content_type != "application/x-www-form-urlencoded":
        return _refuse(415, "Mollie posts application/x-www-form-urlencoded")
    try:
        body = request.body
    except RequestDataTooBig:
        return _refuse(413, "body is too large")
    if len(body) > MAX_BODY:
        return _refuse(413, f"body is larger than {MAX_BODY} bytes")
    try:
        fields = parse_qs(body.decode("ascii"), strict_parsing=True, max_num_fields=5)
    except (UnicodeDecodeError, ValueError):
        return _refuse(400, "body is not form-encoded id=tr_…")
    ids = fields.get("id", [])
    if len(ids) != 1 or not PAYMENT_ID.fullmatch(ids[0]):
        return _refuse(400, "body must hold one id=tr_…")
    webhook_store(studio=found, payment_id=ids[0])
    return JsonResponse({"status": "accepted"})
