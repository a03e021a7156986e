"""Journey 4: an admin changes the support calendar's hours in the browser; a new case's TAM-reply due time
follows the new hours. The refusal a person meets: overlapping intervals are explained, nothing saved."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import BusinessCalendar
from cases.models import Milestone
from cases.services import case_open, contact_log
from tests.browser.conftest import open_signed_in

pytestmark = pytest.mark.django_db(transaction=True)


def _last_monday_5pm(zone) -> dt.datetime:
    today = timezone.localdate(timezone.now(), zone)
    monday = today - dt.timedelta(days=today.weekday() or 7)
    return dt.datetime.combine(monday, dt.time(17), tzinfo=zone)


def test_an_admin_extends_monday_hours_and_the_tam_reply_due_time_follows(
    browser, live_server, password, ess, alice, support, admin_user
):
    calendar = BusinessCalendar.objects.get(name="Support hours")
    page = open_signed_in(browser, live_server, admin_user, password)
    page.goto(f"/config/accounts/businesscalendar/{calendar.pk}/change/")

    # First a mistake: a second Monday interval overlapping the first.
    page.get_by_text("Add another Open interval").click()
    new_row = page.locator("tr.dynamic-intervals").last
    new_row.locator("select[name$='-weekday']").select_option("0")
    new_row.locator("input[name$='-opens']").fill("17:00")
    new_row.locator("input[name$='-closes']").fill("19:00")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".errorlist").first).to_contain_text("overlap")
    assert calendar.intervals.count() == 5

    page.goto(f"/config/accounts/businesscalendar/{calendar.pk}/change/")
    row = page.locator("tr.has_original").nth(0)
    row.locator("input[name$='-closes']").fill("20:00")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    assert calendar.intervals.get(weekday=0).closes == dt.time(20)

    zone = calendar.schedule().tz
    received = _last_monday_5pm(zone)
    case = case_open(
        actor=support,
        account=ess,
        contact=alice,
        subject="Voicemail",
        description="",
        channel="voicemail",
        severity=3,
        at=received,
    )
    voicemail = contact_log(actor=support, case=case, kind="voicemail", received_at=received)
    due = Milestone.objects.get(contact=voicemail).due_at
    assert due.astimezone(zone) == received + dt.timedelta(hours=2)  # 19:00 Monday, no longer 07:00 Tuesday
