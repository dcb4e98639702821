"""What the API answers with: one schema per resource, and a page of each. Money in cents, times in UTC (ISO 8601)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from ninja import Field, Path, Schema
from pydantic import AfterValidator, BeforeValidator

from vollegym.api.paging import MAX_LIMIT

# RFC 3339, as the schema says (format date-time): with a time and an offset; pydantic alone would also take a bare
# number (as seconds since 1970) or a date, which a client would not mean.
_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,6})?([Zz]|[+-]\d{2}:\d{2})$")


def _rfc3339(value: Any) -> Any:
    if isinstance(value, str) and not _MOMENT.match(value):
        raise ValueError("a moment in RFC 3339, such as 2026-03-01T09:00:00Z")
    if isinstance(value, str) and not "0001" < value[:4] < "9999":
        raise ValueError("a moment between the years 0002 and 9998")  # at the edges UTC would overflow
    return value


def _in_utc(value: datetime) -> datetime:
    # PostgreSQL takes offsets up to 15:59 only; RFC 3339 allows 23:59. In UTC every moment reaches the database.
    if value.tzinfo is None:
        raise ValueError("a moment with its offset, such as 2026-03-01T09:00:00Z")
    return value.astimezone(UTC)


Moment = Annotated[datetime, BeforeValidator(_rfc3339), AfterValidator(_in_utc)]

# Ids are database keys: a number outside them is refused up front instead of reaching the database.
Id = Annotated[int, Path(ge=1, le=2**63 - 1)]
RefId = Annotated[int, Field(ge=1, le=2**63 - 1)]  # an id in a query: the same bounds
Limit = Annotated[int, Field(ge=1, le=MAX_LIMIT)]
# A word to filter on (a stage, a source, an event kind): nothing else reaches a query.
Word = Annotated[str, Field(max_length=40, pattern=r"^[a-z0-9_.]*$")]
Cursor = Annotated[str, Field(max_length=500)]


class PersonOut(Schema):
    id: int
    name: str
    email: str
    phone: str = Field(description="E.164, empty when the number given could not be read")
    language: str
    created_at: datetime
    updated_at: datetime
    erased: bool


class LeadOut(Schema):
    id: int
    person_id: int
    name: str
    email: str
    phone: str
    source: str
    campaign: str
    ad: str
    form: str
    utm: dict[str, Any]
    stage: str
    lost_reason: str
    assigned_to_id: int | None
    needs_clearance: bool
    created_at: datetime
    due_at: datetime | None
    first_contact_at: datetime | None
    updated_at: datetime


class ContactOut(Schema):
    id: int
    lead_id: int
    kind: str
    outcome: str
    at: datetime


class IntakeOut(Schema):
    id: int
    lead_id: int
    person_id: int
    step: str
    score: int
    temperature: str
    disqualified: bool
    answers: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None


class ConversationOut(Schema):
    id: int
    lead_id: int
    person_id: int
    kind: str
    coach_id: int | None
    starts_at: datetime
    ends_at: datetime
    status: str
    outcome: str
    lost_reason: str
    created_at: datetime
    recorded_at: datetime | None


class PriceOut(Schema):
    amount_cents: int
    effective_from: date


class ProgramOut(Schema):
    id: int
    name: str
    promise: str
    kind: str
    format: str
    weeks: int | None
    sessions_per_week: int
    is_active: bool
    price_cents: int | None = Field(description="the price in force today; None without one")
    prices: list[PriceOut]
    created_at: datetime


class MemberOut(Schema):
    id: int
    person_id: int
    lead_id: int | None
    name: str
    email: str
    phone: str
    coach_id: int | None
    created_at: datetime


class EnrolmentOut(Schema):
    id: int
    member_id: int
    program_id: int
    price_cents: int
    starts_on: date
    ends_on: date
    sessions_total: int
    sessions_used: int
    status: str
    continues: bool
    first_payment_cents: int
    first_payment_due: date
    first_payment_paid_at: datetime | None
    created_at: datetime


class ClassOut(Schema):
    id: int
    name: str
    program_id: int | None
    weekday: int = Field(description="0 is Monday")
    starts: str = Field(pattern=r"^\d{2}:\d{2}$", description="HH:MM, the studio's local time")
    duration_minutes: int
    capacity: int
    coach_id: int | None
    room: str
    is_active: bool


class SessionOut(Schema):
    id: int
    class_id: int
    starts_at: datetime
    ends_at: datetime
    capacity: int
    booked: int
    coach_id: int | None
    status: str
    cancel_reason: str


class BookingOut(Schema):
    id: int
    session_id: int
    member_id: int
    person_id: int
    status: str
    via: str
    created_at: datetime
    cancelled_at: datetime | None


class PaymentOut(Schema):
    id: int
    term_id: int
    enrolment_id: int
    member_id: int
    mollie_id: str
    sequence_type: str
    status: str
    amount_cents: int
    charged_back_cents: int
    refunded_cents: int
    paid_at: datetime | None
    created_at: datetime


class EventOut(Schema):
    id: int
    kind: str
    version: int
    at: datetime
    person_id: int | None
    lead_id: int | None
    payload: dict[str, Any]


class PersonPage(Schema):
    items: list[PersonOut]
    next_cursor: str | None


class LeadPage(Schema):
    items: list[LeadOut]
    next_cursor: str | None


class IntakePage(Schema):
    items: list[IntakeOut]
    next_cursor: str | None


class ConversationPage(Schema):
    items: list[ConversationOut]
    next_cursor: str | None


class ProgramPage(Schema):
    items: list[ProgramOut]
    next_cursor: str | None


class MemberPage(Schema):
    items: list[MemberOut]
    next_cursor: str | None


class EnrolmentPage(Schema):
    items: list[EnrolmentOut]
    next_cursor: str | None


class ClassPage(Schema):
    items: list[ClassOut]
    next_cursor: str | None


class SessionPage(Schema):
    items: list[SessionOut]
    next_cursor: str | None


class BookingPage(Schema):
    items: list[BookingOut]
    next_cursor: str | None


class PaymentPage(Schema):
    items: list[PaymentOut]
    next_cursor: str | None


class EventPage(Schema):
    items: list[EventOut]
    next_cursor: str | None


# ---- writes ---------------------------------------------------------------------------------------------------


class ConsentIn(Schema):
    purpose: Literal["contact", "marketing", "whatsapp", "health", "measurements", "other"]
    text: str = Field(min_length=1, max_length=2000, description="the exact wording the person agreed to")
    given: bool
    channel: str = Field("", max_length=32)


class LeadIn(Schema):
    name: str = Field("", max_length=150)
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=64)
    source: Literal[
        "meta", "google", "website", "referral", "import", "walk_in", "phone", "instagram", "other"
    ] = "website"
    campaign: str = Field("", max_length=200)
    ad: str = Field("", max_length=200)
    form: str = Field("", max_length=200)
    utm: dict[Annotated[str, Field(max_length=40)], Annotated[str, Field(max_length=200)]] = Field(
        default_factory=dict, max_length=20
    )
    consent: list[ConsentIn] = Field(default_factory=list, max_length=10)
    answers: dict[str, Any] = Field(default_factory=dict, max_length=100)


class StageIn(Schema):
    stage: Literal["new", "contacted", "intake_booked", "intake_held", "no_show", "won", "lost"]
    lost_reason: str = Field("", max_length=200)


class ContactIn(Schema):
    kind: Literal["call", "whatsapp", "email", "in_person", "note"]
    outcome: Literal["", "reached", "no_answer", "voicemail", "sent"] = ""
    body: str = Field("", max_length=5000)


class OutcomeIn(Schema):
    outcome: Literal["won", "lost"]
    lost_reason: str = Field("", max_length=200)
