"""Server-rendered SVG line charts in DSFR colours (no script, no inline style: strict CSP).

A chart is only a picture of a table that the page shows beside it (RGAA: the figures must
be readable without the chart), so the SVG is `aria-hidden` and carries no data of its own.
"""

import math
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

# Blue France, "glycine" purple, Marianne red, then the DSFR illustrative greens and browns.
COLOURS = ["#000091", "#e1000f", "#6a6af4", "#18753c", "#b34000", "#a558a0"]
WIDTH, PLOT_HEIGHT = 640, 190
LEFT, RIGHT, TOP = 48, 16, 16
# x labels are written at TILT degrees; an 11 px character is about CHAR_WIDTH wide.
TILT, CHAR_WIDTH = 35, 6.4


@dataclass
class Series:
    label: str
    values: list[float | None]
    colour: str = ""


@dataclass
class Chart:
    title: str
    x_labels: list[str]
    series: list[Series]
    unit: str = ""
    x_title: str = "Arrêté"
    short_title: str = ""  # a name for its spreadsheet tab (31 characters at most)
    bar: bool = False  # drawn as bars in the XLSX (categories that are not a time series)

    def __post_init__(self) -> None:
        for n, series in enumerate(self.series):
            series.colour = series.colour or COLOURS[n % len(COLOURS)]

    @property
    def rows(self) -> list[dict]:
        """The data table beside the chart: one row per x label."""
        return [
            {"label": label, "values": [series.values[n] for series in self.series]}
            for n, label in enumerate(self.x_labels)
        ]

    @property
    def svg(self) -> SafeString:
        return line_chart(self)


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if value <= step * 4:
            return step * 4
    return value


def _margins(labels: list[str]) -> tuple[float, float]:
    """Left and bottom margins that hold the longest tilted x label whole: it runs down and
    to the left of its tick, so the first one needs room on the left too."""
    length = CHAR_WIDTH * max((len(label) for label in labels), default=0)
    left = max(LEFT, length * math.cos(math.radians(TILT)) + 8)
    bottom = 16 + length * math.sin(math.radians(TILT)) + 12
    return round(left), round(bottom)


def line_chart(chart: Chart) -> SafeString:
    values = [v for series in chart.series for v in series.values if v is not None]
    top = _nice_max(max(values, default=0))
    left, bottom = _margins(chart.x_labels)
    height = TOP + PLOT_HEIGHT + bottom
    plot_w, plot_h = WIDTH - left - RIGHT, PLOT_HEIGHT
    count = len(chart.x_labels)

    def x(n: int) -> float:
        return left + (plot_w * n / (count - 1) if count > 1 else plot_w / 2)

    def y(value: float) -> float:
        return TOP + plot_h - plot_h * value / top

    grid = format_html_join(
        "",
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#dddddd"/>'
        '<text x="{}" y="{}" text-anchor="end" font-size="11" fill="#3a3a3a">{}</text>',
        (
            (
                left,
                y(top * k / 4),
                WIDTH - RIGHT,
                y(top * k / 4),
                left - 6,
                y(top * k / 4) + 4,
                _number(top * k / 4),
            )
            for k in range(5)
        ),
    )
    every = max(1, count // 8)
    ticks = format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="end" font-size="11" fill="#3a3a3a" '
        'transform="rotate(-{} {} {})">{}</text>',
        (
            (_f(x(n)), TOP + plot_h + 16, TILT, _f(x(n)), TOP + plot_h + 16, label)
            for n, label in enumerate(chart.x_labels)
            if n % every == 0 or n == count - 1
        ),
    )
    lines = []
    for series in chart.series:
        points = [(x(n), y(v)) for n, v in enumerate(series.values) if v is not None]
        path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
        lines.append(
            format_html(
                '<polyline points="{}" fill="none" stroke="{}" stroke-width="2.5"/>{}',
                path,
                series.colour,
                format_html_join(
                    "",
                    '<circle cx="{}" cy="{}" r="3" fill="{}"/>',
                    ((_f(px), _f(py), series.colour) for px, py in points),
                ),
            )
        )
    return format_html(
        '<svg class="relais-chart" viewBox="0 0 {} {}" role="img" aria-hidden="true" '
        'focusable="false" xmlns="http://www.w3.org/2000/svg">'
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#3a3a3a"/>{}{}{}</svg>',
        WIDTH,
        height,
        left,
        TOP + plot_h,
        WIDTH - RIGHT,
        TOP + plot_h,
        grid,
        ticks,
        SafeString("".join(lines)),
    )


def _f(value: float) -> str:
    """Coordinates as text: format_html escapes its arguments before any format spec."""
    return f"{value:.1f}"


def _number(value: float) -> str:
    return f"{value:.0f}" if value == int(value) else f"{value:.1f}".replace(".", ",")
