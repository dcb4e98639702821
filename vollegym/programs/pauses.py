"""A pause: a run on hold from one day to another, asked by the member or set by the studio, within the studio's
rules. The run's end moves by the pause's days, and so does every run already set after it (a renewal, the next
term of a membership). Classes inside the pause are the agenda's business: it refuses them and frees the mats
(schedule/endings.py calls this and then the agenda)."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.db.models import F
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from vollegym.core import clock
from vollegym.people.events import EnrolmentPaused, EnrolmentPauseWithdrawn, event_record
from vollegym.programs.endings import membership_rules_for, text_clean
from vollegym.programs.mail import coach_notify, member_tell
from vollegym.programs.models import Cancellation, Enrolment, Member, Pause, RenewalTalk
from vollegym.programs.runs import runs_after
from vollegym.programs.selectors import today
from vollegym.programs.services import ProgramError
from vollegym.studios.models import User

PAUSE_REASON_MAX = 200


def _day(day: date) -> str:
    return date_format(day, "j F Y")


def shift_runs(runs: list[Enrolment], days: int) -> None:
    """Moves the end of the first run and the whole of each run after it by `days` (back when negative).

    The later runs move first when moving forward (and last when moving back), so no two runs of a member and
    program share a start even for a moment (the database refuses that).
    """
    if not runs or not days:
        return
    first, later = runs[0], runs[1:]
    step = timedelta(days=days)
    studio_id = first.studio_id
    ordered = list(reversed(later)) if days > 0 else later
    moves: list[tuple[Enrolment, bool]] = [(run, True) for run in ordered]
    moves = [*moves, (first, False)] if days > 0 else [(first, False), *moves]
    for run, whole in moves:
        changes = {"ends_on": F("ends_on") + step}
        if whole:
            changes.update(starts_on=F("starts_on") + step, first_payment_due=F("first_payment_due") + step)
        Enrolment.objects.for_studio(studio_id).filter(pk=run.pk).update(**changes)
    # A renewal conversation still to have moves with the end it is about.
    RenewalTalk.objects.for_studio(studio_id).filter(
        enrolment_id__in=[r.pk for r in runs], status=RenewalTalk.Status.OPEN
    ).update(due_on=F("due_on") + step)


def _chain(enrolment: Enrolment) -> list[Enrolment]:
    return [enrolment, *(e for e in runs_after(enrolment) if e.status == Enrolment.Status.ACTIVE)]


@transaction.atomic
def enrolment_pause(
    *,
    enrolment: Enrolment,
    starts_on: date,
    ends_on: date,
    by: User | None,
    by_member: bool,
    reason: str = "",
) -> Pause:
    """Puts a member's run on hold within the studio's rules: from today on, within the run, not overlapping
    another pause, and all pauses of the run together at most the studio's weeks; its end moves by the pause."""
    reason = text_clean(reason, limit=PAUSE_REASON_MAX)
    member = Member.objects.for_studio(enrolment.studio_id).select_for_update().get(pk=enrolment.member_id)
    rules = membership_rules_for(member.studio_id)
    if by_member and not rules.members_may_pause:
        raise ProgramError(_("Pauzeren gaat bij deze studio via de coach. Vraag het gerust."))
    day = today()
    if ends_on < starts_on:
        raise ProgramError(_("De pauze eindigt voor hij begint: kies een einddatum na de begindatum."))
    if starts_on < day:
        raise ProgramError(_("Een pauze begint vandaag of later."))
    # Of the run and the runs after it, the one going on the pause's first day takes the pause.
    runs = _chain(
        Enrolment.objects.for_studio(member.studio_id).select_related("program").get(pk=enrolment.pk)
    )
    run = next(
        (r for r in runs if r.status == Enrolment.Status.ACTIVE and r.starts_on <= starts_on <= r.ends_on),
        None,
    )
    if run is None:
        last = max((r.ends_on for r in runs if r.status == Enrolment.Status.ACTIVE), default=None)
        first = min((r.starts_on for r in runs if r.status == Enrolment.Status.ACTIVE), default=None)
        if first is not None and starts_on < first:
            raise ProgramError(_("Je programma begint pas op %(day)s; een pauze begint op of na die dag.")
                               % {"day": _day(first)})  # fmt: skip
        if last is not None and last >= day and runs[-1].continues:
            raise ProgramError(
                _("Een pauze begint uiterlijk %(day)s: verder vooruit staat je lidmaatschap nog niet vast.")
                % {"day": _day(last)}
            )
        if last is not None and last >= day:
            raise ProgramError(
                _("Een pauze begint uiterlijk op de laatste dag, %(day)s.") % {"day": _day(last)}
            )
        raise ProgramError(_("Hier loopt niets meer om te pauzeren."))
    if (
        Cancellation.objects.for_studio(member.studio_id)
        .filter(enrolment_id__in=[r.pk for r in runs])
        .exists()
    ):
        raise ProgramError(_("Dit is opgezegd; pauzeren kan dan niet meer."))
    days = (ends_on - starts_on).days + 1
    # A program's pauses count together; a membership's (a run per month) those of the last twelve months.
    counted = Pause.objects.for_studio(member.studio_id).in_force()
    if run.continues:
        counted = counted.filter(member=member, starts_on__gt=starts_on - timedelta(days=365))
    else:
        counted = counted.filter(enrolment=run)
    used = sum(p.days for p in counted)
    allowed = rules.pause_max_weeks * 7
    if used + days > allowed:
        raise ProgramError(
            _(
                "Dat is %(days)s dagen; er kan nog %(left)s dagen pauze (samen hooguit %(weeks)s weken per "
                "inschrijving, bij een lidmaatschap per twaalf maanden)."
            )
            % {"days": days, "left": max(allowed - used, 0), "weeks": rules.pause_max_weeks}
        )
    overlapping = (
        Pause.objects.for_studio(member.studio_id)
        .in_force()
        .filter(member=member, starts_on__lte=ends_on, ends_on__gte=starts_on)
        .first()
    )
    if overlapping is not None:
        raise ProgramError(
            _("Er staat al een pauze van %(first)s tot en met %(last)s; die mogen niet overlappen.")
            % {"first": _day(overlapping.starts_on), "last": _day(overlapping.ends_on)}
        )
    pause = Pause.objects.create(
        studio_id=member.studio_id, enrolment=run, member=member, starts_on=starts_on, ends_on=ends_on,
        reason=reason, by_member=by_member, created_by=by,
    )  # fmt: skip
    chain = runs[runs.index(run) :]
    shift_runs(chain, days)
    event_record(
        studio=member.studio_id, person=member.person_id, by=by,
        event=EnrolmentPaused(member_id=member.pk, enrolment_id=run.pk, pause_id=pause.pk, starts_on=starts_on,
                              ends_on=ends_on, by_member=by_member),
    )  # fmt: skip
    new_end = run.ends_on + timedelta(days=days)
    member_tell(
        member, purpose="pause", key=f"pause:{pause.pk}",
        subject=_("Je pauze bij %(studio)s staat erin") % {"studio": member.studio.name}, template="paused.txt",
        context={"program": run.program.name, "first": _day(starts_on), "last": _day(ends_on), "days": days,
                 "new_end": _day(new_end), "continues": run.continues},
    )  # fmt: skip
    if by_member:
        coach_notify(
            member, key=f"pause:{pause.pk}:coach",
            body=_("%(name)s zette %(program)s op pauze: %(first)s tot en met %(last)s.")
            % {"name": member.name, "program": run.program.name, "first": _day(starts_on), "last": _day(ends_on)},
        )  # fmt: skip
    return pause


