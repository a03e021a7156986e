"""SLA clock arithmetic for a milestone: wall-clock or business time on its calendar (the pure engine)."""

import datetime as dt

from .models import ClockKind, Milestone


def clock_add(milestone: Milestone, start: dt.datetime, amount: dt.timedelta) -> dt.datetime:
    if milestone.clock == ClockKind.BUSINESS:
        return milestone.calendar.schedule().add(start, amount)
    return start + amount


def clock_between(milestone: Milestone, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
    if milestone.clock == ClockKind.BUSINESS:
        return milestone.calendar.schedule().between(start, end)
    return max(end - start, dt.timedelta(0))


def schedule_times(milestone: Milestone) -> None:
    """Set due and warning times from the start, the duration and the time spent paused (all on its clock)."""
    milestone.due_at = clock_add(milestone, milestone.started_at, milestone.duration + milestone.paused_for)
    warn_after = milestone.duration * milestone.warn_at_percent / 100
    milestone.warn_at = clock_add(milestone, milestone.started_at, warn_after + milestone.paused_for)


def elapsed(milestone: Milestone, now: dt.datetime) -> dt.timedelta:
    """Clock time used so far, paused time excluded."""
    end = milestone.met_at or milestone.paused_at or now
    return clock_between(milestone, milestone.started_at, end) - milestone.paused_for
