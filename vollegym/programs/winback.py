"""The message after someone left: some weeks after their last run ended without a renewal, or after they
cancelled (the studio's number of weeks, 6 by default), one friendly mail with the way back.

It is marketing, so it goes only where the Telecommunicatiewet allows it: with a yes to news and offers, or to
one's own former customer about the same kind of service (training here) as long as they did not say no, with a
way out in the mail itself (the outbox adds it and checks consent again when it sends, see messaging's
OWN_CUSTOMERS). Once per leaving, at most once a year per member, and not to whoever came back (a run going on
again, or a new question as a lead).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from vollegym.core import clock
from vollegym.core.names import first_name
from vollegym.leads.models import Lead
from vollegym.messaging.models import Message
from vollegym.people.events import WinBackSent, event_record
from vollegym.programs.endings import membership_rules_for
from vollegym.programs.mail import member_tell
from vollegym.programs.models import Cancellation, Enrolment, WinBack
from vollegym.studios.models import Studio

# A leaving is written to within this many days after its moment; later (a worker down for long, or a run that
# ended before the feature existed) it is left alone rather than sent out of the blue.
WINDOW = timedelta(days=14)
NOT_AGAIN_WITHIN = timedelta(days=365)
# On the studio's clock: not in the middle of the night.
SEND_FROM, SEND_UNTIL = 10, 20


def win_backs_send(*, now: datetime | None = None) -> int:
    """Writes to everyone whose leaving reached the studio's weeks today (or within two weeks before), once."""
    now = now or clock.now()
    local = clock.local(now)
    if not SEND_FROM <= local.hour < SEND_UNTIL:
        return 0
    sent = 0
    for studio in Studio.objects.filter(is_active=True):
        weeks = membership_rules_for(studio).win_back_weeks
        if weeks:
            latest = local.date() - timedelta(weeks=weeks)
            for enrolment, left_on in leavings(studio, first=latest - WINDOW, last=latest):
                sent += win_back_send(enrolment=enrolment, left_on=left_on, now=now) is not None
    return sent


def leavings(studio: Studio, *, first: date, last: date) -> list[tuple[Enrolment, date]]:
    """Runs after which the member left, with the day they were a member last, between two days: a run that ended
    with nothing after it, or a cancelled one; not the ones already written about."""
    written = WinBack.objects.for_studio(studio).values("enrolment_id")
    ended = (
        Enrolment.objects.for_studio(studio)
        .filter(status=Enrolment.Status.ACTIVE, ends_on__gte=first, ends_on__lte=last)
        .exclude(pk__in=written)
        .select_related("member__person", "member__studio", "program")
    )
    cancelled = (
        Cancellation.objects.for_studio(studio)
        .filter(effective_on__gte=first, effective_on__lte=last)
        .exclude(enrolment_id__in=written)
        .select_related("enrolment__member__person", "enrolment__member__studio", "enrolment__program")
    )
    found = {e.pk: (e, e.ends_on) for e in ended}
    for cancellation in cancelled:
        found[cancellation.enrolment_id] = (cancellation.enrolment, cancellation.effective_on)
    return [(e, day) for e, day in found.values() if not came_back(e, day)]


def came_back(enrolment: Enrolment, left_on: date) -> bool:
    """Whether the member goes on after `left_on` after all: a run of theirs going on later, a newer question as a
    lead, or a win-back within the last year."""
    studio_id, member = enrolment.studio_id, enrolment.member
    later_run = (
        Enrolment.objects.for_studio(studio_id)
        .filter(member=member, status=Enrolment.Status.ACTIVE, ends_on__gt=left_on)
        .exclude(pk=enrolment.pk)
        .exists()
    )
    if later_run:
        return True
    newer = Lead.objects.for_studio(studio_id).filter(
        person_id=member.person_id, created_at__date__gt=left_on
    )
    if member.lead_id is not None:
        newer = newer.exclude(pk=member.lead_id)
    asked_again = newer.exists()
    recently = WinBack.objects.for_studio(studio_id).filter(
        Q(member=member), sent_at__gte=clock.now() - NOT_AGAIN_WITHIN
    )
    return asked_again or recently.exists()


@transaction.atomic
def win_back_send(*, enrolment: Enrolment, left_on: date, now: datetime | None = None) -> WinBack | None:
    """The one message about this leaving; None when it was written already (by another worker a moment ago)."""
    member = enrolment.member
    try:
        with transaction.atomic():
            win_back = WinBack.objects.create(
                studio_id=enrolment.studio_id, member=member, enrolment=enrolment, left_on=left_on,
                sent_at=now or clock.now(),
            )  # fmt: skip
    except IntegrityError:
        return None
    path = reverse("intake:start", kwargs={"studio": member.studio.slug})
    message = member_tell(
        member, purpose="win_back", key=f"win_back:{win_back.pk}", marketing=True,
        subject=_("Hoe gaat het met je, %(name)s?") % {"name": first_name(member.name, fallback="")},
        template="win_back.txt",
        context={"program": enrolment.program.name, "left_on": date_format(left_on, "j F"),
                 "coach": member.coach.get_short_name() if member.coach else "",
                 "way_back": f"{settings.SITE_URL}{path}"},
    )  # fmt: skip
    refused = (
        _("geen e-mailadres")
        if message is None
        else (message.last_error if message.status == Message.Status.CANCELLED else "")
    )
    win_back.message, win_back.refused = message, refused[:200]
    win_back.save(update_fields=["message", "refused"])
    event_record(
        studio=enrolment.studio_id, person=member.person_id,
        event=WinBackSent(win_back_id=win_back.pk, enrolment_id=enrolment.pk,
                          message_id=message.pk if message else None, refused=win_back.refused),
    )  # fmt: skip
    return win_back
