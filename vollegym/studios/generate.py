"""Benchmark data of the studios app (`vollegym generate`): the generated studio's team and their logins."""

from __future__ import annotations

from vollegym.core.generator.run import Generation, login_email
from vollegym.studios.models import StaffMembership, User


def write(gen: Generation) -> None:
    """The owner and the coaches, each signing in with the generation's password (one hash for all: a hash per
    login would take longer than the whole history)."""
    plan, studio = gen.plan, gen.studio
    emails = [login_email(studio.slug, member.login) for member in plan.team]
    existing = {user.email: user for user in User.objects.filter(email__in=emails)}
    users = []
    for member, email in zip(plan.team, emails, strict=True):
        user = existing.get(email) or User(email=email, date_joined=studio.created_at)
        user.full_name, user.password, user.is_active = member.full_name, gen.password_hash, True
        users.append(user)
    gen.create(User, [user for user in users if user.pk is None])
    User.objects.bulk_update(
        [user for user in users if user.email in existing], ["full_name", "password", "is_active"]
    )
    gen.team = users
    gen.create(
        StaffMembership,
        (
            StaffMembership(studio=studio, user=user, role=member.role, created_at=studio.created_at)
            for member, user in zip(plan.team, users, strict=True)
        ),
    )
