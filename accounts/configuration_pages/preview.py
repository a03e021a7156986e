"""What a calendar's open hours mean from now on, computed by the business-hours engine itself (``Schedule``): whether
it is open now, the next open hours, and when a two-hour business clock started now would run out. The calendar
page shows it as the week is edited, before anything is saved."""

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from core.wording import span_words, zone_words

from ..business_hours import Schedule
from ..configuration import week_problems
from ..models import validate_time_zone

SAMPLE_AMOUNT = dt.timedelta(hours=2)
STRETCHES = 3
_LOOK_AHEAD_DAYS = 15  # one stretch of open hours never runs longer than two weeks on a calendar that closes


@dataclass(frozen=True)
class Preview:
    zone_key: str = ""  # the IANA key the times are shown in
    zone: str = ""  # its label, "Mountain Time (America/Denver)"
    problems: list[str] = field(default_factory=list)
    open_now: bool = False
    stretches: list[tuple[dt.datetime, dt.datetime | None]] = field(default_factory=list)
    amount: str = ""
    deadline: dt.datetime | None = None


def _closing_after(schedule: Schedule, moment: dt.datetime) -> dt.datetime | None:
    """When the stretch of open hours ``moment`` lies in ends: the first of the week's closing times after it at
    which the schedule is closed (touching intervals, across midnight too, are one stretch). None: never closes."""
    day = moment.astimezone(schedule.tz).date()
    for offset in range(_LOOK_AHEAD_DAYS):
        current = day + dt.timedelta(days=offset)
        for _opens, closes in schedule.weekly.get(current.weekday(), ()):
            closing_day = current + dt.timedelta(days=1) if closes == dt.time(0) else current
            closing = dt.datetime.combine(closing_day, closes, tzinfo=schedule.tz)
            if closing > moment and not schedule.is_open(closing):
                return closing
    return None


def next_open_hours(schedule: Schedule, now: dt.datetime, count: int = STRETCHES):
    """The next ``count`` stretches of open hours from ``now`` (the current one first when open), as (opens, closes)
    in the schedule's zone; a stretch that never closes ends the list with ``closes`` None."""
    stretches = []
    cursor = now
    for _ in range(count):
        opens = schedule.next_open(cursor)
        closes = _closing_after(schedule, opens)
        stretches.append((opens, closes))
        if closes is None:
            break
        cursor = closes
    return stretches


def calendar_preview(
    *, time_zone: str, weekly: dict[int, list[tuple[dt.time, dt.time]]], holidays: list[dt.date], now: dt.datetime
) -> Preview:
    """The preview of a week of open hours in ``time_zone`` (with ``holidays``) from ``now``; or why there is none
    (the words the calendar service would refuse the week with)."""
    try:
        validate_time_zone(time_zone)
    except ValidationError as error:
        return Preview(zone=time_zone, problems=error.messages)
    problems = week_problems(weekly)
    if problems:
        return Preview(zone_key=time_zone, zone=zone_words(time_zone), problems=problems)
    try:
        schedule = Schedule(tz=time_zone, weekly=weekly, holidays=holidays)
        return Preview(
            zone_key=time_zone,
            zone=zone_words(time_zone),
            open_now=schedule.is_open(now),
            stretches=next_open_hours(schedule, now),
            amount=span_words(SAMPLE_AMOUNT, business=True),
            deadline=schedule.add(now, SAMPLE_AMOUNT),
        )
    except ValueError as error:
        return Preview(zone_key=time_zone, zone=zone_words(time_zone), problems=[str(error)])


def _hours_words(intervals) -> str:
    return ", ".join(
        f"{opens:%H:%M}–{'24:00' if closes == dt.time(0) else closes.strftime('%H:%M')}" for opens, closes in intervals
    )


def week_summary(weekly: dict[int, list[tuple[dt.time, dt.time]]]) -> str:
    """A week of open hours in a line: "Mon–Fri 06:00–18:00; Sat 09:00–12:00" (days with the same hours together)."""
    names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    runs: list[tuple[int, int, tuple]] = []
    for day in range(7):
        hours = tuple(sorted(weekly.get(day, ())))
        if runs and runs[-1][2] == hours and runs[-1][1] == day - 1:
            runs[-1] = (runs[-1][0], day, hours)
        else:
            runs.append((day, day, hours))
    parts = [
        f"{names[first]}{'–' + names[last] if last > first else ''} {_hours_words(hours)}"
        for first, last, hours in runs
        if hours
    ]
    return "; ".join(parts) or "closed all week"
