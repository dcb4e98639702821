"""Demo data of payments: the demo studio connected its (test) Mollie a month ago, so the enrolments since then have
their terms; the demo talks to the Mollie stand-in `vollegym demo` starts, so a member can pay a checkout locally."""

from __future__ import annotations

from datetime import timedelta

from vollegym.core import clock
from vollegym.payments.crypto import secret_seal
from vollegym.payments.models import MollieConnection, PaymentPlan
from vollegym.payments.services import plan_set, schedules_sweep
from vollegym.programs.models import Program
from vollegym.studios.models import Studio

# The stand-in takes any key of this shape; the real Mollie never sees it.
DEMO_KEY = "test_DemoStudioVolleGymStandinKey2026"
CONNECTED_DAYS_AGO = 30


def load(*, years: int = 1) -> None:
    """Mollie connected a month ago, and the terms since then (whatever the `years` of history before it)."""
    studio = Studio.objects.filter(slug="demo").first()
    if studio is None or MollieConnection.objects.for_studio(studio).exists():
        return  # no demo studio, or payments are already set up
    for program in Program.objects.for_studio(studio).order_by("position", "id"):
        if PaymentPlan.objects.for_studio(studio).filter(program=program).exists():
            continue
        if program.kind == Program.Kind.MEMBERSHIP:
            plan_set(program=program, kind=PaymentPlan.Kind.PER_PERIOD)
        elif program.weeks >= 8 and program.weeks % 4 == 0:  # a program of 8 or 12 weeks: every four weeks
            plan_set(program=program, kind=PaymentPlan.Kind.TERMS, terms=program.weeks // 4, every_weeks=4)
        else:
            plan_set(program=program, kind=PaymentPlan.Kind.IN_FULL)
    # Stored as the settings page stores it (encrypted), without the check call: the stand-in is not up yet.
    MollieConnection.objects.create(
        studio=studio, api_key_encrypted=secret_seal(DEMO_KEY), mode=MollieConnection.Mode.TEST,
        key_hint=DEMO_KEY[-4:], connected_at=clock.now() - timedelta(days=CONNECTED_DAYS_AGO),
    )  # fmt: skip
    schedules_sweep()
