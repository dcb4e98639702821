"""Demo data of the playbooks: the runs of the demo's members who started in the last forty days, and the follow-up
of the demo's leads of the last four months, as the sweep made them.

The sweep is replayed with the app's own services on a clock that walks from forty days ago to now: a run begins
the day before the start (`run_start`), every touchpoint is carried out a few minutes after its moment
(`steps_carry_out`), and days 10 and 21 count the visits the agenda's demo recorded (`activation_check`). So the
day-21 call goes only to who stayed away, the welcome mails went out (and sit in the outbox as sent, not queued for
the demo's worker to send again), and members behind on training are flagged with the reason. Coaches ticked off
most of the older tasks and took up some flags; the last days' work is still open.

The leads' follow-up is replayed the same way over the leads' own history (leads/demo.py, intake/demo.py): every
lead that asked for an answer got the "not booked" sequence a minute after it came in, unless a coach had reached it
already; every no-show got "shall we pick a new moment?"; the last month's daily sweeps found who went quiet four
months before. Each step then asks the history whether the lead replied or booked by its moment, so most sequences
stop before day 1 (the demo's coaches are quick) and the slow and the silent ones get their calls and mails. A few of
the quiet leads ticked "news by e-mail" when they first asked and get the check-in; two call back; the others' check
-in stays "not sent" for want of that consent. Drawn from a fixed seed; loading again adds nothing.
"""

from __future__ import annotations

import bisect
import random
from datetime import datetime, time, timedelta

from django.apps import apps
from django.db import transaction

from vollegym.core import clock
from vollegym.leads.models import Activity, Lead
from vollegym.leads.services import lead_log_contact
from vollegym.messaging.models import Message
from vollegym.people.backfill import events_backfill
from vollegym.people.events import (
    ConversationBooked,
    ConversationRecorded,
    LeadStageChanged,
    TouchpointDone,
    event_record,
)
from vollegym.people.models import ConsentEntry, DomainEvent, How, Purpose
from vollegym.programs.models import Enrolment
from vollegym.retention import followup, risk_demo
from vollegym.retention.activation import CHECK_DAYS, activation_check
from vollegym.retention.models import ActivationCheck, Rating, Run, Sequence, Step
from vollegym.retention.ratings import DAY, END_WEEK, rating_answer, rating_ask
from vollegym.retention.services import lead_run_start, lead_runs_stop, run_start, steps_carry_out
from vollegym.studios.models import StaffMembership, Studio, User

SEED = 3011
SINCE_DAYS = 40
LEAD_DAYS = 120  # the leads' follow-up is replayed over the last four months
QUIET_DAYS = 30  # and the daily search for who went quiet over the last month
SWEEP_AFTER = timedelta(minutes=1)  # the sweep finds a new lead or a no-show within a minute
MARKETING = "Ja, ik wil af en toe nieuws en aanbiedingen van Studio Volle Kracht per e-mail."
SWEEP_DELAY = timedelta(minutes=3)  # a touchpoint goes out within a sweep interval of its moment
OPEN_FOR = timedelta(days=3)  # tasks of the last days are still to do


@transaction.atomic
def load(*, years: int = 1) -> None:
    """Onboarding and follow-up of the last weeks, the ratings over all `years`, and the churn-risk calls."""
    studio = Studio.objects.filter(slug="demo").first()
    if studio is None or Run.objects.for_studio(studio).exists():
        return  # no demo studio, or its onboarding is already there
    now = clock.now()
    today = clock.local(now).date()
    rng = random.Random(SEED)
    # The enrolments the sweep started a run for (services.runs_start) when they began: new, active, started
    # lately or tomorrow (a membership's first period may have ended since; its renewal goes on with the run).
    enrolments = list(
        Enrolment.objects.for_studio(studio)
        .filter(
            status=Enrolment.Status.ACTIVE, renewal_of__isnull=True,
            starts_on__gte=today - timedelta(days=SINCE_DAYS), starts_on__lte=today + timedelta(days=1),
        )
        .select_related("program", "member")
        .order_by("starts_on", "pk")
    )  # fmt: skip
    for enrolment in enrolments:
        # The sweep first sees an enrolment the day before it starts (or when it is made, if later).
        seen = clock.wall_time(enrolment.starts_on - timedelta(days=1), time(0, 5)) or now
        run_start(enrolment=enrolment, now=min(max(seen, enrolment.created_at), now))
    _leads_followed(studio, now, rng)
    _sweep(studio, now)
    for enrolment in enrolments:
        for day in CHECK_DAYS:
            moment = clock.wall_time(enrolment.starts_on + timedelta(days=day), time(0, 5))
            if moment is not None and moment <= now:
                activation_check(enrolment=enrolment, day=day, now=moment)
    owner = (
        StaffMembership.objects.for_studio(studio)
        .filter(role=StaffMembership.Role.OWNER)
        .select_related("user")
        .first()
    )
    _coaches_at_work(studio, now, rng, owner.user if owner else None)
    _ratings(studio, now, rng, owner.user if owner else None)
    # Churn risk: the coaches' calls of the last half year (risk_demo.py).
    risk_demo.load(studio, now, owner.user if owner else None)


