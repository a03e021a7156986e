"""Local wall-clock times and real elapsed time. Pure Python, no Django.

A local date and time names one instant, except where daylight saving changes: in the spring-forward gap it names
none (02:30 on the US change night: the clocks go from 02:00 straight to 03:00), in the fall-back hour it names two
(01:30 happens in daylight time, then again in standard time). ``from_wall_clock`` reads a time typed without an
offset in a zone and refuses both cases with a message about that very time, so the person picks another; a time
with an explicit UTC offset is an instant and never in doubt.

Python's arithmetic on two aware datetimes of the same zone is wall-clock arithmetic: 00:30 plus three hours is
03:30 local even on the night the clocks go back, when only two real hours later it is 02:30. ``elapsed_end`` and
``elapsed`` work in UTC, so an event of N hours lasts N real hours.
"""

import datetime as dt

EARLIEST_YEAR, LATEST_YEAR = 1900, 9000
OUT_OF_RANGE = "Enter a date and time between the years 1900 and 9000."


class LocalTimeError(ValueError):
    """A wall-clock time that cannot be read as one instant; ``str(error)`` is the message for the person."""

    code = "invalid"


class NonexistentLocalTime(LocalTimeError):
    code = "nonexistent"


class AmbiguousLocalTime(LocalTimeError):
    code = "ambiguous"


def from_wall_clock(local: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    """The instant a naive local date and time names in ``zone``. Raises ``NonexistentLocalTime`` for a time the
    clocks skip, ``AmbiguousLocalTime`` for one they repeat, and ``LocalTimeError`` outside the years 1900-9000
    (where converting to UTC could overflow)."""
    if local.tzinfo is not None:
        raise ValueError("from_wall_clock reads a naive date and time")
    if not EARLIEST_YEAR <= local.year <= LATEST_YEAR:
        raise LocalTimeError(OUT_OF_RANGE)
    first, second = local.replace(tzinfo=zone, fold=0), local.replace(tzinfo=zone, fold=1)
    if first.utcoffset() == second.utcoffset():
        return first
    if not _exists(first):
        raise NonexistentLocalTime(_skipped_message(first, second))
    raise AmbiguousLocalTime(_repeated_message(first, second))


def require_existing(moment: dt.datetime) -> dt.datetime:
    """``moment`` if its wall-clock reading exists in its own zone; ``NonexistentLocalTime`` for an aware datetime
    built on a time the clocks skip (Python would silently read it with the offset before the change)."""
    if moment.tzinfo is None or _exists(moment):
        return moment
    return from_wall_clock(moment.replace(tzinfo=None), moment.tzinfo)


def elapsed_end(start: dt.datetime, duration: dt.timedelta) -> dt.datetime:
    """The moment ``duration`` of real time after ``start`` (in UTC)."""
    return start.astimezone(dt.UTC) + duration


def elapsed(start: dt.datetime, end: dt.datetime) -> dt.timedelta:
    """The real time between two aware moments, whatever their zones."""
    return end.astimezone(dt.UTC) - start.astimezone(dt.UTC)


def _exists(moment: dt.datetime) -> bool:
    back = moment.astimezone(dt.UTC).astimezone(moment.tzinfo)
    return back.replace(tzinfo=None, fold=0) == moment.replace(tzinfo=None, fold=0)


def _change(zone: dt.tzinfo, earlier: dt.datetime, later: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The local clock just before and just after the change of UTC offset between two UTC instants (offsets
    change on whole minutes, so a search to the minute finds it)."""
    before = earlier.astimezone(zone).utcoffset()
    low, high = earlier, later
    while high - low > dt.timedelta(minutes=1):
        middle = (low + (high - low) / 2).replace(second=0, microsecond=0)
        if middle.astimezone(zone).utcoffset() == before:
            low = middle
        else:
            high = middle
    after = high.astimezone(zone).utcoffset()
    return (high + before).replace(tzinfo=None), (high + after).replace(tzinfo=None)


def _when(local: dt.datetime) -> str:
    return local.strftime("%a %b %-d, %Y %H:%M")


def _zone_name(zone: dt.tzinfo) -> str:
    return getattr(zone, "key", None) or str(zone)


def _skipped_message(first: dt.datetime, second: dt.datetime) -> str:
    before, after = _change(first.tzinfo, second.astimezone(dt.UTC), first.astimezone(dt.UTC))
    return (
        f"{_when(first)} does not exist in {_zone_name(first.tzinfo)}: that night the clocks go forward from "
        f"{before:%H:%M} to {after:%H:%M}. Choose a time before or after the change."
    )


def _repeated_message(first: dt.datetime, second: dt.datetime) -> str:
    before, after = _change(first.tzinfo, first.astimezone(dt.UTC), second.astimezone(dt.UTC))
    return (
        f"{_when(first)} happens twice in {_zone_name(first.tzinfo)}: that night the clocks go back from "
        f"{before:%H:%M} to {after:%H:%M}. Choose a time outside that hour."
    )
