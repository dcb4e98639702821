"""Writes about leads: capture from any door, contact attempts, stages, and the speed-to-lead clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Subquery
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from vollegym.core import clock
from vollegym.core.names import first_name
from vollegym.core.phones import normalise_phone
from vollegym.leads import sla
from vollegym.leads.models import CLOSED_STAGES, Activity, Lead, LeadSettings, MetaPage, Source, Stage
from vollegym.messaging.models import Message
from vollegym.messaging.services import message_build, message_queue, messages_queue_new, whatsapp_ready
from vollegym.people.events import (
    ConsentChanged,
    Event,
    LeadCaptured,
    LeadEscalated,
    LeadFirstContact,
    LeadStageChanged,
    LeadSubmittedAgain,
    event_record,
    events_record,
)
from vollegym.people.models import How, Person, Purpose
from vollegym.people.selectors import consent_state
from vollegym.people.services import Contact, person_capture
from vollegym.studios.models import StaffMembership, Studio, User


class CaptureError(ValueError):
    """Input that cannot become a lead; `field` names what is wrong."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field, self.reason = field, reason


@dataclass(frozen=True)
class ConsentInput:
    purpose: str
    wording: str
    given: bool
    channel: str = ""
    version: str = ""


@dataclass
class LeadInput:
    source: str
    name: str = ""
    email: str = ""
    phone: str = ""
    campaign: str = ""
    ad: str = ""
    form: str = ""
    utm: dict[str, str] = field(default_factory=dict)
    answers: dict[str, Any] = field(default_factory=dict)
    consents: list[ConsentInput] = field(default_factory=list)
    is_test: bool = False


@dataclass(frozen=True)
class Captured:
    lead: Lead
    created: bool


def lead_settings_for(studio: Studio) -> LeadSettings:
    found = LeadSettings.objects.for_studio(studio).first()
    if found is None:
        found, _created = LeadSettings.objects.for_studio(studio).get_or_create(studio=studio)
    return found


def check_lead_input(data: LeadInput) -> tuple[str, str, str]:
    """Validates the input; returns the e-mail (lower case), E.164 phone and phone as given."""
    if data.source not in Source.values:
        raise CaptureError("source", f"unknown source {data.source!r}; one of {', '.join(Source.values)}")
    email = data.email.strip().lower()
    if len(email) > 254:
        raise CaptureError("email", "an e-mail address has at most 254 characters")
    if len(data.phone.strip()) > 64:
        raise CaptureError("phone", "a phone number has at most 64 characters")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise CaptureError("email", f"{data.email!r} is not an e-mail address") from None
    phone = normalise_phone(data.phone)
    if not email and not phone.as_given:
        raise CaptureError("contact", "a lead needs an e-mail address or a phone number")
    for consent in data.consents:
        if consent.purpose not in Purpose.values:
            raise CaptureError(
                "consent", f"unknown purpose {consent.purpose!r}; one of {', '.join(Purpose.values)}"
            )
        if not consent.wording.strip():
            raise CaptureError("consent", "each consent keeps the exact wording the person saw")
    return email, phone.e164, phone.as_given


def _other_details(person: Person, given: Contact) -> str:
    """What a known person gave this time that differs from their record (a new number, a partner's name on a
    shared e-mail): the record keeps what it had, the timeline says what came in, so the coach can check."""
    differs = [
        f"{label}: {value}"
        for label, value, known in (
            (_("naam"), given.name, person.name),
            (_("e-mail"), given.email, person.email),
            (_("telefoon"), given.phone or given.phone_as_given, person.phone or person.phone_as_given),
        )
        if value and known and value.casefold() != known.casefold()
    ]
    return (" · " + _("gaf nu op: %(details)s") % {"details": ", ".join(differs)}) if differs else ""


def _open_lead_of(person: Person, is_test: bool) -> Lead | None:
    return (
        Lead.objects.for_studio(person.studio_id)
        .exclude(stage__in=CLOSED_STAGES)
        .filter(person=person, is_test=is_test)
        .order_by("created_at")
        .first()
    )


