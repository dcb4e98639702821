"""The one source of the current time, so tests can move it (time-machine) and code never asks the OS directly."""

from datetime import UTC, date, datetime, time, tzinfo
from zoneinfo import ZoneInfo

from django.utils import dateformat, timezone, translation
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _

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


def wall_time(day: date, at: time, zone: tzinfo = AMSTERDAM) -> datetime | None:
    """The moment a wall clock in `zone` shows `at` on `day`, in UTC; None when the clocks skip that time.

    Of a time that happens twice (the night the clocks go back) it is the first.
    """
    local_moment = datetime.combine(day, at, tzinfo=zone)  # fold=0
    moment = local_moment.astimezone(UTC)
    if moment.astimezone(zone).replace(tzinfo=None) != local_moment.replace(tzinfo=None):
        return None
    return moment


# Monday (0) to Sunday (6), as the interface names them.
WEEKDAY_NAMES = [
    _("maandag"),
    _("dinsdag"),
    _("woensdag"),
    _("donderdag"),
    _("vrijdag"),
    _("zaterdag"),
    _("zondag"),
]


def today(zone: tzinfo = AMSTERDAM) -> date:
    """The date on a wall calendar in `zone` right now."""
    return local(now(), zone).date()


def parse_day(value: str | None) -> date | None:
    """A date typed in a form or an address; a typo, 30 February or a year far off is simply no date."""
    try:
        found = parse_date(value or "")
    except ValueError:
        return None
    return found if found is not None and date(2000, 1, 1) <= found <= date(2100, 1, 1) else None
