"""The reports' charts, drawn by pygal on the server and shown as an image.

pygal writes its look into the SVG as a <style> (and a <script> unless js=[]); inlined in the page the site's
Content-Security-Policy (no 'unsafe-inline') would refuse both. As the `src` of an <img> (a data: URI) the SVG is a
document of its own: its <style> applies and no script ever runs, so the policy only has to allow `data:` images. The
image carries a short alt; the table beside every chart is the full text for screen readers.

Colours are the stylesheet's (vollegym.css :root): an image cannot read the page's CSS variables.
"""

from __future__ import annotations

import base64
import functools
import math
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

import pygal
from django.utils.translation import get_language
from pygal.style import Style

from vollegym.analytics.bootstrap import Band

INK, MUTED, LINE, CARD = "#14201b", "#4b5a53", "#e3e1d8", "#ffffff"
BRAND_2, DANGER = "#155a43", "#a4221a"
# One look per scenario line: colour and dashes, so the lines differ without colour too.
SERIES = (
    (MUTED, "6,5"),
    (BRAND_2, ""),
    ("#b45309", ""),
    ("#1d4ed8", "2,4"),
    ("#7e22ce", "9,4"),
    (INK, ""),
)

# A phone shows the image about 350 px wide, a desktop at most 30rem (.chart-image): 17 px text on 420 reads as 14 to
# 21 px.
WIDTH, HEIGHT = 420, 280
FONT = 17
LINE_WIDTH = 3.5


@dataclass(frozen=True)
class ChartImage:
    src: str  # data:image/svg+xml;base64,…
    width: int
    height: int


def _style(colors: tuple[str, ...], stroke_width: float) -> Style:
    return Style(
        background=CARD,
        plot_background=CARD,
        foreground=MUTED,
        foreground_strong=INK,
        foreground_subtle=LINE,
        colors=colors,
        opacity="1",
        opacity_hover="1",
        stroke_width=str(
            stroke_width
        ),  # pygal's paths take it from here: a series' stroke_style sets only dashes
        stroke_opacity="1",
        stroke_width_hover=str(stroke_width),
        stroke_opacity_hover="1",
        font_family='system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif',
        label_font_size=FONT,
        major_label_font_size=FONT,
        legend_font_size=FONT,
        value_font_size=FONT,
        tooltip_font_size=FONT,
        title_font_size=FONT,
    )


def _options(
    height: int = HEIGHT, colors: tuple[str, ...] = (BRAND_2,), stroke_width: float = 1, **more: Any
) -> dict[str, Any]:
    return {
        "style": _style(colors, stroke_width),
        "width": WIDTH,
        "height": height,
        "js": [],  # no script: an image runs none anyway, and nothing is fetched
        "disable_xml_declaration": True,
        "show_legend": False,
        "margin": 8,
        "spacing": 6,
        "truncate_label": -1,
        "truncate_legend": -1,
        "show_x_guides": False,
        "show_y_guides": True,
        "no_data_text": "",
        **more,
    }


def _without_scripts(root: Any) -> Any:
    """pygal always writes its settings as a <script> for its tooltips; an image runs none, so it is only weight."""
    for parent in list(root.iter()):
        for child in list(parent):
            if child.tag == "script":
                parent.remove(child)
    return root


def _image(chart: Any) -> ChartImage:
    chart.add_xml_filter(_without_scripts)
    svg: str = chart.render(is_unicode=True)
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return ChartImage(f"data:image/svg+xml;base64,{data}", chart.config.width, chart.config.height)


def _frozen(value: Any) -> Any:
    """The arguments of a chart as a key: lists become tuples, dicts sorted tuples."""
    if isinstance(value, list | tuple):
        return tuple(_frozen(item) for item in value)
    if isinstance(value, dict):
        return tuple(sorted((key, _frozen(item)) for key, item in value.items()))
    return value


Chart = TypeVar("Chart", bound=Callable[..., ChartImage])
KEPT = 64  # charts a process keeps: a few pages of a few dozen studios


def _kept(draw: Chart) -> Chart:
    """A chart is a function of its values, labels and language alone, and pygal takes tens of milliseconds to
    draw one: each process keeps the last ones it drew and draws a chart again only when what it shows changes."""
    drawn: OrderedDict[Any, ChartImage] = OrderedDict()
    lock = threading.Lock()

    @functools.wraps(draw)
    def kept(*args: Any) -> ChartImage:
        key = (_frozen(args), get_language())
        with lock:
            if key in drawn:
                drawn.move_to_end(key)
                return drawn[key]
        image = draw(*args)
        with lock:
            drawn[key] = image
            while len(drawn) > KEPT:
                drawn.popitem(last=False)
        return image

    return cast(Chart, kept)


