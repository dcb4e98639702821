"""Reads about studios and who may see them."""

from __future__ import annotations

import math
import threading
import time

from django.conf import settings
from django.db.models import QuerySet
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from vollegym.studios.models import StaffMembership, Studio, StudioPhoto, User

AGENCY = "agency"
SITE_OWNER_SLUG = "volle-gym"  # the agency's own tenant: its details are the Volle Gym site's


def active_studio(slug: str) -> Studio | None:
    """The studio a URL names, if it exists and is active; public doors and the back office alike."""
    return Studio.objects.filter(slug=slug, is_active=True).first()


def studio_photos(studio: Studio) -> QuerySet[StudioPhoto]:
    """The studio's photos in the order they are shown: the first is the large one."""
    return StudioPhoto.objects.for_studio(studio).order_by("position", "id")


class _SiteOwnerMemo:
    """The Volle Gym site's own details, read at most every few seconds per process: the site's pages come from a
    cache and need no database otherwise. A change shows within `seconds` in every process (at once in this one)."""

    seconds = 10.0

    def __init__(self) -> None:
        self._read_at = -math.inf
        self._owner: Studio | None = None
        self._lock = threading.Lock()

    def get(self) -> Studio | None:
        with self._lock:
            now = time.monotonic()
            if now - self._read_at >= self.seconds:
                self._owner = Studio.objects.filter(slug=SITE_OWNER_SLUG, is_active=True).first()
                self._read_at = now
            return self._owner

    def forget(self) -> None:
        with self._lock:
            self._read_at = -math.inf


site_owner_memo = _SiteOwnerMemo()


def site_owner() -> Studio | None:
    """The agency's own tenant, whose name, address and KvK number the Volle Gym site shows; None without one."""
    return site_owner_memo.get()


def studios_for_user(user: User) -> QuerySet[Studio]:
    """The studios a user may open: all of them for the agency, else those with a role."""
    if user.is_agency:
        return Studio.objects.filter(is_active=True)
    # Crosses studios on purpose: one person's roles, wherever they are.
    studio_ids = StaffMembership.all_studios.filter(user=user).values("studio_id")
    return Studio.objects.filter(is_active=True, pk__in=studio_ids)


def role_in_studio(user: User, studio: Studio) -> str | None:
    """The user's role in the studio (`owner`, `coach`, or `agency`), None when they have none."""
    if not user.is_authenticated or not user.is_active:
        return None
    if user.is_agency:
        return AGENCY
    return StaffMembership.objects.for_studio(studio).filter(user=user).values_list("role", flat=True).first()


def team_of(studio: Studio) -> QuerySet[StaffMembership]:
    return StaffMembership.objects.for_studio(studio).select_related("user").order_by("role", "user__email")


def team_user(studio: Studio, user_id: int | str) -> User | None:
    """A coach or owner of this studio who can still sign in, by user id; None for anyone else."""
    try:
        pk = int(user_id)
    except (TypeError, ValueError):
        return None
    membership = (
        StaffMembership.objects.for_studio(studio)
        .filter(user_id=pk, user__is_active=True)
        .select_related("user")
        .first()
    )
    return membership.user if membership else None


def team_choices(studio: Studio) -> list[tuple[str, str]]:
    """The team as choices of a form: (user id, first name)."""
    return [(str(m.user_id), m.user.get_short_name()) for m in team_of(studio).filter(user__is_active=True)]


def two_factor_required(user: User) -> bool:
    """Whether the user must sign in with a second factor: the installation or one of their studios says so.

    The agency opens every studio, so a studio that requires it requires it of the agency too.
    """
    if settings.REQUIRE_TWO_FACTOR:
        return True
    return studios_for_user(user).filter(require_2fa=True).exists()


def has_two_factor(user: User) -> bool:
    """Whether the user has a confirmed authenticator app."""
    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())


def backup_codes_left(user: User) -> int:
    return int(StaticToken.objects.filter(device__user=user, device__confirmed=True).count())


def two_factor_users(users: list[User]) -> set[int]:
    """Of these users, the ids of those with a confirmed authenticator app (one query for a whole team)."""
    return set(TOTPDevice.objects.filter(user__in=users, confirmed=True).values_list("user_id", flat=True))
