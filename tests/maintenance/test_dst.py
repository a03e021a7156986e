"""Daylight-saving nights in America/Denver, 2026 to 2028, on the service, the booking page and the API.

An event of N hours lasts N real hours and is shown in local wall-clock time; the support-hours rule and the TAM's
other events are measured on that real interval. A local start the clocks skip is refused with a message about
that time, on every entry point; one they repeat, typed without an offset, is refused the same way on the page
and in the API, while an instant with its offset is what it says.
"""

import datetime as dt

import pytest

from accounts.models import BusinessCalendar, OpenInterval
from accounts.services import contract_create, coverage_assign
from maintenance.models import MaintenanceEvent
from maintenance.services import credit_adjust
from tests.factories import customer_user, tier

from .conftest import DENVER, ENTRIES, attempt_action, attempt_booking, book

# The nights the clocks go back (01:00-02:00 happens twice) and forward (02:00-03:00 never happens), all Sundays.
FALL_BACK = [dt.date(2026, 11, 1), dt.date(2027, 11, 7), dt.date(2028, 11, 5)]
SPRING_FORWARD = [dt.date(2026, 3, 8), dt.date(2027, 3, 14), dt.date(2028, 3, 12)]
THREE_HOURS = dt.timedelta(hours=3)


@pytest.fixture
def three_weeks_before(time_machine, ess, admin_user):
    """Freeze the clock three weeks before ``day`` (notice given, within a year) with credits at hand."""

    def freeze(day: dt.date) -> None:
        time_machine.move_to(dt.datetime.combine(day - dt.timedelta(days=21), dt.time(10), tzinfo=DENVER), tick=False)
        credit_adjust(actor=admin_user, account=ess, amount=2, reason="Daylight-saving tests")

    return freeze


def local(moment: dt.datetime) -> str:
    return moment.astimezone(DENVER).strftime("%H:%M %Z")


@pytest.mark.parametrize("entry", ENTRIES)
@pytest.mark.parametrize("day", FALL_BACK, ids=str)
def test_three_hours_from_0030_on_the_night_clocks_go_back_end_at_0230(
    entry, day, three_weeks_before, client_for, ess, alice
):
    three_weeks_before(day)
    outcome = attempt_booking(entry, client_for, alice, ess, f"{day}T00:30", 180)
    assert outcome.ok, outcome.messages
    event = outcome.event
    assert event.duration == THREE_HOURS
    assert (local(event.starts_at), local(event.ends_at)) == ("00:30 MDT", "02:30 MST")


@pytest.mark.parametrize("entry", ENTRIES)
@pytest.mark.parametrize("day", SPRING_FORWARD, ids=str)
def test_three_hours_from_0100_on_the_night_clocks_go_forward_end_at_0500(
    entry, day, three_weeks_before, client_for, ess, alice
):
    three_weeks_before(day)
    outcome = attempt_booking(entry, client_for, alice, ess, f"{day}T01:00", 180)
    assert outcome.ok, outcome.messages
    assert outcome.event.duration == THREE_HOURS
    assert (local(outcome.event.starts_at), local(outcome.event.ends_at)) == ("01:00 MST", "05:00 MDT")


@pytest.mark.parametrize("day", [FALL_BACK[0], SPRING_FORWARD[2]], ids=str)
def test_the_page_and_the_api_show_the_real_end_in_local_time(day, three_weeks_before, client_for, ess, alice):
    three_weeks_before(day)
    start, end = ("00:30", "02:30") if day.month == 11 else ("01:00", "05:00")
    event = attempt_booking("page", client_for, alice, ess, f"{day}T{start}", 180).event
    client = client_for(alice)
    assert f"{start}–{end}" in client.get(f"/maintenance/events/{event.pk}/").content.decode()
    shown = client.get(f"/api/v1/events/{event.pk}/").json()
    assert shown["duration_minutes"] == 180
    assert dt.datetime.fromisoformat(shown["ends_at"]) == event.ends_at


@pytest.mark.parametrize("entry", ENTRIES)
@pytest.mark.parametrize("day", SPRING_FORWARD, ids=str)
def test_a_start_the_clocks_skip_is_refused_with_a_message_about_that_time(
    entry, day, three_weeks_before, client_for, ess, alice
):
    three_weeks_before(day)
    outcome = attempt_booking(entry, client_for, alice, ess, f"{day}T02:30", 120)
    assert not outcome.ok
    assert outcome.messages == [
        f"{day:%a %b %-d, %Y} 02:30 does not exist in America/Denver: that night the clocks go forward from 02:00 "
        "to 03:00. Choose a time before or after the change."
    ]
    assert not MaintenanceEvent.objects.exists()


