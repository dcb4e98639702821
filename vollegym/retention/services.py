"""Writes of the playbook engine: a member's run of a program's playbook, a lead's run of a sequence, each touchpoint
carried out once, and a lead's sequence stopped at the first reply, booking or no."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import dateformat, translation
from django.utils.translation import gettext as _

from vollegym.core import clock
from vollegym.core.names import first_name
from vollegym.leads.models import Activity, Lead
from vollegym.leads.services import lead_timeline_add
from vollegym.messaging.models import Message
from vollegym.messaging.services import message_queue
from vollegym.people.events import (
    FollowUpStarted,
    FollowUpStopped,
    TouchpointDone,
    TouchpointSent,
    TouchpointSkipped,
    event_record,
)
from vollegym.programs.models import Enrolment, Member
from vollegym.retention import followup
from vollegym.retention.models import Run, Sequence, Step, Touchpoint
from vollegym.retention.playbooks import EDITABLE as EDITABLE
from vollegym.retention.playbooks import PlaybookError as PlaybookError
from vollegym.retention.playbooks import playbook_change as playbook_change
from vollegym.retention.playbooks import playbook_for as playbook_for
from vollegym.retention.playbooks import playbook_for_sequence as playbook_for_sequence
from vollegym.retention.selectors import last_visit, versions_current
from vollegym.studios.models import Studio, User

# A message whose moment passed longer ago than this (the worker was down, say) is not sent late: "welcome" a week
# on reads wrong. A task still shows: the coach decides.
MESSAGE_GRACE = timedelta(days=2)
# Only members in their first month get a run; older enrolments found at the first sweep are left alone.
STARTS_WITHIN = timedelta(days=30)


def due_at(day: date, at: time, zone: tzinfo = clock.AMSTERDAM) -> datetime:
    """The moment a wall clock in the studio's zone shows `at` on `day` (an hour the clocks skip: the hour after)."""
    return (
        clock.wall_time(day, at, zone)
        or clock.wall_time(day, time(at.hour + 1 if at.hour < 23 else 23, 0), zone)
        or (datetime.combine(day, at, tzinfo=zone))
    )


def _plan(run: Run, zone: tzinfo, now: datetime) -> int:
    """One step per touchpoint of the run's version, due on its day after day 0; long past ones kept as skipped."""
    steps = []
    for touchpoint in Touchpoint.objects.for_studio(run.studio_id).filter(version_id=run.version_id):
        due = due_at(run.starts_on + timedelta(days=touchpoint.day), touchpoint.at, zone)
        late = due < now - MESSAGE_GRACE
        steps.append(
            Step(
                studio_id=run.studio_id, run=run, touchpoint=touchpoint, due_at=due,
                status=Step.Status.SKIPPED if late else Step.Status.PLANNED,
                reason=Step.Reason.TOO_LATE if late else "", done_at=now if late else None,
            )
        )  # fmt: skip
    Step.objects.bulk_create(steps)
    return len(steps)


@transaction.atomic
def run_start(*, enrolment: Enrolment, now: datetime | None = None) -> Run | None:
    """Plans a member's run: one step per touchpoint of the current version, due on its day in the studio's zone.

    Steps whose moment was already long past when the run began are kept as skipped, never sent late.
    """
    now = now or clock.now()
    version = versions_current(playbook_for(enrolment.program))
    try:
        with transaction.atomic():
            run = Run.objects.create(
                studio_id=enrolment.studio_id, enrolment=enrolment, member_id=enrolment.member_id, version=version,
                starts_on=enrolment.starts_on, started_at=now,
            )  # fmt: skip
    except IntegrityError:  # another worker started it a moment ago
        return None
    _plan(run, enrolment.studio.zone, now)
    return run


def runs_start(*, now: datetime | None = None) -> int:
    """Starts a run for every new enrolment (not a renewal) in its first month that has none yet."""
    now = now or clock.now()
    today = clock.local(now).date()
    waiting = (
        Enrolment.all_studios.filter(
            status=Enrolment.Status.ACTIVE, renewal_of__isnull=True, ends_on__gte=today,
            starts_on__gte=today - STARTS_WITHIN, starts_on__lte=today + timedelta(days=1),
        )
        .exclude(pk__in=Run.all_studios.filter(enrolment__isnull=False).values("enrolment_id"))
        .select_related("program", "studio")
    )  # fmt: skip
    return sum(1 for enrolment in waiting if run_start(enrolment=enrolment, now=now) is not None)


