"""Suggested slots are the booking rule's own answer: every chip offered is a slot ``event_book`` accepts, none lies in
support hours or inside the notice period or while the TAM is busy, and the page asks a fixed number of queries."""

import datetime as dt
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.business_hours import Schedule
from accounts.models import BusinessCalendar
from maintenance.booking import slot_problems
from maintenance.ledger import ledger_add
from maintenance.models import CreditKind
from maintenance.slots import candidate_starts, spread, suggested_slots
from tests.maintenance.conftest import DENVER, NOW, book

pytestmark = pytest.mark.time_machine(NOW, tick=False)
CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
TWO_HOURS = dt.timedelta(hours=2)
SUPPORT_HOURS = Schedule(tz="America/Denver", weekly={d: [(dt.time(6), dt.time(18))] for d in range(5)}, holidays=[])


def test_candidates_lie_wholly_outside_support_hours_and_after_the_earliest_start():
    earliest = dt.datetime(2026, 5, 18, 10, tzinfo=DENVER)
    starts = list(candidate_starts(schedule=SUPPORT_HOURS, zone=DENVER, earliest=earliest, duration=TWO_HOURS, days=14))
    assert len(starts) == 14  # one a day
    for start in starts:
        assert start >= earliest
        assert SUPPORT_HOURS.between(start, start + TWO_HOURS) == dt.timedelta(0)
    weekdays = {start.astimezone(DENVER).time() for start in starts if start.weekday() < 5}
    assert weekdays == {dt.time(18)}  # the first usual evening start, right at closing time
    assert {start.astimezone(DENVER).time() for start in starts if start.weekday() >= 5} == {dt.time(9)}


def test_candidates_are_read_in_the_readers_zone():
    """In Chicago, 18:00 is 17:00 in Denver (support hours): the first evening start there is 19:00."""
    earliest = dt.datetime(2026, 5, 18, 10, tzinfo=DENVER)
    first = next(candidate_starts(schedule=SUPPORT_HOURS, zone=CHICAGO, earliest=earliest, duration=TWO_HOURS))
    assert first.astimezone(CHICAGO).replace(tzinfo=None) == dt.datetime(2026, 5, 18, 19)


def test_a_start_the_clocks_skip_is_passed_over():
    """Spring forward in Denver, Sunday Mar 14, 2027: 02:00 to 03:00 does not exist; the usual starts are later."""
    early = Schedule(tz="America/Denver", weekly={6: [(dt.time(9), dt.time(18))]}, holidays=[])
    earliest = dt.datetime(2027, 3, 14, 0, tzinfo=DENVER)
    first = next(candidate_starts(schedule=early, zone=DENVER, earliest=earliest, duration=TWO_HOURS, days=1), None)
    assert first is None  # 09:00-17:00 starts overlap the Sunday calendar; nothing in the skipped hour is offered


def test_the_spread_takes_a_weekday_and_a_weekend_slot_per_week():
    earliest = dt.datetime(2026, 5, 18, 10, tzinfo=DENVER)
    starts = candidate_starts(schedule=SUPPORT_HOURS, zone=DENVER, earliest=earliest, duration=TWO_HOURS)
    chosen = spread(starts, limit=6)
    assert [(s.isocalendar()[1], s.weekday() >= 5) for s in chosen] == [
        (21, False),
        (21, True),
        (22, False),
        (22, True),
        (23, False),
        (23, True),
    ]


def test_every_suggestion_is_a_slot_the_booking_accepts(banked, alice, tam):
    earliest = NOW + dt.timedelta(days=14)
    slots = suggested_slots(actor=alice, account=banked, duration=TWO_HOURS, earliest=earliest, zone=DENVER)
    assert len(slots) == 6
    for slot in slots:
        assert slot.starts_at >= earliest
        assert slot.ends_at - slot.starts_at == TWO_HOURS
        assert (
            slot_problems(
                actor=alice, account=banked, starts_at=slot.starts_at, duration=TWO_HOURS, scope="maintenance_release"
            )
            == []
        )
    # The first one, booked as offered, is accepted.
    event = book(banked, alice, starts_at=slots[0].starts_at)
    assert event.starts_at == slots[0].starts_at


def test_a_slot_the_tam_is_busy_in_is_not_offered(banked, alice, tam):
    earliest = NOW + dt.timedelta(days=14)
    first = suggested_slots(actor=alice, account=banked, duration=TWO_HOURS, earliest=earliest, zone=DENVER)[0]
    book(banked, alice, starts_at=first.starts_at)
    again = suggested_slots(actor=alice, account=banked, duration=TWO_HOURS, earliest=earliest, zone=DENVER)
    assert first.starts_at not in {slot.starts_at for slot in again}


def test_an_account_without_events_gets_no_suggestion(standard, bob):
    slots = suggested_slots(actor=bob, account=standard, duration=TWO_HOURS, earliest=NOW, zone=DENVER)
    assert slots == []


def _slots_page_queries(client):
    client.get(reverse("maintenance:suggested-slots"), {"duration": "90"})
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("maintenance:suggested-slots"), {"duration": "90"})
    assert response.status_code == 200
    return len(captured.captured_queries), response.content.decode()


def test_the_chips_take_a_fixed_number_of_queries(banked, alice, tam, client_for):
    client = client_for(alice)
    few, page = _slots_page_queries(client)
    assert page.count("data-start=") == 6 and "Free slots of 1 h 30 min" in page
    ledger_add(banked, CreditKind.ADJUSTMENT, 8, reason="Room for more bookings")
    for week in range(8):  # more events ahead change nothing in the count
        book(banked, alice, starts_at=dt.datetime(2026, 8, 3, 19, tzinfo=DENVER) + dt.timedelta(weeks=week))
    many, _ = _slots_page_queries(client)
    assert many == few
    assert few <= 40  # the request's own, the contract, and the booking rule asked of at most eight candidates


def test_the_chips_are_for_who_may_book(banked, support, bob, standard, client_for):
    """Support staff do not book (403, as the booking answers); a customer only ever gets their own account's."""
    assert client_for(support).get(reverse("maintenance:suggested-slots"), {"account": "acme"}).status_code == 403
    page = client_for(bob).get(reverse("maintenance:suggested-slots"), {"account": "acme"}).content.decode()
    assert "data-start=" not in page and "No free slot" in page


def test_the_calendar_of_the_account_is_the_one_suggestions_avoid(banked, alice, tam):
    """An account with its own calendar open every evening gets weekend suggestions only."""
    calendar = BusinessCalendar.objects.create(name="Evening shift", time_zone="America/Denver")
    for day in range(5):
        calendar.intervals.create(weekday=day, opens=dt.time(6), closes=dt.time(23, 59))
    banked.calendar = calendar
    banked.save(update_fields=["calendar"])
    slots = suggested_slots(
        actor=alice, account=banked, duration=TWO_HOURS, earliest=NOW + dt.timedelta(days=14), zone=DENVER
    )
    assert slots and all(slot.weekend for slot in slots)
