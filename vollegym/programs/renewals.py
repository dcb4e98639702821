"""The renewal conversation: some days before a program ends (the program's own number, 14 by default), a task for
the member's coach to sit down with them about going on. The coach agrees a moment with the member (the member gets
it by mail and sees it in their own pages) and records what came of it: renewed (the next run, at the price the
owner chose for the program), not going on (with a reason), or later (back on the list on a day chosen).

Why not the intake's booking of the kennismakingsgesprek: that books a prospect (a lead) into the coaches' free
windows, moves the lead through the pipeline and sends a prospect's invitations; a member already comes in twice
a week and the coach agrees a moment with them in person or in a message. And the intake reads the programs app
(prices, offers), so the programs app does not call into the intake.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from vollegym.core import clock
from vollegym.people.events import RenewalTalkPlanned, RenewalTalkRecorded, event_record
from vollegym.programs.endings import text_clean
from vollegym.programs.mail import coach_notify, member_tell
from vollegym.programs.models import Cancellation, Enrolment, Member, Pause, Program, RenewalTalk
from vollegym.programs.models.endings import Reason
from vollegym.programs.selectors import today
from vollegym.programs.services import RENEWAL_GRACE, ProgramError, enrolment_renew
from vollegym.studios.models import Studio, User

# Talks are planned up to this far ahead of a program's end (the most a program may ask for).
LONGEST_AHEAD = timedelta(days=90)
# "Later" puts the talk back on the list a week on, unless the coach picks a day.
LATER = timedelta(days=7)
# A moment is agreed within this many days.
PLAN_WITHIN = timedelta(days=60)

RENEWED, DECLINED, LATER_ON = "renewed", "declined", "later"
OUTCOMES = (RENEWED, DECLINED, LATER_ON)


def talk_url(talk: RenewalTalk) -> str:
    path = reverse("programs:renewal_talk", kwargs={"studio": talk.studio.slug, "talk_id": talk.pk})
    return f"{settings.SITE_URL}{path}"


# ---- the sweep: a talk for each program that ends soon ---------------------------------------------------------


def renewal_talks_plan(*, now: datetime | None = None) -> int:
    """Puts a renewal conversation on the coach's list the program's number of days before its end, once per run;
    not for a membership (it goes on by itself), a run already renewed or cancelled, or a member whose next run is
    already set. A talk nobody answered lapses once renewing is no longer possible. Safe with many workers."""
    day = clock.local(now or clock.now()).date()
    RenewalTalk.all_studios.filter(status=RenewalTalk.Status.OPEN).filter(
        enrolment__ends_on__lt=day - RENEWAL_GRACE
    ).update(status=RenewalTalk.Status.LAPSED)
    RenewalTalk.all_studios.filter(
        status=RenewalTalk.Status.OPEN, enrolment__status=Enrolment.Status.STOPPED
    ).update(status=RenewalTalk.Status.LAPSED)
    candidates = (
        Enrolment.all_studios.filter(
            status=Enrolment.Status.ACTIVE, continues=False, program__kind=Program.Kind.PROGRAM, studio__is_active=True,
            program__renewal_talk_days__gt=0, ends_on__gte=day, ends_on__lte=day + LONGEST_AHEAD,
        )
        .exclude(pk__in=RenewalTalk.all_studios.values("enrolment_id"))
        .exclude(pk__in=Enrolment.all_studios.filter(renewal_of__isnull=False).values("renewal_of_id"))
        .exclude(pk__in=Cancellation.all_studios.values("enrolment_id"))
        .select_related("program", "member__person", "member__coach", "member__studio")
        .order_by("ends_on", "id")
    )  # fmt: skip
    made = 0
    for enrolment in candidates[:1000]:
        due_on = enrolment.ends_on - timedelta(days=enrolment.program.renewal_talk_days)
        if due_on > day or _goes_on(enrolment):
            continue
        made += _talk_start(enrolment, due_on) is not None
    return made


def _goes_on(enrolment: Enrolment) -> bool:
    """Another run of the member is already set to go on after this one (the membership after a program)."""
    return (
        Enrolment.objects.for_studio(enrolment.studio_id)
        .filter(member_id=enrolment.member_id, status=Enrolment.Status.ACTIVE, ends_on__gt=enrolment.ends_on)
        .exclude(pk=enrolment.pk)
        .exists()
    )


@transaction.atomic
def _talk_start(enrolment: Enrolment, due_on: date) -> RenewalTalk | None:
    member = enrolment.member
    try:
        with transaction.atomic():
            talk = RenewalTalk.objects.create(
                studio_id=enrolment.studio_id, enrolment=enrolment, member=member, coach_id=member.coach_id,
                due_on=due_on,
            )  # fmt: skip
    except IntegrityError:  # another worker planned it a moment ago
        return None
    coach_notify(
        member, key=f"renewal_talk:{talk.pk}",
        body=_("Verlenggesprek met %(name)s: %(program)s loopt tot en met %(day)s. Spreek een moment af.")
        % {"name": member.name, "program": enrolment.program.name, "day": date_format(enrolment.ends_on, "j F")},
        url=talk_url(talk),
    )  # fmt: skip
    return talk


# ---- the coach's part ---------------------------------------------------------------------------------------


@transaction.atomic
def renewal_talk_plan(*, talk: RenewalTalk, starts_at: datetime, by: User | None) -> RenewalTalk:
    """The coach agrees a moment with the member (in the coming weeks); the member gets it by mail."""
    talk = RenewalTalk.objects.for_studio(talk.studio_id).select_for_update().get(pk=talk.pk)
    if talk.status != RenewalTalk.Status.OPEN:
        raise ProgramError(_("Dit verlenggesprek is al afgerond."))
    now = clock.now()
    if starts_at <= now:
        raise ProgramError(_("Kies een moment dat nog moet komen."))
    if starts_at > now + PLAN_WITHIN:
        raise ProgramError(_("Kies een moment in de komende %(days)s dagen.") % {"days": PLAN_WITHIN.days})
    if talk.planned_at == starts_at:
        return talk  # the same form sent twice
    talk.planned_at = starts_at
    talk.save(update_fields=["planned_at"])
    event_record(
        studio=talk.studio_id, person=talk.member.person_id, by=by,
        event=RenewalTalkPlanned(talk_id=talk.pk, enrolment_id=talk.enrolment_id, starts_at=starts_at),
    )  # fmt: skip
    coach = talk.coach or by
    member_tell(
        talk.member, purpose="renewal_talk", key=f"renewal_talk:{talk.pk}:{starts_at:%Y%m%d%H%M}",
        subject=_("Even bijpraten: %(when)s") % {"when": clock.spoken(starts_at, talk.studio.zone)},
        template="renewal_talk.txt",
        context={"when": clock.spoken(starts_at, talk.studio.zone), "coach": coach.get_short_name() if coach else "",
                 "program": talk.enrolment.program.name, "ends_on": date_format(talk.enrolment.ends_on, "j F")},
    )  # fmt: skip
    return talk


@transaction.atomic
def renewal_talk_record(
    *,
    talk: RenewalTalk,
    outcome: str,
    by: User | None,
    reason: str = "",
    note: str = "",
    later_on: date | None = None,
) -> RenewalTalk:
    """What came of the conversation: renewed (the next run, at the price the owner chose for the program), not
    going on (a reason from the list, if they gave one), or later (back on the list on a day before the end)."""
    if outcome not in OUTCOMES:
        raise ProgramError(_("Kies wat er uit het gesprek kwam."))
    if reason not in Reason.values:
        raise ProgramError(_("Kies een reden uit de lijst, of geen."))
    note = text_clean(note)
    talk = (
        RenewalTalk.objects.for_studio(talk.studio_id)
        .select_for_update()
        .select_related("enrolment__program", "enrolment__price", "member")
        .get(pk=talk.pk)
    )
    if talk.status != RenewalTalk.Status.OPEN:
        raise ProgramError(_("Dit verlenggesprek is al afgerond."))
    renewal_id: int | None = None
    if outcome == RENEWED:
        renewal = enrolment_renew(enrolment=talk.enrolment, by=by)  # marks this talk renewed too
        renewal_id = renewal.pk
        talk.refresh_from_db()
        talk.note = note
        talk.save(update_fields=["note"])
    elif outcome == DECLINED:
        talk.status, talk.reason, talk.note = RenewalTalk.Status.DECLINED, reason, note
        talk.recorded_at, talk.recorded_by = clock.now(), by
        talk.save(update_fields=["status", "reason", "note", "recorded_at", "recorded_by"])
    else:
        day = today()
        later_on = later_on or min(day + LATER, talk.enrolment.ends_on)
        if later_on <= day:
            raise ProgramError(_("Kies voor later een dag na vandaag."))
        if later_on > talk.enrolment.ends_on + RENEWAL_GRACE:
            raise ProgramError(
                _("Kies een dag voor %(day)s; daarna kan verlengen niet meer.")
                % {"day": date_format(talk.enrolment.ends_on + RENEWAL_GRACE, "j F")}
            )
        talk.due_on, talk.note = later_on, note or talk.note
        talk.save(update_fields=["due_on", "note"])
    event_record(
        studio=talk.studio_id, person=talk.member.person_id, by=by,
        event=RenewalTalkRecorded(talk_id=talk.pk, enrolment_id=talk.enrolment_id, outcome=outcome,
                                  reason=reason if outcome == DECLINED else "", renewal_id=renewal_id),
    )  # fmt: skip
    return talk


# ---- reads: the coach's list, and what the Today page asks ------------------------------------------------------


def _visible(studio: Studio, user: User | None, role: str) -> QuerySet[Member]:
    members = Member.objects.for_studio(studio)
    return members.filter(coach=user) if role == "coach" and user is not None else members


def renewal_talks_open(studio: Studio, user: User | None, role: str) -> list[RenewalTalk]:
    """Open conversations on the list today (a coach sees their own members'), soonest end first."""
    return list(
        RenewalTalk.objects.for_studio(studio)
        .filter(status=RenewalTalk.Status.OPEN, due_on__lte=today(), member__in=_visible(studio, user, role))
        .select_related("enrolment__program", "enrolment__price", "member__person", "member__coach", "coach")
        .order_by("enrolment__ends_on", "id")[:200]
    )


def renewal_talks_recent(
    studio: Studio, user: User | None, role: str, *, days: int = 30
) -> list[RenewalTalk]:
    """Conversations recorded in the last weeks, newest first (what came of them)."""
    since = clock.now() - timedelta(days=days)
    return list(
        RenewalTalk.objects.for_studio(studio)
        .filter(recorded_at__gte=since, member__in=_visible(studio, user, role))
        .exclude(status=RenewalTalk.Status.OPEN)
        .select_related("enrolment__program", "member__person", "renewal", "recorded_by")
        .order_by("-recorded_at", "-id")[:100]
    )


def renewal_talks_due(
    studio: Studio, *, coach: User | None = None, on: date | None = None
) -> list[RenewalTalk]:
    """For the Today page: open renewal conversations due on a day (today), of one coach's members or of all."""
    return list(
        _talks_due(studio, coach, on)
        .select_related("enrolment__program", "member__person", "member__coach")
        .order_by("enrolment__ends_on", "id")
    )


def _talks_due(studio: Studio, coach: User | None, on: date | None) -> QuerySet[RenewalTalk]:
    found = RenewalTalk.objects.for_studio(studio).filter(
        status=RenewalTalk.Status.OPEN, due_on__lte=on or today()
    )
    return found.filter(member__coach=coach) if coach is not None else found


def renewal_talks_due_count(studio: Studio, *, coach: User | None = None, on: date | None = None) -> int:
    """How many `renewal_talks_due` lists, in one COUNT."""
    return _talks_due(studio, coach, on).count()


@dataclass(frozen=True)
class PauseEnding:
    pause: Pause
    back_on: date  # the first day the member trains again


def pauses_ending_soon(
    studio: Studio, *, within_days: int = 7, coach: User | None = None, on: date | None = None
) -> list[PauseEnding]:
    """For the Today page: pauses that end within a week (a welcome back is due), of one coach's members or of all."""
    day = on or today()
    found = (
        Pause.objects.for_studio(studio)
        .in_force()
        .filter(ends_on__gte=day, ends_on__lte=day + timedelta(days=within_days))
    )
    if coach is not None:
        found = found.filter(member__coach=coach)
    return [
        PauseEnding(pause, pause.ends_on + timedelta(days=1))
        for pause in found.select_related("member__person", "member__coach", "enrolment__program").order_by(
            "ends_on", "id"
        )
    ]
