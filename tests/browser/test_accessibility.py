"""Every role's main pages, on the demo data, pass axe-core with no serious or critical WCAG 2.1 A/AA violation;
and the two journeys a keyboard alone must complete: booking a maintenance event, replying to a case.

The pages are found as a person finds them (``tour.main_pages``: the navigation, the menu under the person's name
and one item of each list), so a page added to the menu is checked without touching this file.
"""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from accounts.local_time import from_wall_clock
from accounts.quarters import Quarter, vendor_today
from cases.models import Case, CaseEntry
from cases.services import case_open
from maintenance.credits import quarter_roll_over
from maintenance.models import MaintenanceEvent
from tests.browser import axe
from tests.browser.conftest import new_context
from tests.browser.tour import DEMO_ROLES, main_pages, sign_in

pytestmark = pytest.mark.django_db(transaction=True)
DEMO_PASSWORD = "ess-demo-2026!"


def test_every_roles_main_pages_have_no_serious_or_critical_violation(browser, live_server, settings, capsys):
    settings.DEBUG = True  # seed_demo refuses otherwise
    call_command("seed_demo", stdout=io.StringIO())
    settings.DEBUG = False
    report = {}
    for role, email in DEMO_ROLES.items():
        context = browser.new_context(base_url=live_server.url, timezone_id="America/Denver", locale="en-US")
        context.set_default_timeout(15_000)
        context.add_init_script(script=axe.AXE_SOURCE)
        page = context.new_page()
        sign_in(page, email, DEMO_PASSWORD)
        audit = axe.Audit()
        for path in main_pages(page):
            page.goto(path)
            page.wait_for_load_state("networkidle")
            axe.check(page, audit)
        context.close()
        report[role] = audit
    with capsys.disabled():
        for role, audit in report.items():
            counts = audit.counts()
            print(
                f"\naxe-core, {role}: {len(audit.checked)} pages, {counts.get('critical', 0)} critical, "
                f"{counts.get('serious', 0)} serious, {counts.get('moderate', 0)} moderate, "
                f"{counts.get('minor', 0)} minor"
            )
    # Each role reaches its own places: a customer books, staff search and work the queue, an admin reads the API.
    assert "/maintenance/" in report["customer"].checked
    assert "/api/docs/" in report["admin"].checked
    assert any(path.startswith("/cases/") and path[7:-1].isdigit() for path in report["support"].checked)
    blocking = [finding for audit in report.values() for finding in audit.blocking]
    assert not blocking, "\n".join(map(str, blocking))


def _tab_to(page, name: str, *, most: int = 80):
    """Press Tab until the focused control's accessible name (or label) contains ``name`` (a scrollable table, also a
    tab stop, is passed over)."""
    for _ in range(most):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            """() => { const e = document.activeElement;
                 if (!e || !["A", "BUTTON", "INPUT", "SELECT", "TEXTAREA", "SUMMARY"].includes(e.tagName)) return "";
                 const label = e.labels && e.labels[0] ? e.labels[0].innerText : "";
                 return [e.getAttribute("aria-label") || "", e.innerText || "", label, e.value || ""].join(" | "); }"""
        )
        if name in focused:
            return
    raise AssertionError(f"Tab never reached {name!r}")


def test_a_customer_books_an_event_with_the_keyboard_alone(browser, live_server, password, ess, alice):
    today = vendor_today()
    quarter_roll_over(as_of=today, since=Quarter.of(today).previous())
    page = new_context(browser, live_server).new_page()
    page.goto("/accounts/login/")
    _tab_to(page, "Email")
    page.keyboard.type(alice.email)
    _tab_to(page, "Password")
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    _tab_to(page, "Maintenance")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Planned maintenance")
    expect(page.locator(".chips button").first).to_be_visible()

    # A suggested slot, picked with Enter, fills the start; the live check then says the booking would be accepted.
    _tab_to(page, "Pick")  # a chip's name: "Pick" (for screen readers) and the slot shown
    chosen = page.evaluate("document.activeElement.getAttribute('data-start')")
    assert chosen, "the focus is not on a suggested slot"
    page.keyboard.press("Enter")
    expect(page.get_by_label("Start")).to_have_value(chosen)
    _tab_to(page, "What is the event for?")
    page.keyboard.press("ArrowDown")  # the first scope: a maintenance release
    _tab_to(page, "Description")
    page.keyboard.type("Apply the 10.2 maintenance release")
    page.keyboard.press("Tab")
    expect(page.locator("#slot-check")).to_contain_text("the request would be accepted")
    expect(page.get_by_test_id("bank-effect")).to_contain_text("reserves 1 of your 2 available events")
    _tab_to(page, "Request the event")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("status")).to_have_text("Requested")
    event = MaintenanceEvent.objects.get()
    assert event.starts_at == from_wall_clock(dt.datetime.fromisoformat(chosen), ZoneInfo(alice.time_zone))

    # Cancelling asks first, and says what happens to the credit.
    _tab_to(page, "Cancel this event")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("terms-customer")).to_contain_text("The credit is released")
    _tab_to(page, "Yes, cancel the event")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("status")).to_have_text("Cancelled")


def test_support_replies_to_a_case_with_the_keyboard_alone(browser, live_server, password, ess, alice, support):
    case = case_open(
        actor=alice, account=ess, subject="Scanner stopped", description="Since 06:10.", channel="portal", severity=2
    )
    page = new_context(browser, live_server).new_page()
    page.goto("/accounts/login/")
    _tab_to(page, "Email")
    page.keyboard.type(support.email)
    _tab_to(page, "Password")
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    # The search box in the header finds the case by its number.
    _tab_to(page, "Search")
    page.keyboard.type(str(case.pk))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Search")
    _tab_to(page, case.reference)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Scanner stopped")

    _tab_to(page, "Reply")
    page.keyboard.type("We are on it: restarting the capture service now.")
    _tab_to(page, "Post reply")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Reply posted.")
    reply = CaseEntry.objects.filter(case=case, kind="reply").exclude(author=alice).get()
    assert reply.author == support and reply.public
    assert Case.objects.get(pk=case.pk).status != "new"
