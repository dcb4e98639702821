"""A studio that leaves takes all its rows along (AVG), and nothing of another studio."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from vollegym.core.tenancy import studio_owned_models
from vollegym.intake.selectors import current_version
from vollegym.intake.services import availability_set, booking_make, intake_start, questionnaire_install
from vollegym.intake.tests.test_booking import BEFORE_SPRING, EVERY_DAY, local, make_kind
from vollegym.programs.services import enrolment_create
from vollegym.programs.tests.test_prices_and_enrolment import make_program

pytestmark = pytest.mark.django_db


def test_deleting_a_studio_removes_its_intakes_bookings_and_enrolments(cast):
    for studio in (cast.studio, cast.other_studio):
        questionnaire_install(studio=studio, kind="pt")
    availability_set(studio=cast.studio, coach=cast.coach, windows=EVERY_DAY)
    kind = make_kind(cast.studio)
    program = make_program(cast.studio)
    version = current_version(cast.studio)
    assert version is not None
    with time_machine.travel(BEFORE_SPRING, tick=False):
        response = intake_start(
            studio=cast.studio, version=version, name="Eva", email="eva@example.nl", phone=""
        )
        response.completed_at = (
            BEFORE_SPRING  # the conversation is booked from the plan, after the last question
        )
        response.save(update_fields=["completed_at"])
        booking_make(lead=response.lead, kind=kind, starts_at=local(date(2026, 3, 27), 10), response=response)
        enrolment_create(lead=response.lead, program=program, starts_on=date(2026, 3, 30), by=None)
    kept = {
        model: model._base_manager.filter(studio=cast.other_studio).count() for model in studio_owned_models()
    }
    cast.studio.delete()
    for model in studio_owned_models():
        assert not model._base_manager.filter(studio_id=cast.studio.pk).exists(), model.__name__
        assert model._base_manager.filter(studio=cast.other_studio).count() == kept[model], model.__name__
