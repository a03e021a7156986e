"""Business-hours arithmetic: hand-worked cases on the support calendar, then properties over many moments."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accounts.business_hours import Schedule

DENVER = ZoneInfo("America/Denver")
KOLKATA = ZoneInfo("Asia/Kolkata")
WEEKDAYS = range(5)
MIDNIGHT = time(0)
ONE_DAY = timedelta(days=1)


@pytest.fixture(autouse=True)
def _role_groups():
    """These tests need no database: stand in for the project-wide fixture that installs role groups."""


def denver(*args, **kwargs):
    return datetime(*args, tzinfo=DENVER, **kwargs)


def hours(amount):
    return timedelta(hours=amount)


def utc(moment):
    """Compare moments in UTC: Python compares datetimes sharing a zone by wall clock, and a moment in the
    fall-back hour never equals one in another zone."""
    return moment.astimezone(UTC)


def support_calendar(holidays=(date(2026, 12, 25),)):
    """The default support calendar: Monday to Friday, 06:00 to 18:00 in Denver."""
    return Schedule(tz="America/Denver", weekly={day: [(time(6), time(18))] for day in WEEKDAYS}, holidays=holidays)


def lunch_break_calendar():
    return Schedule(tz="America/Denver", weekly={day: [(time(13), time(17)), (time(8), time(12))] for day in WEEKDAYS})


def round_the_clock(tz="America/Denver"):
    return Schedule(tz=tz, weekly={day: [(MIDNIGHT, MIDNIGHT)] for day in range(7)})


def sunday_night_shift():
    """Open Sunday 00:00 to 06:00: the US daylight-saving changes fall inside that interval."""
    return Schedule(tz="America/Denver", weekly={6: [(MIDNIGHT, time(6))]})


# 2026-05-04 is a Monday, 2026-05-08 a Friday.


class TestSupportCalendar:
    schedule = support_calendar()

    @pytest.mark.parametrize(
        ("start", "amount", "due"),
        [
            pytest.param(denver(2026, 5, 4, 5), hours(1), denver(2026, 5, 4, 7), id="before opening"),
            pytest.param(denver(2026, 5, 4, 6), hours(1), denver(2026, 5, 4, 7), id="at opening"),
            pytest.param(denver(2026, 5, 4, 10), hours(3), denver(2026, 5, 4, 13), id="inside"),
            pytest.param(denver(2026, 5, 4, 6), hours(12), denver(2026, 5, 4, 18), id="a whole day ends at closing"),
            pytest.param(denver(2026, 5, 4, 18), hours(1), denver(2026, 5, 5, 7), id="at closing"),
            pytest.param(denver(2026, 5, 4, 20), hours(1), denver(2026, 5, 5, 7), id="after closing"),
            pytest.param(denver(2026, 5, 4, 17), hours(13), denver(2026, 5, 5, 18), id="a day and an hour"),
            pytest.param(denver(2026, 5, 8, 19), hours(1), denver(2026, 5, 11, 7), id="friday evening to monday"),
            pytest.param(denver(2026, 5, 9, 12), hours(1), denver(2026, 5, 11, 7), id="weekend"),
            pytest.param(denver(2026, 5, 4, 6), hours(60), denver(2026, 5, 8, 18), id="a whole week"),
            pytest.param(denver(2026, 5, 4, 6), hours(61), denver(2026, 5, 11, 7), id="a week and an hour"),
        ],
    )
    def test_add(self, start, amount, due):
        assert self.schedule.add(start, amount) == due

    def test_faq_email_to_tam_on_friday_afternoon(self):
        """Received Friday 17:00 with a two-business-hour target: one hour on Friday, one on Monday."""
        assert self.schedule.add(denver(2026, 5, 8, 17), hours(2)) == denver(2026, 5, 11, 7)

    def test_faq_deadline_on_closing_time_is_that_closing_time(self):
        assert self.schedule.add(denver(2026, 5, 8, 16), hours(2)) == denver(2026, 5, 8, 18)

    def test_adding_nothing(self):
        assert self.schedule.add(denver(2026, 5, 4, 10), timedelta(0)) == denver(2026, 5, 4, 10)
        assert self.schedule.add(denver(2026, 5, 4, 5), timedelta(0)) == denver(2026, 5, 4, 6)
        assert self.schedule.add(denver(2026, 5, 8, 18), timedelta(0)) == denver(2026, 5, 11, 6)

    @pytest.mark.parametrize(
        ("at", "is_open"),
        [
            (denver(2026, 5, 4, 5, 59, 59), False),
            (denver(2026, 5, 4, 6), True),
            (denver(2026, 5, 4, 17, 59, 59, 999999), True),
            (denver(2026, 5, 4, 18), False),
            (denver(2026, 5, 9, 12), False),
        ],
    )
    def test_is_open(self, at, is_open):
        assert self.schedule.is_open(at) is is_open

    @pytest.mark.parametrize(
        ("at", "opening"),
        [
            (denver(2026, 5, 4, 5), denver(2026, 5, 4, 6)),
            (denver(2026, 5, 4, 6), denver(2026, 5, 4, 6)),
            (denver(2026, 5, 4, 9, 30), denver(2026, 5, 4, 9, 30)),
            (denver(2026, 5, 4, 18), denver(2026, 5, 5, 6)),
            (denver(2026, 5, 8, 18), denver(2026, 5, 11, 6)),
        ],
    )
    def test_next_open(self, at, opening):
        assert self.schedule.next_open(at) == opening

    @pytest.mark.parametrize(
        ("start", "end", "elapsed"),
        [
            (denver(2026, 5, 8, 17), denver(2026, 5, 11, 7), hours(2)),
            (denver(2026, 5, 4, 0), denver(2026, 5, 11, 0), hours(60)),
            (denver(2026, 5, 4, 19), denver(2026, 5, 5, 5), timedelta(0)),
            (denver(2026, 5, 4, 10), denver(2026, 5, 4, 10), timedelta(0)),
            (denver(2026, 5, 11, 7), denver(2026, 5, 8, 17), timedelta(0)),
            (denver(2026, 1, 5), denver(2027, 1, 4), hours(52 * 60 - 12)),
        ],
        ids=["friday to monday", "a week", "overnight", "no time", "reversed", "a year less christmas"],
    )
    def test_between(self, start, end, elapsed):
        assert self.schedule.between(start, end) == elapsed

    def test_results_are_in_the_schedule_zone_whatever_the_input_zone(self):
        due = self.schedule.add(datetime(2026, 5, 4, 16, tzinfo=UTC), hours(1))
        assert due == denver(2026, 5, 4, 11)
        assert due.tzinfo is DENVER
        assert self.schedule.next_open(datetime(2026, 5, 4, 20, tzinfo=UTC)).tzinfo is DENVER

    def test_ten_thousand_hours(self):
        start = denver(2026, 1, 5, 9)
        due = self.schedule.add(start, hours(10_000))
        assert due == _reference_add(self.schedule, start, hours(10_000))
        assert self.schedule.between(start, due) == hours(10_000)


class TestHolidays:
    schedule = support_calendar()

    def test_closed_all_day(self):
        assert not self.schedule.is_open(denver(2026, 12, 25, 10))
        assert self.schedule.is_open(denver(2026, 12, 24, 10))

    def test_a_holiday_friday_runs_on_to_monday(self):
        assert self.schedule.add(denver(2026, 12, 24, 17), hours(2)) == denver(2026, 12, 28, 7)
        assert self.schedule.next_open(denver(2026, 12, 24, 18)) == denver(2026, 12, 28, 6)
        assert self.schedule.between(denver(2026, 12, 24), denver(2026, 12, 29)) == hours(24)

    def test_the_holiday_is_the_local_date(self):
        # 2026-12-25 16:00 UTC is 09:00 on Christmas Day in Denver; 2026-12-26 00:30 UTC is still Christmas there.
        assert not self.schedule.is_open(datetime(2026, 12, 25, 16, tzinfo=UTC))
        assert self.schedule.is_open(datetime(2026, 12, 25, 0, 30, tzinfo=UTC))
        assert self.schedule.add(datetime(2026, 12, 25, 0, 30, tzinfo=UTC), hours(1)) == denver(2026, 12, 28, 6, 30)

    def test_a_year_of_holidays_on_the_only_open_day(self):
        mondays = [date(2026, 1, 5) + timedelta(weeks=week) for week in range(52)]
        schedule = Schedule(tz="America/Denver", weekly={0: [(time(9), time(17))]}, holidays=iter(mondays))
        assert schedule.next_open(denver(2026, 1, 1)) == denver(2027, 1, 4, 9)
        assert schedule.add(denver(2026, 1, 1), hours(9)) == denver(2027, 1, 11, 10)

    def test_holidays_are_read_only_dates(self):
        assert self.schedule.holidays == frozenset({date(2026, 12, 25)})
        with pytest.raises(TypeError):
            support_calendar(holidays=[denver(2026, 12, 25)])


class TestSeveralIntervalsADay:
    schedule = lunch_break_calendar()

    def test_intervals_are_sorted(self):
        assert self.schedule.weekly[0] == ((time(8), time(12)), (time(13), time(17)))

    def test_the_clock_stops_over_lunch(self):
        assert self.schedule.add(denver(2026, 5, 4, 11), hours(2)) == denver(2026, 5, 4, 14)
        assert self.schedule.add(denver(2026, 5, 4, 11), hours(1)) == denver(2026, 5, 4, 12)
        assert self.schedule.add(denver(2026, 5, 4, 12, 30), timedelta(0)) == denver(2026, 5, 4, 13)
        assert self.schedule.between(denver(2026, 5, 4, 11), denver(2026, 5, 4, 14)) == hours(2)
        assert self.schedule.between(denver(2026, 5, 4), denver(2026, 5, 5)) == hours(8)

    def test_closed_over_lunch(self):
        assert not self.schedule.is_open(denver(2026, 5, 4, 12))
        assert not self.schedule.is_open(denver(2026, 5, 4, 12, 59, 59))
        assert self.schedule.is_open(denver(2026, 5, 4, 13))

    def test_touching_intervals_are_continuous(self):
        schedule = Schedule(tz="America/Denver", weekly={0: [(time(12), time(17)), (time(9), time(12))]})
        assert schedule.is_open(denver(2026, 5, 4, 12))
        assert schedule.add(denver(2026, 5, 4, 11), hours(2)) == denver(2026, 5, 4, 13)
        assert schedule.add(denver(2026, 5, 4, 9), hours(8)) == denver(2026, 5, 4, 17)


class TestRoundTheClock:
    def test_never_closed_at_midnight(self):
        schedule = round_the_clock()
        assert schedule.is_open(denver(2026, 5, 5))
        assert schedule.is_open(denver(2026, 3, 8))
        assert schedule.next_open(denver(2026, 5, 5)) == denver(2026, 5, 5)

    def test_runs_through_midnight(self):
        schedule = round_the_clock("UTC")
        start = datetime(2026, 5, 4, 23, tzinfo=UTC)
        assert schedule.add(start, hours(2)) == datetime(2026, 5, 5, 1, tzinfo=UTC)
        assert schedule.add(start, hours(1)) == datetime(2026, 5, 5, tzinfo=UTC)
        assert schedule.add(start, hours(1000)) == start + hours(1000)
        assert schedule.between(start, start + hours(1000)) == hours(1000)


class TestDaylightSaving:
    """In 2026 Denver springs forward on Sunday 8 March at 02:00 and falls back on Sunday 1 November at 02:00."""

    def test_weekday_hours_are_wall_clock_hours_either_side_of_the_change(self):
        schedule = support_calendar()
        assert schedule.add(denver(2026, 3, 6, 17), hours(2)) == denver(2026, 3, 9, 7)
        assert denver(2026, 3, 9, 7).utcoffset() == hours(-6)
        assert schedule.between(denver(2026, 3, 6, 12), denver(2026, 3, 9, 12)) == hours(12)
        assert schedule.add(denver(2026, 10, 30, 17), hours(2)) == denver(2026, 11, 2, 7)
        assert schedule.between(denver(2026, 10, 30, 12), denver(2026, 11, 2, 12)) == hours(12)

    @pytest.mark.parametrize(
        ("sunday", "length"),
        [(date(2026, 3, 1), hours(6)), (date(2026, 3, 8), hours(5)), (date(2026, 11, 1), hours(7))],
        ids=["ordinary", "spring forward", "fall back"],
    )
    def test_an_interval_spanning_the_change_holds_the_real_time_elapsed(self, sunday, length):
        schedule = sunday_night_shift()
        opens = datetime.combine(sunday, MIDNIGHT, tzinfo=DENVER)
        closes = datetime.combine(sunday, time(6), tzinfo=DENVER)
        assert schedule.between(opens, closes) == length
        assert schedule.add(opens, length) == closes
        assert schedule.add(opens - hours(12), length + hours(1)) == closes + timedelta(weeks=1) - hours(5)

    def test_round_the_clock_days_are_23_and_25_hours(self):
        schedule = round_the_clock()
        assert schedule.between(denver(2026, 3, 8), denver(2026, 3, 9)) == hours(23)
        assert schedule.between(denver(2026, 11, 1), denver(2026, 11, 2)) == hours(25)
        assert schedule.add(denver(2026, 3, 7, 12), hours(24)) == denver(2026, 3, 8, 13)
        assert schedule.add(denver(2026, 10, 31, 12), hours(24)) == denver(2026, 11, 1, 11)
        assert schedule.is_open(denver(2026, 3, 8, 3))

    def test_an_opening_in_the_spring_forward_gap_reads_with_the_offset_before_the_change(self):
        # 02:30 does not happen on 8 March: read as 02:30 MST, that is 03:30 MDT.
        schedule = Schedule(tz="America/Denver", weekly={6: [(time(2, 30), time(4))]})
        assert schedule.between(denver(2026, 3, 8), denver(2026, 3, 9)) == timedelta(minutes=30)
        assert schedule.next_open(denver(2026, 3, 8)) == denver(2026, 3, 8, 3, 30)
        assert not schedule.is_open(denver(2026, 3, 8, 3, 15))
        assert schedule.between(denver(2026, 3, 15), denver(2026, 3, 16)) == hours(1.5)

    def test_a_closing_in_the_gap_never_overlaps_the_next_interval(self):
        # 02:30 read as 03:30 MDT falls after 03:00: the second interval starts where the first now ends.
        schedule = Schedule(tz="America/Denver", weekly={6: [(MIDNIGHT, time(2, 30)), (time(3), time(5))]})
        sunday = denver(2026, 3, 8)
        assert schedule.between(sunday, sunday + ONE_DAY) == hours(4)
        assert schedule.add(sunday, hours(4)) == denver(2026, 3, 8, 5)
        assert schedule.add(sunday, hours(2.5)) == denver(2026, 3, 8, 3, 30)
        assert schedule.is_open(denver(2026, 3, 8, 3, 15))

    def test_an_interval_wholly_in_the_gap_is_closed_that_day(self):
        schedule = Schedule(tz="America/Denver", weekly={6: [(time(2), time(3))]})
        assert schedule.next_open(denver(2026, 3, 8)) == denver(2026, 3, 15, 2)
        assert schedule.add(denver(2026, 3, 7), hours(1)) == denver(2026, 3, 15, 3)

    def test_an_ambiguous_time_is_its_first_occurrence(self):
        # 01:30 happens twice on 1 November: first in MDT (07:30 UTC). 03:00 MST is 10:00 UTC.
        schedule = Schedule(tz="America/Denver", weekly={6: [(time(1, 30), time(3))]})
        assert utc(schedule.next_open(denver(2026, 11, 1))) == datetime(2026, 11, 1, 7, 30, tzinfo=UTC)
        assert schedule.between(denver(2026, 11, 1), denver(2026, 11, 2)) == hours(2.5)
        assert schedule.is_open(denver(2026, 11, 1, 1, 45, fold=1))


class TestOtherZones:
    def test_utc(self):
        schedule = Schedule(tz="UTC", weekly={day: [(time(9), time(17))] for day in WEEKDAYS})
        due = schedule.add(datetime(2026, 5, 4, 16, tzinfo=UTC), hours(2))
        assert due == datetime(2026, 5, 5, 10, tzinfo=UTC)
        assert due.utcoffset() == timedelta(0)
        # Sunday 23:00 in Denver is already Monday 05:00 in UTC: closed until 09:00 UTC.
        assert schedule.next_open(denver(2026, 5, 3, 23)) == datetime(2026, 5, 4, 9, tzinfo=UTC)

    def test_kolkata(self):
        schedule = Schedule(tz="Asia/Kolkata", weekly={day: [(time(9, 30), time(18, 30))] for day in WEEKDAYS})
        # Monday 06:00 in Denver is 17:30 in Kolkata: one hour left that day, one more on Tuesday.
        due = schedule.add(denver(2026, 5, 4, 6), hours(2))
        assert due == datetime(2026, 5, 5, 10, 30, tzinfo=KOLKATA)
        assert due.tzinfo is KOLKATA
        assert due.utcoffset() == timedelta(hours=5, minutes=30)
        assert (due.hour, due.minute) == (10, 30)
        assert schedule.between(datetime(2026, 5, 4, 12, tzinfo=UTC), due) == hours(2)
        assert schedule.is_open(datetime(2026, 5, 4, 4, tzinfo=UTC))
        assert not schedule.is_open(datetime(2026, 5, 4, 3, 59, tzinfo=UTC))


class TestRefusals:
    def test_naive_datetimes(self):
        schedule = support_calendar()
        naive = datetime(2026, 5, 4, 10)
        with pytest.raises(ValueError, match="timezone-aware"):
            schedule.add(naive, hours(1))
        with pytest.raises(ValueError, match="timezone-aware"):
            schedule.between(naive, denver(2026, 5, 5))
        with pytest.raises(ValueError, match="timezone-aware"):
            schedule.between(denver(2026, 5, 4), naive)
        with pytest.raises(ValueError, match="timezone-aware"):
            schedule.is_open(naive)
        with pytest.raises(ValueError, match="timezone-aware"):
            schedule.next_open(naive)

    def test_negative_amount(self):
        with pytest.raises(ValueError, match="negative"):
            support_calendar().add(denver(2026, 5, 4, 10), hours(-1))

    @pytest.mark.parametrize("weekly", [{}, {0: []}, {day: [] for day in range(7)}], ids=["none", "one", "seven"])
    def test_no_open_hours(self, weekly):
        with pytest.raises(ValueError, match="open hours"):
            Schedule(tz="America/Denver", weekly=weekly)

    @pytest.mark.parametrize(
        "intervals",
        [
            [(time(9), time(12)), (time(11), time(17))],
            [(time(9), time(17)), (time(9), time(10))],
            [(time(13), time(0)), (time(0), time(14))],
        ],
        ids=["overlapping", "same opening", "overlapping midnight end"],
    )
    def test_overlapping_intervals(self, intervals):
        with pytest.raises(ValueError, match="overlap"):
            Schedule(tz="America/Denver", weekly={0: intervals})

    @pytest.mark.parametrize("interval", [(time(9), time(9)), (time(18), time(6))], ids=["empty", "backwards"])
    def test_interval_must_open_before_it_closes(self, interval):
        with pytest.raises(ValueError, match="open before it closes"):
            Schedule(tz="America/Denver", weekly={0: [interval]})

    @pytest.mark.parametrize("tz", ["America/Boulder", "", "../etc/passwd"])
    def test_unknown_time_zone(self, tz):
        with pytest.raises(ValueError, match="time zone"):
            Schedule(tz=tz, weekly={0: [(time(9), time(17))]})

    def test_unknown_weekday(self):
        with pytest.raises(ValueError, match="Weekdays"):
            Schedule(tz="UTC", weekly={7: [(time(9), time(17))]})

    def test_times_with_a_zone(self):
        with pytest.raises(ValueError, match="wall-clock"):
            Schedule(tz="UTC", weekly={0: [(time(9, tzinfo=UTC), time(17))]})


# Properties over moments from 2025 to 2028 in several zones, on a few calendars.

US_HOLIDAYS = [
    date(year, month, day)
    for year in (2025, 2026, 2027, 2028)
    for month, day in [(1, 1), (7, 4), (12, 24), (12, 25), (12, 26), (12, 31)]
]
CALENDARS = {
    "support": support_calendar(holidays=US_HOLIDAYS),
    "lunch break": lunch_break_calendar(),
    "round the clock": round_the_clock(),
    "kolkata with holidays": Schedule(
        tz="Asia/Kolkata",
        weekly={day: [(time(9, 30), time(18, 30))] for day in range(6)},
        holidays=[date(2026, 1, 26), date(2026, 8, 15), date(2026, 10, 2), *US_HOLIDAYS],
    ),
    "sunday night shift": sunday_night_shift(),
}
# Openings and closings in the spring-forward gap and the fall-back hour: only the general properties hold here,
# the reference below reads wall-clock times naively.
AWKWARD = Schedule(
    tz="America/Denver",
    weekly={
        6: [(time(1, 30), time(2, 10)), (time(2, 20), time(2, 40)), (time(3), time(5))],
        0: [(MIDNIGHT, time(2, 15))],
    },
)

calendars = st.sampled_from(sorted(CALENDARS)).map(CALENDARS.get)
any_calendar = calendars | st.just(AWKWARD)
moments = st.datetimes(
    min_value=datetime(2025, 1, 1),
    max_value=datetime(2028, 12, 31),
    timezones=st.sampled_from([DENVER, UTC, KOLKATA, ZoneInfo("Europe/London")]),
)
amounts = st.timedeltas(min_value=timedelta(0), max_value=hours(400)) | st.sampled_from(
    [timedelta(0), timedelta(microseconds=1), hours(1), hours(2), hours(12), hours(60)]
)
properties = settings(max_examples=200, deadline=None)


@properties
@given(schedule=any_calendar, start=moments, amount=amounts)
def test_between_undoes_add(schedule, start, amount):
    assert schedule.between(start, schedule.add(start, amount)) == amount


@properties
@given(schedule=any_calendar, start=moments, amount=amounts, more=amounts)
def test_add_is_monotonic(schedule, start, amount, more):
    assert utc(schedule.add(start, amount)) <= utc(schedule.add(start, amount + more))


@properties
@given(schedule=any_calendar, start=moments, amount=amounts)
def test_a_deadline_is_open_or_a_closing_time(schedule, start, amount):
    due = schedule.add(start, amount)
    assert utc(due) >= utc(start)
    if amount:
        assert schedule.is_open(utc(due) - timedelta(microseconds=1))
    else:
        assert utc(due) == utc(schedule.next_open(start))
        assert schedule.is_open(due)


@properties
@given(schedule=any_calendar, at=moments)
def test_next_open(schedule, at):
    opening = schedule.next_open(at)
    assert utc(opening) >= utc(at)
    assert schedule.is_open(opening)
    assert schedule.between(at, opening) == timedelta(0)
    assert (utc(opening) == utc(at)) is schedule.is_open(at)


@properties
@given(schedule=any_calendar, first=moments, second=moments, third=moments)
def test_between_adds_up(schedule, first, second, third):
    start, middle, end = sorted([first, second, third], key=utc)
    assert schedule.between(start, end) == schedule.between(start, middle) + schedule.between(middle, end)
    assert timedelta(0) <= schedule.between(start, end) <= utc(end) - utc(start)
    assert schedule.between(end, start) == timedelta(0)


@properties
@given(schedule=calendars, start=moments, amount=amounts)
def test_matches_a_day_by_day_reference(schedule, start, amount):
    due = schedule.add(start, amount)
    assert utc(due) == utc(_reference_add(schedule, start, amount))
    assert due.tzinfo is schedule.tz
    end = start + amount
    assert schedule.between(start, end) == _reference_between(schedule, start, end)


def _reference_spans(schedule, first_day):
    """Open spans in UTC day by day, read straight from the weekly pattern: slow, simple, and naive about gaps."""
    day = first_day
    while True:
        if day not in schedule.holidays:
            for opens, closes in schedule.weekly.get(day.weekday(), ()):
                closing_day = day + ONE_DAY if closes == MIDNIGHT else day
                yield (
                    datetime.combine(day, opens, tzinfo=schedule.tz).astimezone(UTC),
                    datetime.combine(closing_day, closes, tzinfo=schedule.tz).astimezone(UTC),
                )
        day += ONE_DAY


def _reference_add(schedule, start, amount):
    cursor, remaining = start.astimezone(UTC), amount
    for opens, closes in _reference_spans(schedule, start.astimezone(schedule.tz).date() - ONE_DAY):
        if closes <= cursor:
            continue
        opens = max(opens, cursor)
        if remaining <= closes - opens:
            return (opens + remaining).astimezone(schedule.tz)
        remaining -= closes - opens
        cursor = closes
    raise AssertionError("unreachable")


def _reference_between(schedule, start, end):
    start, end, total = utc(start), utc(end), timedelta(0)
    for opens, closes in _reference_spans(schedule, start.astimezone(schedule.tz).date() - ONE_DAY):
        if opens >= end:
            return total
        total += max(timedelta(0), min(closes, end) - max(opens, start))
    raise AssertionError("unreachable")