@pytest.mark.parametrize("entry", ["page", "api"])
@pytest.mark.parametrize("day", FALL_BACK, ids=str)
def test_a_start_in_the_hour_the_clocks_repeat_is_refused(entry, day, three_weeks_before, client_for, ess, alice):
    three_weeks_before(day)
    outcome = attempt_booking(entry, client_for, alice, ess, f"{day}T01:30", 120)
    assert outcome.messages == [
        f"{day:%a %b %-d, %Y} 01:30 happens twice in America/Denver: that night the clocks go back from 02:00 "
        "to 01:00. Choose a time outside that hour."
    ]
    assert not MaintenanceEvent.objects.exists()


@pytest.mark.parametrize("day", FALL_BACK, ids=str)
def test_an_instant_in_the_repeated_hour_is_what_its_offset_or_fold_says(
    day, three_weeks_before, client_for, ess, alice
):
    """Only a wall-clock time is in doubt: with its UTC offset (API) or its fold (a service caller), it is one
    instant, booked as given."""
    three_weeks_before(day)
    first = attempt_booking("api", client_for, alice, ess, f"{day}T01:30-06:00", 60)
    assert first.ok, first.messages
    assert first.event.starts_at == dt.datetime.combine(day, dt.time(7, 30), tzinfo=dt.UTC)
    second = book(ess, alice, starts_at=dt.datetime.combine(day, dt.time(1, 30), tzinfo=DENVER).replace(fold=1))
    assert second.starts_at == dt.datetime.combine(day, dt.time(8, 30), tzinfo=dt.UTC)
    assert second.duration == dt.timedelta(hours=2)


@pytest.fixture
def open_sundays_from_three(ess):
    """Acme's own calendar is open on Sundays from 03:00 local: an event early that night may touch it."""
    calendar = BusinessCalendar.objects.create(name="Sunday shift", time_zone="America/Denver")
    OpenInterval.objects.create(calendar=calendar, weekday=6, opens=dt.time(3), closes=dt.time(18))
    ess.calendar = calendar
    ess.save()
    return calendar


@pytest.mark.parametrize("entry", ENTRIES)
@pytest.mark.parametrize("day", FALL_BACK, ids=str)
def test_support_hours_are_measured_on_the_real_interval_when_clocks_go_back(
    entry, day, three_weeks_before, open_sundays_from_three, client_for, ess, alice
):
    """00:30 plus three real hours is 02:30 that night: clear of the 03:00 opening (wall-clock arithmetic would
    say 03:30 and refuse it)."""
    three_weeks_before(day)
    outcome = attempt_booking(entry, client_for, alice, ess, f"{day}T00:30", 180)
    assert outcome.ok, outcome.messages


@pytest.mark.parametrize("entry", ENTRIES)
@pytest.mark.parametrize("day", SPRING_FORWARD, ids=str)
def test_support_hours_are_measured_on_the_real_interval_when_clocks_go_forward(
    entry, day, three_weeks_before, open_sundays_from_three, client_for, ess, alice
):
    """00:30 plus three real hours is 04:30 that night: an hour and a half past the 03:00 opening."""
    three_weeks_before(day)
    outcome = attempt_booking(entry, client_for, alice, ess, f"{day}T00:30", 180)
    assert not outcome.ok
    assert len(outcome.messages) == 1
    assert "overlaps the Sunday shift calendar (Mountain Time (America/Denver)) by 1 h 30 min" in outcome.messages[0]


@pytest.fixture
def globex_with_the_same_tam(globex, tam, backup_tam):
    coverage_assign(
        actor=None, account=globex, primary=tam, backup=backup_tam, at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    )
    contract_create(actor=None, account=globex, tier=tier("Enterprise"), start_date=dt.date(2026, 1, 1))
    return globex


