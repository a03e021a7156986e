"""An admin in the browser: makes a personal API token from the profile (shown once, then only its name and when it
was last used), registers a webhook endpoint (a private address is refused with the reason), sees a message reach
a real receiver in the delivery log, and sends it again."""

import pytest
from playwright.sync_api import expect

from cases.services import case_open
from integrations.delivery import deliver_due
from tests.browser.conftest import open_signed_in
from tests.integrations.conftest import bearer
from tests.integrations.receiver import Receiver

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_admin_makes_a_token_and_registers_a_webhook(browser, live_server, password, admin_user, ess, alice):
    page = open_signed_in(browser, live_server, admin_user, password)

    page.goto("/people/profile/")
    page.get_by_role("link", name="Make, see and revoke your API tokens").click()
    page.get_by_label("Name").fill("Reporting script")
    page.get_by_role("button", name="Make the token").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Token “Reporting script” made")
    value = page.locator("#new-token").inner_text().strip()
    assert value.startswith("ess_")
    assert bearer(value).get("/api/v1/me/").json()["email"] == admin_user.email
    page.get_by_role("link", name="Done").click()
    expect(page.locator("table")).to_contain_text("Reporting script")
    assert value not in page.content()

    receiver = Receiver().start()
    try:
        page.goto("/integrations/")
        page.get_by_role("button", name="Register an endpoint").click()
        page.get_by_label("Name").fill("Ops bus")
        page.get_by_label("URL").fill("http://10.0.0.8/hooks")
        page.get_by_label("case.created: A case was opened.").check()
        page.get_by_role("button", name="Register").click()
        expect(page.locator(".field-error")).to_contain_text("10.0.0.8, a private address")

        page.get_by_label("URL").fill(receiver.url)
        page.get_by_role("button", name="Register").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Ops bus")
        page.get_by_text("Show the secret").click()
        receiver.secret = page.locator("details pre").inner_text().strip()

        case_open(actor=alice, account=ess, subject="Scanner stuck", description="Batch 42", severity=2)
        deliver_due()  # the job (it has run already, after the case's commit: then this finds nothing to do)
        page.reload()
        log = page.locator("table")
        expect(log).to_contain_text("case.created")
        expect(log).to_contain_text("Delivered")
        assert [m.type for m in receiver.received] == ["case.created"] and receiver.rejected == []

        log.get_by_role("link").first.click()
        page.get_by_role("button", name="Redeliver").click()
        expect(page.locator(".flash-success")).to_contain_text("Sent again")
        deliver_due()
        assert len(receiver.received) == 2 and receiver.received[0].webhook_id == receiver.received[1].webhook_id
    finally:
        receiver.stop()
