"""Playwright driving Debian's Chromium against the live test server.

Failed tests leave a screenshot in test-artifacts/ (kept by CI as an artifact).
"""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make between
# browser steps are ordinary synchronous ones.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(items):
    for item in items:
        item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.stash.setdefault(_FAILED, report.failed)
    return report


_FAILED = pytest.StashKey[bool]()


@pytest.fixture
def page(browser, live_server, request):
    context = browser.new_context(base_url=live_server.url, timezone_id="America/Denver", locale="en-US")
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    if request.node.stash.get(_FAILED, False):
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
        tab.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    context.close()


@pytest.fixture
def sign_in(page, password):
    def sign_in_as(user, secret=None):
        page.goto("/accounts/login/")
        page.get_by_label("Email").fill(user.email)
        page.get_by_label("Password").fill(secret or password)
        page.get_by_role("button", name="Sign In").click()
        return page

    return sign_in_as


def open_signed_in(browser, live_server, user, password):
    """A second person in their own browser context (the journeys switch between people)."""
    context = browser.new_context(base_url=live_server.url, timezone_id="America/Denver", locale="en-US")
    context.set_default_timeout(10_000)
    tab = context.new_page()
    tab.goto("/accounts/login/")
    tab.get_by_label("Email").fill(user.email)
    tab.get_by_label("Password").fill(password)
    tab.get_by_role("button", name="Sign In").click()
    expect(tab.get_by_role("heading", level=1)).to_be_visible()
    return tab
