"""Writes about leads: capture from any door, contact attempts, stages, and the speed-to-lead clock."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from vollegym.core import clock
from vollegym.leads import sla
from vollegym.leads.capture import Captured as Captured
from vollegym.leads.capture import lead_capture as lead_capture
from vollegym.leads.capture import lead_settings_for as lead_settings_for
from vollegym.leads.capture import lead_url as lead_url
from vollegym.leads.capture import leads_capture as leads_capture
from vollegym.leads.inputs import CaptureError as CaptureError
from vollegym.leads.inputs import CheckedLead as CheckedLead
from vollegym.leads.inputs import ConsentInput as ConsentInput
from vollegym.leads.inputs import LeadInput as LeadInput
from vollegym.leads.inputs import check_lead_input as check_lead_input
from vollegym.leads.inputs import lead_check as lead_check
from vollegym.leads.models import Activity, Lead, LeadSettings, MetaPage, Source, Stage
from vollegym.messaging.models import Message
from vollegym.messaging.services import message_queue
from vollegym.people.events import (
    LeadEscalated,
    LeadFirstContact,
    LeadStageChanged,
    event_record,
)
from vollegym.studios.models import StaffMembership, Studio, User


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
    *,
    lead: Lead,
    kind: str,
    body: str,
    by: User | None = None,
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> Activity:
    """Puts something that happened around a lead (a booked conversation, say) on its timeline; never a contact."""
    if kind in Activity.PERSONAL_CONTACT:
        raise CaptureError("kind", "a personal contact goes through lead_log_contact, which stops the clock")
    return Activity.objects.create(
        studio_id=lead.studio_id,
        lead=lead,
        kind=kind,
        body=body,
        by=by,
        data=data or {},
        at=at or clock.now(),
    )
