"""The quarterly reviews job on beat's UTC clock: the quarter turns at local midnight in Denver, daylight-saving
changes neither double nor skip a review, and a worker back after a missed quarter catches up once."""

import datetime as dt
import zoneinfo

import pytest

from reviews.models import ProactiveReview, ReviewQuarter
from reviews.tasks import create_quarterly_reviews

DENVER = zoneinfo.ZoneInfo("America/Denver")
D = dt.date


def quarters_of(account) -> list[dt.date]:
    return list(
        ProactiveReview.objects.filter(account=account)
        .order_by("quarter_start")
        .values_list("quarter_start", flat=True)
    )


@pytest.fixture
def run_at(time_machine):
    """Run the beat task at ``moment`` (the clock stays there), ``times`` times."""

    def run(moment: dt.datetime, times: int = 1) -> None:
        time_machine.move_to(moment, tick=False)
        for _ in range(times):
            create_quarterly_reviews.delay()

    return run


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        # 06:59 UTC on Jan 1, 2027 is still Dec 31 in Denver (MST, UTC-7): no Q1 2027 review yet.
        (dt.datetime(2027, 1, 1, 6, 59, tzinfo=dt.UTC), [D(2026, 10, 1)]),
        # 07:00 UTC is local midnight: Q1 2027's review exists.
        (dt.datetime(2027, 1, 1, 7, 0, tzinfo=dt.UTC), [D(2026, 10, 1), D(2027, 1, 1)]),
        # In summer time the turn is at 06:00 UTC (MDT, UTC-6).
        (dt.datetime(2026, 10, 1, 5, 59, tzinfo=dt.UTC), [D(2026, 7, 1)]),
        (dt.datetime(2026, 10, 1, 6, 0, tzinfo=dt.UTC), [D(2026, 7, 1), D(2026, 10, 1)]),
    ],
)
def test_the_quarter_turns_at_local_midnight_in_the_vendor_zone(ess, run_at, moment, expected):
    run_at(dt.datetime.combine(expected[0], dt.time(12), tzinfo=DENVER))
    run_at(moment)
    assert quarters_of(ess) == expected


def test_hourly_runs_across_both_dst_changes_create_one_review_per_quarter(ess, run_at):
    run_at(dt.datetime(2026, 1, 1, 12, tzinfo=DENVER))
    for change in (dt.datetime(2026, 3, 8, 9, tzinfo=dt.UTC), dt.datetime(2026, 11, 1, 8, tzinfo=dt.UTC)):
        for hour in range(-6, 7):
            run_at(change + dt.timedelta(hours=hour), times=2)  # each tick delivered twice
    for turn in (D(2026, 4, 1), D(2026, 7, 1), D(2026, 10, 1), D(2027, 1, 1)):
        for hour in range(-2, 3):  # hourly around local midnight of each quarter's first day
            run_at(dt.datetime.combine(turn, dt.time(0), tzinfo=DENVER) + dt.timedelta(hours=hour))
    assert quarters_of(ess) == [D(2026, 1, 1), D(2026, 4, 1), D(2026, 7, 1), D(2026, 10, 1), D(2027, 1, 1)]
    assert ReviewQuarter.objects.count() == 5


def test_a_worker_back_after_two_missed_quarters_catches_up_once(ess, run_at):
    run_at(dt.datetime(2026, 1, 15, 12, tzinfo=DENVER))
    run_at(dt.datetime(2026, 8, 3, 3, tzinfo=dt.UTC), times=3)  # down from January to August
    assert quarters_of(ess) == [D(2026, 1, 1), D(2026, 4, 1), D(2026, 7, 1)]
    due = dict(ProactiveReview.objects.filter(account=ess).values_list("quarter_start", "due_date"))
    assert due[D(2026, 4, 1)] == D(2026, 6, 30)
