"""A bar chart of an outcome's results, laid out here and drawn as SVG by finder/_chart.html.

One horizontal bar per group (and per row, when an outcome has several), starting
at zero, so negative changes point left; a line across each bar shows its
dispersion (± the spread, or the interval) when the record gives it as numbers.
Each group's name and value are written above its bar, so the chart reads without
a legend. Coordinates are in the SVG's own units; the page scales it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from django.utils.text import Truncator
from django.utils.translation import gettext as _g

from trials.results import OutcomeResult

WIDTH = 360
MARGIN = 6
LINE = 16  # a line of text
BAR = 14
GAP = 10
MAX_BARS = 40  # more would not read as a chart; the table above has every value
LABEL_CHARS = 34


@dataclass(frozen=True)
class Bar:
    label: str
    label_y: float
    y: float
    x: float
    width: float
    error: tuple[float, float] | None  # x of the ends of the dispersion line

    @property
    def middle(self) -> float:
        return self.y + BAR / 2

    @property
    def caps(self) -> tuple[float, float]:
        """Top and bottom of the short lines that end a dispersion line."""
        return self.y + 2, self.y + BAR - 2


@dataclass(frozen=True)
class Heading:
    text: str
    y: float


@dataclass(frozen=True)
class Tick:
    x: float
    text: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: float
    headings: list[Heading]
    bars: list[Bar]
    zero_x: float
    axis_y: float
    ticks: list[Tick]
    unit: str
    left_out: int  # rows not drawn (beyond MAX_BARS)
    caption: str = ""

    @property
    def tick_y(self) -> float:
        return self.axis_y + LINE + 2

    @property
    def tick_mark_y(self) -> float:
        return self.axis_y + 4

    @property
    def bar_height(self) -> int:
        return BAR


def _nice_step(span: float) -> float:
    raw = span / 4
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)


def _ticks(low: float, high: float) -> list[float]:
    step = _nice_step(high - low)
    start = math.floor(low / step) * step
    ticks, value = [], start
    while value <= high + step / 2 and len(ticks) < 8:
        ticks.append(round(value, 10))
        value += step
    return ticks


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.6g}"


def _short(value) -> str:
    """The value with its dispersion in numbers only ('12.3 ± 4.5', '20 (49%)'): the
    chart's caption says the unit, and the table above says it all in words."""
    if value.number is None:
        return value.text
    said = value.value
    if value.of is not None and value.percent is not None:
        said += f" ({round(value.percent)}%)"
    if value.lower or value.upper:
        said += f" ({value.lower or '?'} – {value.upper or '?'})"
    elif value.spread:
        said += f" ± {value.spread}"
    return said


def bar_chart(outcome: OutcomeResult) -> Chart | None:
    """The chart of an outcome whose values are numbers, or None when none is."""
    entries = []  # (row label, group title, value)
    for row in outcome.rows:
        for group, value in zip(outcome.groups, row.values, strict=True):
            entries.append((row.label, group.title, value))
    drawn = entries[:MAX_BARS]
    numbers = [v.number for _, _, v in drawn if v.number is not None]
    if not numbers:
        return None
    ends = [x for _, _, v in drawn if v.number is not None for x in (v.interval or ())]
    low, high = min([0.0, *numbers, *ends]), max([0.0, *numbers, *ends])
    if low == high:
        high = 1.0
    ticks = _ticks(low, high)
    low, high = min(low, ticks[0]), max(high, ticks[-1])
    inner = WIDTH - 2 * MARGIN

    def x_of(value: float) -> float:
        return round(MARGIN + (value - low) / (high - low) * inner, 1)

    zero = x_of(0.0)
    headings, bars, y = [], [], MARGIN
    current_row = None
    for row_label, title, value in drawn:
        if row_label and row_label != current_row:
            headings.append(Heading(Truncator(row_label).chars(LABEL_CHARS + 8), y + LINE - 4))
            y += LINE + 2
        current_row = row_label
        label = f"{Truncator(title).chars(LABEL_CHARS)}: {_short(value)}"
        label_y = y + LINE - 4
        y += LINE
        if value.number is None:
            bars.append(Bar(label, label_y, y, zero, 0, None))
        else:
            x = x_of(value.number)
            interval = value.interval
            error = (x_of(interval[0]), x_of(interval[1])) if interval else None
            bars.append(Bar(label, label_y, y, min(x, zero), abs(x - zero), error))
        y += BAR + GAP
    axis_y = y
    tick_marks = [Tick(x_of(t), _number(t)) for t in ticks]
    chart = Chart(
        width=WIDTH,
        height=axis_y + LINE + 2 + MARGIN,
        headings=headings,
        bars=bars,
        zero_x=zero,
        axis_y=axis_y,
        ticks=tick_marks,
        unit=outcome.unit,
        left_out=len(entries) - len(drawn),
    )
    return replace(chart, caption=_caption(outcome, chart))


def _caption(outcome: OutcomeResult, chart: Chart) -> str:
    """What the bars and lines show, in words."""
    what = outcome.param_label or _g("value")
    said = _g("Each bar is one group's %(what)s, from zero.") % {"what": what}
    if any(bar.error for bar in chart.bars):
        said += " " + _g("The line across a bar shows its %(spread)s.") % {
            "spread": outcome.dispersion_label or _g("spread")
        }
    if chart.left_out:
        said += " " + _g("The chart shows the first %(n)s values; the table has them all.") % {
            "n": len(chart.bars)
        }
    return said
