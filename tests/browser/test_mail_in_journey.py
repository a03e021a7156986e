"""Journey: a customer's e-mail to her TAM's direct address becomes a case with the TAM-reply clock running; the
TAM answers on the case page and the answer goes out as mail that leads back; the customer's reply by mail
threads into the same case, its quoted history folded away. And support sorts a stranger's mail from triage."""

import datetime as dt

import pytest
from django.core import mail as sent_mail
from playwright.sync_api import expect

from cases.models import Case, CaseEntry, MeetEvent
from core.models import OutboxMessage
from core.outbox import outbox_deliver, tam_address
from intake.services import mail_ingest
from tests.browser.conftest import open_signed_in
from tests.intake.conftest import SUPPORT, written

pytestmark = pytest.mark.django_db(transaction=True)
# A Tuesday, 10:00 in Denver: the TAM-reply clock runs in support hours.
NOW = dt.datetime(2026, 3, 10, 16, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _mail_in(settings, tmp_path):
    settings.INBOUND_EMAIL_ADDRESS = SUPPORT
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.mark.time_machine(NOW, tick=True)
def test_a_customers_mail_becomes_a_case_the_tams_reply_goes_out_and_her_answer_threads_back(
    browser, live_server, password, sign_in, ess, alice, tam
):
    page = sign_in(alice)
    direct = tam_address(tam.pk)
    expect(page.get_by_role("link", name=direct).first).to_be_visible()  # her TAM's address, on her home page

    mail_ingest(
        written(
            sender=f"Alice <{alice.email}>",
            to=direct,
            subject="Vendor import skips accented names",
            body="Every line with an accent (Müller) is dropped by the import.",
        )
    )
    case = Case.objects.get()
    assert case.milestones.get(meet_event=MeetEvent.TAM_REPLIED).met_at is None

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Cases").click()
    page.get_by_role("row").filter(has_text="Vendor import skips accented names").get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vendor import skips accented names")
    expect(page.get_by_text("Every line with an accent (Müller) is dropped by the import.")).to_be_visible()
    expect(page.get_by_role("link", name="original message.eml")).to_be_visible()

    tam_page = open_signed_in(browser, live_server, tam, password)
    tam_page.goto(f"/cases/{case.pk}/")
    expect(tam_page.get_by_role("term").filter(has_text="Came in by")).to_be_visible()
    expect(tam_page.get_by_role("definition").filter(has_text="E-mail").first).to_be_visible()
    tam_page.get_by_role("textbox", name="Reply").fill("Fixed in 12.4.1: please apply it and try again.")
    tam_page.get_by_role("button", name="Post reply").click()
    expect(tam_page.get_by_role("status")).to_contain_text("Reply posted.")
    assert case.milestones.get(meet_event=MeetEvent.TAM_REPLIED).met_at is not None

    notification = OutboxMessage.objects.filter(to=alice.email).latest("id")
    outbox_deliver()
    delivered = sent_mail.outbox[-1].message()
    assert delivered["Reply-To"] == SUPPORT and case.reference in delivered["Subject"]
    assert "Fixed in 12.4.1" in notification.body

    answer = written(
        sender=alice.email,
        subject=f"Re: {delivered['Subject']}",
        body="Applied it: the accented names import now. Thank you!\n\n"
        f"On Tue, Mar 10, 2026, ESS Portal <{SUPPORT}> wrote:\n> Fixed in 12.4.1: please apply it and try again.",
        headers={"In-Reply-To": delivered["Message-ID"], "References": delivered["References"]},
    )
    threaded = mail_ingest(answer)
    assert (threaded.outcome, threaded.case_id) == ("entry", case.pk)
    assert Case.objects.count() == 1 and CaseEntry.objects.filter(case=case, author=alice).count() == 2

    page.reload()
    expect(page.get_by_text("Applied it: the accented names import now. Thank you!")).to_be_visible()
    quoted = page.locator("details.quoted").last  # the history she quoted, folded away until asked for
    expect(quoted).to_contain_text("please apply it and try again.")
    expect(quoted).to_have_js_property("open", False)
    quoted.get_by_text("Quoted text").click()
    expect(quoted).to_have_js_property("open", True)


def test_support_assigns_a_strangers_mail_from_triage_to_an_account(sign_in, ess, support):
    mail_ingest(written(sender="dana@newcustomer.example", subject="Access for our new clerk", body="Please."))
    page = sign_in(support)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Triage").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Triage")
    page.get_by_role("link", name="Access for our new clerk").click()
    expect(page.get_by_text("The sender is not a known contact.")).to_be_visible()

    page.get_by_role("button", name="Assign and open a case").click()
    expect(page.get_by_text("Choose the account it belongs to.")).to_be_visible()
    assert not Case.objects.exists()

    page.get_by_label("Account it belongs to").select_option(label="Acme Manufacturing")
    page.get_by_role("button", name="Assign and open a case").click()
    case = Case.objects.get()
    expect(page.get_by_role("status")).to_contain_text(f"Filed as {case.reference} on Acme Manufacturing.")
    assert (case.account, case.on_behalf, case.opened_by) == (ess, True, support)
