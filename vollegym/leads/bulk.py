"""Writes on a selection from the leads list: give them a coach, move them a stage, write them a message.

Every action takes the ids as they came in a form and acts only on leads of the studio it is given (the rest is
counted, never touched: core/selection.py). Each action is one transaction: all of the selection, or nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from vollegym.core.selection import Outcome, ids_of
from vollegym.leads.models import Activity, Lead, Stage
from vollegym.leads.services import CaptureError, lead_move, lead_timeline_add
from vollegym.messaging.bulk import Recipient, messages_to_people
from vollegym.people.events import LeadAssigned, event_record
from vollegym.studios.models import Studio, User
from vollegym.studios.selectors import team_user

# Losing a lead takes a reason of its own: that is done on the lead's page, not for a selection at once.
BULK_STAGES = [stage for stage in Stage if stage != Stage.LOST]


def _selection(studio: Studio, lead_ids: Iterable[int | str]) -> tuple[list[Lead], int]:
    wanted, bad = ids_of(lead_ids)
    leads = list(
        Lead.objects.for_studio(studio)
        .filter(pk__in=wanted, is_test=False)
        .select_related("person", "assigned_to")
        .order_by("pk")
    )
    return leads, bad + len(wanted) - len(leads)


@transaction.atomic
def lead_assign(*, lead: Lead, coach: User, by: User | None) -> bool:
    """Gives a lead to a coach of its studio; the timeline and the events say who had it before."""
    if lead.assigned_to_id == coach.pk:
        return False
    before = lead.assigned_to
    lead.assigned_to = coach
    lead.save(update_fields=["assigned_to", "updated_at"])
    if not lead.is_test:
        event_record(
            studio=lead.studio_id, person=lead.person_id, by=by,
            event=LeadAssigned(lead_id=lead.pk, coach_id=coach.pk, before_id=before.pk if before else None),
        )  # fmt: skip
    Activity.objects.create(
        studio_id=lead.studio_id, lead=lead, kind=Activity.Kind.NOTE, by=by, data={"assigned_to": coach.pk},
        body=_("Toegewezen aan %(coach)s") % {"coach": coach.get_short_name()}
        + (_(" (was %(coach)s)") % {"coach": before.get_short_name()} if before else ""),
    )  # fmt: skip
    return True


@transaction.atomic
def leads_assign(*, studio: Studio, lead_ids: Iterable[int | str], coach_id: int | str, by: User) -> Outcome:
    """Gives the selected leads of this studio to one of its coaches."""
    coach = team_user(studio, coach_id)
    if coach is None:
        raise CaptureError("coach", _("Kies een coach van deze studio."))
    leads, ignored = _selection(studio, lead_ids)
    done = sum(lead_assign(lead=lead, coach=coach, by=by) for lead in leads)
    return Outcome(done=done, ignored=ignored)


@transaction.atomic
def leads_move(*, studio: Studio, lead_ids: Iterable[int | str], stage: str, by: User) -> Outcome:
    """Moves the selected leads of this studio to a stage (not to lost: that asks a reason per lead)."""
    if stage not in BULK_STAGES:
        raise CaptureError("stage", _("Kies een fase."))
    leads, ignored = _selection(studio, lead_ids)
    done = 0
    for lead in leads:
        if lead.stage != stage:
            lead_move(lead=lead, stage=stage, by=by)
            done += 1
    return Outcome(done=done, ignored=ignored)


@transaction.atomic
def leads_message(
    *,
    studio: Studio,
    lead_ids: Iterable[int | str],
    channel: str,
    body: str,
    subject: str = "",
    marketing: bool = False,
    by: User,
) -> Outcome:
    """Writes the selected leads of this studio one message each, where their consent allows it."""
    if not body.strip():
        raise CaptureError("body", _("Schrijf een bericht."))
    leads, ignored = _selection(studio, lead_ids)
    sent = messages_to_people(
        studio=studio, channel=channel, subject=subject.strip(), body=body.strip(), marketing=marketing, by=by,
        recipients=[Recipient(person=lead.person, ref=f"lead:{lead.pk}") for lead in leads],
    )  # fmt: skip
    by_ref = {f"lead:{lead.pk}": lead for lead in leads}
    for recipient, message in sent.queued:
        lead_timeline_add(
            lead=by_ref[recipient.ref], kind=Activity.Kind.MESSAGE, by=by, data={"message": message.key},
            body=f"{message.get_channel_display()}: {message.subject or message.body[:120]}",
        )  # fmt: skip
    return Outcome(done=len(sent.queued), ignored=ignored, refused=dict(sent.refused))
