"""A new studio from a template: the programs on sale, each at the template's price of today (a price history of
its own starts here), and what a studio without a program on sale misses."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from vollegym.core.studiosetup import Missing, Setup, copy_of
from vollegym.programs.models import Program
from vollegym.programs.selectors import price_in_force
from vollegym.programs.services import program_create
from vollegym.studios.models import Studio

STEP = 10  # first: the intake's offers, the classes and the playbooks point at programs


def copy(setup: Setup) -> None:
    made: dict[int, Program] = {}
    for program in Program.objects.for_studio(setup.source).filter(is_active=True).order_by("position", "id"):
        price = price_in_force(program)
        if price is None:
            continue  # a program without a price in force is not on sale: nothing to offer the new studio
        made[program.pk] = program_create(
            studio=setup.target, program=copy_of(program), price_cents=price.amount_cents, by=setup.by
        )
    setup.made["programs"] = made


def missing(studio: Studio) -> list[Missing]:
    if Program.objects.for_studio(studio).filter(is_active=True).exists():
        return []
    return [
        Missing(_("Minstens één programma met een prijs"), reverse("programs:programs", args=[studio.slug]))
    ]
