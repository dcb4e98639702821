"""Test support for the books: paid payments at the stand-in Mollie, each for its own member."""

from __future__ import annotations

import itertools

from vollegym.core import clock
from vollegym.core.testing import Cast, make_member
from vollegym.payments.charging import checkout_start
from vollegym.payments.models import MolliePayment
from vollegym.payments.services import terms_create
from vollegym.payments.standin import MollieStandin
from vollegym.payments.tests.kit import deliver
from vollegym.programs.models import Enrolment, Program
from vollegym.programs.services import enrolment_create

_n = itertools.count(1)
BACK = "http://testserver/s/kracht-utrecht/leden/betalingen/"


def enrolled(cast: Cast, program: Program, *, name: str = "", at_distance: bool = False) -> Enrolment:
    n = next(_n)
    member = make_member(cast.studio, name=name or f"Lid{n} de Vries", email=f"lid{n}@example.nl")
    return enrolment_create(
        program=program, member=member, starts_on=clock.today(), by=cast.owner, at_distance=at_distance
    )


def started(enrolment: Enrolment) -> MolliePayment:
    """The enrolment's first term at the checkout (not yet paid)."""
    first = terms_create(enrolment=enrolment)[0]
    checkout_start(term=first, redirect_url=BACK)
    return MolliePayment.objects.for_studio(enrolment.studio_id).filter(term=first).get()


def paid(mollie: MollieStandin, enrolment: Enrolment) -> MolliePayment:
    """The enrolment's first term paid at the stand-in's checkout, and the webhook handled."""
    payment = started(enrolment)
    mollie.set_status(payment.mollie_id, "paid")
    deliver()
    payment.refresh_from_db()
    assert payment.status == "paid"
    return payment
