"""Reads of churn risk: members' histories in a handful of queries, the ranked call list, and the outreach report.

A studio can have hundreds of members: every read here is a fixed number of queries, whatever their number.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Exists, OuterRef, QuerySet

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


def _run_fact(e: Enrolment, talk_since: datetime | None = None) -> RunFact:
    return RunFact(
        pk=e.pk, program=e.program.name, format=e.program.format, kind=e.program.kind,
        sessions_per_week=e.program.sessions_per_week, starts_on=e.starts_on, ends_on=e.ends_on,
        created_at=e.created_at, stopped=e.status == Enrolment.Status.STOPPED, renewal_of=e.renewal_of_id,
        payment_due=e.first_payment_due, paid_at=e.first_payment_paid_at, talk_since=talk_since,
    )  # fmt: skip


def histories_of(
    studio: Studio, members: QuerySet[Member] | Iterable[int], *, since: datetime | None, until: datetime
) -> dict[int, History]:
    """The histories of some members (a queryset of the studio's, or ids): every run, and the bookings and answers
    from `since` (None: all) up to `until`, and their missed payments. Four queries."""
    ids = members.values("pk") if isinstance(members, QuerySet) else list(members)
    # A renewal conversation counts from when it was held, or (agreed, not yet held) from when it was planned.
    talks = {
        enrolment_id: recorded or created
        for enrolment_id, status, planned, recorded, created in RenewalTalk.objects.for_studio(studio)
        .filter(member__in=ids)
        .values_list("enrolment_id", "status", "planned_at", "recorded_at", "created_at")
        if status in (RenewalTalk.Status.RENEWED, RenewalTalk.Status.DECLINED)
        or (status == RenewalTalk.Status.OPEN and planned is not None)
    }
    runs: dict[int, list[RunFact]] = defaultdict(list)
    for enrolment in (
        Enrolment.objects.for_studio(studio)
        .filter(member__in=ids)
        .select_related("program")
        .order_by("starts_on", "id")
    ):
        runs[enrolment.member_id].append(_run_fact(enrolment, talks.get(enrolment.pk)))
    bookings: dict[int, list[BookingFact]] = defaultdict(list)
    held = (
        SessionBooking.objects.for_studio(studio)
        .filter(
            member__in=ids, status__in=HELD, session__status=ClassSession.Status.SCHEDULED,
            session__starts_at__lt=until,
        )
        .order_by("session__starts_at", "id")
    )  # fmt: skip
    if since is not None:
        held = held.filter(session__starts_at__gte=since)
    for member_id, starts_at, status in held.values_list("member_id", "session__starts_at", "status"):
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
    members = {m.pk: m for m in members_qs.select_related("person", "coach")}
    histories = histories_of(studio, list(members), since=as_of - LOOK_BACK, until=as_of)
    contacts: dict[int, Outreach] = {}
    for outreach in (
        Outreach.objects.for_studio(studio)
        .filter(member_id__in=list(members), at__gte=as_of - SHOWN_CONTACT_WITHIN, at__lte=as_of)
        .select_related("by")
        .order_by("-at", "-id")
    ):
        contacts.setdefault(outreach.member_id, outreach)
    rows = []
    for member_id, history in histories.items():
        risk = risk_of(history, as_of)
        if risk.score == 0 or (at_risk_only and not risk.at_risk):
            continue
        rows.append(RiskRow(members[member_id], risk, contacts.get(member_id), as_of))
    rows.sort(key=lambda r: (r.reached_recently, -r.score, r.member.person.name.lower(), r.member.pk))
    return rows


def risk_calls_for(studio: Studio, coach: User | None = None, as_of: datetime | None = None) -> list[RiskRow]:
    """The call list: members at or above the threshold, ranked (for the coach's Today page too)."""
    return risk_rows(studio, coach=coach, as_of=as_of)
