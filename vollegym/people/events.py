"""Typed domain events: one pydantic model per kind, written with the change they record (STYLE rule 15).

Adding a kind: a model here with `kind` and `version`, then `event_record(...)` in the service that makes the
change, inside its transaction. Changing a payload's shape raises its `version`; readers handle every version.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

from pydantic import BaseModel, ConfigDict

from vollegym.core import clock
from vollegym.people.models import DomainEvent, Person
from vollegym.studios.models import Studio, User


class Event(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    kind: ClassVar[str]
    version: ClassVar[int] = 1


class LeadCaptured(Event):
    kind = "lead.captured"
    lead_id: int
    source: str
    campaign: str = ""
    returning: bool = False  # the person was known before this lead


class LeadSubmittedAgain(Event):
    kind = "lead.submitted_again"
    lead_id: int
    source: str


class LeadStageChanged(Event):
    kind = "lead.stage_changed"
    lead_id: int
    before: str
    after: str
    lost_reason: str = ""


class LeadFirstContact(Event):
    kind = "lead.first_contact"
    lead_id: int
    channel: str
    seconds: int


class LeadEscalated(Event):
    kind = "lead.escalated"
    lead_id: int


class LeadAssigned(Event):
    kind = "lead.assigned"
    lead_id: int
    coach_id: int | None
    before_id: int | None = None


class IntakeCompleted(Event):
    kind = "intake.completed"
    lead_id: int
    response_id: int
    score: int
    temperature: str
    red_flags: int = 0


class ConversationBooked(Event):
    kind = "conversation.booked"
    lead_id: int
    booking_id: int
    starts_at: datetime
    moved: bool = False


class ConversationCancelled(Event):
    kind = "conversation.cancelled"
    lead_id: int
    booking_id: int


class ConversationRecorded(Event):
    kind = "conversation.recorded"
    lead_id: int
    booking_id: int
    status: str  # showed / no_show
    outcome: str = ""  # won / lost, for one that showed
    lost_reason: str = ""


class Enrolled(Event):
    kind = "member.enrolled"
    member_id: int
    enrolment_id: int
    program_id: int
    price_cents: int
    starts_on: date
    renewal_of: int | None = None


class EnrolmentStopped(Event):
    kind = "member.stopped"
    member_id: int
    enrolment_id: int


class MemberCoachChanged(Event):
    kind = "member.coach_changed"
    member_id: int
    coach_id: int | None
    before_id: int | None = None


class FirstPaymentReceived(Event):
    kind = "member.first_payment"
    member_id: int
    enrolment_id: int
    amount_cents: int


class EnrolmentPaused(Event):
    kind = "member.paused"
    member_id: int
    enrolment_id: int
    pause_id: int
    starts_on: date
    ends_on: date
    by_member: bool = False


class EnrolmentPauseWithdrawn(Event):
    kind = "member.pause_withdrawn"
    member_id: int
    enrolment_id: int
    pause_id: int
    days_back: (
        int  # the days the run's end moved back: all of them, or those not yet used when it was cut short
    )


class EnrolmentCancelled(Event):
    kind = "member.cancelled"
    member_id: int
    enrolment_id: int
    cancellation_id: int
    effective_on: date
    rule: str  # cooling_off / program_end / first_term / monthly
    reason: str = ""
    by_member: bool = False


class RenewalTalkPlanned(Event):
    kind = "renewal.talk_planned"
    talk_id: int
    enrolment_id: int
    starts_at: datetime


class RenewalTalkRecorded(Event):
    kind = "renewal.talk_recorded"
    talk_id: int
    enrolment_id: int
    outcome: str  # renewed / declined / later
    reason: str = ""
    renewal_id: int | None = None


class WinBackSent(Event):
    kind = "member.win_back"
    win_back_id: int
    enrolment_id: int
    message_id: int | None = None
    refused: str = ""  # why it did not go out (no consent, no address); empty when it went to the outbox


class MissedPaymentDecided(Event):
    """The owner's (or a coach's) answer to a failed or charged-back term: a new link, paid outside Mollie, a
    pause or a stop."""

    kind = "payment.missed_decided"
    member_id: int
    term_id: int
    missed_id: int
    decision: str  # new_link / paid_outside / paused / stopped


class TermPaid(Event):
    kind = "payment.term_paid"
    member_id: int
    enrolment_id: int
    term_id: int
    amount_cents: int
    payment_id: str  # Mollie's tr_…


class TermFailed(Event):
    kind = "payment.term_failed"
    member_id: int
    enrolment_id: int
    term_id: int
    amount_cents: int
    payment_id: str
    status: str  # failed, canceled, expired


class TermChargedBack(Event):
    kind = "payment.term_charged_back"
    member_id: int
    enrolment_id: int
    term_id: int
    amount_cents: int
    payment_id: str


class PaymentRefunded(Event):
    kind = "payment.refunded"
    member_id: int
    term_id: int
    payment_id: str  # Mollie's tr_…
    refund_id: str  # Mollie's re_…
    amount_cents: int
    reason: str  # owner / withdrawal


class PriceChanged(Event):
    kind = "program.price_changed"
    program_id: int
    amount_cents: int
    effective_from: date


class SessionBooked(Event):
    kind = "session.booked"
    member_id: int
    session_id: int
    booking_id: int
    via: str


class SessionCancelled(Event):
    kind = "session.cancelled"
    member_id: int
    session_id: int
    booking_id: int


class SessionMarked(Event):
    kind = "session.marked"
    member_id: int
    session_id: int
    booking_id: int
    status: str  # attended / no_show


class ConsentChanged(Event):
    kind = "consent.changed"
    purpose: str
    given: bool
    how: str


class WhatsAppReceived(Event):
    kind = "whatsapp.received"
    message_id: int  # the inbox's InboundMessage
    kind_of_message: str  # text, image, button, …
    stop: bool = False  # the person asked for no more WhatsApp


class PersonMerged(Event):
    kind = "person.merged"
    merged_person_id: int


class PersonErased(Event):
    kind = "person.erased"
    request_id: int | None = None


class ReferralAttributed(Event):
    kind = "referral.attributed"
    referral_id: int
    lead_id: int
    referrer_person_id: int


class ReferralRewardEarned(Event):
    kind = "referral.reward_earned"
    referral_id: int
    referrer_person_id: int


class ReferralRewardGiven(Event):
    kind = "referral.reward_given"
    referral_id: int
    referrer_person_id: int


class ProgressTargetReached(Event):
    kind = "progress.target_reached"
    target_id: int
    kind_id: int
    measurement_id: int


# A touchpoint belongs to a member's run (enrolment_id) or, from version 2 on, to a lead's sequence (lead_id).
class TouchpointSent(Event):
    kind = "touchpoint.sent"
    version = 2
    step_id: int
    enrolment_id: int | None = None
    lead_id: int | None = None
    day: int
    channel: str
    message_id: int | None = None
    refused: str = ""  # why it did not go out (no consent, too late); empty when it went to the outbox


class TouchpointDone(Event):
    kind = "touchpoint.done"
    version = 2
    step_id: int
    enrolment_id: int | None = None
    lead_id: int | None = None
    day: int


class TouchpointSkipped(Event):
    kind = "touchpoint.skipped"
    version = 2
    step_id: int
    enrolment_id: int | None = None
    lead_id: int | None = None
    day: int
    reason: str = ""


class FollowUpStarted(Event):
    kind = "followup.started"
    lead_id: int
    run_id: int
    sequence: str  # not_booked / no_show / gone_quiet


class FollowUpStopped(Event):
    kind = "followup.stopped"
    lead_id: int
    run_id: int
    sequence: str
    reason: str  # replied / booked / said_no / member / came_back / erased


class RatingAsked(Event):
    kind = "rating.asked"
    rating_id: int
    enrolment_id: int
    moment: str
    message_id: int | None = None
    refused: str = ""  # why the question did not go out (no consent, no address); empty when it went


class RatingAnswered(Event):
    kind = "rating.answered"
    rating_id: int
    enrolment_id: int
    moment: str
    score: int
    again: bool = False  # a second answer to the same question, which replaced the first


class RiskOutreachLogged(Event):
    kind = "risk.outreach"
    outreach_id: int
    member_id: int
    way: str  # reached / not_reached / message / in_person
    outcome: str = ""
    score: int = 0  # the churn risk the coach saw


class PersonalSessionRecorded(Event):
    kind = "schedule.personal_session"
    session_id: int
    member_id: int
    enrolment_id: int | None = None
    attended: bool = True
    undone: bool = False  # the coach took the record back


class ApiTokenCreated(Event):
    kind = "api.token_created"
    token_id: int
    prefix: str
    scopes: list[str]


class ApiTokenRevoked(Event):
    kind = "api.token_revoked"
    token_id: int
    prefix: str


KINDS: dict[str, type[Event]] = {cls.kind: cls for cls in Event.__subclasses__()}


def event_record(
    *,
    studio: Studio | int,
    event: Event,
    person: Person | int | None = None,
    lead_id: int | None = None,
    by: User | None = None,
    at: datetime | None = None,
) -> DomainEvent:
    """Writes one event; call it inside the transaction of the change it records."""
    studio_id = studio if isinstance(studio, int) else studio.pk
    person_id = person.pk if isinstance(person, Person) else person
    if lead_id is None:
        lead_id = getattr(event, "lead_id", None)
    return DomainEvent.objects.create(
        studio_id=studio_id, kind=event.kind, version=event.version, person_id=person_id, lead_id=lead_id,
        by=by, at=at or clock.now(), payload=event.model_dump(mode="json"),
    )  # fmt: skip


def events_record(
    *,
    studio: Studio | int,
    events: list[Event],
    person: Person | int | None = None,
    by: User | None = None,
    at: datetime | None = None,
) -> None:
    """Writes several events in one statement (the consents of one form, say)."""
    if not events:
        return
    studio_id = studio if isinstance(studio, int) else studio.pk
    person_id = person.pk if isinstance(person, Person) else person
    DomainEvent.objects.bulk_create(
        DomainEvent(
            studio_id=studio_id,
            kind=e.kind,
            version=e.version,
            person_id=person_id,
            lead_id=getattr(e, "lead_id", None),
            by=by,
            at=at or clock.now(),
            payload=e.model_dump(mode="json"),
        )
        for e in events
    )


def events_record_many(
    *,
    studio: Studio | int,
    events: list[tuple[Person, Event]],
    by: User | None = None,
    at: datetime | None = None,
) -> None:
    """Writes the events of several people in one statement (a worker's batch of new leads)."""
    if not events:
        return
    studio_id = studio if isinstance(studio, int) else studio.pk
    at = at or clock.now()
    DomainEvent.objects.bulk_create(
        DomainEvent(
            studio_id=studio_id,
            kind=e.kind,
            version=e.version,
            person_id=person.pk,
            lead_id=getattr(e, "lead_id", None),
            by=by,
            at=at,
            payload=e.model_dump(mode="json"),
        )
        for person, e in events
    )


def event_payload(row: DomainEvent) -> Event:
    """The typed payload of a stored event."""
    return KINDS[row.kind].model_validate(row.payload)