def _next_coach(studio: Studio, config: LeadSettings) -> User | None:
    """The coaches in turn (else the owners), after the one who got the studio's latest lead: one query for both."""
    latest = (
        Lead.objects.for_studio(studio)
        .filter(assigned_to__isnull=False)
        .order_by("-created_at", "-id")
        .values("assigned_to_id")[:1]
    )
    team = list(
        StaffMembership.objects.for_studio(studio)
        .filter(user__is_active=True, role__in=[StaffMembership.Role.COACH, StaffMembership.Role.OWNER])
        .select_related("user")
        .annotate(latest=Subquery(latest))
        .order_by("user_id")
    )
    coaches = [m.user for m in team if m.role == StaffMembership.Role.COACH]
    people = coaches or [m.user for m in team]
    if not people:
        return None
    last = team[0].latest if team else None
    if not config.round_robin or last is None:
        return people[0]
    later = [p for p in people if p.pk > last]
    return later[0] if later else people[0]


# How a consent reached us, by the door the lead came through.
_HOW_BY_SOURCE: dict[str, str] = {
    Source.WEBSITE: How.FORM, Source.REFERRAL: How.FORM, Source.META: How.WEBHOOK, Source.GOOGLE: How.WEBHOOK,
    Source.IMPORT: How.IMPORT, Source.OTHER: How.WEBHOOK,
}  # fmt: skip


def _record_consents(
    person: Person, consents: list[ConsentInput], source: str, by: User | None, *, new: bool
) -> tuple[dict[str, bool | None], list[Event]]:
    """Adds what the person agreed to (or refused) to the ledger; the same answer in the same words is kept once.

    Returns the person's consent state after it, and the events to write (the caller writes them with its own).
    A person just made has no ledger yet, so nothing is read for them.
    """
    from vollegym.people.models import ConsentEntry

    latest: dict[str, tuple[bool, str]] = {}
    if not new and consents:
        for purpose, given, wording in (
            ConsentEntry.objects.for_studio(person.studio_id)
            .filter(person=person)
            .order_by("at", "id")
            .values_list("purpose", "given", "wording")
        ):
            latest[purpose] = (given, wording)
    how: str = How.STAFF if by is not None else _HOW_BY_SOURCE.get(source, How.STAFF)
    now = clock.now()
    fresh = []
    for c in consents:
        if latest.get(c.purpose) == (c.given, c.wording):
            continue
        latest[c.purpose] = (c.given, c.wording)
        entry = ConsentEntry(
            studio_id=person.studio_id, person=person, purpose=c.purpose, given=c.given, how=how,
            source=c.channel[:32], wording=c.wording, wording_version=c.version[:64], by=by, at=now,
        )  # fmt: skip
        fresh.append(entry)
    if fresh:
        ConsentEntry.objects.bulk_create(fresh)
    if new:
        state: dict[str, bool | None] = dict.fromkeys(Purpose.values)
        state.update({purpose: given for purpose, (given, _words) in latest.items()})
    else:
        state = consent_state(person, person.studio_id)
    return state, [ConsentChanged(purpose=e.purpose, given=e.given, how=e.how) for e in fresh]


def lead_url(lead: Lead) -> str:
    path = reverse("leads:detail", kwargs={"studio": lead.studio.slug, "lead_id": lead.pk})
    return f"{settings.SITE_URL}{path}"


def lead_capture(
    *,
    studio: Studio,
    data: LeadInput,
    by: User | None = None,
    acknowledge: bool = True,
    announce: bool = True,
) -> Captured:
    """Stores a lead from any door: one open lead per person per studio, a clock, a coach, and a first answer.

    `acknowledge=False` for leads that did not just ask for anything (an import) or that a person is already
    talking to (a walk-in): no automatic reply then. `announce=False` (an import of an old list): no clock, no
    notices; the leads simply appear in the inbox.
    """
    # Checked before anything is written: a refused input leaves the caller's transaction as it was.
    contact = Contact(data.name.strip(), *check_lead_input(data))
    return _capture(
        studio=studio, data=data, contact=contact, by=by, acknowledge=acknowledge, announce=announce
    )


