"""The quarterly job at the edges: the quarter turns at local midnight in Denver, whatever beat's UTC clock says,
and daylight-saving changes neither double nor skip a grant."""

import datetime as dt
import zoneinfo

import pytest

from maintenance.credits import quarter_roll_over
from maintenance.models import CreditEntry, CreditKind
from maintenance.tasks import roll_over_quarter

DENVER = zoneinfo.ZoneInfo("America/Denver")


def grants(account):
    return list(
        CreditEntry.objects.filter(account=account, kind=CreditKind.GRANT)
        .order_by("quarter_start")
        .values_list("quarter_start", flat=True)
    )


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        # 05:59 UTC on Apr 1 is still Mar 31 in Denver (MDT, UTC-6): no Q2 grant yet.
        (dt.datetime(2026, 4, 1, 5, 59, tzinfo=dt.UTC), [dt.date(2026, 1, 1)]),
        # 06:00 UTC is local midnight: Q2 is granted.
        (dt.datetime(2026, 4, 1, 6, 0, tzinfo=dt.UTC), [dt.date(2026, 1, 1), dt.date(2026, 4, 1)]),
    ],
)
def test_the_quarter_turns_at_local_midnight_in_the_vendor_zone(ess, moment, expected, time_machine):
    time_machine.move_to(dt.datetime(2026, 1, 1, 12, tzinfo=DENVER), tick=False)
    roll_over_quarter()
    time_machine.move_to(moment, tick=False)
    roll_over_quarter()
    assert grants(ess) == expected


def test_hourly_runs_across_both_dst_changes_grant_once_per_quarter(ess, time_machine):
    """Beat fires every hour in UTC; walking through 2026 hour by hour around each change grants nothing twice."""
    time_machine.move_to(dt.datetime(2026, 1, 1, 12, tzinfo=DENVER), tick=False)
    quarter_roll_over()
    for change in (dt.datetime(2026, 3, 8, 8, tzinfo=dt.UTC), dt.datetime(2026, 11, 1, 7, tzinfo=dt.UTC)):
        for hour in range(-6, 7):
            time_machine.move_to(change + dt.timedelta(hours=hour), tick=False)
            roll_over_quarter()
    time_machine.move_to(dt.datetime(2027, 1, 1, 7, 30, tzinfo=dt.UTC), tick=False)  # 00:30 in Denver
    roll_over_quarter()
    roll_over_quarter()
    assert grants(ess) == [
        dt.date(2026, 1, 1),
        dt.date(2026, 4, 1),
        dt.date(2026, 7, 1),
        dt.date(2026, 10, 1),
        dt.date(2027, 1, 1),
    ]
    assert sum(CreditEntry.objects.filter(account=ess).values_list("available_delta", flat=True)) == 2
