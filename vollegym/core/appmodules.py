"""Our apps' optional modules by name (`demo`, `sweeps`): found through INSTALLED_APPS, so core imports no app."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from types import ModuleType

from django.apps import apps


def app_modules(name: str) -> Iterator[ModuleType]:
    """`vollegym.<app>.<name>` of every app of ours that has one, in INSTALLED_APPS order."""
    for config in apps.get_app_configs():
        if not config.name.startswith("vollegym."):
            continue
        try:
            yield importlib.import_module(f"{config.name}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.{name}":
                raise
