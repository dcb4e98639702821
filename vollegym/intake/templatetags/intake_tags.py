from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def chunks(items: Any, size: int) -> list[list[Any]]:
    """[a, b, c, d, e, f] | chunks:3 → [[a, b, c], [d, e, f]]: the availability grid's rows."""
    listed = list(items)
    return [listed[i : i + size] for i in range(0, len(listed), size)]
