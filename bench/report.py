"""The rows of the results, their table, and after a full run: that table written into docs/performance.md, the run
appended to the history (bench/history.jsonl) and the history drawn as a chart (docs/performance-history.svg)."""

import json
from html import escape

from bench.environment import ROOT
from bench.scale import scale_lines

DOC = ROOT / "docs" / "performance.md"
HISTORY = ROOT / "bench" / "history.jsonl"
CHART = ROOT / "docs" / "performance-history.svg"
START, END = "<!-- results:start -->", "<!-- results:end -->"
HEADER = ["| | what | baseline | subject | ratio | goal | met |", "|---|---|---|---|---|---|---|"]

GOALS = {
    "P1": "query counts fixed from 10 to 1,000 rows; N+1 detected",
    "P2": "throughput ≥ 0.5×, p95 ≤ 2× (both viewers)",
    "P2b": "≤ 1.1×",
    "P3": "≤ 2×",
    "P4": "≤ 2×, statements fixed",
    "P5": "≤ 1.5×, index used",
    "P6": "≤ 1.2×",
    "P7": "≤ 1.3×, one success per credit",
    "P8": "≤ 20×",
    "P9": "≤ 2×",
    "P10": "≤ 3× per message, memory bounded",
    "P11": "throughput ≥ 0.5×, each once",
    "P12": "≤ 2×, statements fixed",
    "P13": "statements fixed, ≤ 100×",
}


# Each goal as a bound on the ratio, for the chart: ("max", 2) is "at most twice", ("min", 0.5) "at least half".
BOUNDS = {
    "P2": ("min", 0.5),
    "P2b": ("max", 1.1),
    "P3": ("max", 2),
    "P4": ("max", 2),
    "P5": ("max", 1.5),
    "P6": ("max", 1.2),
    "P7": ("max", 1.3),
    "P8": ("max", 20),
    "P9": ("max", 2),
    "P10": ("max", 3),
    "P11": ("min", 0.5),
    "P12": ("max", 2),
    "P13": ("max", 100),
}


def row(key, what, baseline, subject, ratio, goal_met, note="") -> dict:
    return {
        "id": key,
        "what": what,
        "baseline": baseline,
        "subject": subject,
        "ratio": None if ratio is None else round(ratio, 2),
        "goal": GOALS[key],
        "met": goal_met,
        "note": note,
    }


def in_order(rows: list[dict]) -> list[dict]:
    """The rows in the order of their numbers, whatever order they were measured in."""
    order = {key: n for n, key in enumerate(GOALS)}
    return sorted(rows, key=lambda r: order[r["id"]])


def table_lines(results: dict) -> list[str]:
    lines = []
    for r in results["rows"]:
        ratio = "–" if r["ratio"] is None else f"{r['ratio']:.2f}×"
        what = r["what"] + (f" ({r['note']})" if r["note"] else "")
        lines.append(
            f"| {r['id']} | {what} | {r['baseline']} | {r['subject']} | {ratio} | {r['goal']} | "
            f"{'yes' if r['met'] else 'NO'} |"
        )
    return lines


def table(results: dict) -> str:
    return "\n".join(HEADER + table_lines(results))


def write_performance_doc(results: dict) -> None:
    """The results table of a full-scale run, between the two marker lines of docs/performance.md."""
    data = results["data"]
    block = "\n".join(
        [
            START,
            f"Measured {results['when']} on {results['machine']['cores']} cores "
            f"(Python {results['machine']['python']}): "
            f"{data['accounts']:,} accounts, {data['cases']:,} cases ({data['base_cases']:,} in the baseline "
            f"database), about {data['ledger']:,} ledger rows, {data['events']:,} events. "
            f"Seed {results['seed_seconds']:.0f} s (0: reused), whole run {results['total_seconds']:.0f} s.",
            "",
            *HEADER,
            "| P1 | query counts per request at 10 and 1,000 rows, automatic N+1 detection | see `tests/perf/` | | | "
            "fixed counts | see `tests/perf/` |",
            *table_lines(results),
            *scale_lines(results),
            END,
        ]
    )
    history = read_history()
    CHART.write_text(history_chart(history))
    block = "\n".join(
        [
            block.removesuffix(END),
            "",
            *history_table(history),
            "",
            "![The ratios of every run, each against its goal](performance-history.svg)",
            END,
        ]
    )
    text = DOC.read_text() if DOC.exists() else f"# Performance\n\n{START}\n{END}\n"
    before, rest = text.split(START, 1)
    after = rest.split(END, 1)[1]
    DOC.write_text(before + block + after)


# --- The history -------------------------------------------------------------------------------------------------


