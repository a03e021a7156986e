import datetime as dt

import pytest
from playwright.sync_api import expect

from accounts.models import Contract, TamAbsence
from accounts.services import contract_create, coverage_assign
from tests.factories import tier

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def acme_on_ess(acme, tam, backup_tam, alice):
    coverage_assign(actor=None, account=acme, primary=tam, backup=backup_tam)
    contract_create(actor=None, account=acme, tier=tier("Enterprise"), start_date=dt.date(2025, 1, 1))
    return acme


def test_a_tam_records_an_absence_and_the_customer_sees_who_covers(
    browser, live_server, password, acme_on_ess, tam, alice
):
    from tests.browser.conftest import open_signed_in

    tam_page = open_signed_in(browser, live_server, tam, password)
    tam_page.locator(".user-menu summary").click()
    tam_page.get_by_role("link", name="Absences").click()
    start = dt.date.today() + dt.timedelta(days=10)
    tam_page.get_by_label("Away from").fill(f"{start:%Y-%m-%d}T08:00")
    tam_page.get_by_label("Back at").fill(f"{start + dt.timedelta(days=2):%Y-%m-%d}T17:00")
    tam_page.get_by_label("Note").fill("Partner training")
    tam_page.get_by_role("button", name="Record absence").click()
    expect(tam_page.get_by_role("status")).to_contain_text("Absence recorded")
    expect(tam_page.get_by_role("table")).to_contain_text("Partner training")
    assert TamAbsence.objects.filter(tam=tam).count() == 1

    # A mistake a person makes: the end before the start. Clear message, nothing saved.
    tam_page.get_by_label("Away from").fill(f"{start:%Y-%m-%d}T08:00")
    tam_page.get_by_label("Back at").fill(f"{start:%Y-%m-%d}T07:00")
    tam_page.get_by_role("button", name="Record absence").click()
    expect(tam_page.get_by_text("An absence ends after it starts.")).to_be_visible()
    assert TamAbsence.objects.filter(tam=tam).count() == 1

    customer_page = open_signed_in(browser, live_server, alice, password)
    coverage = customer_page.get_by_role("article").filter(has_text="Your TAM")
    expect(coverage).to_contain_text("Terry Tamsin is away")
    expect(coverage).to_contain_text("Partner training")
    expect(coverage).to_contain_text("Bianca Backup covers")


def test_an_admin_gives_an_account_a_contract_in_the_browser(
    browser, live_server, password, acme_on_ess, globex, admin_user
):
    from tests.browser.conftest import open_signed_in

    page = open_signed_in(browser, live_server, admin_user, password)
    page.locator(".user-menu summary").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Configuration").click()
    page.get_by_role("link", name="Accounts and contracts").first.click()
    page.get_by_role("link", name="Globex Logistics").click()
    new = page.locator("article", has=page.get_by_role("heading", name="New contract"))
    new.get_by_label("Tier").select_option(label="Standard")
    new.get_by_label("Start date").fill("2026-01-01")
    new.get_by_role("button", name="Add the contract").click()
    expect(page.get_by_role("region", name="Messages")).to_contain_text("Contract saved")
    assert Contract.objects.get(account=globex).tier.name == "Standard"

    # Enterprise needs TAMs first: the form says so and nothing is saved.
    new = page.locator("article", has=page.get_by_role("heading", name="New contract"))
    new.get_by_label("Tier").select_option(label="Enterprise")
    new.get_by_label("Start date").fill("2030-01-01")
    new.get_by_role("button", name="Add the contract").click()
    expect(page.locator("article", has=page.get_by_role("heading", name="New contract"))).to_contain_text(
        "assign Globex Logistics a primary and a backup TAM first"
    )
    assert Contract.objects.filter(account=globex).count() == 1
