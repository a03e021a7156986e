"""The repository-volume chart of the review report, laid out as numbers for a server-drawn SVG. Pure Python.

Bars are grouped by file type; within a group, one bar per quarter, oldest palest. The biggest file types (by
their latest volume) get a group each; the rest are added up as "other types".
"""

from dataclasses import dataclass, field

TOP_TYPES = 6
MAX_QUARTERS = 8
PLOT_HEIGHT = 200
TOP = 16
LEFT = 76
BAR = 18
BAR_GAP = 4
GROUP_GAP = 28
LABEL_SPACE = 44
UNITS = ["KB", "MB", "GB", "TB", "PB"]


def format_bytes(size: int) -> str:
    """Bytes as people read them: 512 bytes, 1.4 MB, 23 GB (units of 1,024)."""
    if size < 1024:
        return f"{size} byte{'s' if size != 1 else ''}"
    value = float(size)
    for unit in UNITS:
        value /= 1024
        if value < 1024 or unit == UNITS[-1]:
            return f"{value:.1f} {unit}" if value < 10 else f"{value:.0f} {unit}"
    raise AssertionError("unreachable")  # pragma: no cover


@dataclass
class Bar:
    x: int
    y: int
    width: int
    height: int
    opacity: float
    title: str


@dataclass
class Group:
    label: str
    x: int  # centre, for the label
    bars: list[Bar] = field(default_factory=list)


@dataclass
class Tick:
    y: int
    label: str


@dataclass
class LegendEntry:
    label: str
    x: int
    opacity: float


@dataclass
class VolumeChart:
    width: int
    height: int
    baseline: int
    groups: list[Group]
    ticks: list[Tick]
    legend: list[LegendEntry]
    legend_y: int
    summary: str = ""  # the text alternative: what the bars show, in a sentence

    @property
    def empty(self) -> bool:
        return not self.groups


def top_types(volumes: dict[str, list[int]], *, keep: int = TOP_TYPES) -> dict[str, list[int]]:
    """The ``keep`` biggest types by their latest volume (then by the largest), the rest added up."""
    ranked = sorted(volumes, key=lambda t: (-volumes[t][-1], -max(volumes[t]), t))
    if len(ranked) <= keep + 1:  # "other types" standing for a single type would hide its name
        return {name: volumes[name] for name in ranked}
    kept = {name: volumes[name] for name in ranked[:keep]}
    rest = [volumes[name] for name in ranked[keep:]]
    kept["other types"] = [sum(column) for column in zip(*rest, strict=True)]
    return kept


def volume_chart(quarters: list[str], volumes: dict[str, list[int]]) -> VolumeChart:
    """Lay out grouped bars: ``volumes`` maps a file-type label to its bytes per quarter, in ``quarters`` order."""
    quarters = quarters[-MAX_QUARTERS:]
    volumes = {name: values[-MAX_QUARTERS:] for name, values in volumes.items()}
    shown = top_types(volumes) if volumes else {}
    largest = max((v for values in shown.values() for v in values), default=0)
    count = len(quarters)
    group_width = count * BAR + max(count - 1, 0) * BAR_GAP
    opacities = [round(0.35 + 0.65 * (i / (count - 1)), 2) if count > 1 else 1.0 for i in range(count)]
    baseline = TOP + PLOT_HEIGHT
    groups = []
    for index, (name, values) in enumerate(shown.items()):
        left = LEFT + GROUP_GAP // 2 + index * (group_width + GROUP_GAP)
        group = Group(label=name, x=left + group_width // 2)
        for position, (quarter, size) in enumerate(zip(quarters, values, strict=True)):
            height = round(PLOT_HEIGHT * size / largest) if largest else 0
            if size and not height:
                height = 1  # a sliver, so a small type is still visible
            group.bars.append(
                Bar(
                    x=left + position * (BAR + BAR_GAP),
                    y=baseline - height,
                    width=BAR,
                    height=height,
                    opacity=opacities[position],
                    title=f"{name}, {quarter}: {format_bytes(size)}",
                )
            )
        groups.append(group)
    width = LEFT + len(groups) * (group_width + GROUP_GAP) + 8
    ticks = [
        Tick(y=baseline - round(PLOT_HEIGHT * share), label=format_bytes(round(largest * share)))
        for share in ((0, 0.5, 1) if largest else ())
    ]
    legend_y = baseline + LABEL_SPACE
    legend = [LegendEntry(label=quarter, x=LEFT + i * 96, opacity=opacities[i]) for i, quarter in enumerate(quarters)]
    width = max(width, LEFT + count * 96 + 8, 320)
    summary = ""
    if shown and quarters:
        biggest = next(iter(shown))
        summary = (
            f"{len(shown)} file type{'s' * (len(shown) != 1)} over {count} quarter{'s' * (count != 1)}, "
            f"{quarters[0]} to {quarters[-1]}; the largest in {quarters[-1]} is {biggest} with "
            f"{format_bytes(shown[biggest][-1])}."
        )
    return VolumeChart(
        summary=summary,
        width=width,
        height=legend_y + 24,
        baseline=baseline,
        groups=groups,
        ticks=ticks,
        legend=legend,
        legend_y=legend_y,
    )