@transaction.atomic
def lead_run_start(
    *, lead: Lead, sequence: str, since: datetime, starts_on: date, now: datetime | None = None
) -> Run | None:
    """Puts a lead on one of the studio's sequences, once per lead and sequence, from day 0 `starts_on`.

    `since` is the moment its cause happened (the lead came in, the no-show was recorded): a reply from then on
    stops the sequence, even one that came before this start. A sequence the studio emptied starts nothing.
    """
    now = now or clock.now()
    version = versions_current(playbook_for_sequence(lead.studio_id, sequence))
    if not Touchpoint.objects.for_studio(lead.studio_id).filter(version=version).exists():
        return None
    try:
        with transaction.atomic():
            run = Run.objects.create(
                studio_id=lead.studio_id, lead=lead, sequence=sequence, version=version, starts_on=starts_on,
                started_at=since,
            )  # fmt: skip
    except IntegrityError:  # another worker started it a moment ago
        return None
    _plan(run, lead.studio.zone, now)
    event_record(
        studio=lead.studio_id, person=lead.person_id, at=now,
        event=FollowUpStarted(lead_id=lead.pk, run_id=run.pk, sequence=sequence),
    )  # fmt: skip
    return run


def lead_runs_start(*, now: datetime | None = None) -> int:
    """Starts every sequence the leads call for: new and not answered, a no-show, gone quiet (followup.py)."""
    now = now or clock.now()
    made = 0
    for cause in followup.causes(now):
        lead = Lead.all_studios.select_related("studio").get(pk=cause.lead_id)
        started = lead_run_start(
            lead=lead, sequence=cause.sequence, since=cause.at, starts_on=cause.starts_on, now=now
        )
        made += started is not None
    return made


@transaction.atomic
def run_stop(*, run: Run, reason: str, at: datetime, now: datetime | None = None) -> bool:
    """Stops a lead's sequence at the first sign a person should carry on (a reply, a booking, a no, ...): what
    was still to come, and a task still open, is skipped with the reason. A run stops once."""
    now = now or clock.now()
    if not Run.all_studios.filter(pk=run.pk, stopped_at__isnull=True).update(
        stopped_at=at, stop_reason=reason
    ):
        return False
    run.stopped_at, run.stop_reason = at, reason
    Step.all_studios.filter(run_id=run.pk, status__in=[Step.Status.PLANNED, Step.Status.OPEN]).update(
        status=Step.Status.SKIPPED, reason=reason, done_at=now
    )
    assert run.lead_id is not None
    person_id = Lead.all_studios.values_list("person_id", flat=True).get(pk=run.lead_id)
    event_record(
        studio=run.studio_id, person=person_id, at=at,
        event=FollowUpStopped(lead_id=run.lead_id, run_id=run.pk, sequence=run.sequence, reason=reason),
    )  # fmt: skip
    return True


def lead_runs_stop(*, now: datetime | None = None) -> int:
    """Stops every lead's sequence that saw its first reply, booking or no since the last sweep."""
    now = now or clock.now()
    active = followup.runs_active(now)
    found = followup.stops(active, now)
    return sum(run_stop(run=run, reason=found[run.pk].reason, at=found[run.pk].at, now=now) for run in active
               if run.pk in found)  # fmt: skip


def steps_carry_out(*, now: datetime | None = None, studio: Studio | None = None) -> int:
    """Carries out every step whose moment came: a message into the outbox, or a task shown to the coach.

    Safe with many workers: each step is claimed with a conditional update inside the transaction that carries it
    out, so a second worker finds it taken, and the outbox key names the step, so a message is never queued twice.
    """
    now = now or clock.now()
    due = Step.all_studios.filter(status=Step.Status.PLANNED, due_at__lte=now)
    if studio is not None:
        due = due.filter(studio=studio)
    return sum(_carry_out(step_id, now) for step_id in list(due.values_list("pk", flat=True)[:500]))


@transaction.atomic
def _carry_out(step_id: int, now: datetime) -> int:
    if not Step.all_studios.filter(pk=step_id, status=Step.Status.PLANNED).update(
        status=Step.Status.WORKING, claimed_at=now
    ):
        return 0
    step = Step.all_studios.select_related("run", "touchpoint", "studio").get(pk=step_id)
    if step.run.lead_id is not None:
        _for_lead(step, now)
    else:
        _for_member(step, now)
    return 1


