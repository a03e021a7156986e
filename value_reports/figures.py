"""The value report's arithmetic, with no Django in it: summaries of response times, the headline figures of a
quarter and their comparison with the quarter before. Fed with plain numbers by ``value_reports.gather``."""

import datetime as dt
import json
import statistics
from collections.abc import Iterable

# The headline figures compared quarter on quarter, in the order the report shows them, with whether more is better.
HEADLINES = [
    ("events_used", "Maintenance events held", True),
    ("credits_forfeited", "Event credits forfeited", False),
    ("banked_at_end", "Event credits banked at the quarter's end", True),
    ("cases_opened", "Cases opened", None),
    ("sla_met_percent", "SLA targets met on time (%)", True),
    ("previews_held", "Release previews held", True),
    ("findings", "Review findings", None),
    ("recommendations_done", "Recommendations done", True),
    ("absence_days_covered", "Days a TAM was away and covered", None),
]


class FiguresEncoder(json.JSONEncoder):
    """How a report's figures are kept as JSON: its times as ISO 8601 strings in UTC (``gather.revive`` reads them
    back)."""

    def default(self, o):
        if isinstance(o, dt.datetime):
            return o.astimezone(dt.UTC).isoformat()
        return super().default(o)


def percent(met: int, breached: int) -> float | None:
    """The share met on time of the clocks decided (met or breached); None when none was decided."""
    decided = met + breached
    return round(100 * met / decided, 1) if decided else None


def target_summary(
    name: str, *, met: int, breached: int, running: int, middle: Iterable[float], worst: float | None
) -> dict:
    """One SLA target's quarter: met on time, breached (or met late), still running, the share met, and the
    median and worst response in seconds (None without a response). ``middle`` is the middle response of an odd
    number of them, or the middle two of an even number: their median is the median of all."""
    middle = sorted(middle)
    return {
        "target": name,
        "met": met,
        "breached": breached,
        "running": running,
        "percent": percent(met, breached),
        "median_seconds": round(statistics.median(middle)) if middle else None,
        "worst_seconds": None if worst is None else round(worst),
    }


def duration_label(seconds: float | None) -> str:
    """``1 h 05 min``, ``3 min 20 s``, ``45 s``; an en dash for no value."""
    if seconds is None:
        return "–"
    seconds = round(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {secs:02d} s" if secs else f"{minutes} min"
    return f"{secs} s"


def headline(figures: dict) -> dict:
    """The quarter's headline numbers, read from its figures."""
    sla = figures["sla"]
    review = figures["review"] or {"findings": [], "recommendations": []}
    return {
        "events_used": len(figures["events"]["held"]),
        "credits_forfeited": sum(item["credits"] for item in figures["events"]["forfeits"]),
        "banked_at_end": figures["events"]["banked_at_end"],
        "cases_opened": figures["cases"]["opened"],
        "sla_met_percent": percent(sum(t["met"] for t in sla), sum(t["breached"] for t in sla)),
        "previews_held": len(figures["previews"]),
        "findings": sum(item["count"] for item in review["findings"]),
        "recommendations_done": sum(1 for item in review["recommendations"] if item["status"] == "done"),
        "absence_days_covered": round(sum(a["days"] for a in figures["coverage"]["absences"]), 1),
    }


def comparison(now: dict, before: dict | None) -> list[dict]:
    """Each headline figure now and the quarter before, with the change and whether it is for the better
    (``better``: True, False, or None when neither way is better or nothing is known)."""
    rows = []
    for key, label, more_is_better in HEADLINES:
        current, previous = now.get(key), (before or {}).get(key)
        change = None if current is None or previous is None else round(current - previous, 1)
        better = None if not change or more_is_better is None else (change > 0) == more_is_better
        rows.append(
            {"key": key, "label": label, "now": current, "before": previous, "change": change, "better": better}
        )
    return rows
