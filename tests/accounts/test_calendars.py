import datetime as dt

import pytest

from accounts.models import BusinessCalendar, Holiday
from accounts.services import (
    calendar_add_holiday,
    calendar_import_holidays,
    calendar_remove_holiday,
    calendar_set_hours,
    public_holidays,
)
from core.errors import DomainError
from tests.factories import support_hours_calendar
from tests.races import at_once

T = dt.time


def test_the_calendar_row_becomes_a_schedule(db):
    schedule = support_hours_calendar().schedule()
    friday_five = dt.datetime(2026, 12, 4, 17, 0, tzinfo=schedule.tz)
    assert schedule.add(friday_five, dt.timedelta(hours=2)) == dt.datetime(2026, 12, 7, 7, 0, tzinfo=schedule.tz)


def test_the_schedule_is_built_once_per_version(db, django_assert_num_queries):
    calendar = support_hours_calendar()
    calendar.schedule()
    with django_assert_num_queries(0):
        assert calendar.schedule() is calendar.schedule()


def test_a_new_holiday_rebuilds_the_schedule(db):
    calendar = support_hours_calendar()
    christmas = dt.datetime(2026, 12, 25, 9, 0, tzinfo=calendar.schedule().tz)
    assert calendar.schedule().is_open(christmas)
    Holiday.objects.create(calendar=calendar, date=dt.date(2026, 12, 25), name="Christmas Day")
    calendar.refresh_from_db()
    assert not calendar.schedule().is_open(christmas)


def test_set_hours_replaces_the_week_and_refuses_overlaps(db):
    calendar = support_hours_calendar()
    calendar_set_hours(actor=None, calendar=calendar, weekly={0: [(T(8), T(12)), (T(13), T(17))]})
    calendar.refresh_from_db()
    monday_noon = dt.datetime(2026, 11, 30, 12, 30, tzinfo=calendar.schedule().tz)
    assert not calendar.schedule().is_open(monday_noon)
    with pytest.raises(DomainError):
        calendar_set_hours(actor=None, calendar=calendar, weekly={0: [(T(8), T(12)), (T(11), T(17))]})
    with pytest.raises(DomainError):
        calendar_set_hours(actor=None, calendar=calendar, weekly={})
    assert calendar.intervals.count() == 2


def test_public_holidays_come_from_the_holidays_package(db):
    found = dict(public_holidays(country="US", subdivision="CO", year=2026))
    assert found[dt.date(2026, 12, 25)] == "Christmas Day"
    assert dt.date(2026, 11, 26) in found  # Thanksgiving
    with pytest.raises(DomainError) as refused:
        public_holidays(country="XX", year=2026)
    assert refused.value.field == "country"


def test_import_keeps_existing_dates(db):
    calendar = support_hours_calendar()
    Holiday.objects.create(calendar=calendar, date=dt.date(2026, 12, 25), name="Our Christmas")
    added = calendar_import_holidays(
        actor=None,
        calendar=calendar,
        holidays=[(dt.date(2026, 12, 25), "Christmas Day"), (dt.date(2026, 1, 1), "New Year")],
    )
    assert added == 1
    assert calendar.holidays.get(date=dt.date(2026, 12, 25)).name == "Our Christmas"


def test_a_holiday_by_hand_is_added_once_and_a_date_it_has_is_renamed(db):
    calendar = support_hours_calendar()
    calendar_add_holiday(actor=None, calendar=calendar, day=dt.date(2026, 12, 24), name="Christmas Eve")
    calendar_add_holiday(actor=None, calendar=calendar, day=dt.date(2026, 12, 24), name="  Office closed ")
    assert list(calendar.holidays.values_list("date", "name")) == [(dt.date(2026, 12, 24), "Office closed")]
    with pytest.raises(DomainError) as refused:
        calendar_add_holiday(actor=None, calendar=calendar, day=dt.date(2026, 12, 31), name="   ")
    assert refused.value.errors == {"name": ["Name the holiday, e.g. “Founders' day”."]}
    assert calendar.holidays.count() == 1


