"""Setting up a new studio from a template studio: each app copies its own part in its `setup.py` module
(`copy(setup)`, in the order of the module's `STEP`), and says what the new studio still misses (`missing(studio)`).

The agency's page calls these through `studio_setup_modules()`, so no app imports another to be copied, and an app
that gains something worth copying adds it in its own module. What is copied is the studio's way of working
(questionnaire, programs and prices, classes, texts, playbooks, settings); never people, leads, members, messages,
secrets or anything a person gave.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from django.db import models
from django.utils.functional import Promise

from vollegym.core.appmodules import app_modules

# Never copied from a template row: who it belongs to, when it was made, and whatever is a secret of the template.
NOT_COPIED = frozenset({"id", "studio", "created_at", "updated_at", "created_by", "webhook_secret", "token"})


@dataclass
class Setup:
    """One copy from a template studio to a new one; apps note here what they made, for the apps after them."""

    source: Any  # Studio (core does not import studios' models)
    target: Any
    by: Any = None
    made: dict[str, dict[int, Any]] = field(default_factory=dict)  # "programs": {template id: new row}

    def mapped(self, kind: str, old_id: int | None) -> Any:
        """The new row made for a template row (None when there is none: it was not copied)."""
        if old_id is None:
            return None
        return self.made.get(kind, {}).get(old_id)


@dataclass(frozen=True)
class Missing:
    """One thing a new studio still needs before it runs on its own, and where it is done."""

    label: str | Promise
    url: str
    who: str = "owner"  # "owner" or "agency": who usually does it


def copy_of(row: models.Model, *, exclude: Iterable[str] = (), **changes: Any) -> Any:
    """An unsaved copy of a row's own fields (no primary key, no studio, no timestamps, no secrets), with changes."""
    skip = NOT_COPIED | set(exclude)
    values = {
        f.attname: getattr(row, f.attname)
        for f in row._meta.concrete_fields
        if f.name not in skip and not f.primary_key and f.attname not in skip
    }
    for name in changes:  # a relation given anew replaces the template's id for it
        relation = next((f for f in row._meta.concrete_fields if f.name == name), None)
        if relation is not None:
            values.pop(relation.attname, None)
    values.update(changes)
    return type(row)(**values)


def studio_setup_modules() -> list[ModuleType]:
    """Every app's `setup` module, in the order their copies must run (programs before what points at them)."""
    return sorted(app_modules("setup"), key=lambda module: getattr(module, "STEP", 100))
