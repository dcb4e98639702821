"""Writes of playbooks: a program's first 30 days and a studio's lead sequences, each change a published version."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from vollegym.programs.models import Program
from vollegym.retention.defaults import default_sequence, default_touchpoints
from vollegym.retention.models import Playbook, PlaybookVersion, Sequence, Touchpoint
from vollegym.retention.selectors import versions_current
from vollegym.studios.models import Studio, User

EDITABLE = ("day", "at", "kind", "title", "text", "condition", "template")
MIN_QUIET, MAX_QUIET = 1, 24  # months (the database holds the same bounds)


class PlaybookError(ValueError):
    """A playbook change that cannot be made; the message says why (in Dutch)."""


def playbook_for(program: Program) -> Playbook:
    """The program's playbook; the default for its format (PT or small group), in Dutch, when it has none yet."""
    found = Playbook.objects.for_studio(program.studio_id).filter(program=program).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            playbook = Playbook.objects.create(studio_id=program.studio_id, program=program)
            _publish(playbook, default_touchpoints(program.format), by=None)
            return playbook
    except IntegrityError:  # installed by another request a moment ago
        return Playbook.objects.for_studio(program.studio_id).get(program=program)


def playbook_for_sequence(studio: Studio | int, sequence: str) -> Playbook:
    """One of the studio's lead sequences; our Dutch default for it when the studio has none yet."""
    if sequence not in Sequence.values:
        raise ValueError(f"unknown sequence {sequence!r}")
    studio_id = studio if isinstance(studio, int) else studio.pk
    found = Playbook.objects.for_studio(studio_id).filter(sequence=sequence).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            playbook = Playbook.objects.create(studio_id=studio_id, sequence=sequence)
            _publish(playbook, default_sequence(sequence), by=None)
            return playbook
    except IntegrityError:  # installed by another request or worker a moment ago
        return Playbook.objects.for_studio(studio_id).get(sequence=sequence)


def _rows(version: PlaybookVersion) -> list[dict[str, Any]]:
    return [
        {name: getattr(t, name) for name in EDITABLE} | {"id": t.pk}
        for t in Touchpoint.objects.for_studio(version.studio_id).filter(version=version)
    ]


def _publish(playbook: Playbook, rows: list[dict[str, Any]], *, by: User | None) -> PlaybookVersion:
    """Stores the rows as the playbook's next version; each is checked, and the errors keep the row's fields."""
    number = (
        PlaybookVersion.objects.for_studio(playbook.studio_id)
        .filter(playbook=playbook)
        .aggregate(n=Max("number"))["n"]
        or 0
    ) + 1
    version = PlaybookVersion.objects.create(
        studio_id=playbook.studio_id, playbook=playbook, number=number, created_by=by
    )
    ordered = sorted(enumerate(rows), key=lambda pair: (pair[1]["day"], pair[0]))
    for position, (_index, row) in enumerate(ordered):
        touchpoint = Touchpoint(
            studio_id=playbook.studio_id, version=version, position=position,
            **{name: row.get(name, "") for name in EDITABLE if name in row},
        )  # fmt: skip
        touchpoint.full_clean()
        touchpoint.save()
    return version


@transaction.atomic
def playbook_change(
    *,
    playbook: Playbook | None = None,
    program: Program | None = None,
    by: User,
    add: dict[str, Any] | None = None,
    change: tuple[int, dict[str, Any]] | None = None,
    remove: int | None = None,
    move: tuple[int, int] | None = None,
) -> PlaybookVersion:
    """Publishes the playbook's next version with one change (add, change, remove or move a touchpoint).

    Members and leads who started already keep the version they started with. A touchpoint from an older version
    (a page open while someone else changed the playbook) is refused rather than guessed at.
    """
    if playbook is None:
        if program is None:
            raise ValueError("a playbook or a program")
        playbook = playbook_for(program)
    playbook = Playbook.objects.for_studio(playbook.studio_id).select_for_update().get(pk=playbook.pk)
    rows = _rows(versions_current(playbook))
    ids = [row["id"] for row in rows]
    target = change[0] if change else remove if remove is not None else move[0] if move else None
    if add is None and target not in ids:
        raise PlaybookError(
            _("Het playbook is intussen gewijzigd. Bekijk de nieuwe versie en probeer het opnieuw.")
        )
    if add is not None:
        rows.append(add)
    elif change is not None:
        rows[ids.index(change[0])].update(change[1])
    elif remove is not None:
        del rows[ids.index(remove)]
    elif move is not None:
        here = ids.index(move[0])
        there = here + move[1]
        # Reordering is within a day: across days the day itself says the order.
        if not 0 <= there < len(rows) or rows[there]["day"] != rows[here]["day"]:
            raise PlaybookError(_("Alleen contactmomenten op dezelfde dag kun je van volgorde wisselen."))
        rows[here], rows[there] = rows[there], rows[here]
    return _publish(playbook, rows, by=by)


@transaction.atomic
def playbook_quiet_months_set(*, studio: Studio, months: int) -> Playbook:
    """Sets after how many months without a sign of life a lead gets the one check-in (1 to 24)."""
    if not MIN_QUIET <= months <= MAX_QUIET:
        raise PlaybookError(_("Kies 1 tot en met 24 maanden."))
    playbook = (
        Playbook.objects.for_studio(studio)
        .select_for_update()
        .get(pk=playbook_for_sequence(studio, Sequence.GONE_QUIET).pk)
    )
    playbook.quiet_months = months
    playbook.save(update_fields=["quiet_months"])
    return playbook


@transaction.atomic
def playbook_copy(*, source: Playbook, studio: Studio, program: Program | None, by: User | None) -> Playbook:
    """A new studio's playbook as version 1 of the template's current one: the same touchpoints, days and texts."""
    playbook = Playbook.objects.create(
        studio=studio, program=program, sequence=source.sequence, quiet_months=source.quiet_months
    )
    _publish(playbook, _rows(versions_current(source)), by=by)
    return playbook
