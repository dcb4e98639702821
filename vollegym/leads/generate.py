"""Benchmark data of the leads app (`vollegym generate`): every lead of the plan with its door (source, campaign,
ad, form, UTM), its SLA clock, first answer and stage, the consents its form asked, its timeline and its events."""

from __future__ import annotations

from datetime import datetime

from vollegym.core.generator.plan import Lead as Planned
from vollegym.core.generator.run import Generation
from vollegym.leads import sla
from vollegym.leads.models import Activity, Lead, Source, Stage
from vollegym.leads.services import lead_settings_for
from vollegym.people.events import (
    ConsentChanged,
    LeadCaptured,
    LeadEscalated,
    LeadFirstContact,
    LeadStageChanged,
)
from vollegym.people.generate import event_row
from vollegym.people.models import ConsentEntry, DomainEvent, How, Purpose

FORMS = frozenset({Source.META, Source.GOOGLE, Source.WEBSITE})
CONTACT = "Ja, {studio} mag contact met mij opnemen over mijn aanvraag."
NEWS = "Ja, {studio} mag mij af en toe nieuws en aanbiedingen sturen."
CHANNELS = {
    "call": (Activity.Kind.CALL, Activity.Outcome.REACHED, "Gebeld: gesproken"),
    "whatsapp": (Activity.Kind.WHATSAPP, Activity.Outcome.SENT, "WhatsApp gestuurd"),
    "email": (Activity.Kind.EMAIL, Activity.Outcome.SENT, "E-mail gestuurd"),
    "in_person": (Activity.Kind.IN_PERSON, Activity.Outcome.REACHED, "Persoonlijk gesproken"),
}


def write(gen: Generation) -> None:
    plan, studio = gen.plan, gen.studio
    config = lead_settings_for(studio)
    zone, now = studio.zone, plan.now
    rows = []
    for p in plan.leads:
        due = sla.deadline(p.created_at, config.sla_minutes, config.opening_hours, zone)
        late = due < now and (p.contacted_at is None or p.contacted_at > due)
        rows.append(
            Lead(
                studio=studio, person_id=gen.ids["person"][p.person], source=p.source, campaign=p.campaign, ad=p.ad,
                form=p.form, utm=p.utm, answers={"doel": p.goal}, stage=p.stage, lost_reason=p.lost_reason,
                assigned_to=gen.team[p.coach], created_at=p.created_at, due_at=due, first_contact_at=p.contacted_at,
                first_contact_by=gen.team[p.coach] if p.contacted_at else None, escalated_at=due if late else None,
            )
        )  # fmt: skip
    leads = gen.create(Lead, rows)
    gen.keep("lead", leads)
    activities: list[Activity] = []
    consents: list[ConsentEntry] = []
    events: list[DomainEvent] = []
    for p, lead in zip(plan.leads, leads, strict=True):
        _history(gen, p, lead, activities, events)
        if p.source in FORMS:
            how = How.FORM if p.source == Source.WEBSITE else How.WEBHOOK
            given = [(Purpose.CONTACT, CONTACT)] + (
                [(Purpose.MARKETING, NEWS)] if plan.people[p.person].marketing else []
            )
            for purpose, words in given:
                consents.append(
                    ConsentEntry(
                        studio=studio, person_id=lead.person_id, purpose=purpose, given=True, how=how,
                        source=p.source, wording=words.format(studio=studio.name), at=p.created_at,
                    )
                )  # fmt: skip
                events.append(
                    event_row(
                        gen,
                        ConsentChanged(purpose=purpose, given=True, how=how),
                        at=p.created_at,
                        person=p.person,
                    )
                )
    gen.create(Activity, activities)
    gen.create(ConsentEntry, consents)
    gen.create(DomainEvent, events)


def _history(
    gen: Generation, p: Planned, lead: Lead, activities: list[Activity], events: list[DomainEvent]
) -> None:
    """The lead's timeline and events as capture, the inbox and the SLA sweep write them; the conversation's own
    (booked, recorded) come from the intake app's writer."""
    studio, coach = gen.studio, gen.team[p.coach]
    activities.append(
        Activity(
            studio=studio, lead=lead, kind=Activity.Kind.CREATED, at=p.created_at,
            body=f"Binnengekomen via {Source(p.source).label}",
        )
    )  # fmt: skip
    events.append(
        event_row(
            gen,
            LeadCaptured(lead_id=lead.pk, source=p.source, campaign=p.campaign),
            at=p.created_at,
            person=p.person,
        )
    )
    if lead.escalated_at is not None:
        activities.append(
            Activity(
                studio=studio, lead=lead, kind=Activity.Kind.ESCALATED, at=lead.escalated_at,
                body="Niet binnen de reactietijd gesproken: eigenaar gewaarschuwd",
            )
        )  # fmt: skip
        events.append(event_row(gen, LeadEscalated(lead_id=lead.pk), at=lead.escalated_at, person=p.person))
    stages: list[tuple[str, datetime]] = []
    if p.contacted_at is not None:
        kind, outcome, body = CHANNELS[p.channel]
        activities.append(
            Activity(
                studio=studio, lead=lead, kind=kind, outcome=outcome, body=body, by=coach, at=p.contacted_at
            )
        )
        seconds = int((p.contacted_at - p.created_at).total_seconds())
        events.append(
            event_row(
                gen, LeadFirstContact(lead_id=lead.pk, channel=p.channel, seconds=seconds), at=p.contacted_at,
                person=p.person,
            )
        )  # fmt: skip
        stages.append((Stage.CONTACTED, p.contacted_at))
    talk = p.conversation
    if talk is not None:
        stages.append((Stage.INTAKE_BOOKED, talk.created_at))
        if talk.recorded_at is not None:
            after = {"won": Stage.WON, "lost": Stage.LOST}.get(talk.outcome, Stage.NO_SHOW)
            stages.append((after, talk.recorded_at))
    if p.stage == Stage.LOST and p.closed_at is not None and (not stages or stages[-1][0] != Stage.LOST):
        stages.append((Stage.LOST, p.closed_at))
    before: str = Stage.NEW
    for stage, moment in stages:
        reason = p.lost_reason if stage == Stage.LOST else ""
        activities.append(
            Activity(
                studio=studio, lead=lead, kind=Activity.Kind.STAGE, by=coach, at=moment, data={"stage": stage},
                body=f"{Stage(before).label} → {Stage(stage).label}" + (f": {reason}" if reason else ""),
            )
        )  # fmt: skip
        events.append(
            event_row(
                gen, LeadStageChanged(lead_id=lead.pk, before=before, after=stage, lost_reason=reason),
                at=moment, person=p.person,
            )
        )  # fmt: skip
        before = stage
