"""Writes of onboarding: a program's playbook and its versions, a member's run, and each touchpoint carried out once."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import dateformat, translation
from django.utils.translation import gettext as _

from vollegym.core import clock
from vollegym.messaging.models import Message
from vollegym.messaging.services import message_queue
from vollegym.people.events import TouchpointDone, TouchpointSent, TouchpointSkipped, event_record
from vollegym.programs.models import Enrolment, Member, Program
from vollegym.retention.defaults import default_touchpoints
from vollegym.retention.models import Playbook, PlaybookVersion, Run, Step, Touchpoint
from vollegym.retention.selectors import last_visit, versions_current
from vollegym.studios.models import Studio, User

# A message whose moment passed longer ago than this (the worker was down, say) is not sent late: "welcome" a week
# on reads wrong. A task still shows: the coach decides.
MESSAGE_GRACE = timedelta(days=2)
# Only members in their first month get a run; older enrolments found at the first sweep are left alone.
STARTS_WITHIN = timedelta(days=30)
EDITABLE = ("day", "at", "kind", "title", "text", "condition")


class PlaybookError(ValueError):
    """A playbook change that cannot be made; the message says why (in Dutch)."""


def playbook_for(program: Program) -> Playbook:
    """The program's playbook; the default for its format (PT or small group), in Dutch, when it has none yet."""
    found = Playbook.objects.for_studio(program.studio_id).filter(program=program).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            playbook = Playbook.objects.create(studio_id=program.studio_id, program=program)
            _publish(playbook, default_touchpoints(program.format), by=None)
            return playbook
    except IntegrityError:  # installed by another request a moment ago
        return Playbook.objects.for_studio(program.studio_id).get(program=program)


def _rows(version: PlaybookVersion) -> list[dict[str, Any]]:
    return [
        {name: getattr(t, name) for name in EDITABLE} | {"id": t.pk}
        for t in Touchpoint.objects.for_studio(version.studio_id).filter(version=version)
    ]


def _publish(playbook: Playbook, rows: list[dict[str, Any]], *, by: User | None) -> PlaybookVersion:
    """Stores the rows as the playbook's next version; each is checked, and the errors keep the row's fields."""
    number = (
        PlaybookVersion.objects.for_studio(playbook.studio_id)
        .filter(playbook=playbook)
        .aggregate(n=Max("number"))["n"]
        or 0
    ) + 1
    version = PlaybookVersion.objects.create(
        studio_id=playbook.studio_id, playbook=playbook, number=number, created_by=by
    )
    ordered = sorted(enumerate(rows), key=lambda pair: (pair[1]["day"], pair[0]))
    for position, (_index, row) in enumerate(ordered):
        touchpoint = Touchpoint(
            studio_id=playbook.studio_id, version=version, position=position,
            **{name: row.get(name, "") for name in EDITABLE if name in row},
        )  # fmt: skip
        touchpoint.full_clean()
        touchpoint.save()
    return version


@transaction.atomic
def playbook_change(
    *,
    program: Program,
    by: User,
    add: dict[str, Any] | None = None,
    change: tuple[int, dict[str, Any]] | None = None,
    remove: int | None = None,
    move: tuple[int, int] | None = None,
) -> PlaybookVersion:
    """Publishes the playbook's next version with one change (add, change, remove or move a touchpoint).

    Members who started already keep the version they started with. A touchpoint from an older version (a page
    open while someone else changed the playbook) is refused rather than guessed at.
    """
    playbook = (
        Playbook.objects.for_studio(program.studio_id).select_for_update().get(pk=playbook_for(program).pk)
    )
    rows = _rows(versions_current(playbook))
    ids = [row["id"] for row in rows]
    target = change[0] if change else remove if remove is not None else move[0] if move else None
    if add is None and target not in ids:
        raise PlaybookError(
            _("Het playbook is intussen gewijzigd. Bekijk de nieuwe versie en probeer het opnieuw.")
        )
    if add is not None:
        rows.append(add)
    elif change is not None:
        rows[ids.index(change[0])].update(change[1])
    elif remove is not None:
        del rows[ids.index(remove)]
    elif move is not None:
        here = ids.index(move[0])
        there = here + move[1]
        # Reordering is within a day: across days the day itself says the order.
        if not 0 <= there < len(rows) or rows[there]["day"] != rows[here]["day"]:
            raise PlaybookError(_("Alleen contactmomenten op dezelfde dag kun je van volgorde wisselen."))
        rows[here], rows[there] = rows[there], rows[here]
    return _publish(playbook, rows, by=by)