# No savepoint of its own: capture is one unit with the caller's change (a worker's processed delivery, a form),
# and a webhook's lead costs each statement it takes (bench: the statements per processed delivery).
@transaction.atomic(savepoint=False)
def _capture(
    *, studio: Studio, data: LeadInput, contact: Contact, by: User | None, acknowledge: bool, announce: bool
) -> Captured:
    # One capture at a time per studio, so two submissions of one person cannot make two leads.
    config = LeadSettings.objects.for_studio(studio).select_for_update().first()
    if config is None:
        config = (
            LeadSettings.objects.for_studio(studio).select_for_update().get(pk=lead_settings_for(studio).pk)
        )
    now = clock.now()
    person, new = person_capture(studio=studio, contact=contact)
    other_details = "" if new else _other_details(person, contact)
    existing = None if new else _open_lead_of(person, data.is_test)
    if existing is not None:
        existing.answers = {**existing.answers, **data.answers}
        existing.save(update_fields=["answers", "updated_at"])
        Activity.objects.create(
            studio=studio, lead=existing, kind=Activity.Kind.SUBMISSION, by=by, at=now,
            body=f"Nieuwe aanvraag via {Source(data.source).label}" + other_details,
            data={"source": data.source, "campaign": data.campaign, "form": data.form, "answers": data.answers},
        )  # fmt: skip
        _state, events = _record_consents(person, data.consents, data.source, by, new=False)
        events.append(LeadSubmittedAgain(lead_id=existing.pk, source=data.source))
        events_record(studio=studio, person=person, by=by, at=now, events=events)
        return Captured(existing, created=False)

    lead = Lead(
        studio=studio, person=person, source=data.source, campaign=data.campaign[:200],
        ad=data.ad[:200], form=data.form[:200], utm=data.utm, answers=data.answers, is_test=data.is_test,
        created_at=now,
    )  # fmt: skip
    if not data.is_test and announce:
        lead.due_at = sla.deadline(now, config.sla_minutes, config.opening_hours, studio.zone)
    if not data.is_test:
        lead.assigned_to = _next_coach(studio, config)
    lead.save()
    Activity.objects.create(
        studio=studio, lead=lead, kind=Activity.Kind.CREATED, by=by, at=now,
        body=f"Binnengekomen via {Source(data.source).label}" + other_details,
        data={"campaign": data.campaign, "form": data.form},
    )  # fmt: skip
    state, events = _record_consents(person, data.consents, data.source, by, new=new)
    if not data.is_test:  # the lead first, then what the person agreed to with it
        events.insert(
            0, LeadCaptured(lead_id=lead.pk, source=data.source, campaign=lead.campaign, returning=not new)
        )
    events_record(studio=studio, person=person, by=by, at=now, events=events)
    if not data.is_test and announce:
        _announce(lead, consents=state, acknowledge=acknowledge)
    return Captured(lead, created=True)


