"""What the payments app keeps about a person, for export and erasure.

Erasure leaves the books alone: invoices and credit notes keep the name copied in when they were issued, and
payments and refunds keep their amounts and dates, because Dutch tax law asks a business to keep its records seven
years (art. 52 AWR); the AVG allows that (art. 17(3)(b)). Nothing here holds a name besides the invoices: terms,
payments and refunds point at the member, whose person the people app erases.
"""

from __future__ import annotations

from typing import Any

from vollegym.payments.models import Invoice, MolliePayment, Refund, Term
from vollegym.people.models import Person
from vollegym.programs.models import Member


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def export(person: Person) -> dict[str, list[dict[str, Any]]]:
    members = Member.objects.for_studio(person.studio_id).filter(person=person).values("pk")
    return {
        "terms": [
            {"enrolment": t.enrolment_id, "number": t.number, "of": t.of, "amount_cents": t.amount_cents,
             "due_on": _iso(t.due_on), "status": t.status, "paid_at": _iso(t.paid_at)}
            for t in Term.objects.for_studio(person.studio_id).filter(member__in=members).order_by("due_on", "pk")
        ],
        "payments": [
            {"mollie_id": p.mollie_id, "amount_cents": p.amount_cents, "status": p.status,
             "paid_at": _iso(p.paid_at), "refunded_cents": p.refunded_cents,
             "charged_back_cents": p.charged_back_cents}
            for p in MolliePayment.objects.for_studio(person.studio_id).filter(term__member__in=members).order_by("pk")
        ],
        "refunds": [
            {"mollie_id": r.mollie_id, "amount_cents": r.amount_cents, "status": r.status, "reason": r.reason,
             "at": _iso(r.created_at)}
            for r in Refund.objects.for_studio(person.studio_id)
            .filter(payment__term__member__in=members)
            .order_by("pk")
        ],
        "invoices": [
            {"number": i.code, "kind": i.kind, "issued_at": _iso(i.issued_at), "total_cents": i.total_cents,
             "vat_cents": i.vat_cents, "name_on_invoice": i.buyer_name}
            for i in Invoice.objects.for_studio(person.studio_id).filter(member__in=members).order_by("number")
        ],
    }  # fmt: skip


def refs(person: Person) -> set[str]:
    return set()


def erase(person: Person, refs: set[str]) -> int:
    """The books stay as issued, the name on each invoice included (see the module docstring): nothing is touched."""
    return 0
