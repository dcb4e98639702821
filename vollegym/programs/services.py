"""Writes of programs and members: prices that only move forward, and enrolment at the price of the day."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from vollegym.core import clock
from vollegym.core.money import euro
from vollegym.leads.models import Activity, Lead, Stage
from vollegym.leads.services import lead_confirm_clearance, lead_move, lead_timeline_add
from vollegym.people.events import Enrolled, FirstPaymentReceived, PriceChanged, event_record
from vollegym.programs.models import (
    Cancellation,
    Enrolment,
    Member,
    Program,
    ProgramPrice,
    RenewalPrice,
    RenewalTalk,
)
from vollegym.programs.selectors import price_in_force, today
from vollegym.studios.models import Studio, User

# A renewal follows on from the run before; after a longer gap it is a new enrolment (at today's price).
RENEWAL_GRACE = timedelta(days=14)
# After its first term a membership goes on a term of at most this many weeks at a time (Wet Van Dam: at most a
# month's notice); four weeks is the common term in the Netherlands and always within a month.
CONTINUATION_WEEKS = 4


class ProgramError(ValueError):
    """A change to programs, prices or enrolments that is not allowed; the reason is for the person who tried."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@transaction.atomic
def program_save(*, program: Program) -> Program:
    """Saves a program's description; its price changes only through program_price_set."""
    program.full_clean()
    program.save()
    return program


@transaction.atomic
def program_create(
    *,
    studio: Studio,
    program: Program,
    price_cents: int,
    effective_from: date | None = None,
    by: User | None = None,
) -> Program:
    """A new program with its first price (in force from today unless said otherwise)."""
    program.studio = studio
    program_save(program=program)
    _price_insert(program, price_cents, effective_from or today(), by, reason="Eerste prijs", first=True)
    return program


def _price_insert(
    program: Program,
    amount_cents: int,
    effective_from: date,
    by: User | None,
    *,
    reason: str,
    first: bool = False,
) -> ProgramPrice:
    if amount_cents <= 0:
        raise ProgramError(_("Een prijs moet meer zijn dan € 0,00."))
    if not first and effective_from < today():
        raise ProgramError(
            _("Een nieuwe prijs geldt vanaf vandaag of later; de geschiedenis blijft zoals hij was.")
        )
    try:
        with transaction.atomic():
            price = ProgramPrice.objects.create(
                studio_id=program.studio_id, program=program, amount_cents=amount_cents,
                effective_from=effective_from, created_by=by, reason=reason.strip()[:200],
            )  # fmt: skip
            event_record(
                studio=program.studio_id, by=by,
                event=PriceChanged(program_id=program.pk, amount_cents=amount_cents, effective_from=effective_from),
            )  # fmt: skip
            return price
    except IntegrityError:
        raise ProgramError(
            _("Er staat al een prijs vanaf %(day)s.") % {"day": f"{effective_from:%d-%m-%Y}"}
        ) from None


@transaction.atomic
def program_price_set(
    *, program: Program, amount_cents: int, effective_from: date, by: User | None, reason: str = ""
) -> ProgramPrice:
    """Adds a price from a date on; members enrolled before keep theirs (their enrolment holds its own price)."""
    return _price_insert(program, amount_cents, effective_from, by, reason=reason)


@transaction.atomic
def member_from_lead(*, lead: Lead) -> Member:
    """The member a lead becomes; one per lead, keeping the lead (and so its whole history) and its coach."""
    existing = Member.objects.for_studio(lead.studio_id).select_for_update().filter(lead=lead).first()
    if existing is not None:
        return existing
    return Member.objects.create(
        studio_id=lead.studio_id, lead=lead, person_id=lead.person_id, coach_id=lead.assigned_to_id
    )


def _ends_on(program: Program, starts_on: date) -> date:
    return starts_on + timedelta(weeks=program.weeks) - timedelta(days=1)


