"""Payments at Mollie, for each term of an enrolment: read only."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from vollegym.api.auth import studio_for
from vollegym.api.endpoints.common import one, responses
from vollegym.api.paging import page
from vollegym.api.schemas import Cursor, Id, Limit, Moment, PaymentOut, PaymentPage
from vollegym.payments.models import MolliePayment

router = Router(tags=["payments"])


def payment_out(p: MolliePayment) -> dict[str, Any]:
    return {
        "id": p.pk, "term_id": p.term_id, "enrolment_id": p.term.enrolment_id, "member_id": p.term.member_id,
        "mollie_id": p.mollie_id, "sequence_type": p.sequence_type, "status": p.status,
        "amount_cents": p.amount_cents, "charged_back_cents": p.charged_back_cents,
        "refunded_cents": p.refunded_cents, "paid_at": p.paid_at, "created_at": p.created_at,
    }  # fmt: skip


@router.get("/studios/{studio}/payments", response=responses(ok=PaymentPage), summary="List payments")
def payments_list(
    request: HttpRequest, studio: str, cursor: Cursor | None = None, limit: Limit = 50,
    updated_since: Moment | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Payments in the order they were last fetched from Mollie (`updated_since` reads that moment)."""
    found = studio_for(request, studio, "payments")
    rows, nxt = page(
        MolliePayment.objects.for_studio(found).select_related("term"), name="payments", studio_id=found.pk,
        key="checked_at", cursor=cursor, limit=limit, since=updated_since,
    )  # fmt: skip
    return {"items": [payment_out(p) for p in rows], "next_cursor": nxt}


@router.get(
    "/studios/{studio}/payments/{payment_id}", response=responses(ok=PaymentOut), summary="Read a payment"
)
def payment_read(request: HttpRequest, studio: str, payment_id: Id) -> dict[str, Any]:
    found = studio_for(request, studio, "payments")
    return payment_out(one(MolliePayment.objects.for_studio(found).select_related("term"), payment_id))
