"""Contracts over time in the browser: an administrator walks the renewals page (what is at stake, a filter, the
CSV), opens a contract and renews it; a customer opens their quarterly value report and its PDF, and asks for it
by e-mail. Dates are reckoned from today, so the journey passes on any date."""

import datetime as dt
from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.models import Contract
from accounts.quarters import Quarter, vendor_today
from accounts.services import contract_end
from tests.browser.conftest import open_signed_in
from value_reports.generation import reports_generate
from value_reports.models import ReportSubscription

pytestmark = pytest.mark.django_db(transaction=True)


def _menu(page, name):
    page.locator("details.user-menu summary").click()
    page.get_by_role("link", name=name, exact=True).click()


def test_an_admin_walks_the_renewals_and_renews(browser, live_server, password, ess, standard, admin_user):
    ends = vendor_today() + dt.timedelta(days=40)
    contract_end(actor=None, contract=Contract.objects.get(account=ess), end_date=ends)
    page = open_signed_in(browser, live_server, admin_user, password)
    _menu(page, "Renewals")
    expect(page.get_by_role("heading", name="Contract renewals")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Acme Manufacturing")
    expect(row).to_contain_text("renewal due")
    expect(row).to_contain_text("in 40 days")
    expect(row).to_contain_text("Terry Tamsin")
    expect(page.get_by_role("row").filter(has_text="Globex")).to_have_count(0)  # open-ended: not ending

    page.get_by_label("State").select_option("lapsed")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_text("No contract ends in this window.")).to_be_visible()
    page.get_by_label("State").select_option("renewal due")
    page.get_by_role("button", name="Filter").click()
    with page.expect_download() as download:
        page.get_by_role("button", name="Export CSV").click()
    lines = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("account,tier,start,end,days left,state")
    assert lines[1].startswith(f"Acme Manufacturing,Enterprise,2026-01-01,{ends:%Y-%m-%d},40,renewal due")

    page.get_by_role("link", name="Acme Manufacturing").click()
    page.get_by_role("button", name="Renew").click()
    expect(page.get_by_text("Renewed: Acme Manufacturing · Enterprise")).to_be_visible()
    expect(page.get_by_role("heading", level=1).locator("..")).to_contain_text("renewed")
    renewal = Contract.objects.get(account=ess, start_date=ends + dt.timedelta(days=1))
    assert renewal.tier.name == "Enterprise"


def test_a_customer_opens_their_value_report_and_its_pdf(browser, live_server, password, ess, alice):
    reports_generate()
    quarter = Quarter.of(vendor_today()).previous()
    page = open_signed_in(browser, live_server, alice, password)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Value reports", exact=True).click()
    page.get_by_role("link", name=quarter.label).click()
    expect(page.get_by_role("heading", name=f"ESS value report · {quarter.label}")).to_be_visible()
    for section in ("The quarter at a glance", "Planned maintenance events", "Service levels", "TAM coverage"):
        expect(page.get_by_role("heading", name=section)).to_be_visible()
    pdf_link = page.get_by_role("button", name="Download the PDF")
    pdf = page.request.get(pdf_link.get_attribute("href"))
    assert pdf.status == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body()[:5] == b"%PDF-"

    page.get_by_role("link", name="All reports").click()
    page.get_by_label("E-mail me the value report each quarter, with its PDF").check()
    page.get_by_role("button", name="Save").first.click()
    expect(page.get_by_text("You will receive the value report by e-mail each quarter.")).to_be_visible()
    assert ReportSubscription.objects.filter(user=alice).exists()
