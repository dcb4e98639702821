"""Demo data of how runs end (called by programs/demo.py once the runs are written): cancellations, pauses, the
renewal conversations, a sign-up at a distance, and the message after leaving.

Members who gave notice on a membership have it on their last term, by the rule (the end of the term going on);
some of the programs that simply ended were cancelled beforehand, online or at the desk, with a reason. Programs
that ended in the last two months had their renewal conversation (renewed, not going on, or nobody got to it);
the ones ending in the coming two weeks are on the coaches' lists now (by the sweep's own service), some with a
moment agreed. Three personal-training members pause (now, soon, some weeks ago): PT is not in the group agenda,
so no class of theirs falls in a pause. The newest members signed up at a distance, one of whom changed their mind
within the 14 days (two days after signing; a membership undone before it began never got its next term). Everyone who left six to fourteen weeks ago got the one message after leaving (marked sent, so
the demo's worker mails nobody). Its own seed, so the rest of the demo's story does not change; loading again adds
nothing (demo.py loads once).
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, datetime, time, timedelta

from vollegym.core import clock
from vollegym.messaging.models import Message
from vollegym.programs.models import Cancellation, Enrolment, Pause, Program, RenewalTalk
from vollegym.programs.models.endings import Reason
from vollegym.programs.pauses import shift_runs
from vollegym.programs.renewals import renewal_talks_plan
from vollegym.programs.winback import leavings, win_back_send
from vollegym.studios.models import StaffMembership, Studio, User

SEED = 2607
REASONS = [
    (Reason.TIME, 30), (Reason.MONEY, 18), (Reason.GOAL, 16), (Reason.MOVING, 10), (Reason.HEALTH, 10),
    (Reason.NOT_HAPPY, 4), (Reason.OTHER, 4), (Reason.NONE, 8),
]  # fmt: skip
WORDS = {
    Reason.TIME: ["Nieuwe baan, de avonden zitten vol.", "Met de kleine erbij lukt het even niet."],
    Reason.MONEY: ["Even krap deze maanden.", "De energierekening ging omhoog."],
    Reason.GOAL: ["Ik ga zelf verder met het schema.", "Doel gehaald, dank jullie!"],
    Reason.MOVING: ["We verhuizen naar Zwolle.", "Ik ga in Rotterdam werken."],
    Reason.HEALTH: ["Mijn knie moet eerst herstellen.", "Zwanger, ik kom daarna graag terug."],
    Reason.NOT_HAPPY: ["De groepstijden passen me niet meer."],
    Reason.OTHER: ["Ik ga hardlopen bij een club."],
}
WEEKS_AFTER = 6  # the studio's default for the message after leaving


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return clock.wall_time(day, time(hour, minute)) or datetime.combine(
        day, time(12, 0), tzinfo=clock.AMSTERDAM
    )


def _reason(rng: random.Random) -> tuple[str, str]:
    reason = rng.choices([r for r, _w in REASONS], weights=[w for _r, w in REASONS])[0]
    words = WORDS.get(reason, [])
    return reason, (rng.choice(words) if words and rng.random() < 0.6 else "")


def endings_load(
    studio: Studio, rows: list[Enrolment], *, notice: set[int], done: set[int], now: datetime
) -> None:
    rng = random.Random(SEED)
    today = clock.local(now).date()
    owner = (
        StaffMembership.objects.for_studio(studio)
        .filter(role=StaffMembership.Role.OWNER)
        .select_related("user")
        .first()
    )
    desk = owner.user if owner else None
    cancelled = _cancellations(studio, rows, notice, done, rng, now, desk)
    _at_a_distance(studio, rows, notice, now, today)
    _talks(studio, rows, cancelled, rng, now, today)
    _pauses(studio, rows, notice, rng, today)
    _win_backs(studio, today)


def _cancellations(
    studio: Studio,
    rows: list[Enrolment],
    notice: set[int],
    done: set[int],
    rng: random.Random,
    now: datetime,
    desk: User | None,
) -> dict[int, Cancellation]:
    """Notice on a membership's last term; some programs that ended were cancelled a week or three beforehand."""
    made = []
    for row in sorted(rows, key=lambda r: r.pk):
        if row.pk in notice:
            given = _at(
                row.starts_on + timedelta(days=rng.randint(0, 12)), rng.randint(8, 21), rng.randint(0, 59)
            )
            rule = (
                Cancellation.Rule.MONTHLY
                if row.origin == Enrolment.Origin.CONTINUED
                else Cancellation.Rule.FIRST_TERM
            )
        elif row.pk in done and row.status == Enrolment.Status.ACTIVE and rng.random() < 0.4:
            given = _at(
                row.ends_on - timedelta(days=rng.randint(7, 20)), rng.randint(8, 21), rng.randint(0, 59)
            )
            rule = Cancellation.Rule.PROGRAM_END
        else:
            continue
        if given > now or given < row.created_at:
            continue
        reason, words = _reason(rng)
        by_member = rng.random() < 0.75
        made.append(
            Cancellation(
                studio=studio, enrolment=row, member_id=row.member_id, effective_on=row.ends_on, rule=rule,
                reason=reason, reason_text=words, ends_before=row.ends_on, by_member=by_member,
                created_by=None if by_member else desk, created_at=given,
            )
        )  # fmt: skip
    Cancellation.objects.bulk_create(made, batch_size=500)
    return {c.enrolment_id: c for c in made}


