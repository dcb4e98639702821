"""The move of runs to "an enrolment or a lead" keeps every member's run: day 0 is written down from the enrolment."""

from datetime import date

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from vollegym.core.testing import make_cast, make_lead
from vollegym.programs.services import enrolment_create
from vollegym.programs.tests.test_prices_and_enrolment import make_program
from vollegym.retention.services import run_start

BEFORE = [("retention", "0003_ratings")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_a_members_run_from_before_keeps_its_steps_and_gets_its_day_0():
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    cast = make_cast()
    with time_machine.travel(date(2026, 3, 18), tick=False):
        lead = make_lead(cast.studio, name="Eva", email="eva@example.nl")
        enrolment = enrolment_create(
            lead=lead, program=make_program(cast.studio), starts_on=date(2026, 3, 20), by=None
        )
        run = run_start(enrolment=enrolment)
    assert run is not None
    try:
        old = _migrate(BEFORE)
        assert "starts_on" not in {f.name for f in old.get_model("retention", "Run")._meta.get_fields()}
        new = _migrate(latest)
        Run = new.get_model("retention", "Run")
        migrated = Run._base_manager.get(pk=run.pk)
        assert migrated.starts_on == date(2026, 3, 20) and migrated.enrolment_id == enrolment.pk
        assert migrated.lead_id is None and migrated.sequence == "" and migrated.stopped_at is None
        assert new.get_model("retention", "Step")._base_manager.filter(run_id=run.pk).count() == 7
        # The database holds the rule: a run follows an enrolment or a lead, never neither.
        with pytest.raises(IntegrityError), transaction.atomic():
            Run._base_manager.filter(pk=run.pk).update(enrolment=None, member=None)
    finally:
        _migrate(latest)
