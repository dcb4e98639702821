"""What each step of the leads' follow-up brings in: of the leads who got it, how many replied or booked soon after.

A step counts from its moment for every lead who got it: a message the outbox sent, a task that came up on the
coach's list (done, still open, or closed because the lead replied while it was open; not one the studio skipped).
It brought in what happened within WINDOW days after it and before that lead's next step of the sequence: a reply
(the sequence stopped because the lead replied) or a planned conversation (a booking, or the sequence stopped
because the lead booked or became a member). Each lead counts once per step.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q

from vollegym.messaging.models import Message
from vollegym.people.events import ConversationBooked
from vollegym.people.models import DomainEvent
from vollegym.retention.followup import WATCH
from vollegym.retention.models import Sequence, Step, StopReason, Touchpoint
from vollegym.studios.models import Studio

WINDOW = WATCH  # a sequence watches for a reply a week after its last step
STOPPED_BY_LEAD = [reason.value for reason in StopReason if reason != StopReason.ERASED]
BOOKED = frozenset({StopReason.BOOKED, StopReason.MEMBER})


@dataclass(frozen=True)
class StepRow:
    sequence: str
    day: int
    kind: str
    title: str
    received: int
    replied: int
    booked: int
    brought: int  # leads that replied or booked (each once)

    @property
    def percent(self) -> int:
        """Of the leads who got this step, the share it brought in, in whole percent."""
        return round(100 * self.brought / self.received) if self.received else 0


@dataclass
class _Got:
    lead_id: int
    run_id: int
    at: datetime
    stop_reason: str
    stopped_at: datetime | None


def followup_steps(studio: Studio, *, since: datetime, until: datetime) -> list[StepRow]:
    """Per step of the studio's lead sequences (as it was worded), what it brought in between `since` and `until`."""
    received = Q(touchpoint__kind=Touchpoint.Kind.TASK) & (
        Q(status__in=[Step.Status.OPEN, Step.Status.DONE])
        | Q(status=Step.Status.SKIPPED, reason__in=STOPPED_BY_LEAD)
    ) | ~Q(touchpoint__kind=Touchpoint.Kind.TASK) & Q(
        status=Step.Status.SENT, message__status=Message.Status.SENT
    )
    rows = (
        Step.objects.for_studio(studio)
        .filter(received, run__lead__isnull=False, due_at__gte=since, due_at__lt=until)
        .values_list(
            "run_id", "run__lead_id", "run__sequence", "run__stop_reason", "run__stopped_at", "due_at", "status",
            "touchpoint__day", "touchpoint__kind", "touchpoint__title",
        )
    )  # fmt: skip
    groups: dict[tuple[str, int, str, str], list[_Got]] = defaultdict(list)
    per_run: dict[int, list[datetime]] = defaultdict(list)
    for run_id, lead_id, sequence, reason, stopped_at, due, status, day, kind, title in rows:
        # A task closed by the lead's reply counts only if it was on the list before the reply came.
        if status == Step.Status.SKIPPED and (stopped_at is None or stopped_at < due):
            continue
        groups[(sequence, day, kind, title)].append(_Got(lead_id, run_id, due, reason, stopped_at))
        per_run[run_id].append(due)
    bookings: dict[int, list[datetime]] = defaultdict(list)
    leads = {got.lead_id for items in groups.values() for got in items}
    if leads:
        for booked_lead, at in (
            DomainEvent.objects.for_studio(studio)
            .filter(kind=ConversationBooked.kind, lead_id__in=leads, at__gte=since)
            .values_list("lead_id", "at")
        ):
            if booked_lead is not None:
                bookings[booked_lead].append(at)
    order = {value: n for n, value in enumerate(Sequence.values)}
    kinds = {str(value): str(label) for value, label in Touchpoint.LEAD_KINDS}
    found = []
    for (sequence, day, kind, title), items in sorted(
        groups.items(), key=lambda g: (order[g[0][0]], g[0][1])
    ):
        replied = booked = brought = 0
        for got in items:
            later = [at for at in per_run[got.run_id] if at > got.at]
            end = min([got.at + WINDOW, *later])
            stop = got.stopped_at is not None and got.at <= got.stopped_at < end
            did_reply = stop and got.stop_reason == StopReason.REPLIED
            did_book = any(got.at <= at < end for at in bookings[got.lead_id]) or (
                stop and got.stop_reason in BOOKED
            )
            replied, booked, brought = (
                replied + did_reply,
                booked + did_book,
                brought + (did_reply or did_book),
            )
        found.append(
            StepRow(
                sequence=str(Sequence(sequence).label), day=day, kind=kinds.get(kind, kind), title=title,
                received=len(items), replied=replied, booked=booked, brought=brought,
            )
        )  # fmt: skip
    return found