def _at_a_distance(
    studio: Studio, rows: list[Enrolment], notice: set[int], now: datetime, today: date
) -> None:
    """The newest sign-ups were agreed by video or phone: 14 days to undo; one of them did, two days after."""
    recent = sorted(
        (
            r
            for r in rows
            if r.origin == Enrolment.Origin.ENROLLED and r.status == Enrolment.Status.ACTIVE and r.pk not in notice
            and today - timedelta(days=12) <= clock.local(r.created_at).date() <= today
        ),
        key=lambda r: (r.created_at, r.pk),
    )  # fmt: skip
    followed = {r.renewal_of_id: r for r in rows if r.renewal_of_id}

    def undo_day(run: Enrolment) -> date:
        return clock.local(min(run.created_at + timedelta(days=2, hours=3), now - timedelta(hours=1))).date()

    # A run nothing was set after yet; or one undone before it began, whose next term the sweep would never have set.
    undone = next((r for r in reversed(recent) if r.pk not in followed), None) or next(
        (r for r in reversed(recent) if undo_day(r) < r.starts_on), None
    )
    distance = {r.pk for r in recent[-3:]} | ({undone.pk} if undone else set())
    Enrolment.objects.for_studio(studio).filter(pk__in=distance).update(at_distance=True)
    if undone is None:
        return
    later, current = [], undone
    while current.pk in followed:
        current = followed[current.pk]
        later.append(current.pk)
    Enrolment.objects.for_studio(studio).filter(pk__in=later).delete()
    day = undo_day(undone)
    Enrolment.objects.for_studio(studio).filter(pk=undone.pk).update(
        status=Enrolment.Status.STOPPED, continues=False, ends_on=max(undone.starts_on, day)
    )
    Cancellation.objects.create(
        studio=studio, enrolment=undone, member_id=undone.member_id, effective_on=day,
        rule=Cancellation.Rule.COOLING_OFF, reason=Reason.MONEY, reason_text="Toch even te veel op dit moment.",
        ends_before=undone.ends_on, by_member=True,
        created_at=min(undone.created_at + timedelta(days=2, hours=3), now - timedelta(hours=1)),
    )  # fmt: skip
    undone.status = Enrolment.Status.STOPPED
    rows[:] = [r for r in rows if r.pk not in later]