def _leads_followed(studio: Studio, now: datetime, rng: random.Random) -> None:
    """The sequences the sweep started for the demo's leads, each at its moment (see the module's docstring)."""
    real = Lead.objects.for_studio(studio).real()
    if DomainEvent.objects.for_studio(studio).filter(kind="lead.captured").count() < real.count():
        # The history is written in bulk; its events (bookings, stages) are what a step asks about. The numbers'
        # demo (analytics, last) finds them there and leaves them.
        events_backfill(apps, [studio.pk], replace=True)
    reached = Activity.objects.for_studio(studio).filter(
        kind__in=Activity.PERSONAL_CONTACT, outcome=Activity.Outcome.REACHED
    )
    first_reached: dict[int, datetime] = {}
    for lead_id, at in reached.order_by("-at").values_list("lead_id", "at"):
        first_reached[lead_id] = at
    for lead in real.filter(
        created_at__gte=now - timedelta(days=LEAD_DAYS), due_at__isnull=False
    ).select_related("studio"):
        seen = min(lead.created_at + SWEEP_AFTER, now)
        if lead.pk in first_reached and first_reached[lead.pk] <= seen:
            continue  # answered before the sweep came by: never on the sequence
        starts_on = clock.local(lead.created_at, studio.zone).date()
        lead_run_start(
            lead=lead, sequence=Sequence.NOT_BOOKED, since=lead.created_at, starts_on=starts_on, now=seen
        )
    missed = DomainEvent.objects.for_studio(studio).filter(
        kind=ConversationRecorded.kind, payload__status="no_show", at__gte=now - timedelta(days=LEAD_DAYS)
    )
    for missed_id, at in missed.exclude(lead_id=None).order_by("at").values_list("lead_id", "at"):
        no_show = real.filter(pk=missed_id or 0).select_related("studio").first()
        if no_show is not None:
            starts_on = clock.local(at, studio.zone).date()
            lead_run_start(lead=no_show, sequence=Sequence.NO_SHOW, since=at, starts_on=starts_on,
                           now=min(at + SWEEP_AFTER, now))  # fmt: skip
    _gone_quiet(studio, now, rng)


def _gone_quiet(studio: Studio, now: datetime, rng: random.Random) -> None:
    """The last month's nightly sweeps: who went quiet four months before gets the check-in, where consent allows."""
    today = clock.local(now, studio.zone).date()
    called_back = 0
    nights = [
        clock.wall_time(today - timedelta(days=back), time(0, 5), studio.zone)
        for back in range(QUIET_DAYS, -1, -1)
    ]
    for moment in [*(night for night in nights if night is not None and night < now), now]:
        for cause in followup.gone_quiet(moment):
            lead = (
                Lead.objects.for_studio(studio)
                .filter(pk=cause.lead_id)
                .select_related("studio", "assigned_to")
            )
            found = lead.first()
            if found is None:
                continue  # another studio's (the agency's) lead
            if rng.random() < 0.4:  # ticked "news by e-mail" when they first asked
                ConsentEntry.objects.create(
                    studio=studio, person_id=found.person_id, purpose=Purpose.MARKETING, given=True, how=How.FORM,
                    source="website", wording=MARKETING, at=found.created_at,
                )  # fmt: skip
                reply = clock.wall_time(cause.starts_on + timedelta(days=1), time(17, 40), studio.zone)
                if called_back < 2 and reply is not None and reply < now - timedelta(hours=2):
                    called_back += 1
                    lead_log_contact(
                        lead=found, kind=Activity.Kind.CALL, outcome=Activity.Outcome.REACHED, at=reply,
                        by=found.assigned_to, body="Belde terug na de check-in: wil na de zomer toch beginnen.",
                    )  # fmt: skip
            lead_run_start(
                lead=found, sequence=cause.sequence, since=cause.at, starts_on=cause.starts_on, now=moment
            )