@transaction.atomic
def enrolment_create(
    *,
    program: Program,
    starts_on: date,
    by: User | None,
    lead: Lead | None = None,
    member: Member | None = None,
    first_payment_due: date | None = None,
    health_cleared: bool = False,
    at_distance: bool = False,
) -> Enrolment:
    """Enrols a won lead, or a member again (whose runs ended, say), at the price in force today; that price is
    written on the enrolment and stays.

    A lead whose health answers ask for the huisarts first is only enrolled once the coach confirms clearance.
    """
    # The lead a member came in through holds their health check and their timeline; a walk-in has none.
    history: Lead | None
    if lead is not None and member is None:
        studio_id, history = lead.studio_id, lead
    elif member is not None and lead is None:
        studio_id, history = member.studio_id, member.lead
    else:
        raise ValueError("enrol either a lead or a member")
    if program.studio_id != studio_id:
        raise ProgramError(_("Dit programma hoort niet bij deze studio."))
    if not program.is_active:
        raise ProgramError(_("Dit programma is niet meer te koop."))
    price = price_in_force(program, today())
    if price is None:
        raise ProgramError(_("Dit programma heeft vandaag nog geen prijs."))
    if history is not None and history.needs_clearance and history.clearance_confirmed_at is None:
        if not health_cleared or by is None:
            raise ProgramError(
                _(
                    "Deze persoon gaf in de intake een gezondheidsrisico aan. Bevestig eerst dat de huisarts "
                    "akkoord gaf om te trainen."
                )
            )
        lead_confirm_clearance(lead=history, by=by)
    if starts_on < today() - timedelta(days=14):
        raise ProgramError(_("Een start meer dan twee weken terug kan niet; kies een startdatum vanaf nu."))
    if member is None:
        assert lead is not None  # one of the two, as checked above
        member = member_from_lead(lead=lead)
    same = Enrolment.objects.for_studio(studio_id).filter(member=member, program=program, starts_on=starts_on)
    if same.exists():
        raise ProgramError(_("Dit lid staat al ingeschreven voor dit programma op die startdatum."))
    if starts_on > today() + timedelta(days=366):
        raise ProgramError(_("Een start ligt binnen een jaar."))
    try:
        with transaction.atomic():
            enrolment = Enrolment.objects.create(
                studio_id=studio_id, member=member, program=program, price=price, price_cents=price.amount_cents,
                starts_on=starts_on, ends_on=_ends_on(program, starts_on), sessions_total=program.sessions_total,
                first_payment_cents=price.amount_cents, first_payment_due=first_payment_due or starts_on, created_by=by,
                continues=program.kind == Program.Kind.MEMBERSHIP, at_distance=at_distance,
            )  # fmt: skip
    except IntegrityError:  # the same form sent twice at once: one enrolment stands
        raise ProgramError(_("Dit lid staat al ingeschreven voor dit programma op die startdatum.")) from None
    _enrolled(enrolment, by)
    if lead is not None and lead.stage != Stage.WON:
        lead_move(lead=lead, stage=Stage.WON, by=by)
    if history is not None:
        lead_timeline_add(
            lead=history, kind=Activity.Kind.NOTE, by=by, data={"enrolment": enrolment.pk},
            body=f"Ingeschreven: {program.name} vanaf {starts_on:%d-%m-%Y} voor {euro(price.amount_cents)}",
        )  # fmt: skip
    return enrolment


@transaction.atomic
def enrolment_renew(*, enrolment: Enrolment, by: User | None, keep_price: bool | None = None) -> Enrolment:
    """Renews for another run right after the current one, at the price the owner chose for the program (the
    agreed one or today's) unless staff say otherwise; a membership's next term is a month at most (Wet Van Dam)."""
    # One change to a member's runs at a time (a pause, a cancellation, the sweep's next term): the member's row is
    # the lock, and the run is read again once it is held, so a pause's new end or a notice is seen.
    Member.objects.for_studio(enrolment.studio_id).select_for_update().filter(pk=enrolment.member_id).first()
    enrolment.refresh_from_db()
    if enrolment.status != Enrolment.Status.ACTIVE:
        raise ProgramError(_("Deze inschrijving is gestopt; schrijf het lid opnieuw in."))
    if Enrolment.objects.for_studio(enrolment.studio_id).filter(renewal_of=enrolment).exists():
        raise ProgramError(_("Deze inschrijving is al verlengd."))
    if enrolment.ends_on < today() - RENEWAL_GRACE:
        raise ProgramError(_("Deze inschrijving is al lang afgelopen; schrijf het lid opnieuw in."))
    if Cancellation.objects.for_studio(enrolment.studio_id).filter(enrolment=enrolment).exists():
        raise ProgramError(_("Dit lid heeft opgezegd; schrijf het lid opnieuw in als het toch doorgaat."))
    program = enrolment.program
    if keep_price is None:
        keep_price = program.renewal_price == RenewalPrice.LOCKED
    if keep_price:
        price = enrolment.price
    else:
        found = price_in_force(program, today())
        if found is None:
            raise ProgramError(_("Dit programma heeft vandaag geen prijs."))
        price = found
    starts_on = enrolment.ends_on + timedelta(days=1)
    try:
        with transaction.atomic():
            return _renewal(enrolment, program, price, starts_on, by, locked=keep_price)
    except IntegrityError:  # renewed a moment ago (a double click): once is enough
        raise ProgramError(_("Deze inschrijving is al verlengd.")) from None


