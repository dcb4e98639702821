"""A small line chart drawn on the server as SVG geometry: the template draws it with classes, no inline style.

Coordinates are strings with a decimal point, made here, so a Dutch locale never writes "12,5" into an attribute.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.formats import date_format, number_format

from vollegym.progress.units import plain

WIDTH, HEIGHT = 320, 168
LEFT, RIGHT, TOP, BOTTOM = 44, 14, 12, 26


@dataclass(frozen=True)
class Dot:
    x: str
    y: str
    day: date
    value: Decimal
    moment: str


@dataclass(frozen=True)
class Tick:
    at: str  # y for the value axis, x for the date axis
    label: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    dots: list[Dot]
    path: str
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    target_y: str | None
    left: int = LEFT
    right: int = WIDTH - RIGHT
    bottom: int = HEIGHT - BOTTOM


def _f(value: float) -> str:
    return f"{value:.1f}"


def line_chart(values: list[tuple[date, Decimal, str]], target: Decimal | None = None) -> Chart:
    """Values by day (oldest first) against a time axis, with the target as a dashed line when there is one."""
    numbers = [float(v) for _d, v, _m in values] + ([float(target)] if target is not None else [])
    low, high = min(numbers), max(numbers)
    pad = (high - low) * 0.12 or max(abs(high) * 0.05, 1.0)
    low, high = low - pad, high + pad
    first, last = values[0][0], values[-1][0]
    span = (last - first).days
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x_of(day: date) -> float:
        return LEFT + (inner_w * (day - first).days / span if span else inner_w / 2)

    def y_of(value: float) -> float:
        return TOP + inner_h * (high - value) / (high - low)

    dots = [Dot(_f(x_of(d)), _f(y_of(float(v))), d, plain(v), m) for d, v, m in values]
    path = " ".join(f"{'M' if n == 0 else 'L'}{dot.x} {dot.y}" for n, dot in enumerate(dots))
    y_ticks: list[Tick] = []
    for value in (high - pad, (high + low) / 2, low + pad):
        label = number_format(round(Decimal(value), 1 if high - low < 10 else 0))
        if all(t.label != label for t in y_ticks):  # one value only: one tick, not three alike
            y_ticks.append(Tick(_f(y_of(value)), label))
    x_ticks = [Tick(_f(x_of(first)), date_format(first, "j M"))]
    if span:
        x_ticks.append(Tick(_f(x_of(last)), date_format(last, "j M")))
    return Chart(
        width=WIDTH, height=HEIGHT, dots=dots, path=path, y_ticks=y_ticks, x_ticks=x_ticks,
        target_y=_f(y_of(float(target))) if target is not None else None,
    )  # fmt: skip
