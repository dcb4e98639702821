"""Run by every worker every minute (see `vollegym worker`): keeps the coming weeks' sessions on the agenda."""

from __future__ import annotations

import time

from vollegym.schedule.models import ClassTemplate
from vollegym.schedule.services import sessions_generate
from vollegym.studios.models import Studio

EVERY_SECONDS = 3600  # sessions are made weeks ahead; once an hour per worker is plenty
_last_run = 0.0


def run() -> None:
    global _last_run
    if time.monotonic() - _last_run < EVERY_SECONDS and _last_run:
        return
    _last_run = time.monotonic()
    studio_ids = set(ClassTemplate.all_studios.filter(is_active=True).values_list("studio_id", flat=True))
    for studio in Studio.objects.filter(pk__in=studio_ids, is_active=True):
        sessions_generate(studio=studio)