def _for_member(step: Step, now: datetime) -> None:
    run, touchpoint = step.run, step.touchpoint
    assert run.enrolment_id is not None and run.member_id is not None  # a member's run (the database says so)
    enrolment = (
        Enrolment.objects.for_studio(step.studio_id).select_related("program").get(pk=run.enrolment_id)
    )
    member = Member.objects.for_studio(step.studio_id).select_related("person", "coach").get(pk=run.member_id)
    status, reason = Step.Status.OPEN, ""
    if enrolment.status == Enrolment.Status.STOPPED:
        status, reason = Step.Status.SKIPPED, Step.Reason.STOPPED
    elif touchpoint.is_task:
        if touchpoint.condition == Touchpoint.Condition.NO_VISIT_7_DAYS:
            step.last_visit_at = last_visit(member, before=step.due_at)
            if step.last_visit_at is not None and step.last_visit_at >= step.due_at - timedelta(days=7):
                status, reason = Step.Status.SKIPPED, Step.Reason.VISITED
    elif step.due_at < now - MESSAGE_GRACE:
        status, reason = Step.Status.NOT_SENT, Step.Reason.TOO_LATE
    else:
        step.message = _queue(step, member, touchpoint, enrolment)
        status = Step.Status.NOT_SENT if step.message.status == Message.Status.CANCELLED else Step.Status.SENT
    _settle(step, status, reason, now, person_id=member.person_id, ids={"enrolment_id": enrolment.pk})


def _for_lead(step: Step, now: datetime) -> None:
    """A step of a lead's sequence: first the question whether a person took over since it started."""
    run, touchpoint = step.run, step.touchpoint
    assert run.lead_id is not None
    lead = (
        Lead.objects.for_studio(step.studio_id)
        .select_related("person", "assigned_to", "studio")
        .get(pk=run.lead_id)
    )
    stop = followup.stops([run], now).get(run.pk)
    status, reason = Step.Status.OPEN, ""
    if stop is not None:
        run_stop(run=run, reason=stop.reason, at=stop.at, now=now)
        step.status, step.reason, step.done_at = Step.Status.SKIPPED, stop.reason, now
        step.save(update_fields=["status", "reason", "done_at"])
        return  # the stop's own event says why
    if touchpoint.is_task:
        pass
    elif step.due_at < now - MESSAGE_GRACE:
        status, reason = Step.Status.NOT_SENT, Step.Reason.TOO_LATE
    else:
        step.message = _queue_for_lead(step, lead, touchpoint, run.sequence)
        status = Step.Status.NOT_SENT if step.message.status == Message.Status.CANCELLED else Step.Status.SENT
        if status == Step.Status.SENT:
            lead_timeline_add(
                lead=lead, kind=Activity.Kind.MESSAGE, at=now, data={"step": step.pk},
                body=f"Opvolging ({Sequence(run.sequence).label.lower()}), dag {touchpoint.day}: "
                f"“{step.message.subject or touchpoint.title}” per {step.message.get_channel_display().lower()}",
            )  # fmt: skip
    _settle(step, status, reason, now, person_id=lead.person_id, ids={"lead_id": lead.pk})


def _settle(
    step: Step, status: str, reason: str, now: datetime, *, person_id: int, ids: dict[str, int]
) -> None:
    """Keeps what became of a step, and its event: sent (or refused, with why), skipped, or a task now open."""
    step.status, step.reason = status, reason
    if status in (Step.Status.SKIPPED, Step.Status.NOT_SENT, Step.Status.SENT):
        step.done_at = now
    step.save(update_fields=["status", "reason", "message", "last_visit_at", "done_at"])
    day = step.touchpoint.day
    if status in (Step.Status.SENT, Step.Status.NOT_SENT):
        refused = step.message.last_error if step.message and status == Step.Status.NOT_SENT else reason
        event_record(
            studio=step.studio_id, person=person_id, at=now,
            event=TouchpointSent(step_id=step.pk, day=day, channel=step.touchpoint.kind,
                                 message_id=step.message_id, refused=refused, **ids),
        )  # fmt: skip
    elif status == Step.Status.SKIPPED:
        event_record(
            studio=step.studio_id, person=person_id, at=now,
            event=TouchpointSkipped(step_id=step.pk, day=day, reason=reason, **ids),
        )  # fmt: skip


