"""The reports' charts as SVG geometry made on the server; the templates draw them with classes (no inline style).

Why not pygal (PRODUCT.md's example): every chart it renders carries an inline <style> and <script> in the SVG
(pygal 3.1.3, also with css=[] and js=[]), which the site's Content-Security-Policy (no 'unsafe-inline') blocks
and logs as errors, and its text is sized for a desktop canvas. The shapes needed here (a step curve, bars, and the
growth simulator's lines and ranges) are a few lines of arithmetic, drawn like the progress charts; each chart
sits beside the table it shows.

Coordinates are strings with a decimal point, made here, so a Dutch locale never writes "12,5" into an attribute.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from vollegym.analytics.bootstrap import Band

WIDTH, HEIGHT = 320, 180
LEFT, RIGHT, TOP, BOTTOM = 40, 10, 12, 26
BARS_LEFT = 62  # room for "€ 20.000"


def _f(value: float) -> str:
    return f"{value:.1f}"


@dataclass(frozen=True)
class Tick:
    at: str
    label: str


@dataclass(frozen=True)
class Bar:
    x: str
    y: str
    width: str
    height: str
    label: str  # what the bar is (a month), for its tooltip
    value: str  # its value as shown
    negative: bool = False


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    path: str = ""
    bars: tuple[Bar, ...] = ()
    baseline: str = ""
    left: int = LEFT
    right: int = WIDTH - RIGHT


def _x_ticks(
    count: int, x_of: Callable[[int], float], label: Callable[[int], str], most: int = 7
) -> list[Tick]:
    every = max(1, math.ceil(count / most))
    return [Tick(_f(x_of(i)), label(i)) for i in range(0, count, every)]


def step_chart(points: list[float], *, x_label: str = "{n}") -> Chart:
    """A survival curve: points[m] is the share (0–1) still there after m months, drawn as steps."""
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    span = max(len(points) - 1, 1)

    def x_of(m: float) -> float:
        return LEFT + inner_w * m / span

    def y_of(share: float) -> float:
        return TOP + inner_h * (1 - share)

    path = f"M{_f(x_of(0))} {_f(y_of(points[0] if points else 1.0))}"
    for m, share in enumerate(points[1:], start=1):
        path += f" H{_f(x_of(m))} V{_f(y_of(share))}"
    y_ticks = [Tick(_f(y_of(share)), f"{round(share * 100)}%") for share in (1.0, 0.75, 0.5, 0.25, 0.0)]
    x_ticks = _x_ticks(len(points), x_of, lambda m: x_label.format(n=m))
    return Chart(WIDTH, HEIGHT, y_ticks, x_ticks, path=path)


def _nice(value: float) -> float:
    """A round number at or above `value` for the top of an axis: 1, 2, 2.5 or 5 times a power of ten."""
    if value <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 2.5, 5, 10) if step * power >= value)


def bar_chart(values: list[tuple[str, str, float]], shown: Callable[[float], str]) -> Chart:
    """One bar per (tick label, full label, value); negative values hang below the baseline. `shown(value)` is the
    value as the page writes it (for the axis and the bars' tooltips)."""
    inner_w, inner_h = WIDTH - BARS_LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    high = _nice(max((v for _t, _l, v in values), default=0.0))
    low = -_nice(-min(v for _t, _l, v in values)) if values and min(v for _t, _l, v in values) < 0 else 0.0
    slot = inner_w / max(len(values), 1)

    def y_of(value: float) -> float:
        return TOP + inner_h * (high - value) / (high - low)

    bars = []
    for i, (_tick, label, value) in enumerate(values):
        top, bottom = y_of(max(value, 0.0)), y_of(min(value, 0.0))
        bars.append(
            Bar(
                _f(BARS_LEFT + slot * i + slot * 0.15),
                _f(top),
                _f(slot * 0.7),
                _f(max(bottom - top, 0.0)),
                label,
                shown(value),
                value < 0,
            )
        )
    ticks = [high, 0.0] + ([low] if low else [high / 2])
    y_ticks = [Tick(_f(y_of(v)), shown(v)) for v in ticks]
    x_ticks = _x_ticks(len(values), lambda i: BARS_LEFT + slot * i + slot / 2, lambda i: values[i][0])
    return Chart(WIDTH, HEIGHT, y_ticks, x_ticks, bars=tuple(bars), baseline=_f(y_of(0.0)), left=BARS_LEFT)


# ---- the growth simulator: a line per scenario, and each scenario's gain with its range ------------------------


@dataclass(frozen=True)
class Line:
    path: str
    label: str
    number: int  # which of the series' looks (chart__series--N)


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    lines: tuple[Line, ...]
    left: int = BARS_LEFT
    right: int = WIDTH - RIGHT


def _steps(low: float, high: float) -> tuple[float, float, float]:
    """A round step for about four gridlines, and the axis' bottom and top on it."""
    step = _nice(max(high - low, abs(high) * 0.02, 1.0) / 4)
    return step, math.floor(low / step) * step, math.ceil(high / step) * step


def line_chart(series: list[tuple[str, list[float]]], shown: Callable[[float], str]) -> LineChart:
    """One line per (label, value per month from month 1); the axis spans the values (not from zero: the lines are
    compared with each other, and their table gives the numbers)."""
    inner_w, inner_h = WIDTH - BARS_LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    values = [v for _label, points in series for v in points] or [0.0]
    step, low, high = _steps(min(values), max(values))
    months = max((len(points) for _label, points in series), default=1)

    def x_of(month: float) -> float:
        return BARS_LEFT + inner_w * (month - 1) / max(months - 1, 1)

    def y_of(value: float) -> float:
        return TOP + inner_h * (high - value) / ((high - low) or 1.0)

    lines = tuple(
        Line(
            "M" + " L".join(f"{_f(x_of(m))} {_f(y_of(v))}" for m, v in enumerate(points, start=1)),
            label,
            number,
        )
        for number, (label, points) in enumerate(series, start=1)
    )
    count = round((high - low) / step)
    y_ticks = [Tick(_f(y_of(low + i * step)), shown(low + i * step)) for i in range(count + 1)]
    marks = [1, *range(6, months + 1, 6)]
    x_ticks = [Tick(_f(x_of(m)), str(m)) for m in marks]
    return LineChart(WIDTH, HEIGHT, y_ticks, x_ticks, lines)


@dataclass(frozen=True)
class RangeBar:
    label: str
    y: str  # the bar's top
    text_y: str  # its label's middle, and the range's line
    cap_top: str  # the range's end marks
    cap_bottom: str
    x: str
    width: str
    low: str  # the range's ends, as x
    high: str
    value: str  # as shown
    band: str  # the range as shown
    negative: bool


@dataclass(frozen=True)
class RangeChart:
    width: int
    height: int
    x_ticks: list[Tick]
    bars: tuple[RangeBar, ...]
    zero: str
    left: int
    right: int
    bar_height: str
    top: int
    bottom: int


RANGE_LEFT, RANGE_RIGHT, ROW = 100, 30, 30  # room for "Retentie +20%", and for half of "€ 60.000"


def range_chart(rows: list[tuple[str, float, Band | None]], shown: Callable[[float], str]) -> RangeChart:
    """Horizontal bars of (label, value, its range or None): each bar from zero to its value, a thin
    line over the band."""
    height = TOP + ROW * len(rows) + BOTTOM
    ends = [0.0] + [v for _l, value, band in rows for v in (value, *((band.low, band.high) if band else ()))]
    step, low, high = _steps(min(ends), max(ends))
    inner_w = WIDTH - RANGE_LEFT - RANGE_RIGHT

    def x_of(value: float) -> float:
        return RANGE_LEFT + inner_w * (value - low) / ((high - low) or 1.0)

    bars = []
    for i, (label, value, band) in enumerate(rows):
        top = TOP + ROW * i + 6
        start, end = sorted((x_of(0.0), x_of(value)))
        bars.append(
            RangeBar(
                label=label, y=_f(top), text_y=_f(top + (ROW - 12) / 2), cap_top=_f(top + 2),
                cap_bottom=_f(top + ROW - 14), x=_f(start), width=_f(end - start),
                low=_f(x_of(band.low if band else value)), high=_f(x_of(band.high if band else value)),
                value=shown(value), band=f"{shown(band.low)} – {shown(band.high)}" if band else "",
                negative=value < 0,
            )
        )  # fmt: skip
    count = round((high - low) / step)
    every = max(
        1, math.ceil((count + 1) / 3)
    )  # "€ 40.000" is wide: three labels fit a phone, zero among them
    values = [low + i * step for i in range(count + 1)]
    ticks = [Tick(_f(x_of(v)), shown(v)) for v in values if round(v / step) % every == 0]
    return RangeChart(
        WIDTH, height, ticks, tuple(bars), _f(x_of(0.0)), RANGE_LEFT, WIDTH - RANGE_RIGHT, _f(ROW - 12),
        TOP, height - BOTTOM,
    )  # fmt: skip
