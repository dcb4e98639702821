"""Reads of a member's runs as they end: the chain of runs (renewals, a membership's next terms), what cancelling
on a day comes to by the Dutch rules, and what the member's pages show (pauses, a cancellation, the renewal talk)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from vollegym.core import clock
from vollegym.programs.models import Cancellation, Enrolment, Member, Pause, RenewalTalk, WinBack
from vollegym.programs.selectors import today

# Online, by phone or video: 14 days to change one's mind (art. 6:230o BW).
COOLING_OFF = timedelta(days=14)


def runs_after(enrolment: Enrolment) -> list[Enrolment]:
    """The runs already set after this one (its renewal, a membership's next term, and theirs), in order."""
    found: list[Enrolment] = []
    current = enrolment
    while True:
        following = (
            Enrolment.objects.for_studio(enrolment.studio_id)
            .filter(renewal_of=current)
            .select_related("program")
            .first()
        )
        if following is None or following in found:
            return found
        found.append(following)
        current = following


def run_on(enrolment: Enrolment, day: date) -> Enrolment | None:
    """Of a run and those set after it, the one going on `day` (or the next to begin); None when all are over."""
    for run in [enrolment, *runs_after(enrolment)]:
        if run.status == Enrolment.Status.ACTIVE and run.ends_on >= day:
            return run
    return None


@dataclass(frozen=True)
class Ending:
    """What cancelling on a day comes to: the run that ends, its last day, the rule, and what then does not go on."""

    run: Enrolment
    last_day: date  # a member until and including this day
    rule: str  # a Cancellation.Rule
    stops: tuple[Enrolment, ...]  # runs set after it that have not begun
    cooling_off_until: date | None  # the last day of the 14 days, while they run

    @property
    def immediately(self) -> bool:
        return self.rule == Cancellation.Rule.COOLING_OFF


def ending_if_cancelled(enrolment: Enrolment, day: date | None = None) -> Ending | None:
    """The Dutch rules of ending, for a cancellation on `day`; None when nothing runs any more.

    Within 14 days of a contract made at a distance it stops at once. A program runs to its agreed end. A
    membership runs to the end of its first term, and after that to the end of the term going on: a month at most.
    Runs set after that one (a renewal, the next term) have not begun and do not go on.
    """
    day = day or today()
    run = run_on(enrolment, day)
    if run is None:
        return None
    later = tuple(e for e in runs_after(run) if e.status == Enrolment.Status.ACTIVE)
    signed = clock.local(run.created_at).date()
    if run.at_distance and day <= signed + COOLING_OFF:
        return Ending(run, day, Cancellation.Rule.COOLING_OFF, later, signed + COOLING_OFF)
    if not run.continues:
        return Ending(run, run.ends_on, Cancellation.Rule.PROGRAM_END, later, None)
    rule = (
        Cancellation.Rule.MONTHLY
        if run.origin == Enrolment.Origin.CONTINUED
        else Cancellation.Rule.FIRST_TERM
    )
    return Ending(run, run.ends_on, rule, later, None)


@dataclass(frozen=True)
class RunState:
    """A run going on (or about to), as the member and the back office see it: until when, paused when, cancelled?"""

    run: Enrolment
    until: date  # the end of the last run set after it (a renewal, the next term)
    cancellation: Cancellation | None
    ending: Ending | None  # what cancelling today would come to (None once cancelled)
    pauses: list[Pause]  # in force, not yet over
    talk: RenewalTalk | None

    @property
    def monthly(self) -> bool:
        """Past its first term, going on month by month (Wet Van Dam)."""
        return self.run.continues and self.run.origin == Enrolment.Origin.CONTINUED

    @property
    def paused_now(self) -> Pause | None:
        day = today()
        return next((p for p in self.pauses if p.starts_on <= day <= p.ends_on), None)


def run_states(member: Member, day: date | None = None) -> list[RunState]:
    """The member's runs going on or to come, one per chain (a run and its renewals or next terms)."""
    day = day or today()
    going = list(
        Enrolment.objects.for_studio(member.studio_id)
        .filter(member=member, status=Enrolment.Status.ACTIVE, ends_on__gte=day)
        .select_related("program", "price")
        .order_by("starts_on", "id")
    )
    ids = {e.pk for e in going}
    heads = [e for e in going if e.renewal_of_id not in ids]
    cancelled = {
        c.enrolment_id: c
        for c in Cancellation.objects.for_studio(member.studio_id).filter(enrolment_id__in=ids)
    }
    pauses = list(
        Pause.objects.for_studio(member.studio_id).in_force().filter(member=member, ends_on__gte=day)
    )
    talks = {
        t.enrolment_id: t
        for t in RenewalTalk.objects.for_studio(member.studio_id)
        .filter(enrolment_id__in=ids)
        .select_related("coach")
    }
    states = []
    for head in heads:
        chain = [head, *(e for e in runs_after(head) if e.pk in ids)]
        cancellation = next((cancelled[e.pk] for e in chain if e.pk in cancelled), None)
        chain_ids = {e.pk for e in chain}
        states.append(
            RunState(
                run=head, until=max(e.ends_on for e in chain), cancellation=cancellation,
                ending=None if cancellation else ending_if_cancelled(head, day),
                pauses=[p for p in pauses if p.enrolment_id in chain_ids],
                talk=next((talks[e.pk] for e in chain if e.pk in talks), None),
            )
        )  # fmt: skip
    return states


def cancellations_of(member: Member) -> list[Cancellation]:
    return list(
        Cancellation.objects.for_studio(member.studio_id)
        .filter(member=member)
        .select_related("enrolment__program", "created_by")
        .order_by("-created_at", "-id")
    )


def pauses_of(member: Member) -> list[Pause]:
    return list(
        Pause.objects.for_studio(member.studio_id)
        .filter(member=member)
        .select_related("enrolment__program", "created_by")
        .order_by("-starts_on", "-id")
    )


def win_backs_of(member: Member) -> list[WinBack]:
    return list(
        WinBack.objects.for_studio(member.studio_id)
        .filter(member=member)
        .select_related("message", "enrolment__program")
        .order_by("-sent_at", "-id")
    )
