"""A new studio from a template: the template's playbooks of the first 30 days (for the programs copied) and its
lead sequences, each as version 1 of the template's current version."""

from __future__ import annotations

from vollegym.core.studiosetup import Setup
from vollegym.retention.models import Playbook
from vollegym.retention.playbooks import playbook_copy

STEP = 50  # after the programs


def copy(setup: Setup) -> None:
    for playbook in Playbook.objects.for_studio(setup.source).order_by("id"):
        if playbook.program_id is not None:
            program = setup.mapped("programs", playbook.program_id)
            if program is None:
                continue  # its program was not copied (not on sale)
            playbook_copy(source=playbook, studio=setup.target, program=program, by=setup.by)
        elif playbook.sequence:
            playbook_copy(source=playbook, studio=setup.target, program=None, by=setup.by)
