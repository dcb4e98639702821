"""Writes of churn risk: a coach's outreach to a member on the call list, logged with what they saw and heard.

Members never spoken to by staff were more than twice as likely to cancel (Hillsdon, University of Exeter): the log
is how the studio sees who was reached, and the report whether those reached stayed.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from vollegym.core import clock
from vollegym.people.events import RiskOutreachLogged, event_record
from vollegym.programs.models import Member
from vollegym.retention.models import NOTE_MAX, ActivationCheck, Outreach
from vollegym.retention.risk_selectors import risk_for
from vollegym.studios.models import User


class OutreachError(ValueError):
    """An outreach that cannot be logged; the message says why (in Dutch)."""


def _clean_note(note: str) -> str:
    if "\x00" in note:
        raise OutreachError(_("De notitie bevat een teken dat we niet kunnen bewaren. Haal het weg."))
    note = note.strip()
    if len(note) > NOTE_MAX:
        raise OutreachError(
            _("De notitie is %(length)s tekens; er passen er %(max)s.")
            % {"length": len(note), "max": NOTE_MAX}
        )
    return note


@transaction.atomic
def outreach_log(
    *,
    member: Member,
    by: User | None,
    way: str,
    outcome: str = "",
    note: str = "",
    at: datetime | None = None,
) -> Outreach:
    """Logs one outreach to a member with the risk and reasons of that moment; an outcome needs someone reached."""
    at = at or clock.now()
    if way not in Outreach.Way.values:
        raise OutreachError(_("Kies hoe je contact had."))
    if outcome not in Outreach.Outcome.values:
        raise OutreachError(_("Kies een uitkomst uit de lijst."))
    if outcome and way not in Outreach.REACHED_WAYS:
        raise OutreachError(
            _(
                "Een uitkomst hoort bij een gesprek: kies 'Gebeld en gesproken' of 'Gesproken in de studio', of "
                "laat de uitkomst leeg."
            )
        )
    risk = risk_for(member, as_of=at)
    outreach = Outreach(
        studio_id=member.studio_id, member=member, way=way, outcome=outcome, note=_clean_note(note),
        score=risk.score, reasons=risk.reasons, at=at, by=by,
    )  # fmt: skip
    try:
        outreach.full_clean()
    except ValidationError as exc:
        raise OutreachError(" ".join(exc.messages)) from None
    outreach.save()
    if way in Outreach.REACHED_WAYS:
        # The coach spoke with them: a first-month flag of the same member was the same call.
        ActivationCheck.objects.for_studio(member.studio_id).filter(
            member=member, status=ActivationCheck.Status.FLAGGED
        ).update(status=ActivationCheck.Status.SEEN, seen_at=at, seen_by=by)
    event_record(
        studio=member.studio_id, person=member.person_id, by=by, at=at,
        event=RiskOutreachLogged(outreach_id=outreach.pk, member_id=member.pk, way=way, outcome=outcome,
                                 score=risk.score),
    )  # fmt: skip
    return outreach


def outreach_forget_notes(*, member_ids: list[int], studio_id: int) -> int:
    """Erasure: the notes go (free text about the person); the contacts stay, anonymous, for the report's counts."""
    return (
        Outreach.objects.for_studio(studio_id)
        .filter(member_id__in=member_ids)
        .exclude(note="")
        .update(note="")
    )
