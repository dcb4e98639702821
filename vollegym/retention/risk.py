"""Churn risk: an explainable score per member, read from their own history up to a moment (`as_of`).

`risk_of(history, as_of)` is a pure function: it sees only what had happened before `as_of` (visits of sessions that
began earlier, enrolments made by then, answers given by then), so the live call list and the back-test that replays
a year week by week (`vollegym churn-backtest`) use one rule. Each signal has its points and a sentence in words;
the score is their sum, at most 100, and a member at or above `THRESHOLD` is on the call list.

The signals, and the facts behind them (shared/DOMAIN.md):
- a gap in visits against the member's own rhythm (PushPress sets an "at-risk date" some ten days after a visit;
  ours is the member's own usual interval, so a once-a-week member is not flagged after eight days);
- fewer than four visits in the last four weeks, the industry's usual "at risk" line, or a drop against their own
  earlier weeks (TrueCoach flags a drop in compliance of 20% or more);
- booked sessions missed (no-shows);
- low activation in the first 30 days (in a study of some 10,000 new members, about 30% made no visit in each of
  their first three months, and every month with a visit lowered the chance of cancelling);
- a program ending within three weeks without a renewal in hand;
- a low rating (0 to 6);
- a first payment still open, or a debit that failed or was charged back and is not paid since (Mollie).

Personal training is not in the schedule, so a PT member has no recorded visits: they are never flagged on
attendance, and the risk says so.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from vollegym.core import clock
from vollegym.core.money import euro
from vollegym.retention.activation import FIRST_MONTH, planned_visits

# At or above this score a member is on the call list; chosen with the back-test (docs/churn-backtest.md).
THRESHOLD = 30
MAX_SCORE = 100

# How far back each signal looks.
RHYTHM_WEEKS = 12  # the usual interval between visits is read from the weeks before the last visit
RHYTHM_VISITS = 3  # fewer visits than this in those weeks: the program's plan is the rhythm
MONTH = timedelta(days=28)
EARLIER = 2  # the four-week periods before the last one that "their own earlier weeks" means
MISSED_LOOKS_AT = 4  # the last booked sessions (held a mat, the session went ahead)
MISSED_WITHIN = timedelta(days=42)
ACTIVATION_FROM = 10  # days into the first run before activation is judged (the first activation check's day)
ENDING_WITHIN = 21  # days before a run's end without a renewal
RATING_WITHIN = timedelta(days=60)
LOW_SCORE = 6
PAYMENT_GRACE = 7  # days after the due date
MISSED_ONE, MISSED_BACK, MISSED_MORE = 25, 30, 40  # a failed debit, a charge-back, more than one open

# Signal codes: what the log keeps and the back-test counts.
GAP, VISITS, MISSED, ACTIVATION, ENDING, RATING, PAYMENT = (
    "gap", "visits", "missed", "activation", "ending", "rating", "payment",
)  # fmt: skip
BEHAVIOUR = frozenset({GAP, VISITS, MISSED, ACTIVATION})

# The formats whose trainings are class sessions in the schedule (the others are personal training).
COUNTED_FORMATS = frozenset({"small_group"})
MEMBERSHIP_KIND = "membership"
DAY_30 = "day_30"


@dataclass(frozen=True)
class RunFact:
    """An enrolment as the risk reads it."""

    pk: int
    program: str  # its name
    format: str  # Program.Format
    kind: str  # Program.Kind
    sessions_per_week: int
    starts_on: date
    ends_on: date
    created_at: datetime
    stopped: bool = False
    renewal_of: int | None = None
    payment_due: date | None = None
    paid_at: datetime | None = None
    # The renewal conversation about this run: since when a moment was agreed or an outcome recorded (None: none).
    talk_since: datetime | None = None


@dataclass(frozen=True)
class MissedFact:
    """A term whose debit failed or was charged back (payments' MissedPayment), and when it was paid after all."""

    opened_at: datetime
    paid_at: datetime | None
    charged_back: bool
    amount_cents: int
    program: str


@dataclass(frozen=True)
class BookingFact:
    """A mat the member held in a session that went ahead: came (attended) or not (no_show)."""

    starts_at: datetime
    attended: bool


@dataclass(frozen=True)
class AnswerFact:
    """An answered rating."""

    answered_at: datetime
    score: int
    moment: str  # Rating.Moment
    program: str


@dataclass
class History:
    """What is known of one member: every run, and the bookings and answers of the weeks that matter.

    `bookings` and `answers` are sorted by time (the loaders do it); anything after `as_of` is ignored by the rule.
    """

    member_id: int
    runs: list[RunFact]
    bookings: list[BookingFact] = field(default_factory=list)
    answers: list[AnswerFact] = field(default_factory=list)
    zone: tzinfo = clock.AMSTERDAM
    # The studio records its PT trainings (Rooster → PT): then a PT run's visits are known and counted too.
    pt_recorded: bool = False
    missed: list[MissedFact] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._starts = [b.starts_at for b in self.bookings]
        self._days = [clock.local(b.starts_at, self.zone).date() for b in self.bookings]

    def held_before(self, moment: datetime) -> list[tuple[BookingFact, date]]:
        """The mats held in sessions that began before `moment`, each with its day on the studio's calendar."""
        end = bisect.bisect_left(self._starts, moment)
        return list(zip(self.bookings[:end], self._days[:end], strict=True))


@dataclass(frozen=True)
class Signal:
    code: str
    points: int
    text: str


@dataclass(frozen=True)
class Risk:
    """A member's risk at a moment: the score, its signals (most points first), and what was not counted."""

    score: int
    signals: tuple[Signal, ...]
    run: RunFact | None  # the run going on that day
    notes: tuple[str, ...] = ()

    @property
    def at_risk(self) -> bool:
        return self.score >= THRESHOLD

    @property
    def reasons(self) -> list[str]:
        return [s.text for s in self.signals]

    @property
    def codes(self) -> list[str]:
        return [s.code for s in self.signals]

    def points_of(self, codes: frozenset[str]) -> int:
        """The score from some signals only (the back-test asks what behaviour alone would have flagged)."""
        return min(MAX_SCORE, sum(s.points for s in self.signals if s.code in codes))


NO_RISK = Risk(0, (), None)


def running(history: History, as_of: datetime) -> list[RunFact]:
    """The runs going on at the moment (made by then, not stopped), earliest start first."""
    day = clock.local(as_of, history.zone).date()
    return sorted(
        (
            r
            for r in history.runs
            if not r.stopped and r.created_at <= as_of and r.starts_on <= day <= r.ends_on
        ),
        key=lambda r: (r.starts_on, r.pk),
    )


def renewal_in_hand(history: History, run: RunFact, as_of: datetime) -> bool:
    """Whether what comes after `run` was settled by `as_of`: a renewal of it, a later run (the membership after a
    program, say), made by then, or a renewal conversation agreed or held by then."""
    if run.talk_since is not None and run.talk_since <= as_of:
        return True
    return any(
        other.pk != run.pk
        and not other.stopped
        and other.created_at <= as_of
        and (other.renewal_of == run.pk or other.starts_on > run.starts_on)
        for other in history.runs
    )


def risk_of(history: History, as_of: datetime) -> Risk:
    """The member's churn risk at `as_of`, from what had happened before it; NO_RISK when they are no member then."""
    runs = running(history, as_of)
    if not runs:
        return NO_RISK
    day = clock.local(as_of, history.zone).date()
    # The run that lasts longest says when the member's time ends (a PT program inside a membership does not).
    current = max(runs, key=lambda r: (r.ends_on, r.starts_on, r.pk))
    counted = any(r.format in COUNTED_FORMATS for r in runs) or history.pt_recorded
    signals: list[Signal] = []
    notes: list[str] = []
    if counted:
        signals += _attendance(history, runs, as_of, day)
    else:
        notes.append(
            _(
                "De studio legt personal training niet vast onder Rooster → PT: bezoeken tellen hier niet mee, "
                "alleen de andere signalen."
            )
        )
    signals += _ending(history, current, as_of, day)
    signals += _rating(history, as_of)
    signals += _unpaid(history, as_of) or _payment(runs, as_of, day)
    signals.sort(key=lambda s: -s.points)
    score = min(MAX_SCORE, sum(s.points for s in signals))
    return Risk(score, tuple(signals), current, tuple(notes))


# ---- attendance --------------------------------------------------------------------------------------------------


def _attendance(history: History, runs: list[RunFact], as_of: datetime, day: date) -> list[Signal]:
    past = history.held_before(as_of)
    first = min(
        (r for r in history.runs if not r.stopped and r.created_at <= as_of), key=lambda r: r.starts_on
    )
    # Visits count only from the start of the stretch the member has been a member without a break.
    since = _member_since(history, runs, as_of)
    visits = [(b.starts_at, d) for b, d in past if b.attended and d >= since]
    plan = max(r.sessions_per_week for r in runs if r.format in COUNTED_FORMATS or history.pt_recorded)
    found: list[Signal] = []
    days_in = (day - first.starts_on).days
    if first.starts_on == since and days_in <= FIRST_MONTH:
        # The first month: activation speaks for the gap and the frequency.
        found += _activation(len(visits), plan, days_in)
    else:
        found += _gap([d for _t, d in visits], day, since, plan)
        found += _frequency([t for t, _d in visits], as_of, since, day)
    found += _missed([b for b, _d in past], as_of)
    return found


def _member_since(history: History, runs: list[RunFact], as_of: datetime) -> date:
    """The first day of the member's current stretch: runs that follow each other without a day between."""
    start = runs[0].starts_on
    earlier = sorted(
        (r for r in history.runs if not r.stopped and r.created_at <= as_of and r.starts_on < start),
        key=lambda r: r.ends_on,
        reverse=True,
    )
    for run in earlier:
        if run.ends_on >= start - timedelta(days=1):
            start = min(start, run.starts_on)
    return start


def _activation(attended: int, plan: int, days_in: int) -> list[Signal]:
    if days_in < ACTIVATION_FROM:
        return []
    planned = planned_visits(plan, days_in)
    if planned < 3 or attended >= planned:
        return []
    shortfall = 1 - attended / planned
    if shortfall < 1 / 3:
        return []
    text = ngettext(
        "Activatie dag %(day)s: %(attended)s van de %(planned)s geplande training",
        "Activatie dag %(day)s: %(attended)s van de %(planned)s geplande trainingen",
        planned,
    ) % {"day": days_in, "attended": attended, "planned": planned}
    return [Signal(ACTIVATION, round(55 * shortfall), text)]


def _rhythm(days: list[date]) -> float | None:
    """The member's usual days between visits, in the weeks before their last visit; None with too few visits."""
    if not days:
        return None
    window = days[-1] - timedelta(weeks=RHYTHM_WEEKS)
    recent = sorted({d for d in days if d > window})
    if len(recent) < RHYTHM_VISITS:
        return None
    return max((recent[-1] - recent[0]).days / (len(recent) - 1), 2.0)


def _gap(days: list[date], day: date, since: date, plan: int) -> list[Signal]:
    rhythm = _rhythm(days)
    usual = rhythm if rhythm is not None else max(7 / plan, 2.0)
    gap = (day - (days[-1] if days else since)).days
    if gap < 7 or gap < 2 * usual:
        return []
    points = min(60, round(10 * gap / usual))
    if not days:
        text = ngettext(
            "Nog geen bezoek sinds de start, %(days)s dag geleden",
            "Nog geen bezoek sinds de start, %(days)s dagen geleden",
            gap,
        ) % {"days": gap}
    elif rhythm is not None and abs(7 / rhythm - round(7 / rhythm)) <= 0.25 and round(7 / rhythm) >= 1:
        # A rhythm close to a number of times a week is said that way, as a coach would ("normaal 2 keer per week").
        times = round(7 / rhythm)
        text = ngettext(
            "Kwam de laatste %(days)s dagen niet; normaal %(n)s keer per week",
            "Kwam de laatste %(days)s dagen niet; normaal %(n)s keer per week",
            times,
        ) % {"days": gap, "n": times}
    elif rhythm is not None:
        every = int(rhythm + 0.5)
        text = ngettext(
            "Kwam de laatste %(days)s dagen niet; normaal elke %(every)s dag",
            "Kwam de laatste %(days)s dagen niet; normaal elke %(every)s dagen",
            every,
        ) % {"days": gap, "every": every}
    else:
        text = ngettext(
            "Kwam de laatste %(days)s dagen niet; het programma plant %(n)s training per week",
            "Kwam de laatste %(days)s dagen niet; het programma plant %(n)s trainingen per week",
            plan,
        ) % {"days": gap, "n": plan}
    return [Signal(GAP, points, text)]


def _frequency(visits: list[datetime], as_of: datetime, since: date, day: date) -> list[Signal]:
    """Fewer than four visits in the last four weeks, or a drop against the member's own earlier weeks."""
    if (day - since).days < MONTH.days:
        return []
    recent = sum(1 for v in visits if v >= as_of - MONTH)
    found: list[Signal] = []
    if recent < 4:
        text = ngettext(
            "%(n)s bezoek in de laatste 4 weken; minder dan 4 per maand is de gangbare risicogrens",
            "%(n)s bezoeken in de laatste 4 weken; minder dan 4 per maand is de gangbare risicogrens",
            recent,
        ) % {"n": recent}
        found.append(Signal(VISITS, (4 - recent) * 7, text))
    periods = min(EARLIER, (day - since).days // MONTH.days - 1)
    if periods >= 1:
        window_start = as_of - MONTH * (periods + 1)
        before = sum(1 for v in visits if window_start <= v < as_of - MONTH) / periods
        if before >= 4 and recent <= 0.6 * before:
            text = ngettext(
                "%(n)s bezoek in de laatste 4 weken; daarvoor gemiddeld %(before)s per 4 weken",
                "%(n)s bezoeken in de laatste 4 weken; daarvoor gemiddeld %(before)s per 4 weken",
                recent,
            ) % {"n": recent, "before": int(before + 0.5)}
            drop = Signal(VISITS, 15, text)
            if not found or found[0].points < drop.points:
                found = [drop]
    return found


def _missed(past: list[BookingFact], as_of: datetime) -> list[Signal]:
    last = [b for b in past if b.starts_at >= as_of - MISSED_WITHIN][-MISSED_LOOKS_AT:]
    missed = sum(1 for b in last if not b.attended)
    if not missed:
        return []
    text = ngettext(
        "%(missed)s van de laatste %(booked)s geboekte les gemist",
        "%(missed)s van de laatste %(booked)s geboekte lessen gemist",
        len(last),
    ) % {"missed": missed, "booked": len(last)}
    return [Signal(MISSED, {1: 8, 2: 20, 3: 30}.get(missed, 40), text)]


# ---- the run's end, ratings, payments -------------------------------------------------------------------------------


def _ending(history: History, run: RunFact, as_of: datetime, day: date) -> list[Signal]:
    left = (run.ends_on - day).days
    if left > ENDING_WITHIN or renewal_in_hand(history, run, as_of):
        return []
    if run.kind == MEMBERSHIP_KIND:
        text = ngettext(
            "Lidmaatschap loopt af over %(days)s dag; nog geen volgende periode",
            "Lidmaatschap loopt af over %(days)s dagen; nog geen volgende periode",
            left,
        ) % {"days": left}
    else:
        text = ngettext(
            "%(program)s eindigt over %(days)s dag; nog geen verlenging",
            "%(program)s eindigt over %(days)s dagen; nog geen verlenging",
            left,
        ) % {"program": run.program, "days": left}
    if left == 0:
        text = _("%(program)s eindigt vandaag; nog geen verlenging") % {"program": run.program}
    return [Signal(ENDING, 40 if left <= 7 else 30, text)]


def _rating(history: History, as_of: datetime) -> list[Signal]:
    given = [a for a in history.answers if as_of - RATING_WITHIN <= a.answered_at < as_of]
    if not given or given[-1].score > LOW_SCORE:
        return []  # only the latest answer speaks: a 9 after a 5 is no risk
    answer = given[-1]
    if answer.moment == DAY_30:
        text = _("Gaf een %(score)s op dag 30") % {"score": answer.score}
    else:
        text = _("Gaf een %(score)s aan het eind van %(program)s") % {
            "score": answer.score,
            "program": answer.program,
        }
    return [Signal(RATING, 20 + 5 * (LOW_SCORE - answer.score), text)]


def _unpaid(history: History, as_of: datetime) -> list[Signal]:
    """Debits that failed or were charged back and are still unpaid at `as_of`: a member whose bank refuses the
    money is often a member on their way out. The latest one is named; a charge-back weighs more (the member, or
    their bank, took the money back)."""
    unpaid = [m for m in history.missed if m.opened_at < as_of and (m.paid_at is None or m.paid_at > as_of)]
    if not unpaid:
        return []
    latest = max(unpaid, key=lambda m: m.opened_at)
    what = {"amount": euro(latest.amount_cents), "program": latest.program,
            "day": date_format(clock.local(latest.opened_at, history.zone).date(), "j F")}  # fmt: skip
    if latest.charged_back:
        text = _("%(amount)s voor %(program)s teruggeboekt door de bank op %(day)s; nog niet betaald") % what
    else:
        text = (
            _("Afschrijven van %(amount)s voor %(program)s niet gelukt op %(day)s; nog niet betaald") % what
        )
    if len(unpaid) > 1:
        text += " " + ngettext(
            "(%(n)s betaling staat open)", "(%(n)s betalingen staan open)", len(unpaid)
        ) % {"n": len(unpaid)}
    points = MISSED_MORE if len(unpaid) > 1 else (MISSED_BACK if latest.charged_back else MISSED_ONE)
    return [Signal(PAYMENT, points, text)]


def _payment(runs: list[RunFact], as_of: datetime, day: date) -> list[Signal]:
    """A first payment still open a week after its due date (when the studio marks it by hand)."""
    for run in runs:
        if run.payment_due is None or (run.paid_at is not None and run.paid_at <= as_of):
            continue
        late = (day - run.payment_due).days
        if late >= PAYMENT_GRACE:
            text = ngettext(
                "Eerste betaling van %(program)s staat %(days)s dag open",
                "Eerste betaling van %(program)s staat %(days)s dagen open",
                late,
            ) % {"program": run.program, "days": late}
            return [Signal(PAYMENT, 15, text)]
    return []