def _sweep(studio: Studio, now: datetime) -> None:
    """A sweep a few minutes after every moment a touchpoint came, and after every reply or booking of a lead on a
    sequence (which stops it then, as the sweep each minute does); its messages count as sent then."""
    since = now - timedelta(days=LEAD_DAYS)
    replies = Activity.objects.for_studio(studio).filter(
        kind__in=Activity.PERSONAL_CONTACT, outcome=Activity.Outcome.REACHED, at__gte=since
    )
    changes = DomainEvent.objects.for_studio(studio).filter(
        kind__in=[ConversationBooked.kind, LeadStageChanged.kind], at__gte=since
    )
    by_lead: dict[int, list[datetime]] = {}
    for lead_id, at in [*replies.values_list("lead_id", "at"), *changes.values_list("lead_id", "at")]:
        if lead_id is not None:
            by_lead.setdefault(lead_id, []).append(at)
    # The first sign after each sequence began is the one that stops it.
    signs = sorted(
        {
            min(found)
            for lead_id, started in Run.objects.for_studio(studio)
            .filter(lead__isnull=False)
            .values_list("lead_id", "started_at")
            if (found := [at for at in by_lead.get(lead_id or 0, []) if at >= started])
        }
    )
    swept = since
    while True:
        planned = Step.objects.for_studio(studio).filter(status=Step.Status.PLANNED, due_at__lte=now)
        due = planned.order_by("due_at").values_list("due_at", flat=True).first()
        sign = next((at for at in signs[bisect.bisect_right(signs, swept) :] if at <= now), None)
        if due is None and sign is None:
            lead_runs_stop(now=now)
            return
        moment = min(min(at for at in (due, sign) if at is not None) + SWEEP_DELAY, now)
        lead_runs_stop(now=moment)
        steps_carry_out(now=moment, studio=studio)
        swept = moment
        queued = Step.objects.for_studio(studio).filter(done_at=moment, message__isnull=False)
        messages = Message.objects.for_studio(studio).filter(pk__in=queued.values("message_id"))
        messages.filter(status=Message.Status.QUEUED).update(
            status=Message.Status.SENT, created_at=moment, next_attempt_at=moment, claimed_at=moment,
            sent_at=moment + timedelta(seconds=20), attempts=1,
        )  # fmt: skip
        messages.exclude(status=Message.Status.SENT).update(created_at=moment, next_attempt_at=moment)


def _coaches_at_work(studio: Studio, now: datetime, rng: random.Random, owner: User | None) -> None:
    """Most tasks older than a few days were done by the member's coach; some older flags were taken up."""
    tasks = (
        Step.objects.for_studio(studio)
        .filter(status=Step.Status.OPEN, due_at__lte=now - OPEN_FOR)
        .select_related(
            "run__member__coach", "run__member", "run__lead__assigned_to", "run__lead", "touchpoint"
        )
        .order_by("due_at", "pk")
    )
    for step in tasks:
        # A task of last week is often still waiting; older ones are mostly done, a forgotten one stays.
        if rng.random() < (0.5 if step.due_at > now - timedelta(days=7) else 0.15):
            continue
        run = step.run
        done_at = min(step.due_at + timedelta(hours=rng.randint(2, 30)), now - timedelta(hours=1))
        if run.lead is not None:
            by, person_id = run.lead.assigned_to or owner, run.lead.person_id
            event = TouchpointDone(step_id=step.pk, lead_id=run.lead.pk, day=step.touchpoint.day)
        else:
            assert run.member is not None
            by, person_id = run.member.coach or owner, run.member.person_id
            event = TouchpointDone(step_id=step.pk, enrolment_id=run.enrolment_id, day=step.touchpoint.day)
        Step.objects.for_studio(studio).filter(pk=step.pk).update(
            status=Step.Status.DONE, done_at=done_at, done_by=by
        )
        event_record(studio=studio, person=person_id, by=by, at=done_at, event=event)
    flags = (
        ActivationCheck.objects.for_studio(studio)
        .filter(status=ActivationCheck.Status.FLAGGED, checked_at__lte=now - timedelta(days=7))
        .select_related("member__coach")
        .order_by("checked_at", "pk")
    )
    for check in flags:
        if rng.random() < 0.5:
            seen_at = min(check.checked_at + timedelta(hours=rng.randint(3, 48)), now - timedelta(hours=1))
            ActivationCheck.objects.for_studio(studio).filter(pk=check.pk).update(
                status=ActivationCheck.Status.SEEN, seen_at=seen_at, seen_by=check.member.coach or owner
            )


