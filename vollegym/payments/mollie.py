"""The one door to Mollie's API: everything else speaks in our terms (cents, typed payments, two kinds of failure).

The client is `mollie-api-python` (see pyproject.toml for why); only this module imports it. Its base URL comes from
MOLLIE_API_URL, so the tests and the demo talk to the stand-in (payments/standin.py), never to the real Mollie.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.utils.dateparse import parse_datetime
from mollie.api.client import Client
from mollie.api.error import Error, IdentifierError, RequestError, ResponseError, ResponseHandlingError
from mollie.api.objects.customer import Customer as MollieCustomerObject
from mollie.api.objects.payment import Payment as MolliePaymentObject

# What the studio's customers see as the method: iDEAL is becoming "iDEAL | Wero" (2026-2027).
IDEAL_LABEL = "iDEAL | Wero"


class MollieUnavailable(Exception):
    """Mollie did not answer, or answered 5xx: the same call may be tried again later (with the same key)."""


class MollieRefused(Exception):
    """Mollie refused the call (4xx): trying again will not help. `status` and Mollie's own `detail`."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(f"{status}: {detail}")
        self.status, self.detail = status, detail


@dataclass(frozen=True)
class Payment:
    id: str
    status: str
    amount_cents: int
    sequence_type: str
    customer_id: str = ""
    mandate_id: str = ""
    checkout_url: str = ""
    charged_back_cents: int = 0
    refunded_cents: int = 0
    paid_at: datetime | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Refund:
    id: str
    payment_id: str
    status: str  # queued, pending, processing, refunded, failed, canceled
    amount_cents: int
    description: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)
    created_at: datetime | None = None


@dataclass(frozen=True)
class Mandate:
    id: str
    status: str  # valid, pending, invalid

    @property
    def usable(self) -> bool:
        """Whether a debit may be taken on it now: Mollie calls it valid (pending is not yet, invalid never again)."""
        return self.status == "valid"


def value_of(cents: int) -> dict[str, str]:
    """An amount as Mollie writes it: {"currency": "EUR", "value": "10.00"} (a string with two decimals)."""
    return {"currency": "EUR", "value": f"{cents // 100}.{cents % 100:02d}"}


def cents_of(amount: Any) -> int:
    """Mollie's {"currency", "value"} as cents; anything else (absent, not euros, not a number) is 0."""
    if not isinstance(amount, dict) or amount.get("currency") != "EUR":
        return 0
    try:
        return int((Decimal(str(amount.get("value"))) * 100).to_integral_value())
    except (InvalidOperation, ValueError):
        return 0


def payment_from(data: dict[str, Any]) -> Payment:
    links = data.get("_links") or {}
    checkout = links.get("checkout") or {}
    metadata = data.get("metadata")
    return Payment(
        id=str(data.get("id", "")), status=str(data.get("status", "")), amount_cents=cents_of(data.get("amount")),
        sequence_type=str(data.get("sequenceType") or "oneoff"), customer_id=str(data.get("customerId") or ""),
        mandate_id=str(data.get("mandateId") or ""), checkout_url=str(checkout.get("href") or ""),
        charged_back_cents=cents_of(data.get("amountChargedBack")), refunded_cents=cents_of(data.get("amountRefunded")),
        paid_at=parse_datetime(str(data["paidAt"])) if data.get("paidAt") else None,
        metadata=metadata if isinstance(metadata, dict) else {},
    )  # fmt: skip


def refund_from(data: dict[str, Any]) -> Refund:
    metadata = data.get("metadata")
    return Refund(
        id=str(data.get("id", "")), payment_id=str(data.get("paymentId") or ""), status=str(data.get("status", "")),
        amount_cents=cents_of(data.get("amount")), description=str(data.get("description") or ""),
        metadata=metadata if isinstance(metadata, dict) else {},
        created_at=parse_datetime(str(data["createdAt"])) if data.get("createdAt") else None,
    )  # fmt: skip


