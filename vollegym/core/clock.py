"""The one source of the current time, so tests can move it (time-machine) and code never asks the OS directly."""

from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo

from django.utils import timezone

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def now() -> datetime:
    """The current moment, aware, in UTC."""
    return timezone.now()


def local(moment: datetime, zone: tzinfo = AMSTERDAM) -> datetime:
    """A moment as it reads on a wall clock in the studio's zone (Europe/Amsterdam by default)."""
    return moment.astimezone(zone)