@pytest.mark.parametrize("entry", ENTRIES)
@pytest.mark.parametrize("day", FALL_BACK + SPRING_FORWARD, ids=str)
def test_the_tams_other_events_are_measured_on_the_real_interval(
    entry, day, three_weeks_before, globex_with_the_same_tam, client_for, ess, alice, admin_user
):
    """Acme's three hours from 00:30 (fall) end at 02:30, so Globex may start at 02:45; from 01:00 (spring) they
    end at 05:00, so Globex may not start at 04:30."""
    three_weeks_before(day)
    credit_adjust(actor=admin_user, account=globex_with_the_same_tam, amount=1, reason="Daylight-saving tests")
    falls = day.month == 11
    start = dt.datetime.combine(day, dt.time(0, 30) if falls else dt.time(1), tzinfo=DENVER)
    book(ess, alice, starts_at=start, duration=THREE_HOURS)
    gus = customer_user(globex_with_the_same_tam, email="gus@globex.example")
    outcome = attempt_booking(
        entry, client_for, gus, globex_with_the_same_tam, f"{day}T{'02:45' if falls else '04:30'}", 60
    )
    if falls:
        assert outcome.ok, outcome.messages
    else:
        assert outcome.messages == [
            "Terry Tamsin, who would perform it, is already booked at that time; choose another time."
        ]


# --- Another time proposed by the TAM, across the change ------------------------------------------------------------


def _requested_the_evening_before(day: dt.date, ess, alice) -> MaintenanceEvent:
    evening = dt.datetime.combine(day - dt.timedelta(days=1), dt.time(19), tzinfo=DENVER)  # a Saturday evening
    return book(ess, alice, starts_at=evening, duration=dt.timedelta(hours=1))


@pytest.mark.parametrize("entry", ENTRIES)
@pytest.mark.parametrize("day", FALL_BACK + SPRING_FORWARD, ids=str)
def test_a_proposed_time_across_the_change_lasts_its_real_hours(
    entry, day, three_weeks_before, client_for, ess, alice, tam
):
    """Three hours proposed from 00:30 the night clocks go back end at 02:30; from 01:00 the night they go
    forward, at 05:00; the customer's acceptance moves the event onto that real interval."""
    three_weeks_before(day)
    event = _requested_the_evening_before(day, ess, alice)
    start, end = ("00:30 MDT", "02:30 MST") if day.month == 11 else ("01:00 MST", "05:00 MDT")

    outcome = attempt_action(entry, client_for, tam, event, "propose", start=f"{day}T{start[:5]}", minutes=180)

    assert outcome.ok, outcome.messages
    assert (local(outcome.event.proposed_starts_at), local(outcome.event.proposed_ends_at)) == (start, end)
    accepted = attempt_action(entry, client_for, alice, outcome.event, "accept")
    assert accepted.ok, accepted.messages
    assert accepted.event.duration == THREE_HOURS
    assert (local(accepted.event.starts_at), local(accepted.event.ends_at)) == (start, end)


@pytest.mark.parametrize("entry", ENTRIES)
@pytest.mark.parametrize("day", SPRING_FORWARD, ids=str)
def test_a_proposed_start_the_clocks_skip_is_refused_with_a_message_about_that_time(
    entry, day, three_weeks_before, client_for, ess, alice, tam
):
    three_weeks_before(day)
    event = _requested_the_evening_before(day, ess, alice)
    outcome = attempt_action(entry, client_for, tam, event, "propose", start=f"{day}T02:30", minutes=60)
    assert outcome.messages == [
        f"{day:%a %b %-d, %Y} 02:30 does not exist in America/Denver: that night the clocks go forward from 02:00 "
        "to 03:00. Choose a time before or after the change."
    ]
    event.refresh_from_db()
    assert not event.has_proposal


@pytest.mark.parametrize("entry", ["page", "api"])
@pytest.mark.parametrize("day", FALL_BACK, ids=str)
def test_a_proposed_start_in_the_hour_the_clocks_repeat_is_refused(
    entry, day, three_weeks_before, client_for, ess, alice, tam
):
    three_weeks_before(day)
    event = _requested_the_evening_before(day, ess, alice)
    outcome = attempt_action(entry, client_for, tam, event, "propose", start=f"{day}T01:30", minutes=60)
    assert outcome.messages == [
        f"{day:%a %b %-d, %Y} 01:30 happens twice in America/Denver: that night the clocks go back from 02:00 "
        "to 01:00. Choose a time outside that hour."
    ]
    event.refresh_from_db()
    assert not event.has_proposal
