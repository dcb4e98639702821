"""`vollegym generate`: studios with years of history, the same from the same seed, made once (or made again on
request), whose rows hold together the way the services keep them, with logins that work and no message sent."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Max, Q
from django.test import Client

from vollegym.core.generator.history import plan_studio
from vollegym.core.generator.spec import realistic
from vollegym.core.testing import make_studio
from vollegym.intake.models import Booking
from vollegym.leads.models import Lead
from vollegym.messaging.models import Message
from vollegym.people.models import DomainEvent, Person
from vollegym.programs.models import Enrolment, Member
from vollegym.schedule.models import ClassSession, SessionBooking
from vollegym.studios.models import Studio, User

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 4, 11, 0, tzinfo=UTC)
PASSWORD = "een-lang-gegenereerd-wachtwoord"


def generate(*args: str) -> str:
    out = StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("generate", *args, stdout=out)
    return out.getvalue()


def signed_in(email: str) -> Client:
    """Through the sign-in form, with the password the command was given."""
    client = Client()
    response = client.post("/app/login/", {"username": email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def counts(prefix: str) -> dict[str, int]:
    studios = Studio.objects.filter(slug__startswith=f"{prefix}-")
    return {
        model.__name__: model.all_studios.filter(studio__in=studios).count()
        for model in (Person, Lead, Booking, Member, Enrolment, ClassSession, SessionBooking, DomainEvent)
    }


def test_it_makes_the_studios_with_their_logins_and_sends_no_message() -> None:
    out = generate(
        "--studios", "2", "--years", "1", "--seed", "3", "--prefix", "t", "--password", PASSWORD, "--agency"
    )
    assert "t-01 " in out and "t-02 " in out and "Made 2 studios" in out and "No message was sent" in out
    assert "eigenaar@t-NN.example.nl" in out and "bureau@t.example.nl" in out and PASSWORD not in out
    found = counts("t")
    assert min(found.values()) > 0 and found["Lead"] > 100
    assert Message.all_studios.count() == 0 and mail.outbox == []
    owner = signed_in("eigenaar@t-01.example.nl")
    with time_machine.travel(NOW, tick=False):
        assert owner.get("/app/t-01/").status_code == 200
        assert owner.get("/app/t-02/").status_code == 404  # another studio's owner
        assert owner.get("/app/bureau/").status_code == 404
    with time_machine.travel(NOW, tick=False):
        page = signed_in("bureau@t.example.nl").get("/app/bureau/")
    assert page.status_code == 200 and "/app/t-02/" in page.content.decode()


def test_a_second_run_adds_nothing_and_replace_makes_the_same_studios_again() -> None:
    generate("--studios", "2", "--years", "1", "--prefix", "t", "--password", PASSWORD)
    first = counts("t")
    team = User.objects.filter(email__endswith="@t-01.example.nl").count()
    leads = list(
        Lead.all_studios.filter(studio__slug="t-02")
        .order_by("created_at")
        .values_list("created_at", "source", "stage")
    )
    out = generate("--studios", "2", "--years", "1", "--prefix", "t", "--password", PASSWORD)
    assert "t-01: already there" in out and "Made 0 studios" in out
    assert counts("t") == first
    out = generate("--studios", "2", "--years", "1", "--prefix", "t", "--password", PASSWORD, "--replace")
    assert "Deleting 2 studios" in out and "Made 2 studios" in out
    assert counts("t") == first
    again = (
        Lead.all_studios.filter(studio__slug="t-02")
        .order_by("created_at")
        .values_list("created_at", "source", "stage")
    )
    assert list(again) == leads
    assert (
        User.objects.filter(email__endswith="@t-01.example.nl").count() == team
    )  # the old logins went first


def test_the_same_seed_plans_the_same_history_and_another_seed_another() -> None:
    spec = realistic(4, prefix="t", rng=random.Random("spec"))
    one, two = (plan_studio(spec, seed=1, now=NOW, years=2) for _ in range(2))
    other = plan_studio(spec, seed=2, now=NOW, years=2)
    assert one.leads == two.leads and one.runs == two.runs and one.sessions == two.sessions
    assert one.leads != other.leads
    # Studio 4's history does not depend on how many studios are made: its seed is its own.
    assert all(lead.created_at < NOW for lead in one.leads)
    assert max(run.created_at for run in one.runs) < NOW


def test_the_rows_hold_together_as_the_services_keep_them() -> None:
    generate("--studios", "3", "--years", "1", "--seed", "9", "--prefix", "t", "--password", PASSWORD)
    studios = list(Studio.objects.filter(slug__startswith="t-"))
    for studio in studios:
        # A session's count of mats is the number of its bookings that hold one, never above its capacity.
        sessions = ClassSession.objects.for_studio(studio).annotate(
            held=Count("bookings", filter=Q(bookings__status__in=SessionBooking.HOLDS_A_MAT))
        )
        assert not sessions.exclude(booked=F("held")).exists()
        assert not sessions.filter(booked__gt=F("capacity")).exists()
        runs = Enrolment.objects.for_studio(studio)
        # A renewal keeps the price agreed; it starts the day after the run it renews.
        for renewal in runs.filter(renewal_of__isnull=False).select_related("renewal_of")[:200]:
            previous = renewal.renewal_of
            assert previous is not None
            assert (renewal.price_cents, renewal.price_id) == (previous.price_cents, previous.price_id)
            assert (renewal.starts_on - previous.ends_on).days == 1
        # Nothing lies after now; every row points at rows of its own studio.
        assert Lead.objects.for_studio(studio).aggregate(last=Max("created_at"))["last"] < NOW
        assert runs.aggregate(last=Max("created_at"))["last"] < NOW
        assert not Lead.objects.for_studio(studio).exclude(person__studio=studio).exists()
        assert not SessionBooking.objects.for_studio(studio).exclude(member__studio=studio).exists()
        assert not Booking.objects.for_studio(studio).exclude(lead__studio=studio).exists()
        # A member who came in as a lead is that lead's person, and the lead is won.
        members = Member.objects.for_studio(studio).filter(lead__isnull=False)
        assert not members.exclude(person_id=F("lead__person_id")).exists()
        assert not members.exclude(lead__stage="won").exists()
        # Conversations still to come have no outcome; recorded ones do, and the lead's stage follows it.
        bookings = Booking.objects.for_studio(studio)
        assert not bookings.filter(starts_at__gt=NOW).exclude(status=Booking.Status.BOOKED).exists()
        assert not bookings.filter(outcome="won").exclude(lead__stage="won").exists()


def test_it_never_touches_a_studio_it_did_not_make(cast) -> None:
    real = make_studio(name="Fit 01", slug="fit-01")
    for extra in ([], ["--replace"]):
        with pytest.raises(
            CommandError, match="fit-01: a studio with that slug exists and was not generated"
        ):
            call_command(
                "generate", "--prefix", "fit", "--studios", "1", "--years", "1", *extra, stdout=StringIO()
            )
    assert Studio.objects.filter(pk=real.pk).exists()
    assert not Studio.objects.filter(slug__startswith="fit-").exclude(pk=real.pk).exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--studios", "0"], "--studios"),
        (["--studios", "100000"], "--studios"),
        (["--years", "0"], "--years"),
        (["--prefix", "Geen Spaties"], "--prefix"),
        (["--prefix", "x\x00y"], "--prefix"),
        (["--prefix", "a" * 60], "--prefix"),
    ],
)
def test_it_refuses_what_it_cannot_make(args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("generate", *args, "--password", PASSWORD, stdout=StringIO())
    assert not Studio.objects.exists()