@transaction.atomic
def pause_withdraw(*, pause: Pause, by: User | None, by_member: bool) -> Pause:
    """Takes a pause back: one that has not begun is undone; one going on ends yesterday. The run's end moves back
    by the days not used."""
    member = Member.objects.for_studio(pause.studio_id).select_for_update().get(pk=pause.member_id)
    pause = Pause.objects.for_studio(pause.studio_id).select_related("enrolment__program").get(pk=pause.pk)
    if by_member and not membership_rules_for(member.studio_id).members_may_pause:
        raise ProgramError(_("Een pauze aanpassen gaat bij deze studio via de coach."))
    day = today()
    if pause.withdrawn_at is not None:
        raise ProgramError(_("Deze pauze is al ingetrokken."))
    if pause.ends_on < day:
        raise ProgramError(_("Deze pauze is al voorbij."))
    chain = _chain(pause.enrolment)
    if (
        Cancellation.objects.for_studio(member.studio_id)
        .filter(enrolment_id__in=[r.pk for r in chain])
        .exists()
    ):
        # The last day of the notice was worked out with the pause in it; it stays as it was agreed.
        raise ProgramError(_("Dit is opgezegd; de pauze blijft zoals hij is."))
    if pause.starts_on >= day:
        back = pause.days
        pause.withdrawn_at = clock.now()
        pause.save(update_fields=["withdrawn_at"])
    else:
        back = (pause.ends_on - day).days + 1
        pause.ends_on = day - timedelta(days=1)
        pause.save(update_fields=["ends_on"])
    shift_runs(chain, -back)
    event_record(
        studio=member.studio_id, person=member.person_id, by=by,
        event=EnrolmentPauseWithdrawn(member_id=member.pk, enrolment_id=pause.enrolment_id, pause_id=pause.pk,
                                      days_back=back),
    )  # fmt: skip
    if by_member:
        coach_notify(
            member, key=f"pause:{pause.pk}:withdrawn:coach",
            body=_("%(name)s traint weer vanaf %(day)s (pauze ingetrokken).")
            % {"name": member.name, "day": _day(max(day, pause.starts_on))},
        )  # fmt: skip
    return pause