def _due(day: date, at: time) -> datetime:
    """The moment a wall clock in Amsterdam shows `at` on `day` (an hour the clocks skip: the hour after)."""
    return (
        clock.wall_time(day, at)
        or clock.wall_time(day, time(at.hour + 1 if at.hour < 23 else 23, 0))
        or (datetime.combine(day, at, tzinfo=clock.AMSTERDAM))
    )


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
                started_at=now,
            )  # fmt: skip
    except IntegrityError:  # another worker started it a moment ago
        return None
    steps = []
    for touchpoint in Touchpoint.objects.for_studio(enrolment.studio_id).filter(version=version):
        due = _due(enrolment.starts_on + timedelta(days=touchpoint.day), touchpoint.at)
        late = due < now - MESSAGE_GRACE
        steps.append(
            Step(
                studio_id=enrolment.studio_id, run=run, touchpoint=touchpoint, due_at=due,
                status=Step.Status.SKIPPED if late else Step.Status.PLANNED,
                reason=Step.Reason.TOO_LATE if late else "",
            )
        )  # fmt: skip
    Step.objects.bulk_create(steps)
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
        .exclude(pk__in=Run.all_studios.values("enrolment_id"))
        .select_related("program")
    )  # fmt: skip
    return sum(1 for enrolment in waiting if run_start(enrolment=enrolment, now=now) is not None)


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
    step = Step.all_studios.select_related("run__enrolment__program", "touchpoint", "studio").get(pk=step_id)
    enrolment, touchpoint = step.run.enrolment, step.touchpoint
    member = (
        Member.objects.for_studio(step.studio_id).select_related("person", "coach").get(pk=step.run.member_id)
    )
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
    step.status, step.reason = status, reason
    if status in (Step.Status.SKIPPED, Step.Status.NOT_SENT, Step.Status.SENT):
        step.done_at = now
    step.save(update_fields=["status", "reason", "message", "last_visit_at", "done_at"])
    if status in (Step.Status.SENT, Step.Status.NOT_SENT):
        event_record(
            studio=step.studio_id, person=member.person_id, at=now,
            event=TouchpointSent(step_id=step.pk, enrolment_id=enrolment.pk, day=touchpoint.day,
                                 channel=touchpoint.kind, message_id=step.message_id,
                                 refused=step.message.last_error if step.message and status == Step.Status.NOT_SENT else reason),
        )  # fmt: skip
    elif status == Step.Status.SKIPPED:
        event_record(
            studio=step.studio_id, person=member.person_id, at=now,
            event=TouchpointSkipped(step_id=step.pk, enrolment_id=enrolment.pk, day=touchpoint.day, reason=reason),
        )  # fmt: skip
    return 1


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
    person_id = (
        Member.objects.for_studio(step.studio_id)
        .values_list("person_id", flat=True)
        .get(pk=step.run.member_id)
    )
    common = {"step_id": step.pk, "enrolment_id": step.run.enrolment_id, "day": step.touchpoint.day}
    event_record(
        studio=step.studio_id, person=person_id, by=by,
        event=TouchpointDone(**common) if done else TouchpointSkipped(**common, reason=Step.Reason.BY_STAFF),
    )  # fmt: skip
    return step
