"""Journey 3: support staff log a phone case for the ESS account and escalate it; the TAM acknowledges it from
the escalations page, and the case page shows the acknowledgement target met. And a refusal a customer meets."""

import re

import pytest
from playwright.sync_api import expect

from cases.models import Case, Escalation
from cases.services import case_open
from tests.browser.conftest import open_signed_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_support_log_a_phone_case_escalate_it_and_the_tam_acknowledges(
    browser, live_server, password, sign_in, ess, alice, support, tam
):
    page = sign_in(support)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Cases").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Support queue")
    page.get_by_role("button", name="Open a case").click()

    # A mistake first: no subject. The form says so and nothing is saved.
    page.get_by_label("Account", exact=True).select_option(label="Acme Manufacturing")
    page.get_by_role("button", name="Open the case").click()
    expect(page.get_by_text("Give the case a subject.")).to_be_visible()
    assert not Case.objects.exists()

    page.get_by_label("Account", exact=True).select_option(label="Acme Manufacturing")
    page.get_by_label("Contact", exact=True).select_option(label=f"{alice.display_name} (Acme Manufacturing)")
    page.get_by_label("Came in by").select_option(label="Phone")
    page.get_by_label("Severity").select_option(label="2 · High")
    page.get_by_label("Subject").fill("Scanners on line 3 stopped")
    page.get_by_label("What happened?").fill("Called in at the start of the shift.")
    page.get_by_role("button", name="Open the case").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Scanners on line 3 stopped")
    case = Case.objects.get()
    assert (case.account, case.channel, case.on_behalf, case.contact) == (ess, "phone", True, alice)
    expect(page.get_by_text("opened on behalf of the customer by Sam Support")).to_be_visible()

    page.get_by_label("Reason").fill("Production is down")
    page.get_by_role("button", name="Escalate to the TAM").click()
    expect(page.get_by_role("heading", name="Escalated to Terry Tamsin")).to_be_visible()
    escalation = Escalation.objects.get()
    assert escalation.escalated_to == tam

    tam_page = open_signed_in(browser, live_server, tam, password)
    tam_page.get_by_role("navigation", name="Main").get_by_role("link", name="Escalations").click()
    row = tam_page.get_by_role("row").filter(has_text=case.reference)
    expect(row).to_contain_text("Production is down")
    expect(row).to_contain_text(re.compile(r"due in 1[45] min"))
    row.get_by_role("button", name="Acknowledge").click()

    expect(tam_page.get_by_role("status")).to_contain_text(f"You acknowledged the escalation of {case.reference}")
    expect(tam_page.get_by_role("heading", level=1)).to_have_text("Scanners on line 3 stopped")
    clock = tam_page.locator("ul.clocks li").filter(has_text="Escalation acknowledged")
    expect(clock).to_contain_text("met")
    escalation.refresh_from_db()
    assert escalation.acknowledged_by == tam


def test_a_customer_opening_another_accounts_case_finds_nothing(browser, live_server, password, sign_in, alice, bob):
    theirs = case_open(
        actor=bob, account=bob.account, subject="Globex customs labels", description="", channel="portal", severity=3
    )
    page = sign_in(alice)
    page.goto(f"/cases/{theirs.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Not found")
    expect(page.get_by_text("Globex customs labels")).to_have_count(0)
