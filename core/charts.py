"""Small server-drawn SVG charts laid out as numbers: pure Python, no Django. A template
(``templates/includes/charts/``) draws them with their axes, labels and a text alternative, and shows the same
numbers as a table beside the chart.

- ``step_chart``: a value that changes in steps over time (the credit balance), with a cap line.
- ``bar_chart``: one bar per label (a share per month), on a fixed scale (0-100 %).
"""

import datetime as dt
from dataclasses import dataclass, field

LEFT, RIGHT, TOP, BOTTOM = 44, 16, 16, 36


@dataclass(frozen=True)
class Tick:
    position: int  # x for the horizontal axis, y for the vertical one
    label: str


@dataclass(frozen=True)
class Bar:
    x: int
    y: int
    width: int
    height: int
    label: str
    value_label: str
    title: str

    @property
    def center(self) -> int:
        return self.x + self.width // 2


@dataclass
class Chart:
    width: int
    height: int
    title: str
    summary: str  # the text alternative: what the chart shows, in a sentence or two
    baseline: int
    x_ticks: list[Tick] = field(default_factory=list)
    y_ticks: list[Tick] = field(default_factory=list)
    points: str = ""  # a step line's polyline
    cap: Tick | None = None  # a horizontal limit line and its label
    bars: list[Bar] = field(default_factory=list)
    y_label: str = ""
    rows: list[tuple[str, ...]] = field(default_factory=list)  # the numbers, as the table beside the chart
    heads: tuple[str, ...] = ()  # the table's column heads

    @property
    def left(self) -> int:
        return LEFT

    @property
    def right(self) -> int:
        return self.width - RIGHT


def step_chart(
    steps: list[tuple[dt.datetime, int]],
    *,
    cap: int | None,
    title: str,
    y_label: str,
    start: dt.datetime,
    end: dt.datetime,
    width: int = 640,
    height: int = 200,
) -> Chart:
    """A line that holds each value until the next step, from ``start`` to ``end`` (time on the horizontal axis),
    with whole-number ticks from 0 to the larger of the cap and the highest value."""
    top = max([cap or 0, *(value for _, value in steps), 1])
    plot_w, plot_h = width - LEFT - RIGHT, height - TOP - BOTTOM
    span = max((end - start).total_seconds(), 1.0)

    def x(moment: dt.datetime) -> int:
        return round(LEFT + plot_w * min(max((moment - start).total_seconds() / span, 0.0), 1.0))

    def y(value: int) -> int:
        return round(TOP + plot_h * (1 - value / top))

    path, value = [], 0
    for moment, new in steps:
        path += [f"{x(moment)},{y(value)}", f"{x(moment)},{y(new)}"]
        value = new
    path.append(f"{x(end)},{y(value)}")
    every = 1 if top <= 5 else max(1, round(top / 4))
    chart = Chart(
        width=width,
        height=height,
        title=title,
        summary="",
        baseline=y(0),
        points=" ".join(path),
        y_label=y_label,
        y_ticks=[Tick(y(v), str(v)) for v in range(0, top + 1, every)],
        cap=Tick(y(cap), f"bank limit {cap}") if cap else None,
    )
    chart.x_ticks = _month_ticks(start, end, x, plot_w)
    return chart


def _month_ticks(start: dt.datetime, end: dt.datetime, x, plot_w: int) -> list[Tick]:
    """First days of months between ``start`` and ``end``, thinned so their labels never collide."""
    months = []
    day = dt.date(start.year, start.month, 1)
    while True:
        day = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
        moment = dt.datetime.combine(day, dt.time(0), tzinfo=start.tzinfo)
        if moment > end:
            break
        months.append(moment)
    room = max(1, plot_w // 56)  # a label is about 56 units wide
    stride = max(1, -(-len(months) // room))
    return [Tick(x(m), m.strftime("%b %Y")) for m in months[::stride]]


def bar_chart(
    values: list[tuple[str, float | None, str]],
    *,
    title: str,
    y_label: str,
    width: int | None = None,
    height: int = 220,
    top: float = 100.0,
    unit: str = " %",
) -> Chart:
    """One bar per (label, value, detail); a value of None draws no bar (nothing to measure)."""
    slot = 64
    width = width or max(LEFT + RIGHT + slot * len(values), 240)
    plot_h = height - TOP - BOTTOM
    baseline = TOP + plot_h
    bars = []
    for index, (label, value, detail) in enumerate(values):
        bar_h = round(plot_h * (value or 0) / top)
        left = LEFT + index * slot + 12
        shown = "–" if value is None else f"{value:g}{unit}"
        bars.append(Bar(left, baseline - bar_h, slot - 24, bar_h, label, shown, f"{label}: {shown} ({detail})"))
    ticks = [Tick(round(baseline - plot_h * share), f"{top * share:g}{unit}") for share in (0, 0.5, 1)]
    return Chart(
        width=width,
        height=height,
        title=title,
        summary="",
        baseline=baseline,
        y_ticks=ticks,
        bars=bars,
        y_label=y_label,
    )
