"""Builders for the API's tests: a token and a client that sends it."""

from __future__ import annotations

from typing import Any

from django.test import Client

from vollegym.api.scopes import ALL_SCOPES
from vollegym.api.services import NewToken, api_token_create
from vollegym.studios.models import Studio, User


def make_token(
    studio: Studio | None, by: User, *, scopes: list[str] | None = None, name: str = "Test"
) -> NewToken:
    return api_token_create(studio=studio, name=name, scopes=sorted(scopes or ALL_SCOPES), by=by)


class ApiClient:
    """The test client with the token in the Authorization header."""

    def __init__(self, secret: str) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {secret}"}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(path, params, headers=self.headers)

    def post(self, path: str, body: Any = None, *, raw: bytes | None = None) -> Any:
        import json

        data = raw if raw is not None else json.dumps(body if body is not None else {})
        return self.client.post(path, data, content_type="application/json", headers=self.headers)


def plant_world(studio: Studio, coach: User) -> dict[str, int]:
    """One row of every resource the API reads, for `studio`; returns the id of each, by the path's parameter."""
    from datetime import time, timedelta

    from vollegym.core import clock
    from vollegym.core.testing import make_member
    from vollegym.intake.models import Booking, ConsultationType, IntakeResponse
    from vollegym.intake.selectors import current_version
    from vollegym.intake.services import questionnaire_install
    from vollegym.leads.services import LeadInput, lead_capture
    from vollegym.payments.models import MolliePayment, Term
    from vollegym.programs.models import Program
    from vollegym.programs.services import enrolment_create, program_create
    from vollegym.schedule.models import ClassSession, ClassTemplate, SessionBooking

    lead = lead_capture(studio=studio, data=LeadInput(source="website", email=f"eva@{studio.slug}.nl")).lead
    questionnaire_install(studio=studio, kind="small_group")
    version = current_version(studio)
    assert version is not None
    response = IntakeResponse.objects.create(
        studio=studio, version=version, lead=lead, person_id=lead.person_id
    )
    kind = ConsultationType.objects.create(studio=studio, name="Kennismaking")
    starts = clock.now() - timedelta(hours=3)
    booking = Booking.objects.create(
        studio=studio, lead=lead, person_id=lead.person_id, response=response, kind=kind, coach=coach,
        starts_at=starts, ends_at=starts + timedelta(minutes=30),
    )  # fmt: skip
    program = program_create(studio=studio, program=Program(name="Twaalf weken", weeks=12), price_cents=99500)
    member = make_member(studio, name="Tom", email=f"tom@{studio.slug}.nl")
    enrolment = enrolment_create(member=member, program=program, starts_on=clock.today(), by=None)
    template = ClassTemplate.objects.create(
        studio=studio, name="Kracht", weekday=1, starts=time(7), capacity=8
    )
    session = ClassSession.objects.create(
        studio=studio, template=template, starts_at=clock.now() + timedelta(days=7),
        ends_at=clock.now() + timedelta(days=7, minutes=45), capacity=8, booked=1,
    )  # fmt: skip
    seat = SessionBooking.objects.create(
        studio=studio, session=session, member=member, person_id=member.person_id
    )
    term = Term.objects.create(
        studio=studio,
        enrolment=enrolment,
        member=member,
        number=1,
        of=1,
        amount_cents=99500,
        due_on=clock.today(),
    )
    payment = MolliePayment.objects.create(
        studio=studio, term=term, mollie_id=f"tr_{studio.slug}", idempotency_key=f"k-{studio.slug}",
        sequence_type="first", amount_cents=99500,
    )  # fmt: skip
    return {
        "person_id": lead.person_id, "lead_id": lead.pk, "response_id": response.pk, "conversation": booking.pk,
        "program_id": program.pk, "member_id": member.pk, "enrolment_id": enrolment.pk, "class_id": template.pk,
        "session_id": session.pk, "booking_id": seat.pk, "payment_id": payment.pk,
    }  # fmt: skip
