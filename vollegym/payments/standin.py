"""A stand-in for Mollie's API on this machine, for the tests and the demo: never the real Mollie from either.

It speaks the documented shapes of the v2 API (HAL+JSON, `resource`, ids like `tr_…`, amounts as
{"currency": "EUR", "value": "10.00"}, errors as {"status", "title", "detail"}) for payments (first, recurring and
one-off), customers, mandates, refunds and payment methods, keeps each API key's data apart as Mollie keeps each
account's, and replays a request with the same Idempotency-Key. Like Mollie's test mode it has a checkout page where a
person picks the outcome (paid, failed, canceled, expired); a status change calls the payment's webhookUrl with
`id=tr_…`, form-encoded. Tests can also make it answer 5xx for a while, charge a payment back, set a status, refund
in the dashboard (only the payment's list of refunds tells), or end a mandate.

Run it with `vollegym mollie-standin --port N` and point MOLLIE_API_URL at http://127.0.0.1:N.
"""

from __future__ import annotations

import json
import re
import secrets
import string
import threading
import urllib.parse
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from http.server import ThreadingHTTPServer
from typing import Any

KEY = re.compile(r"(test|live)_[A-Za-z0-9]{20,}")
FINAL = frozenset({"paid", "failed", "canceled", "expired"})
DOCS = {"href": "https://docs.mollie.com/reference/", "type": "text/html"}
# (webhook URL, payment id): how a status change reaches the merchant. The default posts like Mollie does.
WebhookSender = Callable[[str, str], None]


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def _id(prefix: str) -> str:
    return prefix + "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(10))


def _amount(value: Any) -> dict[str, str] | None:
    """A valid Mollie amount ({"currency": "EUR", "value": "10.00"}), else None."""
    if not isinstance(value, dict) or value.get("currency") != "EUR":
        return None
    text = value.get("value")
    if not isinstance(text, str) or not re.fullmatch(r"[0-9]{1,7}\.[0-9]{2}", text):
        return None
    return {"currency": "EUR", "value": text}


def _cents(amount: dict[str, str]) -> int:
    try:
        return int(Decimal(amount["value"]) * 100)
    except (InvalidOperation, KeyError):
        return 0


def _value(cents: int) -> dict[str, str]:
    return {"currency": "EUR", "value": f"{cents // 100}.{cents % 100:02d}"}


