"""Small typed builders for tests, and the check every studio-scoped URL must pass."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.test import Client

from vollegym.studios import services
from vollegym.studios.models import StaffMembership, Studio, User

if TYPE_CHECKING:
    from vollegym.leads.models import Lead
    from vollegym.people.models import Person
    from vollegym.programs.models import Member

PASSWORD = "een-lang-test-wachtwoord"  # noqa: S105
_numbers = itertools.count(1)


def make_studio(*, name: str | None = None, slug: str | None = None, kind: str = Studio.Kind.BOTH) -> Studio:
    n = next(_numbers)
    return services.studio_create(
        name=name or f"Studio {n}", slug=slug or f"studio-{n}", kind=kind, city="Utrecht"
    )


def make_user(*, email: str | None = None, full_name: str = "", is_agency: bool = False) -> User:
    n = next(_numbers)
    user = User.objects.create_user(
        email or f"persoon{n}@example.nl", PASSWORD, full_name=full_name or f"Persoon {n}"
    )
    if is_agency:
        user.is_agency = True
        user.save(update_fields=["is_agency"])
    return user


def make_staff(studio: Studio, *, role: str = StaffMembership.Role.COACH, email: str | None = None) -> User:
    n = next(_numbers)
    membership = services.staff_add(
        studio=studio, email=email or f"{role}{n}@example.nl", role=role, full_name=f"{role.title()} {n}",
        password=PASSWORD,
    )  # fmt: skip
    return membership.user


@dataclass
class Cast:
    """The named people of every back-office test: two studios, and who works where."""

    studio: Studio
    other_studio: Studio
    owner: User
    coach: User
    outsider: User  # the owner of other_studio, with no role in studio
    agency: User


def make_cast() -> Cast:
    studio = make_studio(name="Kracht Utrecht", slug="kracht-utrecht")
    other = make_studio(name="Andere Studio", slug="andere-studio")
    return Cast(
        studio=studio,
        other_studio=other,
        owner=make_staff(studio, role=StaffMembership.Role.OWNER, email="sanne@kracht.nl"),
        coach=make_staff(studio, role=StaffMembership.Role.COACH, email="youssef@kracht.nl"),
        outsider=make_staff(other, role=StaffMembership.Role.OWNER, email="eigenaar@andere.nl"),
        agency=make_user(email="bureau@vollegym.nl", is_agency=True),
    )


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def assert_other_studio_gets_404(url: str, outsider: User, method: str = "get") -> None:
    """A person without a role in the URL's studio gets a 404, as if the studio did not exist."""
    response = getattr(client_for(outsider), method)(url)
    assert response.status_code == 404, f"{method.upper()} {url} gave {response.status_code} to an outsider"


def run_tasks() -> None:
    """Runs every task that is due now, as `vollegym worker` would, then returns."""
    from unittest import mock

    from django.core.management import call_command

    # The worker drops connections between tasks as a web request would; inside a test's transaction that
    # would throw the test's own data away, so in tests the connection stays.
    from vollegym.core.management.commands.worker import poll_queues

    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        while True:
            polled = poll_queues()
            call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
            if not polled and not poll_queues():
                break


def make_person(studio: Studio, *, name: str = "", email: str = "", phone: str = "") -> Person:
    """A person of the studio, as capture would make one (phone in E.164, e-mail in lower case)."""
    from vollegym.people.models import Person

    return Person.objects.create(
        studio=studio, name=name, email=email.lower(), phone=phone, phone_as_given=phone
    )


def make_lead(studio: Studio, *, name: str = "", email: str = "", phone: str = "", **fields: Any) -> Lead:
    """A lead with a person of its own, without capture's clock and messages."""
    from vollegym.leads.models import Lead

    fields.setdefault("source", "website")
    person = make_person(studio, name=name, email=email, phone=phone)
    return Lead.objects.create(studio=studio, person=person, **fields)


def make_member(studio: Studio, *, name: str = "", email: str = "", phone: str = "", **fields: Any) -> Member:
    """A member with a person of their own (a walk-in who never was a lead)."""
    from vollegym.programs.models import Member

    person = make_person(studio, name=name, email=email, phone=phone)
    return Member.objects.create(studio=studio, person=person, **fields)
