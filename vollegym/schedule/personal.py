"""Personal training as it happens: the coach records a training given (or missed) in one tap, it counts on the
member's PT card, and the first 30 days and the churn risk see it as a visit. Reads and writes of PT sessions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils.translation import gettext as _

from vollegym.core import clock
from vollegym.people.events import PersonalSessionRecorded, event_record
from vollegym.programs.models import Enrolment, Member, Program
from vollegym.programs.services import enrolment_count_session
from vollegym.schedule.models import PersonalSession
from vollegym.studios.models import Studio, User

PT_FORMATS = (Program.Format.PT, Program.Format.DUO)
UNDO_WITHIN = timedelta(days=7)  # a wrong tap is taken back within the week; older records stay as history
# A studio that recorded no PT training in this long does not record them: its PT members are not counted.
RECORDS_PT_WITHIN = timedelta(days=60)


class PersonalSessionError(ValueError):
    """A PT record that cannot be made or taken back; the message says why, in Dutch."""


def _pt_run(member: Member, day: datetime) -> Enrolment | None:
    local = clock.local(day, member.studio.zone).date()
    return (
        Enrolment.objects.for_studio(member.studio_id)
        .filter(
            member=member,
            status=Enrolment.Status.ACTIVE,
            starts_on__lte=local,
            ends_on__gte=local,
            program__format__in=PT_FORMATS,
        )
        .select_related("program")
        .order_by("-starts_on")
        .first()
    )


def pt_moment(studio: Studio, *, day: date | None, at: time | None, now: datetime | None = None) -> datetime:
    """The moment of a training recorded afterwards: the day and time given on the studio's clock (today and now
    for what is left out); refused when the clocks skipped that time."""
    now = now or clock.now()
    if day is None and at is None:
        return now
    local = clock.local(now, studio.zone)
    moment = clock.wall_time(
        day or local.date(), at or local.time().replace(second=0, microsecond=0), studio.zone
    )
    if moment is None:
        raise PersonalSessionError(_("Dat tijdstip bestaat niet op die dag (de klok werd verzet)."))
    return moment


@transaction.atomic
def personal_session_record(
    *, member: Member, at: datetime, attended: bool, by: User | None
) -> PersonalSession:
    """Records one PT training at a moment, on the PT run of that day (which counts it when the member came).

    The moment is kept to the minute, so a double tap records one training, not two."""
    at = at.replace(second=0, microsecond=0)
    if at > clock.now() + timedelta(minutes=5):
        raise PersonalSessionError(_("Een training in de toekomst kan nog niet vastgelegd worden."))
    run = _pt_run(member, at)
    if run is None:
        raise PersonalSessionError(_("Dit lid had die dag geen personal training lopen."))
    try:
        with transaction.atomic():
            session = PersonalSession.objects.create(
                studio_id=member.studio_id, member=member, person_id=member.person_id, enrolment=run, coach=by,
                starts_at=at, status=PersonalSession.Status.ATTENDED if attended else PersonalSession.Status.NO_SHOW,
            )  # fmt: skip
    except IntegrityError:
        raise PersonalSessionError(_("Deze training is al vastgelegd.")) from None
    if attended:
        enrolment_count_session(member=member, day=clock.local(at, member.studio.zone).date(),
                                program_id=run.program_id)  # fmt: skip
    event_record(
        studio=member.studio_id, person=member.person_id, by=by, at=clock.now(),
        event=PersonalSessionRecorded(session_id=session.pk, member_id=member.pk, enrolment_id=run.pk,
                                      attended=attended),
    )  # fmt: skip
    return session


@transaction.atomic
def personal_session_undo(*, session: PersonalSession, by: User | None) -> None:
    """Takes a record back (a wrong tap): the training no longer counts on the card nor as a visit."""
    found = (
        PersonalSession.objects.for_studio(session.studio_id)
        .select_for_update()
        .filter(pk=session.pk)
        .first()
    )
    if found is None:
        raise PersonalSessionError(_("Deze training is al teruggedraaid."))
    if found.created_at < clock.now() - UNDO_WITHIN:
        raise PersonalSessionError(_("Alleen een training van de afgelopen week kan teruggedraaid worden."))
    member = Member.objects.for_studio(found.studio_id).select_related("studio").get(pk=found.member_id)
    if found.status == PersonalSession.Status.ATTENDED and found.enrolment_id is not None:
        program_id = Enrolment.objects.for_studio(found.studio_id).get(pk=found.enrolment_id).program_id
        enrolment_count_session(member=member, day=clock.local(found.starts_at, member.studio.zone).date(),
                                delta=-1, program_id=program_id)  # fmt: skip
    found.delete()
    event_record(
        studio=found.studio_id, person=found.person_id, by=by, at=clock.now(),
        event=PersonalSessionRecorded(session_id=session.pk, member_id=found.member_id,
                                      enrolment_id=found.enrolment_id, attended=False, undone=True),
    )  # fmt: skip


def studio_records_pt(studio: Studio | int, *, now: datetime | None = None) -> bool:
    """Whether the studio records its PT trainings (one in the last 60 days): only then do they count as visits."""
    now = now or clock.now()
    return PersonalSession.objects.for_studio(studio).filter(starts_at__gte=now - RECORDS_PT_WITHIN).exists()


@dataclass(frozen=True)
class PtMember:
    member: Member
    run: Enrolment
    last: datetime | None  # the last training given
    today: bool  # a training recorded today already


def pt_members(studio: Studio, *, coach: User | None = None) -> list[PtMember]:
    """Members with a PT run going today (a coach's own, or all), the one trained longest ago first."""
    now = clock.now()
    day = clock.local(now, studio.zone).date()
    runs = (
        Enrolment.objects.for_studio(studio)
        .filter(
            status=Enrolment.Status.ACTIVE,
            starts_on__lte=day,
            ends_on__gte=day,
            program__format__in=PT_FORMATS,
        )
        .select_related("program", "member__person", "member__coach")
        .order_by("member_id", "-starts_on")
    )
    if coach is not None:
        runs = runs.filter(member__coach=coach)
    by_member: dict[int, Enrolment] = {}
    for run in runs:
        by_member.setdefault(run.member_id, run)
    start = clock.wall_time(day, datetime.min.time(), studio.zone) or now
    facts = (
        PersonalSession.objects.for_studio(studio)
        .filter(member_id__in=list(by_member))
        .values("member_id")
        .annotate(
            last=Max("starts_at", filter=Q(status=PersonalSession.Status.ATTENDED)),
            today=Max("starts_at", filter=Q(starts_at__gte=start)),
        )
    )
    seen = {row["member_id"]: row for row in facts}
    found = [
        PtMember(
            run.member,
            run,
            seen.get(member_id, {}).get("last"),
            seen.get(member_id, {}).get("today") is not None,
        )
        for member_id, run in by_member.items()
    ]
    found.sort(
        key=lambda pt: (pt.today, pt.last or datetime.min.replace(tzinfo=now.tzinfo), pt.member.person.name)
    )
    return found


def recent_sessions(studio: Studio, *, coach: User | None = None, days: int = 7) -> list[PersonalSession]:
    recent = (
        PersonalSession.objects.for_studio(studio)
        .filter(created_at__gte=clock.now() - timedelta(days=days))
        .select_related("member__person", "coach", "enrolment__program")
        .order_by("-starts_at", "-id")
    )
    if coach is not None:
        recent = recent.filter(member__coach=coach)
    return list(recent[:50])
