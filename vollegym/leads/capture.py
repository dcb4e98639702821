"""Capture: a lead from any door (forms, webhooks, imports, staff), one or a worker's batch at a time.

One path for both: `lead_capture` is a batch of one. A batch costs a few statements in all (the people it finds
and makes, the leads, their activities, consents, events, messages and deadline watch, each in one statement),
which is what lets a worker keep up with an ad campaign's burst (bench: events per second per worker).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Subquery
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from vollegym.core import clock
from vollegym.core.names import first_name
from vollegym.core.phones import display_phone
from vollegym.leads import sla
from vollegym.leads.inputs import CheckedLead, LeadInput, lead_check
from vollegym.leads.models import CLOSED_STAGES, Activity, Lead, LeadSettings, Source
from vollegym.messaging.models import Message
from vollegym.messaging.services import message_build, messages_queue_new, whatsapp_ready
from vollegym.people.events import ConsentChanged, Event, LeadCaptured, LeadSubmittedAgain, events_record_many
from vollegym.people.models import ConsentEntry, How, Person, Purpose
from vollegym.people.services import Contact, consent_stands, people_capture, people_match
from vollegym.studios.models import StaffMembership, Studio, User


@dataclass(frozen=True)
class Captured:
    lead: Lead
    created: bool


def lead_settings_for(studio: Studio) -> LeadSettings:
    found = LeadSettings.objects.for_studio(studio).first()
    if found is None:
        found, _created = LeadSettings.objects.for_studio(studio).get_or_create(studio=studio)
    return found


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
    checked = lead_check(data)
    return leads_capture(studio=studio, leads=[checked], by=by, acknowledge=acknowledge, announce=announce)[0]


# No savepoint of its own: capture is one unit with the caller's change (a worker's processed deliveries, a form),
# and a webhook's lead costs each statement it takes (bench: the statements per processed delivery).
@transaction.atomic(savepoint=False)
def leads_capture(
    *,
    studio: Studio,
    leads: Sequence[CheckedLead],
    by: User | None = None,
    acknowledge: bool = True,
    announce: bool = True,
) -> list[Captured]:
    """The same as `lead_capture` for many checked inputs of one studio, in their order, in a few statements."""
    # One capture at a time per studio, so two submissions of one person cannot make two leads.
    config = LeadSettings.objects.for_studio(studio).select_for_update().first()
    if config is None:
        config = (
            LeadSettings.objects.for_studio(studio).select_for_update().get(pk=lead_settings_for(studio).pk)
        )
    capture = _Capture(studio, config, by, acknowledge=acknowledge, announce=announce)
    results: list[Captured] = []
    waiting = list(leads)
    while waiting:
        matched = people_match(studio=studio, contacts=[item.contact for item in waiting])
        size = _distinct_people(waiting, matched)
        results += capture.run(waiting[:size], matched[:size])
        waiting = waiting[size:]
    return results


def _distinct_people(items: Sequence[CheckedLead], matched: Sequence[Person | None]) -> int:
    """How many of the first items are of different people: a later submission of someone earlier in the batch
    waits for the next round, which then finds the person (and their lead) the first one made."""
    seen_keys: set[str] = set()
    seen_people: set[int] = set()
    for n, (item, person) in enumerate(zip(items, matched, strict=True)):
        keys = {k for k in (f"p:{item.contact.phone}", f"e:{item.contact.email}") if len(k) > 2}
        if keys & seen_keys or (person is not None and person.pk in seen_people):
            return n
        seen_keys |= keys
        if person is not None:
            seen_people.add(person.pk)
    return len(items)


# How a consent reached us, by the door the lead came through.
_HOW_BY_SOURCE: dict[str, str] = {
    Source.WEBSITE: How.FORM, Source.REFERRAL: How.FORM, Source.META: How.WEBHOOK, Source.GOOGLE: How.WEBHOOK,
    Source.IMPORT: How.IMPORT, Source.OTHER: How.WEBHOOK,
}  # fmt: skip


@dataclass
class _Written:
    """What one round writes, collected so that each table gets one statement."""

    activities: list[Activity] = field(default_factory=list)
    consents: list[ConsentEntry] = field(default_factory=list)
    events: list[tuple[Person, Event]] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)


class _Capture:
    """One batch's capture: the studio's settings, team and WhatsApp set-up read once for all its rounds."""

    def __init__(
        self, studio: Studio, config: LeadSettings, by: User | None, *, acknowledge: bool, announce: bool
    ) -> None:
        self.studio, self.config, self.by = studio, config, by
        self.acknowledge, self.announce = acknowledge, announce
        self.now = clock.now()
        self._turns: Iterator[User | None] | None = None
        self._staff: list[User] | None = None
        self._whatsapp: tuple[Any] | None = None

    def run(self, items: Sequence[CheckedLead], matched: Sequence[Person | None]) -> list[Captured]:
        """Items of different people: find or make each person, add to an open lead or make a new one."""
        studio, now, by = self.studio, self.now, self.by
        people = people_capture(studio=studio, contacts=[item.contact for item in items], matched=matched)
        known = [person for person, new in people if not new]
        open_leads = self._open_leads(known)
        ledgers = self._ledgers(known)
        written = _Written()
        results: list[Captured | None] = [None] * len(items)
        fresh: list[tuple[int, Lead, Person, bool, str]] = []  # (item, lead, person, new, what differed)
        for n, (item, (person, new)) in enumerate(zip(items, people, strict=True)):
            data = item.data
            other = "" if new else _other_details(person, item.contact)
            existing = open_leads.get((person.pk, data.is_test))
            if existing is not None:
                existing.answers = {**existing.answers, **data.answers}
                existing.save(update_fields=["answers", "updated_at"])
                written.activities.append(Activity(
                    studio=studio, lead=existing, kind=Activity.Kind.SUBMISSION, by=by, at=now,
                    body=f"Nieuwe aanvraag via {Source(data.source).label}" + other,
                    data={"source": data.source, "campaign": data.campaign, "form": data.form, "answers": data.answers},
                ))  # fmt: skip
                _state, events = self._consents(person, data, ledgers.get(person.pk, {}), written)
                events.append(LeadSubmittedAgain(lead_id=existing.pk, source=data.source))
                written.events += [(person, e) for e in events]
                results[n] = Captured(existing, created=False)
                continue
            lead = Lead(
                studio=studio, person=person, source=data.source, campaign=data.campaign[:200],
                ad=data.ad[:200], form=data.form[:200], utm=data.utm, answers=data.answers, is_test=data.is_test,
                created_at=now,
            )  # fmt: skip
            if not data.is_test and self.announce:
                lead.due_at = sla.deadline(
                    now, self.config.sla_minutes, self.config.opening_hours, studio.zone
                )
            if not data.is_test:
                lead.assigned_to = self._next_coach()
            fresh.append((n, lead, person, new, other))
        if fresh:
            # Each lead gets its id here (RETURNING on both databases); what points at it comes after.
            Lead.objects.bulk_create([lead for _n, lead, _p, _new, _other in fresh])
        watch: dict[datetime, list[int]] = defaultdict(list)
        for n, lead, person, new, other in fresh:
            data = items[n].data
            written.activities.append(Activity(
                studio=studio, lead=lead, kind=Activity.Kind.CREATED, by=by, at=now,
                body=f"Binnengekomen via {Source(data.source).label}" + other,
                data={"campaign": data.campaign, "form": data.form},
            ))  # fmt: skip
            state, events = self._consents(person, data, None if new else ledgers.get(person.pk, {}), written)
            if not data.is_test:  # the lead first, then what the person agreed to with it
                events.insert(
                    0,
                    LeadCaptured(
                        lead_id=lead.pk, source=data.source, campaign=lead.campaign, returning=not new
                    ),
                )
            written.events += [(person, e) for e in events]
            if not data.is_test and self.announce:
                written.messages += self._announcements(lead, consents=state)
                if lead.due_at is not None:
                    watch[lead.due_at].append(lead.pk)
            results[n] = Captured(lead, created=True)
        Activity.objects.bulk_create(written.activities)
        if written.consents:
            ConsentEntry.objects.bulk_create(written.consents)
        events_record_many(studio=studio, by=by, at=now, events=written.events)
        if written.messages:
            messages_queue_new(written.messages)
        if watch:
            from vollegym.leads.tasks import check_deadlines

            for due, lead_ids in watch.items():
                check_deadlines.using(run_after=due).enqueue(lead_ids)
        return [r for r in results if r is not None]

    def _open_leads(self, people: list[Person]) -> dict[tuple[int, bool], Lead]:
        """The earliest open lead of each known person (test leads apart), in one query."""
        if not people:
            return {}
        found: dict[tuple[int, bool], Lead] = {}
        by_id = {p.pk: p for p in people}
        for lead in (
            Lead.objects.for_studio(self.studio)
            .exclude(stage__in=CLOSED_STAGES)
            .filter(person_id__in=list(by_id))
            .order_by("created_at", "id")
        ):
            lead.person = by_id[lead.person_id]
            found.setdefault((lead.person_id, lead.is_test), lead)
        return found

    def _ledgers(self, people: list[Person]) -> dict[int, dict[str, list[tuple[bool, str]]]]:
        """Per known person and purpose, the (given, wording) of their consent ledger, oldest first, in one query."""
        if not people:
            return {}
        ledgers: dict[int, dict[str, list[tuple[bool, str]]]] = {p.pk: defaultdict(list) for p in people}
        for person_id, purpose, given, wording in (
            ConsentEntry.objects.for_studio(self.studio)
            .filter(person_id__in=[p.pk for p in people])
            .order_by("at", "id")
            .values_list("person_id", "purpose", "given", "wording")
        ):
            ledgers[person_id][purpose].append((given, wording))
        return ledgers

    def _consents(
        self,
        person: Person,
        data: LeadInput,
        ledger: dict[str, list[tuple[bool, str]]] | None,
        written: _Written,
    ) -> tuple[dict[str, bool | None], list[Event]]:
        """Adds what the person agreed to (or refused) to the ledger, unless that answer in those words stands
        already (`consent_stands`: a form sent again adds no second line).

        `ledger` is the person's entries per purpose, oldest first (None for a person just made, who has none).
        Returns the consent state after it (the latest entry per purpose decides) and the events to write.
        """
        history: dict[str, list[tuple[bool, str]]] = defaultdict(list)
        for purpose, entries in (ledger or {}).items():
            history[purpose] = list(entries)
        how: str = How.STAFF if self.by is not None else _HOW_BY_SOURCE.get(data.source, How.STAFF)
        events: list[Event] = []
        for c in data.consents:
            if consent_stands(history[c.purpose], given=c.given, wording=c.wording):
                continue
            history[c.purpose].append((c.given, c.wording))
            written.consents.append(ConsentEntry(
                studio_id=person.studio_id, person=person, purpose=c.purpose, given=c.given, how=how,
                source=c.channel[:32], wording=c.wording, wording_version=c.version[:64], by=self.by, at=self.now,
            ))  # fmt: skip
            events.append(ConsentChanged(purpose=c.purpose, given=c.given, how=how))
        if ledger is not None:
            ledger.update(history)  # a later round of this batch sees this one's entries
        state: dict[str, bool | None] = dict.fromkeys(Purpose.values)
        state.update({purpose: entries[-1][0] for purpose, entries in history.items() if entries})
        return state, events

    def _next_coach(self) -> User | None:
        if self._turns is None:
            self._turns = _coach_turns(self.studio, self.config)
        return next(self._turns)

    def _announcements(self, lead: Lead, *, consents: dict[str, bool | None]) -> list[Message]:
        """At once: the coach hears of the lead, the lead hears from the studio (the messages, not yet stored)."""
        studio = lead.studio
        local_due = clock.local(lead.due_at, studio.zone) if lead.due_at else None
        due_text = f"{local_due:%d-%m %H:%M}" if local_due else _("zo snel mogelijk")
        coach = lead.assigned_to
        if coach is None and self._staff is None:
            self._staff = [m.user for m in StaffMembership.objects.for_studio(studio).select_related("user")]
        recipients = [coach] if coach else (self._staff or [])
        url = lead_url(lead)
        outbox: list[Message] = []
        for person in recipients:
            outbox.append(message_build(
                studio=studio, channel=Message.Channel.APP, to=person.email, to_user=person, purpose="lead_new",
                key=f"lead:{lead.pk}:new:app:{person.pk}", ref=f"lead:{lead.pk}", url=url,
                body=_("Nieuwe lead %(lead)s: reageer voor %(due)s") % {"lead": lead, "due": due_text},
            ))  # fmt: skip
            outbox.append(message_build(
                studio=studio, channel=Message.Channel.EMAIL, to=person.email, to_user=person, purpose="lead_new",
                key=f"lead:{lead.pk}:new:email:{person.pk}", ref=f"lead:{lead.pk}",
                subject=_("Nieuwe lead: %(lead)s — reageer voor %(due)s") % {"lead": lead, "due": due_text},
                body=render_to_string("leads/mail/lead_new.txt", {
                    "coach_name": person.get_short_name(), "lead": lead, "studio": studio, "due": due_text,
                    "source": lead.get_source_display(), "phone": lead.phone or lead.phone_as_given,
                    "email": lead.email, "url": url,
                }),
            ))  # fmt: skip
        if not self.acknowledge:
            return outbox
        # The outbox checks consent for every message; asking first keeps a refused person's timeline clean.
        if consents[Purpose.CONTACT] is False:
            return outbox
        if lead.email:
            coach_name = coach.get_short_name() if coach else _("een van onze coaches")
            outbox.append(message_build(
                studio=studio, channel=Message.Channel.EMAIL, person=lead.person, purpose="lead_ack",
                consents=consents, key=f"lead:{lead.pk}:ack", ref=f"lead:{lead.pk}",
                reply_to=coach.email if coach else studio.email,
                subject=_("Bedankt voor je aanvraag bij %(studio)s") % {"studio": studio.name},
                body=render_to_string("leads/mail/lead_ack.txt", {
                    "first_name": first_name(lead.name), "studio": studio, "coach_name": coach_name,
                }),
            ))  # fmt: skip
        if consents[Purpose.WHATSAPP] is True and lead.phone:
            if self._whatsapp is None:
                self._whatsapp = (whatsapp_ready(studio),)
            whatsapp = self._whatsapp[0]
            if whatsapp is not None:
                # A first message to someone who never wrote us is outside WhatsApp's 24-hour window: a template.
                outbox.append(message_build(
                    studio=studio, channel=Message.Channel.WHATSAPP, person=lead.person, purpose="lead_ack",
                    consents=consents, key=f"lead:{lead.pk}:ack:whatsapp", ref=f"lead:{lead.pk}",
                    template=whatsapp.ack_template, template_params=[first_name(lead.name), studio.name],
                    body=f"Hoi {first_name(lead.name)}, dank voor je aanvraag bij {studio.name}! We nemen snel persoonlijk contact op.",
                ))  # fmt: skip
        return outbox


def _other_details(person: Person, given: Contact) -> str:
    """What a known person gave this time that differs from their record (a new number, a partner's name on a
    shared e-mail): the record keeps what it had, the timeline says what came in, so the coach can check."""
    differs = [
        f"{label}: {value}"
        for label, value, known in (
            (_("naam"), given.name, person.name),
            (_("e-mail"), given.email, person.email),
            (
                _("telefoon"),
                display_phone(given.phone) or given.phone_as_given,
                display_phone(person.phone) or person.phone_as_given,
            ),
        )
        if value and known and value.casefold() != known.casefold()
    ]
    return (" · " + _("gaf nu op: %(details)s") % {"details": ", ".join(differs)}) if differs else ""


def _coach_turns(studio: Studio, config: LeadSettings) -> Iterator[User | None]:
    """The coaches in turn (else the owners), after the one who got the studio's latest lead: one query."""
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
        while True:
            yield None
    if not config.round_robin:
        while True:
            yield people[0]
    last = team[0].latest if team else None
    turn = 0 if last is None else next((i for i, p in enumerate(people) if p.pk > last), 0)
    while True:
        yield people[turn]
        turn = (turn + 1) % len(people)
