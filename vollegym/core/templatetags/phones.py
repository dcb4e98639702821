from __future__ import annotations

from django import template

from vollegym.core.phones import display_phone, normalise_phone

register = template.Library()


@register.filter
def phone(value: str | None) -> str:
    """{{ person.phone|phone }} → "06 12345678" or "030 234 5678"; foreign numbers in international form."""
    return display_phone(value) if value else ""


@register.filter
def tel(value: str | None) -> str:
    """<a href="tel:{{ studio.phone|tel }}">: the number as +31302345678 however it was typed (as typed if invalid)."""
    return (normalise_phone(value).e164 or value) if value else ""
