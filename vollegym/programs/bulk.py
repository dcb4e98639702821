"""Writes on a selection from the members list: give them a coach, write them a message.

Every action takes the ids as they came in a form and acts only on members of the studio it is given (the rest is
counted, never touched: core/selection.py). Each action is one transaction: all of the selection, or nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from vollegym.core.selection import Outcome, ids_of
from vollegym.messaging.bulk import Recipient, messages_to_people
from vollegym.people.events import MemberCoachChanged, event_record
from vollegym.programs.models import Member
from vollegym.programs.services import ProgramError
from vollegym.studios.models import Studio, User
from vollegym.studios.selectors import team_user


def _selection(studio: Studio, member_ids: Iterable[int | str]) -> tuple[list[Member], int]:
    wanted, bad = ids_of(member_ids)
    members = list(
        Member.objects.for_studio(studio)
        .filter(pk__in=wanted)
        .select_related("person", "coach")
        .order_by("pk")
    )
    return members, bad + len(wanted) - len(members)


@transaction.atomic
def member_coach_set(*, member: Member, coach: User, by: User | None) -> bool:
    """Gives a member a coach of their studio; the events keep who had them before."""
    if member.coach_id == coach.pk:
        return False
    before = member.coach_id
    member.coach = coach
    member.save(update_fields=["coach"])
    event_record(
        studio=member.studio_id, person=member.person_id, by=by,
        event=MemberCoachChanged(member_id=member.pk, coach_id=coach.pk, before_id=before),
    )  # fmt: skip
    return True


@transaction.atomic
def members_assign(
    *, studio: Studio, member_ids: Iterable[int | str], coach_id: int | str, by: User
) -> Outcome:
    """Gives the selected members of this studio to one of its coaches."""
    coach = team_user(studio, coach_id)
    if coach is None:
        raise ProgramError(_("Kies een coach van deze studio."))
    members, ignored = _selection(studio, member_ids)
    done = sum(member_coach_set(member=member, coach=coach, by=by) for member in members)
    return Outcome(done=done, ignored=ignored)


@transaction.atomic
def members_message(
    *,
    studio: Studio,
    member_ids: Iterable[int | str],
    channel: str,
    body: str,
    subject: str = "",
    marketing: bool = False,
    by: User,
) -> Outcome:
    """Writes the selected members of this studio one message each, where their consent allows it."""
    if not body.strip():
        raise ProgramError(_("Schrijf een bericht."))
    members, ignored = _selection(studio, member_ids)
    sent = messages_to_people(
        studio=studio, channel=channel, subject=subject.strip(), body=body.strip(), marketing=marketing, by=by,
        recipients=[Recipient(person=member.person, ref=f"member:{member.pk}") for member in members],
    )  # fmt: skip
    return Outcome(done=len(sent.queued), ignored=ignored, refused=dict(sent.refused))
