"""Suggested slots for a maintenance event: a few starts in the coming weeks that the booking would accept.

``candidate_starts`` is pure arithmetic (no Django): for each day from the earliest start, the first of a few usual
local starts (evenings on weekdays, mornings and afternoons at weekends) whose whole event lies outside the support
calendar's open hours. ``suggested_slots`` takes a spread of them (a weekday evening and a weekend slot per week) and
keeps those that ``booking.slot_problems`` (the booking's own rule: notice, support hours, the contract, the
performing TAM free, the duration) finds nothing wrong with. It checks a bounded number of candidates, so a page
asks a fixed number of queries whatever the number of events or absences.
"""

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from accounts.business_hours import Schedule
from accounts.local_time import LocalTimeError, elapsed_end, from_wall_clock
from accounts.models import Account, User
from accounts.selectors import contract_in_force

from .booking import slot_problems

WEEKDAY_STARTS = (dt.time(18), dt.time(19), dt.time(20), dt.time(21))
WEEKEND_STARTS = (dt.time(9), dt.time(10), dt.time(13), dt.time(15))
HORIZON_DAYS = 28
SUGGESTIONS = 6
# The booking rule is asked of at most this many candidates (each takes a few queries).
MOST_CHECKS = SUGGESTIONS + 4


@dataclass(frozen=True)
class Slot:
    starts_at: dt.datetime
    ends_at: dt.datetime

    @property
    def weekend(self) -> bool:
        return self.starts_at.weekday() >= 5


def candidate_starts(
    *,
    schedule: Schedule,
    zone: dt.tzinfo,
    earliest: dt.datetime,
    duration: dt.timedelta,
    days: int = HORIZON_DAYS,
) -> Iterator[dt.datetime]:
    """Per local day (in ``zone``, the reader's) from ``earliest`` on, the first usual start at or after ``earliest``
    whose event of ``duration`` (real time) has no minute in the schedule's open hours. A start the clocks skip or
    repeat that night is passed over."""
    first_day = earliest.astimezone(zone).date()
    for offset in range(days):
        day = first_day + dt.timedelta(days=offset)
        for time in WEEKEND_STARTS if day.weekday() >= 5 else WEEKDAY_STARTS:
            try:
                start = from_wall_clock(dt.datetime.combine(day, time), zone)
            except LocalTimeError:
                continue
            if start < earliest:
                continue
            if not schedule.between(start, elapsed_end(start, duration)):
                yield start
                break


def spread(starts: Iterator[dt.datetime], *, limit: int) -> list[dt.datetime]:
    """The first weekday start and the first weekend start of each week, in order, at most ``limit``."""
    chosen, seen = [], set()
    for start in starts:
        key = (start.isocalendar()[:2], start.weekday() >= 5)
        if key in seen:
            continue
        seen.add(key)
        chosen.append(start)
        if len(chosen) == limit:
            break
    return chosen


def suggested_slots(
    *,
    actor: User,
    account: Account,
    duration: dt.timedelta,
    earliest: dt.datetime,
    zone: dt.tzinfo,
    limit: int = SUGGESTIONS,
) -> list[Slot]:
    """Up to ``limit`` slots of ``duration`` from ``earliest`` that the booking would accept now (credit aside: the
    page says when there is none), in ``zone``'s usual hours."""
    contract = contract_in_force(account, earliest.date())
    if contract is None or not contract.tier.events_per_quarter:
        return []
    calendar = account.calendar or contract.tier.support_calendar
    starts = candidate_starts(schedule=calendar.schedule(), zone=zone, earliest=earliest, duration=duration)
    slots = []
    for start in spread(starts, limit=MOST_CHECKS):
        if not slot_problems(actor=actor, account=account, starts_at=start, duration=duration, needs_credit=False):
            slots.append(Slot(start, elapsed_end(start, duration)))
            if len(slots) == limit:
                break
    return slots