def _announce(lead: Lead, *, consents: dict[str, bool | None], acknowledge: bool) -> None:
    """At once: the coach hears of the lead, the lead hears from the studio; the deadline is watched.

    Every message of a new lead goes into the outbox in one statement (their keys name the new lead).
    """
    from vollegym.leads.tasks import check_deadline

    studio = lead.studio
    local_due = clock.local(lead.due_at, studio.zone) if lead.due_at else None
    due_text = f"{local_due:%d-%m %H:%M}" if local_due else _("zo snel mogelijk")
    coach = lead.assigned_to
    recipients = (
        [coach]
        if coach
        else [m.user for m in StaffMembership.objects.for_studio(studio).select_related("user")]
    )
    outbox: list[Message] = []
    for person in recipients:
        outbox.append(message_build(
            studio=studio, channel=Message.Channel.APP, to=person.email, to_user=person, purpose="lead_new",
            key=f"lead:{lead.pk}:new:app:{person.pk}", ref=f"lead:{lead.pk}", url=lead_url(lead),
            body=_("Nieuwe lead %(lead)s: reageer voor %(due)s") % {"lead": lead, "due": due_text},
        ))  # fmt: skip
        outbox.append(message_build(
            studio=studio, channel=Message.Channel.EMAIL, to=person.email, to_user=person, purpose="lead_new",
            key=f"lead:{lead.pk}:new:email:{person.pk}", ref=f"lead:{lead.pk}",
            subject=_("Nieuwe lead: %(lead)s — reageer voor %(due)s") % {"lead": lead, "due": due_text},
            body=render_to_string("leads/mail/lead_new.txt", {
                "coach_name": person.get_short_name(), "lead": lead, "studio": studio, "due": due_text,
                "source": lead.get_source_display(), "phone": lead.phone or lead.phone_as_given,
                "email": lead.email, "url": lead_url(lead),
            }),
        ))  # fmt: skip
    # The outbox checks consent for every message; asking first keeps a refused person's timeline clean.
    contact_refused = consents[Purpose.CONTACT] is False
    if acknowledge and lead.email and not contact_refused:
        coach_name = coach.get_short_name() if coach else _("een van onze coaches")
        outbox.append(message_build(
            studio=studio, channel=Message.Channel.EMAIL, person=lead.person, purpose="lead_ack", consents=consents,
            key=f"lead:{lead.pk}:ack", ref=f"lead:{lead.pk}", reply_to=coach.email if coach else studio.email,
            subject=_("Bedankt voor je aanvraag bij %(studio)s") % {"studio": studio.name},
            body=render_to_string("leads/mail/lead_ack.txt", {
                "first_name": first_name(lead.name), "studio": studio, "coach_name": coach_name,
            }),
        ))  # fmt: skip
    whatsapp = whatsapp_ready(studio) if consents[Purpose.WHATSAPP] is True and lead.phone else None
    if acknowledge and whatsapp is not None and not contact_refused:
        # A first message to someone who never wrote us is outside WhatsApp's 24-hour window: a template.
        outbox.append(message_build(
            studio=studio, channel=Message.Channel.WHATSAPP, person=lead.person, purpose="lead_ack",
            consents=consents, key=f"lead:{lead.pk}:ack:whatsapp", ref=f"lead:{lead.pk}",
            template=whatsapp.ack_template, template_params=[first_name(lead.name), studio.name],
            body=f"Hoi {first_name(lead.name)}, dank voor je aanvraag bij {studio.name}! We nemen snel persoonlijk contact op.",
        ))  # fmt: skip
    messages_queue_new(outbox)
    if lead.due_at is not None:
        check_deadline.using(run_after=lead.due_at).enqueue(lead.pk)


@transaction.atomic
def lead_log_contact(
    *, lead: Lead, kind: str, by: User | None, outcome: str = "", body: str = "", at: datetime | None = None
) -> Activity:
    """Logs a contact attempt or note; the first personal contact stops the clock and sets the response time."""
    if kind not in {*Activity.PERSONAL_CONTACT, Activity.Kind.NOTE}:
        raise CaptureError("kind", f"{kind!r} is not a contact attempt or note")
    if outcome and outcome not in Activity.Outcome.values:
        raise CaptureError("outcome", f"unknown outcome {outcome!r}")
    if kind == Activity.Kind.NOTE and not body.strip():
        raise CaptureError("body", "een notitie heeft tekst nodig")
    at = at or clock.now()
    activity = Activity.objects.create(
        studio_id=lead.studio_id, lead=lead, kind=kind, outcome=outcome, body=body.strip(), by=by, at=at
    )
    if kind in Activity.PERSONAL_CONTACT:
        first = (
            Lead.objects.for_studio(lead.studio_id)
            .filter(pk=lead.pk, first_contact_at__isnull=True)
            .update(first_contact_at=at, first_contact_by=by)
        )
        if first and not lead.is_test:
            seconds = max(int((at - lead.created_at).total_seconds()), 0)
            event_record(
                studio=lead.studio_id, person=lead.person_id, by=by, at=at,
                event=LeadFirstContact(lead_id=lead.pk, channel=kind, seconds=seconds),
            )  # fmt: skip
        if outcome == Activity.Outcome.REACHED:
            reached = (
                Lead.objects.for_studio(lead.studio_id)
                .filter(pk=lead.pk, stage=Stage.NEW)
                .update(stage=Stage.CONTACTED, updated_at=at)
            )
            if reached and not lead.is_test:
                event_record(
                    studio=lead.studio_id, person=lead.person_id, by=by, at=at,
                    event=LeadStageChanged(lead_id=lead.pk, before=Stage.NEW, after=Stage.CONTACTED),
                )  # fmt: skip
        lead.refresh_from_db()
    return activity