def fill_in(text: str, member: Member, enrolment: Enrolment) -> str:
    """A touchpoint's text with its placeholders filled in for this member."""
    studio = member.studio
    coach = (
        member.coach.get_short_name()
        if member.coach
        else _("het team van %(studio)s") % {"studio": studio.name}
    )
    with translation.override("nl"):
        start = dateformat.format(enrolment.starts_on, "l j F")
    values = {
        "voornaam": (member.person.name.split() or [""])[0], "coach": coach, "studio": studio.name,
        "programma": enrolment.program.name, "startdatum": start,
    }  # fmt: skip
    try:
        return text.format_map(values)
    except (KeyError, ValueError, IndexError):  # saved before the check existed: sent as written
        return text


def _queue(step: Step, member: Member, touchpoint: Touchpoint, enrolment: Enrolment) -> Message:
    channel = (
        Message.Channel.WHATSAPP if touchpoint.kind == Touchpoint.Kind.WHATSAPP else Message.Channel.EMAIL
    )
    body = render_to_string(
        "retention/touchpoint_message.txt", {"text": fill_in(touchpoint.text, member, enrolment)}
    ).strip()
    return message_queue(
        studio=member.studio, key=f"touchpoint:{step.pk}", channel=channel, person=member.person, body=body,
        subject=fill_in(touchpoint.title, member, enrolment), purpose="onboarding", ref=f"enrolment:{enrolment.pk}",
        reply_to=member.coach.email if member.coach else "",
        **_template(touchpoint, member.person.name, member.coach, member.studio.name),
    )  # fmt: skip


def _template(touchpoint: Touchpoint, name: str, coach: User | None, studio: str) -> dict[str, Any]:
    """An approved WhatsApp template for the touchpoint, when it has one: {{1}} first name, {{2}} coach, {{3}} studio."""
    if touchpoint.kind != Touchpoint.Kind.WHATSAPP or not touchpoint.template:
        return {}
    params = [first_name(name, fallback=""), coach.get_short_name() if coach else studio, studio]
    return {"template": touchpoint.template, "template_params": params}


def _queue_for_lead(step: Step, lead: Lead, touchpoint: Touchpoint, sequence: str) -> Message:
    """A sequence's message to a lead, through the outbox (consent asked there). The check-in of someone who went
    quiet months ago is marketing: it needs their yes to news by e-mail (Telecommunicatiewet 11.7)."""
    channel = (
        Message.Channel.WHATSAPP if touchpoint.kind == Touchpoint.Kind.WHATSAPP else Message.Channel.EMAIL
    )
    body = render_to_string(
        "retention/touchpoint_message.txt", {"text": followup.fill_in_lead(touchpoint.text, lead, sequence)}
    ).strip()
    coach = lead.assigned_to
    return message_queue(
        studio=lead.studio, key=f"touchpoint:{step.pk}", channel=channel, person=lead.person, body=body,
        subject=followup.fill_in_lead(touchpoint.title, lead, sequence), purpose="followup", ref=f"lead:{lead.pk}",
        reply_to=coach.email if coach else lead.studio.email, marketing=sequence == Sequence.GONE_QUIET,
        **_template(touchpoint, lead.person.name, coach, lead.studio.name),
    )  # fmt: skip


@transaction.atomic
def step_close(*, step: Step, by: User, done: bool) -> Step:
    """A coach marks an open task done, or skips it; a task closed already stays as it was closed."""
    if not Step.objects.for_studio(step.studio_id).filter(pk=step.pk, status=Step.Status.OPEN).update(
        status=Step.Status.DONE if done else Step.Status.SKIPPED, reason="" if done else Step.Reason.BY_STAFF,
        done_at=clock.now(), done_by=by,
    ):  # fmt: skip
        raise PlaybookError(_("Deze taak is al afgehandeld."))
    step.refresh_from_db()
    run = step.run
    ids: dict[str, int]
    if run.lead_id is not None:
        person_id = (
            Lead.objects.for_studio(step.studio_id).values_list("person_id", flat=True).get(pk=run.lead_id)
        )
        ids = {"lead_id": run.lead_id}
    else:
        assert run.member_id is not None and run.enrolment_id is not None
        person_id = (
            Member.objects.for_studio(step.studio_id)
            .values_list("person_id", flat=True)
            .get(pk=run.member_id)
        )
        ids = {"enrolment_id": run.enrolment_id}
    common = {"step_id": step.pk, "day": step.touchpoint.day, **ids}
    event_record(
        studio=step.studio_id, person=person_id, by=by,
        event=TouchpointDone(**common) if done else TouchpointSkipped(**common, reason=Step.Reason.BY_STAFF),
    )  # fmt: skip
    return step