# What members answered, drawn by weight: most are glad, some lukewarm, a few unhappy (a call for the coach).
SCORES = [(10, 30), (9, 32), (8, 16), (7, 10), (6, 5), (5, 3), (4, 2), (3, 1), (2, 1)]
ANSWER_RATE = 0.7
COMMENTS = {
    "high": [
        "Fijne sfeer en echt persoonlijke aandacht.",
        "Ik train nu al weken vaker dan ooit in de sportschool.",
        "De kleine groep maakt het verschil: je wordt gezien.",
        "",
        "",
    ],
    "middle": [
        "Goed, maar de avondlessen zitten vaak vol.",
        "Prima, ik mis soms wat uitleg bij nieuwe oefeningen.",
        "",
    ],
    "low": [
        "De lessen voelen druk; ik kom er niet goed aan mijn eigen doel toe.",
        "Ik had meer contact met mijn coach verwacht na de start.",
        "Past lastig in mijn rooster en omboeken gaat moeizaam.",
    ],
}


def _ratings(studio: Studio, now: datetime, rng: random.Random, owner: User | None) -> None:
    """The history's answers: everyone asked on day 30 and in their program's last week, as the sweep asks, about
    seven in ten answering a day or two later; older low scores were called back by the coach, recent ones wait."""
    enrolments = list(
        Enrolment.objects.for_studio(studio)
        .filter(renewal_of__isnull=True)
        .select_related("program", "member__coach")
        .order_by("starts_on", "pk")
    )
    scores, weights = zip(*SCORES, strict=True)
    low: list[tuple[Rating, User | None]] = []
    for enrolment in enrolments:
        moments = [(Rating.Moment.DAY_30, enrolment.starts_on + timedelta(days=DAY))]
        if enrolment.program.kind == enrolment.program.Kind.PROGRAM:
            moments.append((Rating.Moment.PROGRAM_END, enrolment.ends_on - timedelta(days=END_WEEK)))
        for moment, day in moments:
            asked_at = clock.wall_time(day, time(9, 3))
            if asked_at is None or asked_at > now or day > enrolment.ends_on:
                continue
            rating = rating_ask(enrolment=enrolment, moment=moment, now=asked_at)
            if rating is None:
                continue
            if rating.message is not None and rating.message.status == Message.Status.QUEUED:
                Message.objects.for_studio(studio).filter(pk=rating.message.pk).update(
                    status=Message.Status.SENT, created_at=asked_at, next_attempt_at=asked_at, claimed_at=asked_at,
                    sent_at=asked_at + timedelta(seconds=20), attempts=1,
                )  # fmt: skip
            answered_at = asked_at + timedelta(hours=rng.randint(1, 40))
            if rng.random() > ANSWER_RATE or answered_at > now:
                continue
            score = rng.choices(scores, weights)[0]
            band = "high" if score >= 9 else "middle" if score >= 7 else "low"
            rating = rating_answer(
                rating=rating, score=score, comment=rng.choice(COMMENTS[band]), now=answered_at
            )
            if rating.is_low:
                low.append((rating, enrolment.member.coach or owner))
    # The latest low score (and any of the last days) still waits for its call; the coaches called the others.
    low.sort(key=lambda pair: pair[0].answered_at or now)
    for rating, coach in low[:-1]:
        answered = rating.answered_at or now
        if answered < now - timedelta(days=5):
            called_at = min(answered + timedelta(hours=rng.randint(2, 30)), now - timedelta(hours=1))
            Rating.objects.for_studio(studio).filter(pk=rating.pk).update(
                called_at=called_at, called_by=coach
            )
