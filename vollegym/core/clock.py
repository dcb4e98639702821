"""The one source of the current time, so tests can move it (time-machine) and code never asks the OS directly."""

from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo

from django.utils import dateformat, timezone, translation

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def now() -> datetime:
    """The current moment, aware, in UTC."""
    return timezone.now()


def local(moment: datetime, zone: tzinfo = AMSTERDAM) -> datetime:
    """A moment as it reads on a wall clock in the studio's zone (Europe/Amsterdam by default)."""
    return moment.astimezone(zone)


def spoken(moment: datetime, zone: tzinfo = AMSTERDAM, *, language: str = "nl") -> str:
    """A moment as a person says it: "dinsdag 24 november om 10:00" (in the zone's wall-clock time)."""
    with translation.override(language):
        if language == "nl":
            return dateformat.format(local(moment, zone), r"l j F \o\m H:i")
        return dateformat.format(local(moment, zone), r"l j F \a\t H:i")
