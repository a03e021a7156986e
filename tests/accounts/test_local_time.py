"""Reading a wall-clock time in a zone (accounts.local_time): pure, no database."""

import datetime as dt
import zoneinfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accounts.local_time import (
    AmbiguousLocalTime,
    LocalTimeError,
    NonexistentLocalTime,
    elapsed,
    elapsed_end,
    from_wall_clock,
    require_existing,
)

DENVER = zoneinfo.ZoneInfo("America/Denver")


@pytest.mark.parametrize(
    ("local", "zone", "change"),
    [
        (dt.datetime(2026, 3, 8, 2, 30), "America/Denver", "forward from 02:00 to 03:00"),
        (dt.datetime(2027, 3, 14, 2, 0), "America/Denver", "forward from 02:00 to 03:00"),
        (dt.datetime(2028, 3, 12, 2, 59), "America/Denver", "forward from 02:00 to 03:00"),
        (dt.datetime(2026, 3, 29, 1, 15), "Europe/London", "forward from 01:00 to 02:00"),
        (dt.datetime(2026, 10, 4, 2, 15), "Australia/Lord_Howe", "forward from 02:00 to 02:30"),
    ],
)
def test_a_time_the_clocks_skip_is_refused_naming_the_change(local, zone, change):
    with pytest.raises(NonexistentLocalTime, match=f"does not exist in {zone}: that night the clocks go {change}"):
        from_wall_clock(local, zoneinfo.ZoneInfo(zone))


@pytest.mark.parametrize(
    ("local", "zone", "change"),
    [
        (dt.datetime(2026, 11, 1, 1, 30), "America/Denver", "back from 02:00 to 01:00"),
        (dt.datetime(2027, 11, 7, 1, 0), "America/Denver", "back from 02:00 to 01:00"),
        (dt.datetime(2028, 11, 5, 1, 59), "America/Denver", "back from 02:00 to 01:00"),
        (dt.datetime(2026, 10, 25, 1, 30), "Europe/Dublin", "back from 02:00 to 01:00"),  # a negative DST zone
    ],
)
def test_a_time_the_clocks_repeat_is_refused_naming_the_change(local, zone, change):
    with pytest.raises(AmbiguousLocalTime, match=f"happens twice in {zone}: that night the clocks go {change}"):
        from_wall_clock(local, zoneinfo.ZoneInfo(zone))


@pytest.mark.parametrize(
    ("local", "utc"),
    [
        (dt.datetime(2026, 3, 8, 1, 59), dt.datetime(2026, 3, 8, 8, 59)),
        (dt.datetime(2026, 3, 8, 3, 0), dt.datetime(2026, 3, 8, 9, 0)),
        (dt.datetime(2026, 11, 1, 0, 59), dt.datetime(2026, 11, 1, 6, 59)),
        (dt.datetime(2026, 11, 1, 2, 0), dt.datetime(2026, 11, 1, 9, 0)),
        (dt.datetime(2026, 7, 1, 12, 0), dt.datetime(2026, 7, 1, 18, 0)),
    ],
)
def test_every_other_time_is_one_instant(local, utc):
    assert from_wall_clock(local, DENVER) == utc.replace(tzinfo=dt.UTC)


def test_years_that_could_overflow_are_refused():
    with pytest.raises(LocalTimeError, match="between the years 1900 and 9000"):
        from_wall_clock(dt.datetime(9999, 12, 31, 20, 0), DENVER)


def test_an_aware_datetime_on_a_skipped_time_is_refused_and_a_repeated_one_is_kept():
    with pytest.raises(NonexistentLocalTime):
        require_existing(dt.datetime(2026, 3, 8, 2, 30, tzinfo=DENVER))
    second = dt.datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=DENVER)
    assert require_existing(second) is second
    assert require_existing(dt.datetime(2026, 3, 8, 9, 30, tzinfo=dt.UTC)).hour == 9


def test_real_time_is_added_across_the_changes():
    assert elapsed_end(dt.datetime(2026, 11, 1, 0, 30, tzinfo=DENVER), dt.timedelta(hours=3)).astimezone(
        DENVER
    ).time() == dt.time(2, 30)
    assert elapsed_end(dt.datetime(2026, 3, 8, 1, 0, tzinfo=DENVER), dt.timedelta(hours=3)).astimezone(
        DENVER
    ).time() == dt.time(5, 0)
    start, end = dt.datetime(2026, 11, 1, 0, 30, tzinfo=DENVER), dt.datetime(2026, 11, 1, 3, 30, tzinfo=DENVER)
    assert end - start == dt.timedelta(hours=3)  # Python's wall-clock arithmetic
    assert elapsed(start, end) == dt.timedelta(hours=4)


@given(st.datetimes(min_value=dt.datetime(1970, 1, 1), max_value=dt.datetime(2100, 1, 1)))
def test_what_is_read_shows_the_same_wall_clock_time(local):
    try:
        moment = from_wall_clock(local, DENVER)
    except LocalTimeError:
        return
    assert moment.astimezone(dt.UTC).astimezone(DENVER).replace(tzinfo=None) == local