def post_webhook(url: str, payment_id: str) -> None:
    """What Mollie does: POST `id=tr_…` as a form; a failure is not retried here (Mollie retries for a while)."""
    body = urllib.parse.urlencode({"id": payment_id}).encode()
    request = urllib.request.Request(  # noqa: S310 - the merchant's own webhook URL
        url,
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded", "User-Agent": "Mollie HTTP client/1.0"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10):  # noqa: S310
            pass
    except OSError:
        pass


class Account:
    """One API key's world: its payments, customers and mandates, and the answers it gave per Idempotency-Key."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.payments: dict[str, dict[str, Any]] = {}
        self.customers: dict[str, dict[str, Any]] = {}
        self.mandates: dict[str, dict[str, dict[str, Any]]] = {}  # customer id -> mandate id -> mandate
        self.refunds: dict[str, list[dict[str, Any]]] = {}
        self.replies: dict[str, tuple[int, dict[str, Any]]] = {}


class MollieStandin:
    """The stand-in's state and behaviour; `serve()` puts it on a port."""

    def __init__(self, *, base_url: str = "", send_webhook: WebhookSender | None = None) -> None:
        self.base_url = base_url
        self.send_webhook = send_webhook or self._post_in_background
        self.accounts: dict[str, Account] = {}
        self.lock = threading.RLock()
        self.failing_left = 0  # answer this many API calls with 503 first
        self.failing_status = 503
        self.calls: list[tuple[str, str]] = []  # (method, path) of every API call, for tests to count

    # --- what tests (and the demo's checkout page) do -----------------------------------------------------------
    def fail_next(self, count: int, status: int = 503) -> None:
        """The next `count` API calls get a 5xx answer (Mollie having a bad moment), then it answers normally."""
        with self.lock:
            self.failing_left, self.failing_status = count, status

    def payment(self, payment_id: str) -> dict[str, Any] | None:
        with self.lock:
            for account in self.accounts.values():
                if payment_id in account.payments:
                    return account.payments[payment_id]
        return None

    def payments_of(self, api_key: str) -> list[dict[str, Any]]:
        with self.lock:
            return list(self._account(api_key).payments.values())

    def set_status(self, payment_id: str, status: str, *, notify: bool = True) -> dict[str, Any]:
        """The outcome a person picks at the checkout (or the bank gives a debit); calls the webhook."""
        with self.lock:
            account, payment = self._find(payment_id)
            if payment["status"] in FINAL:
                raise ValueError(f"{payment_id} is already {payment['status']}")
            payment["status"] = status
            payment["isCancelable"] = False
            payment["_links"].pop("checkout", None)
            payment["_links"].pop("changePaymentState", None)
            payment[f"{status}At"] = _now()
            if status == "paid":
                payment["amountRemaining"] = dict(payment["amount"])
                payment["amountRefunded"] = _value(0)
                payment["details"] = {"consumerName": "T. TEST", "consumerAccount": "NL91ABNA0417164300"}
                if payment["sequenceType"] == "first" and payment.get("customerId"):
                    mandate = self._mandate_create(account, payment["customerId"])
                    payment["mandateId"] = mandate["id"]
            url = payment.get("webhookUrl", "")
        if notify and url:
            self.send_webhook(url, payment_id)
        return payment

    def charge_back(self, payment_id: str, cents: int | None = None) -> dict[str, Any]:
        """The member's bank takes a paid debit back (weeks later): status stays paid, amountChargedBack appears."""
        with self.lock:
            _account, payment = self._find(payment_id)
            if payment["status"] != "paid":
                raise ValueError(f"{payment_id} is not paid")
            back = _cents(payment["amount"]) if cents is None else cents
            payment["amountChargedBack"] = _value(back)
            payment["_links"]["chargebacks"] = {"href": f"{self.base_url}/v2/payments/{payment_id}/chargebacks",
                                                "type": "application/hal+json"}  # fmt: skip
            url = payment.get("webhookUrl", "")
        if url:
            self.send_webhook(url, payment_id)
        return payment

    def set_refund_status(self, refund_id: str, status: str) -> dict[str, Any]:
        """A refund moves on at Mollie (processing, refunded) or does not go through (failed, canceled): then the
        payment's amountRefunded drops by it again, as the money stays with the merchant."""
        with self.lock:
            for account in self.accounts.values():
                for payment_id, refunds in account.refunds.items():
                    for refund in refunds:
                        if refund["id"] != refund_id:
                            continue
                        gone = status in ("failed", "canceled") and refund["status"] not in (
                            "failed",
                            "canceled",
                        )
                        refund["status"] = status
                        if gone:
                            payment = account.payments[payment_id]
                            left = _cents(payment["amountRefunded"]) - _cents(refund["amount"])
                            payment["amountRefunded"] = _value(left)
                            payment["amountRemaining"] = _value(_cents(payment["amount"]) - left)
                        return refund
        raise KeyError(refund_id)

    def refund_in_dashboard(self, payment_id: str, cents: int, description: str = "") -> dict[str, Any]:
        """The studio refunds in Mollie's own dashboard, not through us: only Mollie's list of the payment's refunds
        (and its amountRefunded) tells. No webhook."""
        with self.lock:
            account, payment = self._find(payment_id)
            status, refund = self._refund_create(
                account, payment, {"amount": _value(cents), "description": description or "Dashboard"}
            )
            if status != 201:
                raise ValueError(refund["detail"])
            return refund

    def mandate_revoke(self, mandate_id: str) -> dict[str, Any]:
        """The member's bank (or the member) ends the mandate: Mollie calls it invalid and takes no debit on it."""
        with self.lock:
            for account in self.accounts.values():
                for mandates in account.mandates.values():
                    if mandate_id in mandates:
                        mandates[mandate_id]["status"] = "invalid"
                        return mandates[mandate_id]
        raise KeyError(mandate_id)

    # --- the API ----------------------------------------------------------------------------------------------
    def handle(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, Any]]:
        """One API call: (status, JSON answer)."""
        auth = headers.get("authorization", "")
        key = auth.removeprefix("Bearer ").strip()
        if not KEY.fullmatch(key):
            return _error(401, "Unauthorized Request", "Missing authentication, or failed to authenticate")
        with self.lock:
            self.calls.append((method, path))
            if self.failing_left > 0:
                self.failing_left -= 1
                return _error(
                    self.failing_status, "Service Unavailable", "The service is temporarily unavailable"
                )
            account = self._account(key)
            idempotency = headers.get("idempotency-key", "")
            if method == "POST" and idempotency and idempotency in account.replies:
                return account.replies[idempotency]
            try:
                data = json.loads(body) if body else {}
            except ValueError:
                return _error(400, "Bad Request", "The request body is not valid JSON")
            if not isinstance(data, dict):
                return _error(400, "Bad Request", "The request body must be a JSON object")
            answer = self._route(account, method, urllib.parse.urlsplit(path).path, data)
            if method == "POST" and idempotency and answer[0] < 500:
                account.replies[idempotency] = answer
            return answer

    def _route(
        self, account: Account, method: str, path: str, data: dict[str, Any]
    ) -> tuple[int, dict[str, Any]]:
        parts = [p for p in path.split("/") if p]
        if parts[:1] != ["v2"]:
            return _error(404, "Not Found", "The resource does not exist")
        rest = parts[1:]
        if rest == ["methods"] and method == "GET":
            methods = [{"resource": "method", "id": m, "description": d, "status": "activated",
                        "_links": {"self": {"href": f"{self.base_url}/v2/methods/{m}", "type": "application/hal+json"}}}
                       for m, d in (("ideal", "iDEAL | Wero"), ("directdebit", "SEPA-incasso"))]  # fmt: skip
            return 200, {"count": len(methods), "_embedded": {"methods": methods},
                         "_links": {"self": {"href": f"{self.base_url}/v2/methods", "type": "application/hal+json"},
                                    "documentation": DOCS}}  # fmt: skip
        if rest == ["customers"] and method == "POST":
            return self._customer_create(account, data)
        if len(rest) == 2 and rest[0] == "customers" and method == "GET":
            found = account.customers.get(rest[1])
            return (
                (200, found)
                if found
                else _error(404, "Not Found", f"No customer exists with token {rest[1]}.")
            )
        if len(rest) == 3 and rest[0] == "customers" and rest[2] == "mandates" and method == "GET":
            if rest[1] not in account.customers:
                return _error(404, "Not Found", f"No customer exists with token {rest[1]}.")
            mandates = list(account.mandates.get(rest[1], {}).values())
            return 200, {
                "count": len(mandates),
                "_embedded": {"mandates": mandates},
                "_links": {"documentation": DOCS},
            }
        if len(rest) == 4 and rest[0] == "customers" and rest[2] == "mandates" and method == "GET":
            mandate = account.mandates.get(rest[1], {}).get(rest[3])
            return (
                (200, mandate)
                if mandate
                else _error(404, "Not Found", f"No mandate exists with token {rest[3]}.")
            )
        if rest == ["payments"] and method == "POST":
            return self._payment_create(account, data)
        if len(rest) == 2 and rest[0] == "payments" and method == "GET":
            payment = account.payments.get(rest[1])
            return (
                (200, payment)
                if payment
                else _error(404, "Not Found", f"No payment exists with token {rest[1]}.")
            )
        if len(rest) == 3 and rest[0] == "payments" and rest[2] == "refunds":
            payment = account.payments.get(rest[1])
            if payment is None:
                return _error(404, "Not Found", f"No payment exists with token {rest[1]}.")
            if method == "GET":
                refunds = account.refunds.get(rest[1], [])
                return 200, {
                    "count": len(refunds),
                    "_embedded": {"refunds": refunds},
                    "_links": {"documentation": DOCS},
                }
            if method == "POST":
                return self._refund_create(account, payment, data)
        if len(rest) == 4 and rest[0] == "payments" and rest[2] == "refunds" and method == "GET":
            found = next((r for r in account.refunds.get(rest[1], []) if r["id"] == rest[3]), None)
            return (
                (200, found)
                if found is not None
                else _error(404, "Not Found", f"No refund exists with token {rest[3]}.")
            )
        return _error(404, "Not Found", "The resource does not exist")

    def _account(self, key: str) -> Account:
        if key not in self.accounts:
            self.accounts[key] = Account("live" if key.startswith("live_") else "test")
        return self.accounts[key]

    def _find(self, payment_id: str) -> tuple[Account, dict[str, Any]]:
        for account in self.accounts.values():
            if payment_id in account.payments:
                return account, account.payments[payment_id]
        raise KeyError(payment_id)

    def _link(self, path: str) -> dict[str, str]:
        return {"href": f"{self.base_url}{path}", "type": "application/hal+json"}

    def _customer_create(self, account: Account, data: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        customer_id = _id("cst_")
        customer = {
            "resource": "customer", "id": customer_id, "mode": account.mode, "name": data.get("name"),
            "email": data.get("email"), "locale": data.get("locale"), "metadata": data.get("metadata"),
            "createdAt": _now(),
            "_links": {"self": self._link(f"/v2/customers/{customer_id}"),
                       "mandates": self._link(f"/v2/customers/{customer_id}/mandates"), "documentation": DOCS},
        }  # fmt: skip
        account.customers[customer_id] = customer
        return 201, customer

    def _mandate_create(self, account: Account, customer_id: str) -> dict[str, Any]:
        mandate_id = _id("mdt_")
        mandate = {
            "resource": "mandate", "id": mandate_id, "mode": account.mode, "status": "valid", "method": "directdebit",
            "details": {"consumerName": "T. TEST", "consumerAccount": "NL91ABNA0417164300", "consumerBic": "ABNANL2A"},
            "mandateReference": None, "signatureDate": datetime.now(UTC).date().isoformat(), "createdAt": _now(),
            "_links": {"self": self._link(f"/v2/customers/{customer_id}/mandates/{mandate_id}"),
                       "customer": self._link(f"/v2/customers/{customer_id}"), "documentation": DOCS},
        }  # fmt: skip
        account.mandates.setdefault(customer_id, {})[mandate_id] = mandate
        return mandate

    def _payment_create(self, account: Account, data: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        amount = _amount(data.get("amount"))
        if amount is None:
            return _error(422, "Unprocessable Entity", "The amount is invalid", field="amount")
        if _cents(amount) < 1:
            return _error(422, "Unprocessable Entity", "The amount is lower than the minimum", field="amount")
        if not isinstance(data.get("description"), str) or not data["description"].strip():
            return _error(422, "Unprocessable Entity", "The description is invalid", field="description")
        sequence = data.get("sequenceType", "oneoff")
        if sequence not in ("oneoff", "first", "recurring"):
            return _error(422, "Unprocessable Entity", "The sequence type is invalid", field="sequenceType")
        customer_id = str(data.get("customerId") or "")
        if sequence != "oneoff" and customer_id not in account.customers:
            return _error(422, "Unprocessable Entity", "The customer id is invalid", field="customerId")
        mandate_id = data.get("mandateId")
        if sequence == "recurring":
            valid = [m for m in account.mandates.get(customer_id, {}).values() if m["status"] == "valid"]
            if not valid or (mandate_id and mandate_id not in {m["id"] for m in valid}):
                return _error(422, "Unprocessable Entity", "The customer does not have a valid mandate",
                              field="mandateId")  # fmt: skip
            mandate_id = mandate_id or valid[0]["id"]
        elif not data.get("redirectUrl"):
            return _error(422, "Unprocessable Entity", "The redirect URL is required", field="redirectUrl")
        payment_id = _id("tr_")
        links: dict[str, Any] = {"self": self._link(f"/v2/payments/{payment_id}"), "documentation": DOCS,
                                 "dashboard": {"href": f"{self.base_url}/dashboard/payments/{payment_id}",
                                               "type": "text/html"}}  # fmt: skip
        checkout = {"href": f"{self.base_url}/checkout/{payment_id}", "type": "text/html"}
        if sequence == "recurring":
            links["customer"] = self._link(f"/v2/customers/{customer_id}")
            links["mandate"] = self._link(f"/v2/customers/{customer_id}/mandates/{mandate_id}")
            if account.mode == "test":
                links["changePaymentState"] = checkout
        else:
            links["checkout"] = checkout
        created = datetime.now(UTC)
        payment = {
            "resource": "payment", "id": payment_id, "mode": account.mode, "createdAt": _now(), "amount": amount,
            "description": data["description"], "method": "directdebit" if sequence == "recurring" else data.get("method"),
            "metadata": data.get("metadata"), "status": "pending" if sequence == "recurring" else "open",
            "isCancelable": True, "expiresAt": (created + timedelta(minutes=15)).strftime("%Y-%m-%dT%H:%M:%S+00:00"),
            "profileId": "pfl_standin", "sequenceType": sequence, "redirectUrl": data.get("redirectUrl"),
            "webhookUrl": data.get("webhookUrl"), "locale": data.get("locale"), "_links": links,
        }  # fmt: skip
        if customer_id:
            payment["customerId"] = customer_id
        if mandate_id:
            payment["mandateId"] = mandate_id
        account.payments[payment_id] = payment
        return 201, payment

    def _refund_create(
        self, account: Account, payment: dict[str, Any], data: dict[str, Any]
    ) -> tuple[int, dict[str, Any]]:
        if payment["status"] != "paid":
            return _error(422, "Unprocessable Entity", "The payment cannot be refunded")
        amount = _amount(data.get("amount"))
        if amount is None:
            return _error(422, "Unprocessable Entity", "The amount is invalid", field="amount")
        refunded = _cents(payment.get("amountRefunded") or _value(0))
        back = _cents(payment.get("amountChargedBack") or _value(0))
        if _cents(amount) < 1 or refunded + back + _cents(amount) > _cents(payment["amount"]):
            return _error(422, "Unprocessable Entity", "The refund amount is higher than the amount remaining",
                          field="amount")  # fmt: skip
        refund_id = _id("re_")
        refund = {
            "resource": "refund", "id": refund_id, "mode": account.mode, "amount": amount, "status": "pending",
            "description": data.get("description", ""), "metadata": data.get("metadata"), "paymentId": payment["id"],
            "createdAt": _now(),
            "_links": {"self": self._link(f"/v2/payments/{payment['id']}/refunds/{refund_id}"),
                       "payment": self._link(f"/v2/payments/{payment['id']}"), "documentation": DOCS},
        }  # fmt: skip
        account.refunds.setdefault(payment["id"], []).append(refund)
        payment["amountRefunded"] = _value(refunded + _cents(amount))
        payment["amountRemaining"] = _value(_cents(payment["amount"]) - refunded - _cents(amount))
        return 201, refund

    # --- the checkout page --------------------------------------------------------------------------------------
    def _post_in_background(self, url: str, payment_id: str) -> None:
        threading.Thread(target=post_webhook, args=(url, payment_id), daemon=True).start()

    # --- serving ------------------------------------------------------------------------------------------------
    def serve(self, host: str = "127.0.0.1", port: int = 0) -> ThreadingHTTPServer:
        """Serves on host:port (0: a free one) in a thread; sets base_url. Call .shutdown() on the answer."""
        from vollegym.payments.standin_http import serve

        return serve(self, host, port)


def _error(status: int, title: str, detail: str, *, field: str = "") -> tuple[int, dict[str, Any]]:
    body: dict[str, Any] = {
        "status": status,
        "title": title,
        "detail": detail,
        "_links": {"documentation": DOCS},
    }
    if field:
        body["field"] = field
    return status, body
