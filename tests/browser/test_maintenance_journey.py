"""Journeys 1 and 2: a customer with two banked events books an evening event three weeks ahead; the TAM
confirms it from the dashboard; the customer sees it confirmed and has the invitation."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from accounts.quarters import Quarter, vendor_today, vendor_zone
from maintenance.credits import quarter_roll_over
from maintenance.models import EventStatus, MaintenanceEvent
from tests.browser.conftest import open_signed_in

pytestmark = pytest.mark.django_db(transaction=True)


def _three_weeks_ahead_evening() -> dt.datetime:
    day = vendor_today() + dt.timedelta(days=21)
    while day.weekday() >= 5:  # a weekday evening, after support hours
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(19), tzinfo=vendor_zone())


def test_customer_books_and_the_tam_confirms(browser, live_server, password, ess, alice, tam, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    today = vendor_today()
    quarter_roll_over(as_of=today, since=Quarter.of(today).previous())
    customer = open_signed_in(browser, live_server, alice, password)
    customer.get_by_role("navigation", name="Main").get_by_role("link", name="Maintenance").click()
    expect(customer.get_by_test_id("available")).to_have_text("2")

    # A refusal a person meets: a slot inside business hours, flagged as they pick it.
    start = _three_weeks_ahead_evening()
    customer.get_by_label("What is the event for?").select_option(label="Apply a maintenance release or minor update")
    customer.get_by_label("Description").fill("Apply the 10.2 maintenance release")
    customer.get_by_label("Start").fill(start.replace(hour=10).strftime("%Y-%m-%dT%H:%M"))
    customer.get_by_label("Duration").select_option("120")
    expect(customer.locator("#slot-check")).to_contain_text("outside support hours")
    customer.get_by_role("button", name="Request the event").click()
    expect(customer.locator(".field-error")).to_contain_text("Events take place outside support hours")
    assert not MaintenanceEvent.objects.exists()

    customer.get_by_label("Start").fill(start.strftime("%Y-%m-%dT%H:%M"))
    customer.get_by_label("Duration").select_option("120")
    expect(customer.locator("#slot-check")).to_contain_text("This slot is outside support hours")
    customer.get_by_role("button", name="Request the event").click()
    expect(customer.get_by_test_id("status")).to_have_text("Requested")
    event = MaintenanceEvent.objects.get()
    assert event.starts_at == start

    tam_page = open_signed_in(browser, live_server, tam, password)
    tam_page.get_by_role("navigation", name="Main").get_by_role("link", name="Maintenance").click()
    tam_page.get_by_role("link", name=re.compile(start.strftime("%b %-d"))).first.click()
    tam_page.get_by_role("button", name="Confirm event").click()
    expect(tam_page.get_by_test_id("status")).to_have_text("Confirmed")

    customer.reload()
    expect(customer.get_by_test_id("status")).to_have_text("Confirmed")
    event.refresh_from_db()
    assert event.status == EventStatus.CONFIRMED
    invites = [m for m in mail.outbox if m.to == [alice.email] and m.attachments]
    assert invites and invites[0].attachments[0][0] == "invite.ics"
    assert event.starts_at > timezone.now() + dt.timedelta(days=14)