def _talks(
    studio: Studio,
    rows: list[Enrolment],
    cancelled: dict[int, Cancellation],
    rng: random.Random,
    now: datetime,
    today: date,
) -> None:
    """The conversations of programs that ended lately, and the sweep's own for the ones that end soon."""
    by_member: dict[int, list[Enrolment]] = defaultdict(list)
    for row in rows:
        by_member[row.member_id].append(row)
    history = []
    for row in sorted(rows, key=lambda r: r.pk):
        program = row.program
        if program.kind != Program.Kind.PROGRAM or row.status != Enrolment.Status.ACTIVE:
            continue
        if not today - timedelta(days=60) <= row.ends_on < today:
            continue
        coach = row.member.coach
        due_on = row.ends_on - timedelta(days=program.renewal_talk_days)
        held = _at(
            due_on + timedelta(days=rng.randint(1, 8)), rng.choice([8, 12, 17, 18, 19]), rng.choice([0, 30])
        )
        following = next(
            (r for r in by_member[row.member_id] if r.starts_on == row.ends_on + timedelta(days=1)), None
        )
        talk = RenewalTalk(
            studio=studio, enrolment=row, member_id=row.member_id, coach=coach, due_on=due_on,
            created_at=_at(due_on, 7), planned_at=held,
        )  # fmt: skip
        if following is not None:
            talk.status, talk.renewal = RenewalTalk.Status.RENEWED, following
            talk.recorded_at, talk.recorded_by = min(held + timedelta(minutes=40), now), coach
        elif row.pk in cancelled:
            talk.status, talk.reason = RenewalTalk.Status.DECLINED, cancelled[row.pk].reason
            talk.recorded_at, talk.note = cancelled[row.pk].created_at, "Opgezegd"
        elif rng.random() < 0.65:
            talk.status, talk.reason = RenewalTalk.Status.DECLINED, _reason(rng)[0]
            talk.recorded_at, talk.recorded_by = min(held + timedelta(minutes=40), now), coach
        else:
            talk.status, talk.planned_at = RenewalTalk.Status.LAPSED, None
        history.append(talk)
    RenewalTalk.objects.bulk_create(history, batch_size=500)
    renewal_talks_plan(now=now)  # the ones on the list today, as the worker's sweep puts them there
    for talk in RenewalTalk.objects.for_studio(studio).filter(status=RenewalTalk.Status.OPEN).order_by("id"):
        if rng.random() < 0.5:
            day = today + timedelta(days=rng.randint(1, 5))
            if day <= talk.enrolment.ends_on:
                talk.planned_at = _at(day, rng.choice([17, 18, 19]), rng.choice([0, 30]))
                talk.save(update_fields=["planned_at"])


def _pauses(studio: Studio, rows: list[Enrolment], notice: set[int], rng: random.Random, today: date) -> None:
    """Three personal-training members pause: now (back within the week), soon, and some weeks ago."""
    going = sorted(
        (
            r
            for r in rows
            if r.program.format == Program.Format.PT and r.status == Enrolment.Status.ACTIVE and r.pk not in notice
            and r.starts_on <= today - timedelta(days=35) and r.ends_on >= today + timedelta(days=21)
        ),
        key=lambda r: r.pk,
    )  # fmt: skip
    plans = [
        (-4, 3, "Vakantie in Portugal", True, -10),
        (9, 15, "Zakenreis", True, -2),
        (-30, -23, "Griep", False, -30),
    ]
    following = {r.renewal_of_id: r for r in rows if r.renewal_of_id}
    for row, (first, last, reason, by_member, asked) in zip(
        rng.sample(going, min(3, len(going))), plans, strict=False
    ):
        chain = [row]
        while chain[-1].pk in following:
            chain.append(following[chain[-1].pk])
        pause = Pause.objects.create(
            studio=studio, enrolment=row, member_id=row.member_id, starts_on=today + timedelta(days=first),
            ends_on=today + timedelta(days=last), reason=reason, by_member=by_member,
            created_by=None if by_member else row.member.coach, created_at=_at(today + timedelta(days=asked), 9),
        )  # fmt: skip
        shift_runs(chain, pause.days)


def _win_backs(studio: Studio, today: date) -> None:
    """Who left six to fourteen weeks ago got the message after leaving, by the service; marked sent."""
    latest = today - timedelta(weeks=WEEKS_AFTER)
    for enrolment, left_on in sorted(leavings(studio, first=latest - timedelta(weeks=8), last=latest),
                                     key=lambda pair: pair[1]):  # fmt: skip
        moment = _at(left_on + timedelta(weeks=WEEKS_AFTER), 10, 30)
        win_back = win_back_send(enrolment=enrolment, left_on=left_on, now=moment)
        if win_back is not None and win_back.message_id is not None:
            Message.objects.for_studio(studio).filter(
                pk=win_back.message_id, status=Message.Status.QUEUED
            ).update(status=Message.Status.SENT, sent_at=moment, created_at=moment, next_attempt_at=moment)
