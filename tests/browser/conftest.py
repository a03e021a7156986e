"""Playwright driving Debian's Chromium against the live test server.

axe-core checks every page a journey loads, in every browser context the journey opens (``axe.py``): a serious or
critical WCAG 2.1 A/AA violation fails the test, naming the page and the rule. Failed tests leave a screenshot in
test-artifacts/ (kept by CI as an artifact).
"""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.browser import axe

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
    """Mark the tests of this folder (the hook sees every item of the run, not only these)."""
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
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


# The audits of the browser contexts the running test opened; checked when it ends.
_AUDITS: list[tuple[object, axe.Audit]] = []
# Pages checked by the whole run, for the closing figures.
AXE_FIGURES = {"pages": 0, "blocking": 0}


def new_context(browser, live_server):
    """A browser context on the live server, in the Denver zone, whose pages axe checks as they load."""
    context = browser.new_context(base_url=live_server.url, timezone_id="America/Denver", locale="en-US")
    context.set_default_timeout(10_000)
    audit = axe.Audit()
    axe.watch(context, audit)
    _AUDITS.append((context, audit))
    return context


@pytest.fixture(autouse=True)
def _accessibility(request):
    """Once the journey has passed: axe on the last page of each context, then no serious or critical violation on
    any page it loaded."""
    _AUDITS.clear()
    yield
    audits = list(_AUDITS)
    _AUDITS.clear()
    try:
        if request.node.stash.get(_FAILED, True):
            return
        for context, audit in audits:
            for tab in context.pages:
                if not tab.is_closed() and tab.evaluate("document.contentType") == "text/html":
                    axe.check(tab, audit)
        blocking = [finding for _, audit in audits for finding in audit.blocking]
        AXE_FIGURES["pages"] += sum(len(audit.checked) for _, audit in audits)
        AXE_FIGURES["blocking"] += len(blocking)
        assert not blocking, "axe-core found serious or critical violations:\n" + "\n".join(map(str, blocking))
    finally:
        for context, _ in audits:
            context.close()


def pytest_terminal_summary(terminalreporter):
    if AXE_FIGURES["pages"]:
        terminalreporter.write_line(
            f"axe-core: {AXE_FIGURES['pages']} page loads checked (WCAG 2.1 A/AA), "
            f"{AXE_FIGURES['blocking']} serious or critical violations"
        )


@pytest.fixture
def page(browser, live_server, request):
    context = new_context(browser, live_server)
    tab = context.new_page()
    yield tab
    if request.node.stash.get(_FAILED, False):
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
        tab.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


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
    tab = new_context(browser, live_server).new_page()
    tab.goto("/accounts/login/")
    tab.get_by_label("Email").fill(user.email)
    tab.get_by_label("Password").fill(password)
    tab.get_by_role("button", name="Sign In").click()
    expect(tab.get_by_role("heading", level=1)).to_be_visible()
    return tab