def append_history(results: dict) -> None:
    """One line per full run: when, the data sizes, and each row's ratio, goal and whether it was met."""
    line = {
        "when": results["when"],
        "cores": results["machine"]["cores"],
        "data": results["data"],
        "rows": {r["id"]: {"ratio": r["ratio"], "goal": r["goal"], "met": r["met"]} for r in results["rows"]},
    }
    with HISTORY.open("a", encoding="utf-8") as history:
        history.write(json.dumps(line, ensure_ascii=False) + "\n")


def read_history() -> list[dict]:
    if not HISTORY.exists():
        return []
    return [json.loads(line) for line in HISTORY.read_text(encoding="utf-8").splitlines() if line.strip()]


def history_table(history: list[dict]) -> list[str]:
    """The last runs, newest first: each row's ratio, marked when its goal was missed."""
    keys = [key for key in GOALS if key != "P1" and any(key in run["rows"] for run in history)]
    lines = ["| run | " + " | ".join(keys) + " |", "|---|" + "---|" * len(keys)]
    for run in reversed(history[-10:]):
        cells = []
        for key in keys:
            found = run["rows"].get(key)
            if found is None or found["ratio"] is None:
                cells.append("–")
            else:
                cells.append(f"{found['ratio']:.2f}×" + ("" if found["met"] else " (missed)"))
        lines.append(f"| {run['when'][:10]} | " + " | ".join(cells) + " |")
    return lines


def history_chart(history: list[dict]) -> str:
    """Small multiples: one panel per row, its ratio run after run, the goal as a dashed line (SVG, no script)."""
    keys = [key for key in BOUNDS if any(key in run["rows"] for run in history)]
    width, height, columns = 220, 120, 5
    rows_of_panels = max(1, -(-len(keys) // columns))
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{columns * width}" height="{rows_of_panels * height + 30}" '
        f'role="img" aria-labelledby="chart-title" font-family="sans-serif" font-size="11">',
        '<title id="chart-title">Benchmark ratios run after run, each panel with its goal as a dashed line</title>',
        f'<text x="6" y="16" font-size="13">Ratio against the baseline, {len(history)} full run(s); '
        "dashed: the goal (green points met it, red missed it)</text>",
    ]
    for n, key in enumerate(keys):
        left, top = (n % columns) * width, 30 + (n // columns) * height
        _, bound = BOUNDS[key]
        points = [(i, run["rows"][key]) for i, run in enumerate(history) if run["rows"].get(key, {}).get("ratio")]
        values = [found["ratio"] for _, found in points] + [bound]
        low, high = 0.0, max(values) * 1.15
        plot_left, plot_top, plot_width, plot_height = left + 34, top + 18, width - 48, height - 44

        def x(i, plot_left=plot_left, plot_width=plot_width):
            return plot_left + (plot_width * i / max(1, len(history) - 1) if len(history) > 1 else plot_width / 2)

        def y(value, plot_top=plot_top, plot_height=plot_height, low=low, high=high):
            return plot_top + plot_height - plot_height * (value - low) / (high - low)

        out.append(f'<text x="{left + 6}" y="{top + 12}" font-weight="bold">{escape(key)}: {escape(GOALS[key])}</text>')
        out.append(
            f'<line x1="{plot_left}" y1="{plot_top + plot_height}" x2="{plot_left + plot_width}" '
            f'y2="{plot_top + plot_height}" stroke="#6b7280"/>'
        )
        out.append(
            f'<line x1="{plot_left}" y1="{plot_top}" x2="{plot_left}" y2="{plot_top + plot_height}" stroke="#6b7280"/>'
        )
        for tick in (0, high / 2, high):
            out.append(f'<text x="{plot_left - 4}" y="{y(tick) + 4:.1f}" text-anchor="end">{tick:.1f}</text>')
        out.append(
            f'<line x1="{plot_left}" y1="{y(bound):.1f}" x2="{plot_left + plot_width}" y2="{y(bound):.1f}" '
            'stroke="#1d4ed8" stroke-dasharray="4 3"/>'
        )
        if len(points) > 1:
            path = " ".join(f"{x(i):.1f},{y(found['ratio']):.1f}" for i, found in points)
            out.append(f'<polyline points="{path}" fill="none" stroke="#374151"/>')
        for i, found in points:
            colour = "#166534" if found["met"] else "#b91c1c"
            out.append(
                f'<circle cx="{x(i):.1f}" cy="{y(found["ratio"]):.1f}" r="3" fill="{colour}">'
                f"<title>{escape(history[i]['when'][:10])}: {found['ratio']:.2f}×</title></circle>"
            )
        if history:
            out.append(f'<text x="{plot_left}" y="{top + height - 8}">{escape(history[0]["when"][:10])}</text>')
            out.append(
                f'<text x="{plot_left + plot_width}" y="{top + height - 8}" text-anchor="end">'
                f"{escape(history[-1]['when'][:10])}</text>"
            )
    out.append("</svg>")
    return "\n".join(out) + "\n"
