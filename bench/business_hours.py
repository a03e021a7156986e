"""Time Schedule.add for 10 and for 10,000 business hours on the support calendar.

Run from the project root: ``.venv/bin/python bench/business_hours.py``. The work should follow the irregular days
crossed (holidays, daylight-saving changes), not the hours added: the goal is a ratio of at most 20.
"""

import sys
import time as clock
import timeit
from datetime import date, datetime, time, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from accounts import business_hours
from accounts.business_hours import Schedule

US_HOLIDAYS_2026 = [
    date(2026, 1, 1),
    date(2026, 1, 19),
    date(2026, 2, 16),
    date(2026, 5, 25),
    date(2026, 6, 19),
    date(2026, 7, 3),
    date(2026, 9, 7),
    date(2026, 10, 12),
    date(2026, 11, 11),
    date(2026, 11, 26),
    date(2026, 12, 25),
]


def per_call(call, repeat=7):
    """The best of ``repeat`` timeit runs, per call, in microseconds."""
    timer = timeit.Timer(call)
    number, _ = timer.autorange()
    return min(timer.repeat(repeat=repeat, number=number)) / number * 1e6


def measure(repeat: int = 7) -> dict:
    """Per-call times of ``add`` for 10 and 10,000 business hours (and of ``between``), in microseconds."""
    support = Schedule(
        tz="America/Denver",
        weekly={day: [(time(6), time(18))] for day in range(5)},
        holidays=US_HOLIDAYS_2026,
    )
    start = datetime(2026, 1, 5, 9, tzinfo=support.tz)
    short, long = timedelta(hours=10), timedelta(hours=10_000)

    # The first call in a process also scans each year it crosses for UTC offset changes (cached afterwards).
    business_hours._offset_change_days.cache_clear()
    began = clock.perf_counter()
    due = support.add(start, long)
    cold = (clock.perf_counter() - began) * 1e6
    return {
        "start": start,
        "short_due": support.add(start, short),
        "long_due": due,
        "cold_us": cold,
        "short_us": per_call(lambda: support.add(start, short), repeat),
        "long_us": per_call(lambda: support.add(start, long), repeat),
        "between_us": per_call(lambda: support.between(start, due), repeat),
    }


def main():
    figures = measure()
    short_time, long_time, due = figures["short_us"], figures["long_us"], figures["long_due"]
    years = due.year - figures["start"].year + 1
    print(f"add(start, 10 h)       {short_time:9.1f} us per call -> {figures['short_due']}")
    print(f"add(start, 10,000 h)   {long_time:9.1f} us per call -> {due}")
    print(f"  first call, cold     {figures['cold_us']:9.1f} us (offset changes of {years} years scanned)")
    print(f"between(those two)     {figures['between_us']:9.1f} us per call")
    print(f"ratio 10,000 h / 10 h  {long_time / short_time:9.1f}x (goal: at most 20x)")


if __name__ == "__main__":
    main()
