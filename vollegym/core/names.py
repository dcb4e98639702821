"""How the system addresses a person: by first name, as a Dutch studio would."""

from __future__ import annotations


def first_name(full_name: str, fallback: str = "daar") -> str:
    """ "Eva de Boer" → "Eva"; no name → the fallback ("Hoi daar")."""
    return (full_name.split() or [fallback])[0]
