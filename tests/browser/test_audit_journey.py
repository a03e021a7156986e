"""An admin's configuration change: asked for the password again when it is older than 15 minutes (a wrong one
changes nothing), then the change is made and shows in the tier's audit trail with who made it."""

import time

import pytest
from django.contrib.sessions.backends.db import SessionStore
from playwright.sync_api import expect

from accounts.models import Tier
from tests.browser.conftest import open_signed_in

pytestmark = pytest.mark.django_db(transaction=True)


def _age_the_password(page, minutes: int) -> None:
    # Every request saves the session: let the page's own requests (the job status banner) finish first.
    page.wait_for_load_state("networkidle")
    cookie = next(c for c in page.context.cookies() if c["name"] == "sessionid")
    session = SessionStore(session_key=cookie["value"])
    for record in session["account_authentication_methods"]:
        record["at"] = time.time() - minutes * 60
    session.save()


def test_an_admin_confirms_the_password_then_finds_the_change_in_the_audit_trail(
    browser, live_server, password, admin_user
):
    enterprise = Tier.objects.get(name="Enterprise")
    page = open_signed_in(browser, live_server, admin_user, password)
    _age_the_password(page, minutes=20)

    page.goto(f"/config/accounts/tier/{enterprise.pk}/change/")
    page.locator("#id_store_discount_percent").fill("30")
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page).to_have_url(
        f"{live_server.url}/accounts/reauthenticate/?next=%2Fconfig%2Faccounts%2Ftier%2F{enterprise.pk}%2Fchange%2F"
    )
    page.get_by_label("Password").fill("not my password")
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator("form[action='/accounts/reauthenticate/']")).to_contain_text("Incorrect password")
    enterprise.refresh_from_db()
    assert enterprise.store_discount_percent != 30

    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    enterprise.refresh_from_db()
    assert enterprise.store_discount_percent == 30

    page.goto(f"/config/accounts/tier/{enterprise.pk}/change/")
    page.get_by_role("link", name="History").click()
    trail = page.locator("#audit-trail")
    expect(trail).to_contain_text("store_discount_percent")
    expect(trail).to_contain_text(admin_user.email)
    # One change, by the admin (a test database flushed before this test may also hold the tier's creation).
    expect(trail.locator(":scope > tbody > tr", has_text="Changed")).to_have_count(1)