@transaction.atomic
def lead_move(*, lead: Lead, stage: str, by: User | None, lost_reason: str = "") -> Lead:
    """Moves a lead to a stage of the pipeline; a lost lead keeps why."""
    if stage not in Stage.values:
        raise CaptureError("stage", f"unknown stage {stage!r}")
    if stage == Stage.LOST and not lost_reason.strip():
        raise CaptureError("lost_reason", "geef een reden op waarom de lead verloren is")
    before, before_stage = lead.get_stage_display(), lead.stage
    lead.stage, lead.lost_reason = stage, lost_reason.strip() if stage == Stage.LOST else ""
    lead.save(update_fields=["stage", "lost_reason", "updated_at"])
    if before_stage != stage and not lead.is_test:
        event_record(
            studio=lead.studio_id, person=lead.person_id, by=by,
            event=LeadStageChanged(lead_id=lead.pk, before=before_stage, after=stage, lost_reason=lead.lost_reason),
        )  # fmt: skip
    Activity.objects.create(
        studio_id=lead.studio_id, lead=lead, kind=Activity.Kind.STAGE, by=by,
        body=f"{before} → {lead.get_stage_display()}" + (f": {lead.lost_reason}" if lead.lost_reason else ""),
        data={"stage": stage},
    )  # fmt: skip
    return lead


@transaction.atomic
def lead_escalate_if_late(*, lead_id: int, now: datetime | None = None) -> bool:
    """Past the deadline with no personal contact: the owners are alerted, once."""
    now = now or clock.now()
    late = Lead.all_studios.filter(
        pk=lead_id, first_contact_at__isnull=True, escalated_at__isnull=True, due_at__lte=now, is_test=False
    ).exclude(stage__in=[Stage.WON, Stage.LOST])
    if not late.update(escalated_at=now):
        return False
    lead = Lead.all_studios.select_related("studio", "assigned_to").get(pk=lead_id)
    studio = lead.studio
    event_record(studio=studio, person=lead.person_id, at=now, event=LeadEscalated(lead_id=lead.pk))
    Activity.objects.create(
        studio=studio, lead=lead, kind=Activity.Kind.ESCALATED, at=now,
        body="Niet binnen de reactietijd gesproken: eigenaar gewaarschuwd",
    )  # fmt: skip
    owners = (
        StaffMembership.objects.for_studio(studio)
        .filter(role=StaffMembership.Role.OWNER)
        .select_related("user")
    )
    coach = lead.assigned_to.get_short_name() if lead.assigned_to else _("niemand")
    for membership in owners:
        owner = membership.user
        for channel in (Message.Channel.APP, Message.Channel.EMAIL):
            message_queue(
                studio=studio, channel=channel, to=owner.email, to_user=owner, purpose="lead_late",
                key=f"lead:{lead.pk}:late:{channel}:{owner.pk}", ref=f"lead:{lead.pk}", url=lead_url(lead),
                subject=_("Lead wacht te lang: %(lead)s") % {"lead": lead},
                # an in-app notice links to the lead itself; a mail carries the link in its text
                body=render_to_string("leads/mail/lead_late.txt", {
                    "lead": lead, "source": lead.get_source_display(), "coach": coach,
                    "url": lead_url(lead) if channel == Message.Channel.EMAIL else "",
                }).strip(),
            )  # fmt: skip
    return True


def leads_sweep(*, now: datetime | None = None) -> int:
    """The safety net for lost timers: every lead past its deadline without contact is escalated."""
    now = now or clock.now()
    late = Lead.all_studios.filter(
        first_contact_at__isnull=True, escalated_at__isnull=True, due_at__lte=now, is_test=False
    ).exclude(stage__in=[Stage.WON, Stage.LOST])
    return sum(lead_escalate_if_late(lead_id=pk, now=now) for pk in late.values_list("pk", flat=True)[:500])


@transaction.atomic
def meta_page_connect(*, studio: Studio, page_id: str, page_token: str, name: str = "") -> MetaPage:
    """Routes a Facebook page's leads to a studio; a page belongs to one studio at a time."""
    page_id, page_token = page_id.strip(), page_token.strip()
    if not page_id.isdigit():
        raise ValueError(f"page id {page_id!r} should be the page's numeric id")
    if not page_token:
        raise ValueError("a page access token is needed to fetch the answers")
    taken = MetaPage.all_studios.filter(page_id=page_id).exclude(studio=studio).first()
    if taken is not None:
        raise ValueError(f"page {page_id} is connected to another studio; disconnect it there first")
    page = MetaPage.objects.for_studio(studio).filter(page_id=page_id).first() or MetaPage(
        studio=studio, page_id=page_id
    )
    page.page_token, page.name = page_token, name or page.name
    page.save()
    return page


