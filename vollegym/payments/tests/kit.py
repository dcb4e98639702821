"""Test support for payments: the Mollie stand-in wired to our webhook, and a connected studio with a member."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.test import Client

from vollegym.core import clock
from vollegym.core.testing import Cast, make_member, run_tasks
from vollegym.payments.services import connection_save, plan_set
from vollegym.payments.standin import MollieStandin
from vollegym.programs.models import Enrolment, Member, Program
from vollegym.programs.services import enrolment_create, program_create

KEY = "test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM"
OTHER_KEY = "test_AnderAccountVanEenAndereStudio"


@dataclass
class Webhooks:
    """Mollie's calls to our webhook: sent at once through the test client, or held back to be sent later."""

    hold: bool = False
    held: list[tuple[str, str]] | None = None
    answers: list[int] | None = None

    def __call__(self, url: str, payment_id: str) -> None:
        if self.hold:
            self.held = [*(self.held or []), (url, payment_id)]
            return
        self.send(url, payment_id)

    def send(self, url: str, payment_id: str) -> None:
        path = url.removeprefix("http://testserver")
        response = Client().post(path, f"id={payment_id}", content_type="application/x-www-form-urlencoded")
        self.answers = [*(self.answers or []), response.status_code]


@pytest.fixture
def mollie(settings: Any) -> Iterator[MollieStandin]:
    webhooks = Webhooks()
    standin = MollieStandin(send_webhook=webhooks)
    server = standin.serve()
    settings.MOLLIE_API_URL = standin.base_url
    settings.SITE_URL = "http://testserver"
    standin.webhooks = webhooks  # type: ignore[attr-defined]
    yield standin
    server.shutdown()
    server.server_close()


def connect(cast: Cast, key: str = KEY) -> None:
    connection_save(studio=cast.studio, api_key=key, by=cast.owner)


def make_program(cast: Cast, *, cents: int = 59700, weeks: int = 12, kind: str = Program.Kind.PROGRAM,
                 terms: int = 1, every_weeks: int = 4) -> Program:  # fmt: skip
    program = program_create(
        studio=cast.studio,
        program=Program(name="12 weken sterker", weeks=weeks, kind=kind),
        price_cents=cents,
    )
    plan_set(program=program, kind="terms" if terms > 1 else "in_full", terms=terms, every_weeks=every_weeks)
    return program


def enrol(
    cast: Cast, program: Program, *, email: str = "eva@example.nl", starts_on: date | None = None
) -> Enrolment:
    member: Member = make_member(cast.studio, name="Eva de Boer", email=email)
    return enrolment_create(
        program=program, member=member, starts_on=starts_on or clock.today(), by=cast.owner
    )


def deliver() -> None:
    """What a worker does next: the stored webhook calls processed (and anything else due)."""
    run_tasks()
