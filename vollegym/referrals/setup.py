"""A new studio from a template: the reward for bringing a friend, and after how many weeks it is earned."""

from __future__ import annotations

from vollegym.core.studiosetup import Setup, copy_of
from vollegym.referrals.models import ReferralSettings

STEP = 60


def copy(setup: Setup) -> None:
    settings = ReferralSettings.objects.for_studio(setup.source).first()
    if settings is not None:
        copy_of(settings, studio=setup.target).save()
