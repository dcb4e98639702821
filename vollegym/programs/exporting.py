"""The members list as plain rows, for its CSV download."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext as _

from vollegym.core.phones import display_phone
from vollegym.core.spreadsheet import Cell
from vollegym.programs.models import Member
from vollegym.programs.selectors import member_rows
from vollegym.studios.models import Studio

# Runs are read for this many members at a time (one query each), whatever the size of the list.
CHUNK = 500


def member_list_header() -> list[str]:
    """The columns of the members list's CSV, in the viewer's language."""
    return [
        _("Naam"), _("E-mail"), _("Telefoon"), _("Programma"), _("Coach"), _("Start"), _("Lid tot"),
        _("Prijs (euro)"), _("Eerste betaling ontvangen"),
    ]  # fmt: skip


def _euros(cents: int) -> str:
    """1295,00: a number a Dutch Excel reads as one (no euro sign, no thousands dot)."""
    return f"{cents // 100},{cents % 100:02d}"


def member_list_rows(studio: Studio, members: list[Member]) -> Iterator[list[Cell]]:
    for start in range(0, len(members), CHUNK):
        for row in member_rows(studio, members[start : start + CHUNK]):
            member, enrolment = row.member, row.enrolment
            yield [
                member.name, member.email,
                display_phone(member.phone) if member.phone else member.phone_as_given,
                enrolment.program.name if enrolment else "",
                member.coach.get_short_name() if member.coach else "",
                enrolment.starts_on if enrolment else None, row.until,
                _euros(enrolment.price_cents) if enrolment else "",
                enrolment.first_payment_paid_at if enrolment else None,
            ]  # fmt: skip
