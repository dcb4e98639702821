"""Writes about studios and their teams."""

from __future__ import annotations

from django.db import transaction

from vollegym.studios.models import StaffMembership, Studio, User


@transaction.atomic
def studio_create(
    *,
    name: str,
    slug: str,
    kind: str = Studio.Kind.BOTH,
    street: str = "",
    postal_code: str = "",
    city: str = "",
    email: str = "",
    phone: str = "",
) -> Studio:
    """Creates a studio; its slug is unique across all studios."""
    studio = Studio(
        name=name,
        slug=slug,
        kind=kind,
        street=street,
        postal_code=postal_code,
        city=city,
        email=email,
        phone=phone,
    )
    studio.full_clean()
    studio.save()
    return studio


@transaction.atomic
def staff_add(
    *,
    studio: Studio,
    email: str,
    role: str = StaffMembership.Role.COACH,
    full_name: str = "",
    password: str | None = None,
) -> StaffMembership:
    """Gives a person a role in a studio; one role per person per studio (a second call changes it)."""
    email = User.objects.normalize_email(email).lower()
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, password, full_name=full_name)
    elif password:
        user.set_password(password)
        user.save(update_fields=["password"])
    membership = StaffMembership.objects.for_studio(studio).filter(user=user).first()
    if membership is None:
        membership = StaffMembership(studio=studio, user=user, role=role)
    membership.role = role
    membership.full_clean(validate_unique=False)
    membership.save()
    return membership


@transaction.atomic
def staff_remove(*, studio: Studio, membership_id: int) -> None:
    """Takes a person's role in a studio away; the last owner cannot be removed."""
    team = StaffMembership.objects.for_studio(studio)
    membership = team.get(pk=membership_id)
    owners = team.filter(role=StaffMembership.Role.OWNER).count()
    if membership.role == StaffMembership.Role.OWNER and owners <= 1:
        raise LastOwnerError
    membership.delete()


class LastOwnerError(Exception):
    """A studio keeps at least one owner."""