class Mollie:
    """Mollie's API with one studio's key."""

    def __init__(self, api_key: str) -> None:
        self._client = Client(
            api_endpoint=settings.MOLLIE_API_URL,
            timeout=(3, settings.HTTP_TIMEOUT_SECONDS),  # connect, read
            retry=0,  # our own queues retry, with backoff and the same idempotency key
        )
        try:
            self._client.set_api_key(api_key)
        except RequestError as exc:  # a key that is not test_… or live_…
            raise MollieRefused(400, str(exc)) from None

    def _call(self, do: Any) -> Any:
        try:
            return do()
        except ResponseError as exc:
            status = int(exc.status or 0)
            if status >= 500 or status == 429:
                raise MollieUnavailable(f"Mollie answered {status}: {exc}") from exc
            raise MollieRefused(status, str(exc)) from exc
        except IdentifierError as exc:  # an id that is not Mollie's shape: asking again will not help
            raise MollieRefused(400, str(exc)) from exc
        except (
            RequestError,
            ResponseHandlingError,
        ) as exc:  # no answer, or not Mollie's JSON (a proxy's 502 page)
            raise MollieUnavailable(str(exc)) from exc
        except Error as exc:
            raise MollieUnavailable(str(exc)) from exc

    def methods(self) -> list[str]:
        """The payment methods the key's profile has on: one cheap call that any valid key may make."""
        found = self._call(lambda: self._client.methods.list())
        return [str(method["id"]) for method in found]

    def customer_create(
        self, *, name: str, email: str, metadata: dict[str, Any], idempotency_key: str
    ) -> str:
        created = self._call(
            lambda: self._client.customers.create(
                {"name": name, "email": email, "metadata": metadata}, idempotency_key=idempotency_key
            )
        )
        return str(created["id"])

    def payment_first(
        self, *, cents: int, description: str, customer_id: str, redirect_url: str, webhook_url: str,
        metadata: dict[str, Any], idempotency_key: str,
    ) -> Payment:  # fmt: skip
        """A first payment by iDEAL: the member pays at the checkout, and the payment gives a SEPA mandate."""
        data = {
            "amount": value_of(cents), "description": description, "redirectUrl": redirect_url,
            "webhookUrl": webhook_url, "method": "ideal", "sequenceType": "first", "customerId": customer_id,
            "metadata": metadata, "locale": "nl_NL",
        }  # fmt: skip
        created = self._call(lambda: self._client.payments.create(data, idempotency_key=idempotency_key))
        return payment_from(dict(created))

    def payment_oneoff(
        self, *, cents: int, description: str, customer_id: str, redirect_url: str, webhook_url: str,
        metadata: dict[str, Any], idempotency_key: str,
    ) -> Payment:  # fmt: skip
        """A single payment by iDEAL at the checkout that leaves the customer's mandate as it is (a failed debit
        paid after all)."""
        data = {
            "amount": value_of(cents), "description": description, "redirectUrl": redirect_url,
            "webhookUrl": webhook_url, "method": "ideal", "sequenceType": "oneoff", "customerId": customer_id,
            "metadata": metadata, "locale": "nl_NL",
        }  # fmt: skip
        created = self._call(lambda: self._client.payments.create(data, idempotency_key=idempotency_key))
        return payment_from(dict(created))

    def payment_recurring(
        self, *, cents: int, description: str, customer_id: str, mandate_id: str, webhook_url: str,
        metadata: dict[str, Any], idempotency_key: str,
    ) -> Payment:  # fmt: skip
        """A debit on the member's mandate, without them: Mollie takes it by SEPA direct debit."""
        data = {
            "amount": value_of(cents), "description": description, "webhookUrl": webhook_url,
            "sequenceType": "recurring", "customerId": customer_id, "mandateId": mandate_id, "metadata": metadata,
        }  # fmt: skip
        created = self._call(lambda: self._client.payments.create(data, idempotency_key=idempotency_key))
        return payment_from(dict(created))

    def payment_get(self, payment_id: str) -> Payment:
        found = self._call(lambda: self._client.payments.get(payment_id))
        return payment_from(dict(found))

    def mandate_get(self, *, customer_id: str, mandate_id: str) -> Mandate:
        """A customer's mandate as Mollie has it now: GET /v2/customers/{id}/mandates/{id}."""
        customer = MollieCustomerObject({"id": customer_id}, self._client)  # type: ignore[no-untyped-call]
        found = self._call(lambda: customer.mandates.get(mandate_id))
        data = dict(found)
        return Mandate(id=str(data.get("id", "")), status=str(data.get("status", "")))

    # --- refunds ------------------------------------------------------------------------------------------------
    def _refunds(self, payment_id: str) -> Any:
        # The client's refunds hang off a payment object; one with only the id spares a GET of the payment.
        return MolliePaymentObject({"id": payment_id}, self._client).refunds  # type: ignore[no-untyped-call]

    def refund_create(
        self, *, payment_id: str, cents: int, description: str, metadata: dict[str, Any], idempotency_key: str
    ) -> Refund:
        """Gives (part of) a paid payment back: POST /v2/payments/{id}/refunds; Mollie refuses more than remains."""
        data = {"amount": value_of(cents), "description": description[:140], "metadata": metadata}
        created = self._call(lambda: self._refunds(payment_id).create(data, idempotency_key=idempotency_key))
        return refund_from(dict(created))

    def refunds_list(self, payment_id: str) -> list[Refund]:
        """The refunds of a payment, as Mollie has them now (with their statuses)."""
        found = self._call(lambda: list(self._refunds(payment_id).list(limit=250)))
        return [refund_from(dict(item)) for item in found]

    def refund_get(self, *, payment_id: str, refund_id: str) -> Refund:
        found = self._call(lambda: self._refunds(payment_id).get(refund_id))
        return refund_from(dict(found))