def term_weeks(program: Program, *, continuation: bool) -> int:
    """A run's length: the program's weeks, but a membership's term after the first lasts four weeks at most, so it
    can be cancelled month by month (Wet Van Dam)."""
    return min(program.weeks, CONTINUATION_WEEKS) if continuation else program.weeks


def term_cents(price: ProgramPrice, program: Program, weeks: int) -> int:
    """A price is for the program's weeks; a shorter term costs its share of it."""
    if weeks == program.weeks:
        return price.amount_cents
    return round(price.amount_cents * weeks / program.weeks)


def _enrolled(enrolment: Enrolment, by: User | None) -> None:
    person_id = (
        Member.objects.for_studio(enrolment.studio_id).filter(pk=enrolment.member_id).values("person_id")
    )
    event_record(
        studio=enrolment.studio_id, person=person_id.get()["person_id"], by=by, at=enrolment.created_at,
        event=Enrolled(
            member_id=enrolment.member_id, enrolment_id=enrolment.pk, program_id=enrolment.program_id,
            price_cents=enrolment.price_cents, starts_on=enrolment.starts_on, renewal_of=enrolment.renewal_of_id,
        ),
    )  # fmt: skip


def _renewal(
    enrolment: Enrolment,
    program: Program,
    price: ProgramPrice,
    starts_on: date,
    by: User | None,
    *,
    locked: bool,
) -> Enrolment:
    continues = enrolment.continues
    weeks = term_weeks(program, continuation=continues)
    before = term_weeks(program, continuation=enrolment.origin == Enrolment.Origin.CONTINUED)
    # Locked: the cents agreed for a run as long as this one; otherwise the price's share for this term's weeks.
    cents = enrolment.price_cents if locked and weeks == before else term_cents(price, program, weeks)
    renewal = Enrolment.objects.create(
        studio_id=enrolment.studio_id, member_id=enrolment.member_id, program=program, price=price,
        price_cents=cents, starts_on=starts_on, ends_on=starts_on + timedelta(weeks=weeks) - timedelta(days=1),
        sessions_total=weeks * program.sessions_per_week, renewal_of=enrolment, first_payment_cents=cents,
        first_payment_due=starts_on, created_by=by, continues=continues,
        origin=Enrolment.Origin.CONTINUED if continues else Enrolment.Origin.RENEWED,
    )  # fmt: skip
    _enrolled(renewal, by)
    # The renewal conversation about this run, if it was still open, came to this.
    RenewalTalk.objects.for_studio(enrolment.studio_id).filter(
        enrolment=enrolment, status=RenewalTalk.Status.OPEN
    ).update(status=RenewalTalk.Status.RENEWED, renewal=renewal, recorded_at=clock.now(), recorded_by=by)
    return renewal


@transaction.atomic
def enrolment_mark_paid(*, enrolment: Enrolment, by: User | None) -> Enrolment:
    """Staff mark the first payment as received (payments themselves come later); marking twice changes nothing."""
    marked = (
        Enrolment.objects.for_studio(enrolment.studio_id)
        .filter(pk=enrolment.pk, first_payment_paid_at=None)
        .update(first_payment_paid_at=clock.now())
    )
    enrolment.refresh_from_db()
    if marked:
        event_record(
            studio=enrolment.studio_id, person=enrolment.member.person_id, by=by,
            event=FirstPaymentReceived(
                member_id=enrolment.member_id, enrolment_id=enrolment.pk, amount_cents=enrolment.first_payment_cents
            ),
        )  # fmt: skip
    return enrolment


@transaction.atomic
def enrolment_count_session(
    *, member: Member, day: date, delta: int = 1, program_id: int | None = None
) -> Enrolment | None:
    """Counts a session a member came to (or takes it back) on the enrolment that ran that day: the class's own
    program when it has one, else a small-group one, so a group class never uses up a PT card."""
    running = Enrolment.objects.for_studio(member.studio_id).filter(
        member=member, status=Enrolment.Status.ACTIVE, starts_on__lte=day, ends_on__gte=day
    )
    if program_id is not None:
        running = running.filter(program_id=program_id)
    else:
        running = running.filter(program__format=Program.Format.SMALL_GROUP)
    enrolment = running.order_by("-starts_on").first()
    if enrolment is None:
        return None
    if delta > 0:
        Enrolment.objects.for_studio(member.studio_id).filter(
            pk=enrolment.pk, sessions_used__lt=models.F("sessions_total")
        ).update(sessions_used=models.F("sessions_used") + 1)
    else:
        Enrolment.objects.for_studio(member.studio_id).filter(pk=enrolment.pk, sessions_used__gt=0).update(
            sessions_used=models.F("sessions_used") - 1
        )
    enrolment.refresh_from_db()
    return enrolment
