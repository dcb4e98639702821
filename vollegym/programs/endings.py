"""Writes of how a run ends: a cancellation by the Dutch rules, and a membership that goes on a month at a time.

The rules themselves (what cancelling on a day comes to) are read in `selectors.ending_if_cancelled`, so the member
sees beforehand exactly what the service will do. Pauses are in `pauses.py`, the renewal conversation in
`renewals.py`, the message after leaving in `winback.py`.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from vollegym.core import clock
from vollegym.people.events import EnrolmentCancelled, EnrolmentStopped, event_record
from vollegym.programs.mail import coach_notify, member_tell
from vollegym.programs.models import Cancellation, Enrolment, Member, MembershipRules, RenewalTalk
from vollegym.programs.models.endings import REASON_TEXT_MAX, Reason
from vollegym.programs.runs import ending_if_cancelled
from vollegym.programs.selectors import today
from vollegym.programs.services import RENEWAL_GRACE, ProgramError, enrolment_renew
from vollegym.studios.models import Studio, User

log = logging.getLogger(__name__)


def text_clean(text: str, *, limit: int = REASON_TEXT_MAX) -> str:
    """A free text as kept: refused in Dutch when too long, or holding what nobody types (a NUL, a lone surrogate)."""
    if "\x00" in text or "\ufffd" in text:
        raise ProgramError(
            _("De tekst bevat een teken dat we niet kunnen bewaren. Haal het weg en probeer het opnieuw.")
        )
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ProgramError(
            _("De tekst bevat een teken dat we niet kunnen bewaren. Haal het weg en probeer het opnieuw.")
        ) from None
    text = text.strip()
    if len(text) > limit:
        raise ProgramError(
            _("De tekst is %(length)s tekens; er passen er %(max)s. Maak hem wat korter.")
            % {"length": len(text), "max": limit}
        )
    return text


# ---- the studio's rules ------------------------------------------------------------------------------------


def membership_rules_for(studio: Studio | int) -> MembershipRules:
    """The studio's rules, or the defaults (8 weeks of pause, members pause themselves, a message after 6 weeks)."""
    studio_id = studio if isinstance(studio, int) else studio.pk
    found = MembershipRules.objects.for_studio(studio_id).first()
    return found if found is not None else MembershipRules(studio_id=studio_id)


@transaction.atomic
def membership_rules_update(
    *, studio: Studio, pause_max_weeks: int, members_may_pause: bool, win_back_weeks: int
) -> MembershipRules:
    """The owner sets how long a run may be paused, whether members pause themselves, and when the win-back goes."""
    if not 1 <= pause_max_weeks <= 26:
        raise ProgramError(_("Kies voor de langste pauze 1 tot en met 26 weken."))
    if not 0 <= win_back_weeks <= 52:
        raise ProgramError(_("Het bericht na vertrek gaat na 0 tot 52 weken (0: geen bericht)."))
    rules, _created = MembershipRules.objects.for_studio(studio).update_or_create(
        studio=studio,
        defaults={
            "pause_max_weeks": pause_max_weeks, "members_may_pause": members_may_pause,
            "win_back_weeks": win_back_weeks,
        },
    )  # fmt: skip
    return rules


# ---- cancelling --------------------------------------------------------------------------------------------


def _day(day: date) -> str:
    return date_format(day, "j F Y")


