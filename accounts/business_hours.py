"""Business hours: how much open time lies between two moments, and when an amount of open time runs out.

A ``Schedule`` is a weekly calendar of open hours in one time zone, minus holidays::

    support = Schedule(
        tz="America/Denver",
        weekly={day: [(time(6), time(18))] for day in range(5)},  # Monday = 0, as date.weekday()
        holidays=[date(2026, 12, 25)],
    )
    support.add(received, timedelta(hours=2))  # the deadline after two business hours
    support.between(received, answered)  # business time spent
    support.is_open(moment)
    support.next_open(moment)

The rules:

* Moments passed in must be timezone-aware, in any zone (a naive datetime raises ``ValueError``); moments
  returned are in the schedule's zone.
* Open hours are local wall-clock hours. A weekday missing from ``weekly`` is closed. Each interval is a
  ``(opens, closes)`` pair of ``time`` with ``opens < closes``, except that ``closes == time(0)`` means midnight at
  the end of that day, so ``(time(0), time(0))`` is a whole day. Intervals of a day may come in any order but must
  not overlap; touching intervals (09:00-12:00 and 12:00-17:00, or one day's 24:00 and the next day's 00:00) are
  one continuous stretch of open time.
* Intervals are half-open: a schedule is open at its opening time and closed at its closing time, unless another
  interval starts right there.
* Holidays are closed all day, by the local date in the schedule's zone.
* A clock started in closed time starts at the next opening. A deadline that lands exactly on a closing time is that
  closing time, not the next opening. So ``add(moment, timedelta(0))`` is ``next_open(moment)``.
* On a daylight-saving change day an interval holds the real time elapsed between its two wall-clock moments: on
  the US spring-forward day 00:00-06:00 is five hours, on the fall-back day seven. A wall-clock time that happens
  twice is its first occurrence, and one that never happens (in the spring-forward gap) is read with the UTC offset
  in force before the change, as ``zoneinfo`` does with ``fold=0``. Should that put an interval's ends out of order,
  the interval shrinks, never reaches back in time, and never overlaps another.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from itertools import pairwise
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["Schedule"]

Interval = tuple[time, time]
Span = tuple[datetime, datetime]

_ZERO = timedelta(0)
_DAY = timedelta(days=1)
_TICK = timedelta(microseconds=1)

# After the last holiday the weekly pattern opens within a week; one more week covers a day whose only hours
# fall in a spring-forward gap, and one more day the walk starting on the day before the start's local date.
_SEARCH_SLACK = timedelta(days=15)


class Schedule:
    """Open hours in one time zone: a weekly pattern of wall-clock intervals, less holidays.

    ``tz`` is the ``ZoneInfo``, ``weekly`` maps each weekday (Monday = 0) to its sorted intervals and ``holidays``
    is a frozenset of dates; all three are read-only.
    """

    def __init__(
        self,
        tz: str | ZoneInfo,
        weekly: Mapping[int, Iterable[Interval]],
        holidays: Iterable[date] = (),
    ) -> None:
        self.tz = _zone(tz)
        self.weekly: Mapping[int, tuple[Interval, ...]] = MappingProxyType(
            {weekday: _day_intervals(weekday, intervals) for weekday, intervals in weekly.items()}
        )
        self.holidays: frozenset[date] = frozenset(_holiday(day) for day in holidays)

        # Open hours per weekday as offsets from local midnight, touching intervals merged.
        self._hours: tuple[tuple[tuple[timedelta, timedelta], ...], ...] = tuple(
            _merged_offsets(self.weekly.get(weekday, ())) for weekday in range(7)
        )
        daily_open = [sum((closes - opens for opens, closes in hours), _ZERO) for hours in self._hours]
        self._week_open = sum(daily_open, _ZERO)
        if not self._week_open:
            raise ValueError("A schedule needs some open hours")
        # _run_open[weekday][n]: open time of n (< 7) ordinary days in a row, the first on that weekday.
        self._run_open = tuple(
            tuple(sum((daily_open[(first + i) % 7] for i in range(n)), _ZERO) for n in range(7)) for first in range(7)
        )
        self._holiday_list = sorted(self.holidays)

    def __repr__(self) -> str:
        return f"Schedule(tz={self.tz.key!r}, weekly={dict(self.weekly)!r}, holidays={sorted(self.holidays)!r})"

    def is_open(self, at: datetime) -> bool:
        """Whether ``at`` falls in open hours: at an opening time yes, at a closing time no."""
        moment = _instant(at, "at")
        # The local date's neighbours too: around a midnight UTC offset change a moment can lie in them.
        day = self._local_date(moment)
        return any(
            opens <= moment < closes
            for nearby in (day - _DAY, day, day + _DAY)
            for opens, closes in self._spans(nearby)
        )

    def next_open(self, at: datetime) -> datetime:
        """The first open moment from ``at`` on: ``at`` itself (in the schedule's zone) when open."""
        return self.add(at, _ZERO)

    def add(self, start: datetime, amount: timedelta) -> datetime:
        """The moment ``amount`` of open time after ``start``: the deadline of a business-hours target.

        The clock starts at the next opening when ``start`` is closed, stops over closed time, and stops at a
        closing time when the amount runs out exactly there. A negative amount raises ``ValueError``.
        """
        cursor = _instant(start, "start")
        if amount < _ZERO:
            raise ValueError(f"Cannot add a negative amount of open time: {amount}")
        remaining = amount
        # A day's spans lie between its two midnights, but a moment can belong to the previous local day's spans
        # when a UTC offset change straddles midnight, so the walk starts a day early.
        day = self._local_date(cursor) - _DAY
        give_up_after = self._search_limit(day)
        while True:
            if remaining:
                day, cursor, still_to_go = self._skip_ordinary_days(day, cursor, remaining)
                if still_to_go != remaining:
                    remaining, give_up_after = still_to_go, self._search_limit(day)
            for opens, closes in self._spans(day):
                if closes <= cursor:
                    continue
                opens = max(opens, cursor)
                if remaining <= closes - opens:
                    return (opens + remaining).astimezone(self.tz)
                remaining -= closes - opens
                cursor = closes
                give_up_after = self._search_limit(day)
            if day >= give_up_after:
                raise ValueError(f"No open hours found from {start} to {give_up_after}")
            day += _DAY

    def between(self, start: datetime, end: datetime) -> timedelta:
        """The open time from ``start`` to ``end``; zero when ``end`` is not after ``start``."""
        first, last = _instant(start, "start"), _instant(end, "end")
        if last <= first:
            return _ZERO
        total = _ZERO
        # One day either side: around a midnight UTC offset change a moment can lie in a neighbouring day's spans.
        day, final_day = self._local_date(first) - _DAY, self._local_date(last) + _DAY
        while day <= final_day:
            midnight = self._midnight(day)
            if first <= midnight < last:
                ordinary = self._ordinary_days(day, (last - midnight) // _DAY)
                if ordinary:
                    total += self._open_over(day, ordinary)
                    day += ordinary * _DAY
                    continue
            for opens, closes in self._spans(day):
                opens, closes = max(opens, first), min(closes, last)
                if opens < closes:
                    total += closes - opens
            day += _DAY
        return total

    def _skip_ordinary_days(
        self, day: date, cursor: datetime, remaining: timedelta
    ) -> tuple[date, datetime, timedelta]:
        """Skip whole ordinary days from ``day`` whose open time all falls short of ``remaining``.

        Returns the first day left to walk, the cursor and the open time still to go. Stopping while some time
        remains keeps a deadline that lands on the last closing time of a stretch at that closing time.
        """
        midnight = self._midnight(day)
        if cursor > midnight:
            return day, cursor, remaining
        most = 7 * (remaining // self._week_open + 1)
        ordinary = self._ordinary_days(day, most)
        weeks = min(ordinary // 7, (remaining - _TICK) // self._week_open)
        skipped = 7 * weeks
        while skipped < ordinary and self._open_over(day, skipped + 1) < remaining:
            skipped += 1
        if not skipped:
            return day, cursor, remaining
        # Ordinary days keep one UTC offset, so their local midnights are exactly 24 hours apart.
        return day + skipped * _DAY, midnight + skipped * _DAY, remaining - self._open_over(day, skipped)

    def _ordinary_days(self, day: date, most: int) -> int:
        """How many days in a row from ``day``, at most ``most``, are ordinary: no holiday, no UTC offset change.

        An ordinary day's open hours are exactly its weekday's pattern, so runs of them are counted, not walked.
        """
        most = min(most, (date.max - day).days)
        if most <= 0:
            return 0
        horizon = day + most * _DAY
        following = bisect_left(self._holiday_list, day)
        if following < len(self._holiday_list):
            horizon = min(horizon, self._holiday_list[following])
        for year in range(day.year, horizon.year + 1):
            changes = _offset_change_days(self.tz, year)
            following = bisect_left(changes, day)
            if following < len(changes):
                horizon = min(horizon, changes[following])
                break
        return (horizon - day).days

    def _open_over(self, day: date, days: int) -> timedelta:
        """The open time of ``days`` ordinary days in a row from ``day``."""
        weeks, rest = divmod(days, 7)
        return weeks * self._week_open + self._run_open[day.weekday()][rest]

    def _spans(self, day: date) -> list[Span]:
        """The open spans of one local day in UTC: sorted, disjoint, non-empty, between the day's two midnights."""
        hours = self._hours[day.weekday()]
        if not hours or day in self.holidays:
            return []
        midnight = datetime.combine(day, time())
        floor, ceiling = self._utc(midnight), self._utc(midnight + _DAY)
        spans = []
        for opens, closes in hours:
            # fold=0 reads a time in a spring-forward gap with the offset from before the change, which puts it
            # after later times of that day; clamping keeps the spans in order so no walk ever goes backwards.
            opening = min(max(self._utc(midnight + opens), floor), ceiling)
            closing = min(max(self._utc(midnight + closes), opening), ceiling)
            if opening < closing:
                spans.append((opening, closing))
            floor = closing
        return spans

    def _midnight(self, day: date) -> datetime:
        return self._utc(datetime.combine(day, time()))

    def _utc(self, wall: datetime) -> datetime:
        """The UTC moment of a naive local wall-clock time, read with fold=0."""
        return wall.replace(tzinfo=self.tz).astimezone(UTC)

    def _local_date(self, moment: datetime) -> date:
        return moment.astimezone(self.tz).date()

    def _search_limit(self, day: date) -> date:
        """The last day a search for open time from ``day`` may reach before the schedule counts as never open."""
        last_holiday = self._holiday_list[-1] if self._holiday_list else day
        return max(day, last_holiday) + _SEARCH_SLACK


@lru_cache(maxsize=1024)
def _offset_change_days(zone: ZoneInfo, year: int) -> tuple[date, ...]:
    """The local dates of ``year`` whose UTC offset at midnight differs from the next day's.

    Checked midnight to midnight: no zone in the tz database changes its offset and back within one day (the
    closest pair is about four days apart), so a day whose two midnights agree has no change inside it either.
    """
    midnight = datetime(year, 1, 1)
    offset = zone.utcoffset(midnight)
    changes = []
    for _ in range(date(year, 12, 31).timetuple().tm_yday):
        following = midnight + _DAY
        following_offset = zone.utcoffset(following)
        if following_offset != offset:
            changes.append(midnight.date())
        midnight, offset = following, following_offset
    return tuple(changes)


def _zone(tz: str | ZoneInfo) -> ZoneInfo:
    if isinstance(tz, ZoneInfo):
        return tz
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        raise ValueError(f"Unknown time zone: {tz!r}") from exc


def _day_intervals(weekday: int, intervals: Iterable[Interval]) -> tuple[Interval, ...]:
    """A weekday's intervals, checked and sorted by opening time."""
    if not isinstance(weekday, int) or isinstance(weekday, bool) or not 0 <= weekday <= 6:
        raise ValueError(f"Weekdays run from 0 (Monday) to 6 (Sunday), not {weekday!r}")
    checked = []
    for interval in intervals:
        opens, closes = interval
        if not isinstance(opens, time) or not isinstance(closes, time):
            raise TypeError(f"Open hours are pairs of datetime.time, not {interval!r}")
        if opens.tzinfo is not None or closes.tzinfo is not None:
            raise ValueError(f"Open hours are wall-clock times in the schedule's zone, without tzinfo: {interval!r}")
        if _offset(opens) >= _end_offset(closes):
            raise ValueError(f"Interval must open before it closes: {opens} to {closes} on weekday {weekday}")
        checked.append((opens, closes))
    checked.sort()
    for (_, closes), (opens, _) in pairwise(checked):
        if _offset(opens) < _end_offset(closes):
            raise ValueError(
                f"Intervals overlap on weekday {weekday}: one closes at {closes}, another opens at {opens}"
            )
    return tuple(checked)


def _merged_offsets(intervals: Sequence[Interval]) -> tuple[tuple[timedelta, timedelta], ...]:
    merged: list[tuple[timedelta, timedelta]] = []
    for opens, closes in intervals:
        start, end = _offset(opens), _end_offset(closes)
        if merged and merged[-1][1] == start:
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return tuple(merged)


def _offset(moment: time) -> timedelta:
    return timedelta(hours=moment.hour, minutes=moment.minute, seconds=moment.second, microseconds=moment.microsecond)


def _end_offset(closes: time) -> timedelta:
    """A closing time as an offset from midnight; time(0) closes at the end of the day."""
    return _DAY if closes == time(0) else _offset(closes)


def _holiday(day: date) -> date:
    # A datetime is a date too, but would never equal the local dates it is compared with.
    if isinstance(day, datetime) or not isinstance(day, date):
        raise TypeError(f"Holidays are dates, not {day!r}")
    return day


def _instant(moment: datetime, name: str) -> datetime:
    """A timezone-aware datetime as UTC."""
    if not isinstance(moment, datetime):
        raise TypeError(f"{name} must be a datetime, not {moment!r}")
    if moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware: {moment!r}")
    return moment.astimezone(UTC)