def test_removing_a_date_that_is_no_holiday_is_refused_on_the_page_and_nothing_changes(client_for, admin_user):
    calendar = support_hours_calendar()
    Holiday.objects.create(calendar=calendar, date=dt.date(2026, 12, 25), name="Christmas Day")
    with pytest.raises(DomainError, match="Dec 26, 2026 is not a holiday of"):
        calendar_remove_holiday(actor=None, calendar=calendar, day=dt.date(2026, 12, 26))
    client = client_for(admin_user)
    page = client.post(f"/configuration/calendars/{calendar.pk}/holidays/remove/", {"date": "2026-12-26"}, follow=True)
    assert "Dec 26, 2026 is not a holiday of" in page.content.decode()
    assert list(calendar.holidays.values_list("date", flat=True)) == [dt.date(2026, 12, 25)]
    client.post(f"/configuration/calendars/{calendar.pk}/holidays/remove/", {"date": "2026-12-25"})
    assert not calendar.holidays.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_holidays_added_at_once_are_both_kept():
    """Each addition reads and writes under the calendar's row lock: neither overwrites the other's."""
    calendar = support_hours_calendar()
    days = [dt.date(2027, 1, 15), dt.date(2027, 2, 15), dt.date(2027, 3, 15), dt.date(2027, 4, 15)]
    outcomes = at_once(
        len(days), lambda n: calendar_add_holiday(actor=None, calendar=calendar, day=days[n], name=f"Day {n}")
    )
    assert not outcomes.errors
    assert sorted(calendar.holidays.values_list("date", flat=True)) == days


def test_the_admin_import_shows_holidays_for_review_before_saving(client_for, admin_user):
    calendar = support_hours_calendar()
    client = client_for(admin_user)
    url = f"/config/accounts/businesscalendar/{calendar.pk}/import-holidays/"
    preview = client.get(url, {"country": "US", "subdivision": "", "year": 2027})
    assert preview.status_code == 200
    assert "Christmas Day" in preview.content.decode()
    assert not calendar.holidays.exists()  # nothing saved by looking
    saved = client.post(
        url, {"country": "US", "subdivision": "", "year": 2027, "date": ["2027-12-24", "2027-07-05"], "confirm": "1"}
    )
    assert saved.status_code == 302
    assert sorted(calendar.holidays.values_list("date", flat=True)) == [dt.date(2027, 7, 5), dt.date(2027, 12, 24)]


def test_the_admin_import_explains_an_unknown_country(client_for, admin_user):
    calendar = support_hours_calendar()
    page = client_for(admin_user).get(
        f"/config/accounts/businesscalendar/{calendar.pk}/import-holidays/", {"country": "XX", "year": 2027}
    )
    assert page.status_code == 200
    assert "No holiday data" in page.content.decode()


def test_the_admin_refuses_overlapping_intervals(client_for, admin_user):
    client = client_for(admin_user)
    data = {
        "name": "Lunch",
        "time_zone": "Europe/Paris",
        "description": "",
        "intervals-TOTAL_FORMS": "2",
        "intervals-INITIAL_FORMS": "0",
        "intervals-MIN_NUM_FORMS": "1",
        "intervals-MAX_NUM_FORMS": "1000",
        "intervals-0-weekday": "0",
        "intervals-0-opens": "08:00",
        "intervals-0-closes": "12:00",
        "intervals-1-weekday": "0",
        "intervals-1-opens": "11:00",
        "intervals-1-closes": "17:00",
        "holidays-TOTAL_FORMS": "0",
        "holidays-INITIAL_FORMS": "0",
        "holidays-MIN_NUM_FORMS": "0",
        "holidays-MAX_NUM_FORMS": "1000",
    }
    response = client.post("/config/accounts/businesscalendar/add/", data)
    assert response.status_code == 200
    assert "overlap" in response.content.decode().lower()
    assert not BusinessCalendar.objects.filter(name="Lunch").exists()
    data["intervals-1-opens"] = "13:00"
    assert client.post("/config/accounts/businesscalendar/add/", data).status_code == 302
    assert BusinessCalendar.objects.get(name="Lunch").intervals.count() == 2


def test_an_unknown_time_zone_is_refused(client_for, admin_user):
    response = client_for(admin_user).post(
        "/config/accounts/businesscalendar/add/",
        {
            "name": "Mars",
            "time_zone": "Mars/Olympus",
            "intervals-TOTAL_FORMS": "0",
            "intervals-INITIAL_FORMS": "0",
            "holidays-TOTAL_FORMS": "0",
            "holidays-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "not a known IANA time zone" in response.content.decode()


def test_customers_read_only_the_calendars_that_concern_them(client_for, alice, bob, globex):
    from accounts.models import BusinessCalendar

    sydney = BusinessCalendar.objects.create(name="Globex Sydney", time_zone="Australia/Sydney")
    globex.calendar = sydney
    globex.save()
    alice_sees = {c["name"] for c in client_for(alice).get("/api/v1/calendars/").json()["results"]}
    assert alice_sees == {"Support hours"}
    bob_sees = {c["name"] for c in client_for(bob).get("/api/v1/calendars/").json()["results"]}
    assert bob_sees == {"Support hours", "Globex Sydney"}
