"""Writing plans into the database: one transaction per studio, in which each app's `generate.py` writes its part.

Rows go in with `bulk_create` in batches, with the moments of the plan (history is written as it happened); no
service runs per row and nothing goes through the outbox, so no message is sent to anyone. An app's `write(gen)`
reads the plan and the ids the apps before it wrote (`gen.ids`), and adds its own.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from django.db import models, transaction

from vollegym.core import clock
from vollegym.core.appmodules import app_modules
from vollegym.core.generator.history import plan_studio
from vollegym.core.generator.plan import StudioPlan
from vollegym.core.generator.spec import StudioSpec
from vollegym.studios.models import StaffMembership, Studio, User
from vollegym.studios.services import studio_create

M = TypeVar("M", bound=models.Model)
BATCH = 2000
EMAIL_DOMAIN = "example.nl"


def login_email(slug: str, login: str) -> str:
    """A generated studio's team signs in as eigenaar@<slug>.example.nl, coach@<slug>.example.nl, ..."""
    return f"{login}@{slug}.{EMAIL_DOMAIN}"


@dataclass
class Generation:
    """One studio being written: its plan, its team's users, and the ids of the rows each app wrote, by kind and in
    the plan's order (`ids["lead"][n]` is the id of `plan.leads[n]`)."""

    studio: Studio
    plan: StudioPlan
    password_hash: str
    team: list[User] = field(default_factory=list)
    ids: dict[str, list[int]] = field(default_factory=dict)
    rows: Counter[str] = field(default_factory=Counter)

    def create(self, model: type[M], objects: Iterable[M]) -> list[M]:
        """Inserts the rows in batches; on both databases they come back with their ids."""
        made = model._default_manager.bulk_create(list(objects), batch_size=BATCH)
        self.rows[model._meta.label] += len(made)
        return made

    def keep(self, kind: str, objects: Sequence[models.Model]) -> None:
        self.ids[kind] = [obj.pk for obj in objects]

    def user(self, index: int | None) -> User | None:
        return None if index is None else self.team[index]


@dataclass(frozen=True)
class Made:
    slug: str
    name: str
    rows: Counter[str]
    seconds: float
    plan: StudioPlan


def studio_generate(
    spec: StudioSpec, *, seed: int, years: int, password_hash: str, now: datetime | None = None
) -> tuple[Generation, float]:
    """Plans one studio and writes it, all or nothing; returns what was written and how long it took."""
    started = time.monotonic()
    plan = plan_studio(spec, seed=seed, now=now or clock.now(), years=years)
    with transaction.atomic():
        studio = studio_create(
            name=spec.name, slug=spec.slug, kind=spec.kind, street="Stationsstraat 1", postal_code="3511 AA",
            city=spec.city, email=login_email(spec.slug, "info"), phone="+31301234567",
        )  # fmt: skip
        opened = min(p.created_at for p in plan.programs.values())
        Studio.objects.filter(pk=studio.pk).update(created_at=opened)
        gen = Generation(studio=studio, plan=plan, password_hash=password_hash)
        for module in app_modules("generate"):
            module.write(gen)
    return gen, time.monotonic() - started


def numbered_studios(prefix: str) -> list[Studio]:
    """Every studio whose slug is <prefix>-<number>, generated or not."""
    pattern = re.compile(rf"^{re.escape(prefix)}-\d+$")
    return [s for s in Studio.objects.filter(slug__startswith=f"{prefix}-") if pattern.match(s.slug)]


def is_generated(studio: Studio) -> bool:
    """Made by `vollegym generate`: its owner signs in as eigenaar@<slug>.example.nl. Only these are replaced."""
    return (
        StaffMembership.objects.for_studio(studio)
        .filter(user__email=login_email(studio.slug, "eigenaar"))
        .exists()
    )


def generated_studios(prefix: str) -> list[Studio]:
    return [studio for studio in numbered_studios(prefix) if is_generated(studio)]


def studios_remove(studios: list[Studio]) -> None:
    """Deletes generated studios with everything in them, and their team's logins."""
    for studio in studios:
        with transaction.atomic():
            slug = studio.slug
            # Rows that keep others from going (PROTECT) go first: each app's `clear(studio)`, where it has one.
            for module in reversed(list(app_modules("generate"))):
                if hasattr(module, "clear"):
                    module.clear(studio)
            studio.delete()
            User.objects.filter(email__endswith=f"@{slug}.{EMAIL_DOMAIN}").delete()


def agency_login(prefix: str, password_hash: str) -> str:
    """An agency login that sees every studio (the portfolio), made or brought back with the given password."""
    email = login_email(prefix, "bureau")
    user = User.objects.filter(email=email).first() or User(email=email, full_name="Bureau (generated)")
    user.password, user.is_agency, user.is_active = password_hash, True, True
    user.save()
    return email


def progress(out: Callable[[str], None]) -> Callable[[Made], None]:
    def show(made: Made) -> None:
        plan = made.plan
        out(
            f"{made.slug} {made.name}: {len(plan.leads):,} leads, {len(plan.members):,} members, "
            f"{len(plan.runs):,} enrolments, {sum(len(s.mats) for s in plan.sessions):,} mats; "
            f"{sum(made.rows.values()):,} rows in {made.seconds:.1f} s"
        )

    return show
