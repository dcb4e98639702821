"""The reports' charts: pygal's SVG as a data: image (no script in it), the page's palette, Dutch numbers on the axes,
negative bars in the danger colour, and a range's whisker."""

from __future__ import annotations

import base64

from vollegym.analytics import charts
from vollegym.analytics.bootstrap import Band
from vollegym.analytics.money_tables import _euros


def svg_of(image: charts.ChartImage) -> str:
    prefix = "data:image/svg+xml;base64,"
    assert image.src.startswith(prefix)
    svg = base64.b64decode(image.src.removeprefix(prefix)).decode()
    assert svg.startswith("<svg") and "<script" not in svg and 'href="http' not in svg
    return svg


def test_a_survival_curve_is_drawn_as_steps_with_percent_labels() -> None:
    svg = svg_of(charts.step_chart([1.0, 0.9, 0.75, 0.6]))
    assert ">75%<" in svg and ">100%<" in svg
    assert charts.BRAND_2 in svg and charts.MUTED in svg


def test_bars_write_euros_the_dutch_way_and_a_loss_hangs_in_red() -> None:
    svg = svg_of(
        charts.bar_chart([("jan", "januari 2026", 1_250_000.0), ("feb", "februari 2026", -300_000.0)], _euros)
    )
    assert "€\u00a012.500" in svg or "€\u00a010.000" in svg
    assert charts.DANGER in svg
    only_gains = svg_of(charts.bar_chart([("jan", "januari 2026", 1_250_000.0)], _euros))
    assert charts.DANGER not in only_gains


def test_three_years_of_months_get_six_month_labels_though_the_names_repeat() -> None:
    names = ["dec", "jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov"]
    months = [(names[n % 12], f"maand {n}", 100.0 * n) for n in range(37)]
    svg = svg_of(charts.bar_chart(months, _euros))
    shown = [name for name in names if f">{name}</text>" in svg]
    assert shown == ["dec", "feb", "apr", "jul", "sep", "nov"]
    assert sum(svg.count(f">{name}</text>") for name in names) == 6


def test_lines_get_a_legend_and_their_own_dashes() -> None:
    svg = svg_of(
        charts.line_chart([("Zo doorgaan", [1.0, 2.0, 3.0]), ("Retentie +20%", [1.0, 2.5, 4.0])], str)
    )
    assert "Zo doorgaan" in svg and "Retentie +20%" in svg
    assert "stroke-dasharray:6,5" in svg.replace(" ", "")


def test_a_range_gets_a_whisker_and_its_rows_their_labels() -> None:
    svg = svg_of(charts.range_chart([("Retentie +20%", 500_000.0, Band(200_000.0, 800_000.0)),
                                     ("Prijs +10%", -100_000.0, None)], _euros))  # fmt: skip
    assert "Retentie +20%" in svg and "Prijs +10%" in svg
    assert 'class="ci"' in svg or "ci" in svg
    assert charts.DANGER in svg


def test_a_chart_is_drawn_once_for_the_same_values_and_again_when_they_change(monkeypatch) -> None:
    from django.utils import translation

    drawn: list[object] = []
    render = charts._image

    def counted(chart: object) -> charts.ChartImage:
        drawn.append(chart)
        return render(chart)

    monkeypatch.setattr(charts, "_image", counted)
    values = [("jan", "januari 2031", 1_250_000.0), ("feb", "februari 2031", 1_300_000.0)]
    first = charts.bar_chart(values, _euros)
    assert charts.bar_chart(list(values), _euros) is first and len(drawn) == 1
    changed = charts.bar_chart([*values[:1], ("feb", "februari 2031", 1_300_001.0)], _euros)
    assert changed is not first and len(drawn) == 2
    with translation.override("en"):
        charts.bar_chart(values, _euros)  # the axis may speak another language
    assert len(drawn) == 3
