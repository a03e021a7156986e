"""Release previews and proactive reviews in the browser: a TAM plans and holds a preview of a patch release and
the customer sees it; a TAM uploads an inventory (a bad file first: its lines are named and nothing is kept),
publishes the review, and the customer reads the report with its chart."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.quarters import Quarter, vendor_today, vendor_zone
from reviews import services
from reviews.models import InventoryRow, PreviewSession, PreviewStatus, ProactiveReview, ReviewStatus
from reviews.quarterly import reviews_create_quarterly
from tests.browser.conftest import open_signed_in

pytestmark = pytest.mark.django_db(transaction=True)


def _main_nav(page, name):
    page.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True).click()


@pytest.fixture
def patch_release(admin_user):
    release = services.release_create(
        actor=admin_user,
        version="10.2.1",
        kind="patch",
        planned_date=vendor_today() + dt.timedelta(days=21),
        published=True,
        notes="GP posting and TIFF import fixes.",
    )
    for kind, title, modules in [
        ("fix", "Multi-currency invoices post to GP correctly", "GP connector"),
        ("fix", "TIFF pages keep their rotation", "Capture"),
        ("feature", "Archive saved searches", "Archive"),
    ]:
        services.release_item_add(actor=admin_user, release=release, kind=kind, title=title, modules=modules)
    return release


def test_the_tam_plans_and_holds_a_preview_and_the_customer_sees_it(
    browser, live_server, password, ess, alice, tam, patch_release, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    services.account_modules_set(actor=tam, account=ess, modules="Capture, GP connector")
    tam_page = open_signed_in(browser, live_server, tam, password)
    _main_nav(tam_page, "Releases")
    tam_page.get_by_role("link", name=re.compile("Release previews")).click()
    tam_page.get_by_role("link", name="Plan the preview for Acme Manufacturing").click()
    expect(tam_page.get_by_label("TIFF pages keep their rotation")).to_be_checked()
    expect(tam_page.get_by_label("Archive saved searches")).not_to_be_checked()

    when = dt.datetime.combine(vendor_today() + dt.timedelta(days=7), dt.time(10), tzinfo=vendor_zone())
    tam_page.get_by_label("When").fill(when.strftime("%Y-%m-%dT%H:%M"))
    tam_page.get_by_label("Use a replica of the production database").check()
    tam_page.get_by_label("Attendees").fill("Alice (AP lead)")
    tam_page.get_by_role("button", name="Plan the preview").click()
    expect(tam_page.get_by_test_id("status")).to_have_text("Planned")
    preview = PreviewSession.objects.get()
    assert preview.scheduled_at == when and preview.items.count() == 2

    # A week on, the session has taken place: the TAM records it.
    PreviewSession.objects.filter(pk=preview.pk).update(scheduled_at=timezone.now() - dt.timedelta(hours=2))
    tam_page.reload()
    tam_page.get_by_label("How it went").fill("GP fix confirmed on the replica.")
    tam_page.get_by_role("button", name="The preview was held").click()
    expect(tam_page.get_by_test_id("status")).to_have_text("Held")

    customer = open_signed_in(browser, live_server, alice, password)
    _main_nav(customer, "Releases")
    row = customer.get_by_role("row", name=re.compile("KwikTag 10.2.1"))
    expect(row.get_by_test_id("status")).to_have_text("Held")
    row.get_by_role("link", name=re.compile(r"\d")).last.click()
    expect(customer.get_by_role("heading", level=1)).to_have_text("Preview of KwikTag 10.2.1")
    expect(customer.get_by_text("TIFF pages keep their rotation")).to_be_visible()
    expect(customer.get_by_text("GP fix confirmed on the replica.")).to_be_visible()
    preview.refresh_from_db()
    assert preview.status == PreviewStatus.HELD


def _published_last_quarter(account, tam):
    last = Quarter.of(vendor_today()).previous()
    reviews_create_quarterly(as_of=last.start + dt.timedelta(days=3), since=last)
    review = ProactiveReview.objects.get(account=account, quarter_start=last.start)
    services.review_schedule(
        actor=tam,
        review=review,
        scheduled_at=dt.datetime.combine(last.start + dt.timedelta(days=40), dt.time(10), tzinfo=vendor_zone()),
    )
    services.inventory_set_row(actor=tam, review=review, extension="pdf", file_count=90_000, bytes=40 * 1024**3)
    services.inventory_set_row(actor=tam, review=review, extension="tif", file_count=30_000, bytes=25 * 1024**3)
    services.review_hold(actor=tam, review=review)
    services.review_publish(actor=tam, review=review)


def test_the_tam_uploads_an_inventory_publishes_and_the_customer_reads_the_chart(
    browser, live_server, password, ess, alice, tam, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    _published_last_quarter(ess, tam)
    reviews_create_quarterly()
    review = ProactiveReview.objects.get(account=ess, quarter_start=Quarter.of(vendor_today()).start)

    tam_page = open_signed_in(browser, live_server, tam, password)
    _main_nav(tam_page, "Reviews")
    tam_page.get_by_role("link", name="Acme Manufacturing").first.click()
    session = max(
        timezone.now() - dt.timedelta(hours=1), Quarter.of(vendor_today()).starts_at() + dt.timedelta(minutes=1)
    )
    tam_page.get_by_label("Session time").fill(timezone.localtime(session, vendor_zone()).strftime("%Y-%m-%dT%H:%M"))
    tam_page.get_by_role("button", name="Schedule the session").click()
    expect(tam_page.get_by_test_id("status")).to_contain_text("Scheduled")

    # The refusal a person meets: a file with bad rows is named line by line and nothing is imported.
    bad = b"path,size\nD:\\Repo\\a.pdf,1200\nD:\\Repo\\b.pdf,12 KB\nD:\\Repo\\c.tif\n"
    tam_page.get_by_label("Inventory CSV").set_input_files(
        files=[{"name": "bad.csv", "mimeType": "text/csv", "buffer": bad}]
    )
    tam_page.get_by_role("button", name="Import the inventory").click()
    errors = tam_page.locator(".form-errors")
    expect(errors).to_contain_text("Nothing was imported: the file has 2 problems.")
    expect(errors).to_contain_text("line 3: size is not a whole number")
    expect(errors).to_contain_text("line 4: expected 2 columns, found 1")
    assert not InventoryRow.objects.filter(review=review).exists()

    rows = ["path,size"] + [f"D:\\Repo\\2026\\inv-{n}.pdf,{400_000 + n}" for n in range(300)]
    rows += [f"D:\\Repo\\scans\\page-{n}.tif,{900_000 + n}" for n in range(120)]
    good = ("\n".join(rows) + "\n").encode()
    tam_page.get_by_label("Inventory CSV").set_input_files(
        files=[{"name": "inventory.csv", "mimeType": "text/csv", "buffer": good}]
    )
    tam_page.get_by_role("button", name="Import the inventory").click()
    expect(tam_page.get_by_role("status")).to_contain_text("Inventory imported: 2 file types")
    tam_page.get_by_role("button", name="The session was held").click()
    tam_page.get_by_role("button", name="Publish the review").click()
    expect(tam_page.get_by_test_id("status")).to_have_text("Published")
    review.refresh_from_db()
    assert review.status == ReviewStatus.PUBLISHED

    customer = open_signed_in(browser, live_server, alice, password)
    _main_nav(customer, "Reviews")
    customer.get_by_role("link", name=f"{review.quarter_label} report").click()
    expect(customer.get_by_role("heading", level=1)).to_contain_text(review.quarter_label)
    chart = customer.locator('svg[role="img"]')
    expect(chart).to_be_visible()
    expect(chart.locator("title").first).to_contain_text("Repository volume by file type")
    expect(chart.locator("rect.bar title", has_text=review.quarter_label).first).to_be_attached()
    expect(customer.get_by_role("table").filter(has_text="File type")).to_contain_text(".pdf")