@transaction.atomic
def enrolment_cancel(
    *, enrolment: Enrolment, by: User | None, by_member: bool, reason: str = "", reason_text: str = ""
) -> Cancellation:
    """Ends a member's run by the Dutch rules (see `ending_if_cancelled`): at once within the 14 days after a
    contract made at a distance, a program at its agreed end, a membership at the end of its first term or, after
    that, of the month going on. Runs set after it do not go on; the member gets a confirmation, the coach a notice.
    """
    if reason not in Reason.values:
        raise ProgramError(_("Kies een reden uit de lijst, of geen."))
    reason_text = text_clean(reason_text)
    # One at a time per member: a double click, or the member and a coach at once, cancel once.
    member = Member.objects.for_studio(enrolment.studio_id).select_for_update().get(pk=enrolment.member_id)
    enrolment.refresh_from_db()
    day = today()
    ending = ending_if_cancelled(enrolment, day)
    if ending is None:
        raise ProgramError(_("Hier loopt niets meer om op te zeggen."))
    run = ending.run
    chain_ids = [run.pk, *(e.pk for e in ending.stops)]
    earlier = Cancellation.objects.for_studio(member.studio_id).filter(enrolment_id__in=chain_ids).first()
    if earlier is not None:
        raise ProgramError(
            _("Dit is al opgezegd: lid tot en met %(day)s.") % {"day": _day(earlier.effective_on)}
        )
    cancellation = Cancellation.objects.create(
        studio_id=member.studio_id, enrolment=run, member=member, effective_on=ending.last_day, rule=ending.rule,
        reason=reason, reason_text=reason_text, ends_before=run.ends_on, by_member=by_member, created_by=by,
    )  # fmt: skip
    fields: dict[str, Any] = {"continues": False}
    if ending.immediately:
        fields.update(status=Enrolment.Status.STOPPED, ends_on=max(run.starts_on, day))
    Enrolment.objects.for_studio(member.studio_id).filter(pk=run.pk).update(**fields)
    stopped = [run] if ending.immediately else []
    for later in ending.stops:
        Enrolment.objects.for_studio(member.studio_id).filter(pk=later.pk).update(
            status=Enrolment.Status.STOPPED, continues=False
        )
        stopped.append(later)
    for each in stopped:
        event_record(
            studio=member.studio_id, person=member.person_id, by=by,
            event=EnrolmentStopped(member_id=member.pk, enrolment_id=each.pk),
        )  # fmt: skip
    # A renewal conversation still to have: the answer is in.
    RenewalTalk.objects.for_studio(member.studio_id).filter(
        enrolment_id__in=chain_ids, status=RenewalTalk.Status.OPEN
    ).update(status=RenewalTalk.Status.DECLINED, reason=reason, recorded_at=clock.now(), recorded_by=by,
             note=_("Opgezegd"))  # fmt: skip
    event_record(
        studio=member.studio_id, person=member.person_id, by=by,
        event=EnrolmentCancelled(
            member_id=member.pk, enrolment_id=run.pk, cancellation_id=cancellation.pk,
            effective_on=cancellation.effective_on, rule=cancellation.rule, reason=reason, by_member=by_member,
        ),
    )  # fmt: skip
    _confirm(cancellation, member, run, ending.stops)
    return cancellation


def _confirm(
    cancellation: Cancellation, member: Member, run: Enrolment, stops: tuple[Enrolment, ...]
) -> None:
    rules = membership_rules_for(member.studio_id)
    cancellation.message = member_tell(
        member, purpose="cancellation", key=f"cancellation:{cancellation.pk}",
        subject=_("Je opzegging bij %(studio)s is binnen") % {"studio": member.studio.name},
        template="cancelled.txt",
        context={
            "cancellation": cancellation, "program": run.program.name, "last_day": _day(cancellation.effective_on),
            "cooling_off": cancellation.rule == Cancellation.Rule.COOLING_OFF,
            "rule": cancellation.get_rule_display(), "reason": cancellation.get_reason_display() if cancellation.reason else "",
            "stops": [(e.program.name, _day(e.starts_on)) for e in stops if e.origin != Enrolment.Origin.CONTINUED], "win_back": rules.win_back_weeks > 0,
        },
    )  # fmt: skip
    if cancellation.message is not None:
        cancellation.save(update_fields=["message"])
    who = _("zelf, online") if cancellation.by_member else _("via de studio")
    coach_notify(
        member, key=f"cancellation:{cancellation.pk}:coach",
        body=_("%(name)s zegde op (%(who)s): %(program)s, lid tot en met %(day)s.")
        % {"name": member.name, "who": who, "program": run.program.name, "day": _day(cancellation.effective_on)},
    )  # fmt: skip


# ---- a membership goes on ------------------------------------------------------------------------------------


def memberships_continue(*, now: datetime | None = None) -> int:
    """Sets the next term of every membership whose term has begun and that nobody cancelled (Wet Van Dam: after
    the first term a month at a time), at the price the owner chose for the program. Safe with many workers: a
    run is continued once (the database has the last word)."""
    day = clock.local(now or clock.now()).date()
    due = (
        Enrolment.all_studios.filter(
            status=Enrolment.Status.ACTIVE, continues=True, starts_on__lte=day, studio__is_active=True,
            ends_on__gte=day - RENEWAL_GRACE,
        )
        .exclude(pk__in=Enrolment.all_studios.filter(renewal_of__isnull=False).values("renewal_of_id"))
        .exclude(pk__in=Cancellation.all_studios.values("enrolment_id"))
        .select_related("program", "price")
        .order_by("ends_on", "id")
    )  # fmt: skip
    made = 0
    for enrolment in list(due[:500]):
        try:
            enrolment_renew(enrolment=enrolment, by=None)
        except ProgramError as exc:  # continued a moment ago by another worker, or no price today
            log.info("membership %s not continued: %s", enrolment.pk, exc.reason)
            continue
        made += 1
    return made