@transaction.atomic
def lead_settings_update(
    *, studio: Studio, sla_minutes: int, round_robin: bool, opening_hours: dict[str, list[list[str]]]
) -> LeadSettings:
    """Changes how a studio's leads are handled; new leads get the new clock, running clocks keep theirs."""
    config = lead_settings_for(studio)
    config.sla_minutes, config.round_robin = sla_minutes, round_robin
    config.opening_hours = sla.validate_opening_hours(opening_hours)
    config.full_clean()
    config.save()
    return config


@transaction.atomic
def webhook_secret_rotate(*, studio: Studio) -> str:
    """A new secret for the generic webhook; the old one stops working at once."""
    from vollegym.leads.models import new_webhook_secret

    config = lead_settings_for(studio)
    config.webhook_secret = new_webhook_secret()
    config.save(update_fields=["webhook_secret"])
    return config.webhook_secret


@transaction.atomic
def lead_enter(
    *,
    studio: Studio,
    by: User,
    name: str,
    phone: str,
    email: str,
    source: str,
    note: str,
    already_spoken: bool,
) -> Captured:
    """A lead entered by hand (walk-in, phone call, DM); one already spoken to has answered its own clock."""
    captured = lead_capture(
        studio=studio,
        data=LeadInput(source=source, name=name, phone=phone, email=email),
        by=by,
        acknowledge=not already_spoken,
    )
    if note.strip():
        lead_log_contact(lead=captured.lead, kind=Activity.Kind.NOTE, by=by, body=note)
    if already_spoken:
        spoken = Activity.Kind.CALL if source == Source.PHONE else Activity.Kind.IN_PERSON
        lead_log_contact(lead=captured.lead, kind=spoken, by=by, outcome=Activity.Outcome.REACHED)
    return captured


@transaction.atomic
def lead_answers_merge(
    *, lead: Lead, answers: dict[str, Any], note: str = "", forget: list[str] | None = None
) -> Lead:
    """Adds answers (from the intake, say) to a lead, dropping the `forget` keys; a note marks the moment."""
    lead.answers = {k: v for k, v in {**lead.answers, **answers}.items() if k not in (forget or [])}
    lead.save(update_fields=["answers", "updated_at"])
    if note:
        Activity.objects.create(studio_id=lead.studio_id, lead=lead, kind=Activity.Kind.SUBMISSION, body=note)
    return lead


@transaction.atomic
def lead_mark_clearance(*, lead: Lead, needed: bool) -> Lead:
    """Marks (or unmarks) a lead whose health answers ask for the huisarts's word before training."""
    if lead.needs_clearance != needed:
        lead.needs_clearance = needed
        lead.save(update_fields=["needs_clearance", "updated_at"])
    return lead


@transaction.atomic
def lead_confirm_clearance(*, lead: Lead, by: User) -> Lead:
    """The coach confirms the prospect has the huisarts's go-ahead; enrolment then proceeds."""
    if lead.clearance_confirmed_at is None:
        lead.clearance_confirmed_at = clock.now()
        lead.save(update_fields=["clearance_confirmed_at", "updated_at"])
        Activity.objects.create(
            studio_id=lead.studio_id, lead=lead, kind=Activity.Kind.NOTE, by=by,
            body=str(_("Akkoord van de huisarts bevestigd")),
        )  # fmt: skip
    return lead


def lead_timeline_add(
    *, lead: Lead, kind: str, body: str, by: User | None = None, data: dict[str, Any] | None = None
) -> Activity:
    """Puts something that happened around a lead (a booked conversation, say) on its timeline; never a contact."""
    if kind in Activity.PERSONAL_CONTACT:
        raise CaptureError("kind", "a personal contact goes through lead_log_contact, which stops the clock")
    return Activity.objects.create(
        studio_id=lead.studio_id, lead=lead, kind=kind, body=body, by=by, data=data or {}
    )
