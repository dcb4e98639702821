"""Reads of churn risk: members' histories in a handful of queries, the ranked call list, and the outreach report.

A studio can have hundreds of members: every read here is a fixed number of queries, whatever their number.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from vollegym.core import clock
from vollegym.payments.models import MissedPayment
from vollegym.programs.models import Enrolment, Member, RenewalTalk
from vollegym.retention.models import Outreach, Rating
from vollegym.retention.risk import (
    MISSED_WITHIN,
    MONTH,
    RATING_WITHIN,
    RHYTHM_WEEKS,
    AnswerFact,
    BookingFact,
    History,
    MissedFact,
    Risk,
    RunFact,
    risk_of,
)
from vollegym.schedule.models import ClassSession, PersonalSession, SessionBooking
from vollegym.schedule.personal import studio_records_pt
from vollegym.studios.models import Studio, User

# How far back the bookings of a live list go: the rhythm's weeks before a last visit that may itself be weeks ago.
LOOK_BACK = timedelta(weeks=RHYTHM_WEEKS) + max(MONTH * 3, MISSED_WITHIN, RATING_WITHIN) + timedelta(weeks=4)
# A member reached this recently goes down the list, with the call shown.
REACHED_RECENTLY = timedelta(days=14)
SHOWN_CONTACT_WITHIN = timedelta(days=60)
HELD = (SessionBooking.Status.ATTENDED, SessionBooking.Status.NO_SHOW)


def histories_of(
    studio: Studio, members: QuerySet[Member] | Iterable[int], *, since: datetime | None, until: datetime
) -> dict[int, History]:
    """The histories of some members (a queryset of the studio's, or ids): every run, and the bookings and answers
    from `since` (None: all) up to `until`, and their missed payments. Six or seven queries, however many members."""
    wanted = members.values("pk") if isinstance(members, QuerySet) else list(members)
    # A renewal conversation counts from when it was held, or (agreed, not yet held) from when it was planned.
    talk_since = Subquery(
        RenewalTalk.objects.for_studio(studio)
        .filter(enrolment=OuterRef("pk"))
        .filter(
            Q(status__in=[RenewalTalk.Status.RENEWED, RenewalTalk.Status.DECLINED])
            | Q(status=RenewalTalk.Status.OPEN, planned_at__isnull=False)
        )
        .order_by()
        .annotate(since=Coalesce("recorded_at", "created_at"))
        .values("since")[:1]
    )
    runs: dict[int, list[RunFact]] = defaultdict(list)
    # Tuples of the columns the rule reads, not model instances: a studio's active members have hundreds of runs.
    for (
        pk, member_id, program, program_format, kind, per_week, starts_on, ends_on, created_at, status, renewal_of,
        payment_due, paid_at, talk,
    ) in (
        Enrolment.objects.for_studio(studio)
        .filter(member__in=wanted)
        .annotate(talk_since=talk_since)
        .order_by("starts_on", "id")
        .values_list(
            "pk", "member_id", "program__name", "program__format", "program__kind", "program__sessions_per_week",
            "starts_on", "ends_on", "created_at", "status", "renewal_of_id", "first_payment_due",
            "first_payment_paid_at", "talk_since",
        )
    ):  # fmt: skip
        runs[member_id].append(
            RunFact(
                pk=pk, program=program, format=program_format, kind=kind, sessions_per_week=per_week,
                starts_on=starts_on, ends_on=ends_on, created_at=created_at, stopped=status == Enrolment.Status.STOPPED,
                renewal_of=renewal_of, payment_due=payment_due, paid_at=paid_at, talk_since=talk,
            )
        )  # fmt: skip
    # Only members with a run get a history: the other reads ask for those.
    ids = list(runs)
    bookings: dict[int, list[BookingFact]] = defaultdict(list)
    sessions = ClassSession.objects.for_studio(studio).filter(
        status=ClassSession.Status.SCHEDULED, starts_at__lt=until
    )
    if since is not None:
        sessions = sessions.filter(starts_at__gte=since)
    held = list(
        SessionBooking.objects.for_studio(studio)
        .filter(member__in=ids, status__in=HELD, session__in=sessions.values("pk"))
        .values_list("pk", "member_id", "session_id", "status")
    )
    # Each session's moment read once, not once per member who held a mat in it: a moment costs more to read
    # than a number, and the members of a class share its sessions.
    moments = (
        dict(sessions.filter(pk__in={mat[2] for mat in held}).values_list("pk", "starts_at")) if held else {}
    )
    mats = sorted(
        (moments[session_id], pk, member_id, status)
        for pk, member_id, session_id, status in held
        if session_id in moments  # not a session called off in between
    )
    for starts_at, _pk, member_id, status in mats:
        bookings[member_id].append(BookingFact(starts_at, status == SessionBooking.Status.ATTENDED))
    # PT trainings the coach recorded count as visits (and a missed one as a missed session), like classes.
    personal = PersonalSession.objects.for_studio(studio).filter(member__in=ids, starts_at__lt=until)
    if since is not None:
        personal = personal.filter(starts_at__gte=since)
    for member_id, starts_at, status in personal.values_list("member_id", "starts_at", "status"):
        bookings[member_id].append(BookingFact(starts_at, status == PersonalSession.Status.ATTENDED))
    for facts in bookings.values():
        facts.sort(key=lambda fact: fact.starts_at)
    records_pt = studio_records_pt(studio, now=until)
    answers: dict[int, list[AnswerFact]] = defaultdict(list)
    given = (
        Rating.objects.for_studio(studio)
        .filter(member__in=ids, answered_at__isnull=False, score__isnull=False, answered_at__lt=until)
        .order_by("answered_at", "id")
    )
    if since is not None:
        given = given.filter(answered_at__gte=since)
    for member_id, answered_at, score, moment, program in given.values_list(
        "member_id", "answered_at", "score", "moment", "enrolment__program__name"
    ):
        if answered_at is not None and score is not None:  # the filter says so; the types do not know
            answers[member_id].append(AnswerFact(answered_at, score, moment, program))
    missed: dict[int, list[MissedFact]] = defaultdict(list)
    for member_id, opened_at, paid_at, reason, cents, program in (
        MissedPayment.objects.for_studio(studio)
        .filter(member__in=ids, opened_at__lt=until)
        .values_list(
            "member_id", "opened_at", "paid_at", "reason", "amount_cents", "term__enrolment__program__name"
        )
    ):
        missed[member_id].append(
            MissedFact(opened_at, paid_at, reason == MissedPayment.Reason.CHARGED_BACK, cents, program)
        )
    zone = studio.zone
    return {
        member_id: History(
            member_id,
            member_runs,
            bookings[member_id],
            answers[member_id],
            zone,
            records_pt,
            missed[member_id],
        )
        for member_id, member_runs in runs.items()
    }


def history_of(member: Member, *, as_of: datetime) -> History:
    """One member's history for a risk at `as_of`."""
    found = histories_of(member.studio, [member.pk], since=as_of - LOOK_BACK, until=as_of)
    return found.get(member.pk) or History(member.pk, [], zone=member.studio.zone)


def risk_for(member: Member, *, as_of: datetime | None = None) -> Risk:
    as_of = as_of or clock.now()
    return risk_of(history_of(member, as_of=as_of), as_of)


@dataclass(frozen=True)
class RiskRow:
    """A member on the call list: their risk and the last time someone reached out."""

    member: Member
    risk: Risk
    contact: Outreach | None  # the latest outreach of the last weeks
    as_of: datetime

    @property
    def score(self) -> int:
        return self.risk.score

    @property
    def reasons(self) -> list[str]:
        return self.risk.reasons

    @property
    def reached_recently(self) -> bool:
        return (
            self.contact is not None
            and self.contact.reached
            and self.contact.at >= self.as_of - REACHED_RECENTLY
        )


def _active_members(studio: Studio, day: date) -> QuerySet[Member]:
    going = Enrolment.objects.for_studio(studio).current(day).filter(member=OuterRef("pk"))
    return Member.objects.for_studio(studio).filter(Exists(going))


def risk_rows(
    studio: Studio, *, coach: User | None = None, as_of: datetime | None = None, at_risk_only: bool = True
) -> list[RiskRow]:
    """Every active member (of one coach, or all) with their risk at `as_of`, ranked: the highest score first,
    and a member reached in the last two weeks below those nobody reached yet. Nine queries."""
    as_of = as_of or clock.now()
    day = clock.local(as_of, studio.zone).date()
    members_qs = _active_members(studio, day)
    if coach is not None:
        members_qs = members_qs.filter(coach=coach)
    histories = histories_of(studio, members_qs, since=as_of - LOOK_BACK, until=as_of)
    risks: dict[int, Risk] = {}
    for member_id, history in histories.items():
        risk = risk_of(history, as_of)
        if risk.score == 0 or (at_risk_only and not risk.at_risk):
            continue
        risks[member_id] = risk
    # Only the members on the list as instances, with the person and coach it shows: most members are not on it.
    members = {
        m.pk: m
        for m in Member.objects.for_studio(studio)
        .filter(pk__in=list(risks))
        .select_related("person", "coach")
    }
    contacts: dict[int, Outreach] = {}
    for outreach in (
        Outreach.objects.for_studio(studio)
        .filter(member_id__in=list(risks), at__gte=as_of - SHOWN_CONTACT_WITHIN, at__lte=as_of)
        .select_related("by")
        .order_by("-at", "-id")
    ):
        contacts.setdefault(outreach.member_id, outreach)
    rows = [
        RiskRow(members[member_id], risk, contacts.get(member_id), as_of)
        for member_id, risk in risks.items()
        if member_id in members  # not one erased in between
    ]
    rows.sort(key=lambda r: (r.reached_recently, -r.score, r.member.person.name.lower(), r.member.pk))
    return rows


def risk_calls_for(studio: Studio, coach: User | None = None, as_of: datetime | None = None) -> list[RiskRow]:
    """The call list: members at or above the threshold, ranked (for the coach's Today page too)."""
    return risk_rows(studio, coach=coach, as_of=as_of)