def _every(count: int, most: int) -> int:
    return max(1, math.ceil(count / most))


@_kept
def step_chart(points: list[float]) -> ChartImage:
    """A survival curve: points[m] is the share (0–1) still there after m months, drawn as steps."""
    steps: list[tuple[float, float]] = [(0.0, points[0] if points else 1.0)]
    for month, share in enumerate(points[1:], start=1):
        steps += [(float(month), steps[-1][1]), (float(month), share)]
    last = max(len(points) - 1, 1)
    every = _every(last, 6)
    chart = pygal.XY(
        **_options(
            range=(0, 1),
            xrange=(0, last),
            show_dots=False,
            stroke_width=LINE_WIDTH,
            value_formatter=lambda share: f"{round(share * 100)}%",
            x_value_formatter=lambda month: f"{month:.0f}",
            y_labels=[0.0, 0.25, 0.5, 0.75, 1.0],
            x_labels=list(range(0, last + 1, every)),
        )
    )
    chart.add("", steps)
    return _image(chart)


@_kept
def bar_chart(values: list[tuple[str, str, float]], shown: Callable[[float], str]) -> ChartImage:
    """One bar per (tick label, full label, value); negative values hang below zero in the danger colour.
    `shown(value)` writes a value as the page does (the axis labels)."""
    every = _every(len(values), 6)
    chart = pygal.Bar(
        **_options(
            value_formatter=shown,
            # Only every so many ticks keeps its text: pygal shows every tick equal to a shown one, and month names
            # repeat over more than a year.
            x_labels=[tick if n % every == 0 else "" for n, (tick, _label, _value) in enumerate(values)],
            x_labels_major_every=every,
            show_minor_x_labels=False,
            min_scale=3,
            max_scale=5,
        )
    )
    chart.add(
        "",
        [
            {"value": value, "label": label, **({"color": DANGER} if value < 0 else {})}
            for _tick, label, value in values
        ],
    )
    return _image(chart)


@_kept
def line_chart(series: list[tuple[str, list[float]]], shown: Callable[[float], str]) -> ChartImage:
    """One line per (label, value per month from month 1), with a legend under the chart; the axis spans the values
    (not from zero: the lines are compared with each other, and their table gives the numbers)."""
    months = max((len(points) for _label, points in series), default=1)
    looks = [SERIES[i % len(SERIES)] for i in range(len(series))]
    rows = math.ceil(len(series) / 2)
    chart = pygal.Line(
        **_options(
            height=HEIGHT + 30 * rows,
            colors=tuple(colour for colour, _dash in looks),
            value_formatter=shown,
            x_labels=[str(m) for m in range(1, months + 1)],
            x_labels_major=["1", *(str(m) for m in range(6, months + 1, 6))],
            show_minor_x_labels=False,
            show_dots=False,
            stroke_width=LINE_WIDTH,
            show_legend=True,
            legend_at_bottom=True,
            legend_at_bottom_columns=2,
            min_scale=3,
            max_scale=5,
        )
    )
    for (label, points), (_colour, dash) in zip(series, looks, strict=True):
        chart.add(label, points, stroke_style={"dasharray": dash, "linejoin": "round"})
    return _image(chart)


@_kept
def range_chart(rows: list[tuple[str, float, Band | None]], shown: Callable[[float], str]) -> ChartImage:
    """Horizontal bars of (label, value, its range or None): each bar from zero to its value, a whisker over the
    range. The first row on top (pygal counts from the bottom)."""
    rows = rows[::-1]
    chart = pygal.HorizontalBar(
        **_options(
            height=60 + 44 * len(rows),
            value_formatter=shown,
            x_labels=[label for label, _value, _band in rows],
            min_scale=3,
            max_scale=4,
            ci_colors=(INK,),
        )
    )
    chart.add(
        "",
        [
            {
                "value": value,
                **({"color": DANGER} if value < 0 else {}),
                **({"ci": {"low": band.low, "high": band.high}} if band else {}),
            }
            for _label, value, band in rows
        ],
    )
    return _image(chart)
