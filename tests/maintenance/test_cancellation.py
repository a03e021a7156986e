"""A cancellation says on whose behalf, on the service, the event page and the API alike.

At the customer's request (a customer user, or a TAM for the customer): 48 hours or more ahead releases the credit
(capped at the bank, said before confirming), later uses it. By the vendor (its staff, with a reason): always
released, and the customer is told. Once the event has started it is completed or marked a no-show, never
cancelled.
"""

import datetime as dt

import pytest
from django.core import mail

from core.outbox import outbox_deliver
from maintenance.models import CreditEntry, EventStatus
from maintenance.services import account_balance, credit_adjust, event_confirm
from tests.factories import flush_mail

from .conftest import DENVER, ENTRIES, NOW, attempt_action, book

pytestmark = pytest.mark.time_machine(NOW, tick=False)

SOON = dt.datetime(2026, 5, 5, 19, 0, tzinfo=DENVER)  # 33 hours after NOW: inside the 48 hours


def balance(account):
    credits = account_balance(account)
    return credits.available, credits.reserved


@pytest.fixture
def far(banked, alice):
    """Acme's event three weeks ahead; one credit reserved, one available."""
    return book(banked, alice)


@pytest.fixture
def soon(banked, alice, tam):
    """Acme's critical event tomorrow evening, confirmed."""
    event = book(banked, alice, starts_at=SOON, critical=True, critical_justification="Capture server failing")
    return event_confirm(actor=tam, event=event)


@pytest.mark.parametrize("entry", ENTRIES)
def test_the_customer_cancelling_48_hours_ahead_gets_the_credit_back(entry, client_for, banked, far, alice):
    outcome = attempt_action(entry, client_for, alice, far, "cancel", on_behalf_of="customer")
    assert outcome.ok, outcome.messages
    assert (outcome.event.status, outcome.event.cancelled_on_behalf_of) == (EventStatus.CANCELLED, "customer")
    assert balance(banked) == (2, 0)


@pytest.mark.parametrize("entry", ENTRIES)
@pytest.mark.parametrize("who", ["alice", "tam"])
def test_a_late_cancellation_at_the_customers_request_uses_the_credit(entry, who, request, client_for, banked, soon):
    """Whether the customer asks themselves or their TAM cancels for them."""
    outcome = attempt_action(entry, client_for, request.getfixturevalue(who), soon, "cancel", on_behalf_of="customer")
    assert outcome.ok, outcome.messages
    assert balance(banked) == (1, 0)
    assert CreditEntry.objects.filter(event=soon).values_list("kind", flat=True).last() == "consume"


@pytest.mark.parametrize("entry", ENTRIES)
def test_the_vendor_cancelling_late_releases_the_credit_and_tells_the_customer_why(
    entry, client_for, banked, soon, alice, tam
):
    flush_mail()
    refused = attempt_action(entry, client_for, tam, soon, "cancel", on_behalf_of="vendor")
    assert (refused.status, refused.messages) == (400, ["Say why the vendor cancels: the customer is told."])
    assert balance(banked) == (1, 1)
    outcome = attempt_action(entry, client_for, tam, soon, "cancel", on_behalf_of="vendor", reason="TAM is ill")
    assert outcome.ok, outcome.messages
    assert outcome.event.cancelled_on_behalf_of == "vendor"
    assert balance(banked) == (2, 0)
    outbox_deliver()
    told = next(message for message in mail.outbox if message.to == [alice.email])
    assert "is cancelled by the vendor: your TAM cannot perform it" in told.body
    assert "Reason: TAM is ill" in told.body
    assert "Cancelled by the vendor, the credit is released" in told.body
    assert told.attachments[0][0] == "cancel.ics"


@pytest.mark.parametrize("entry", ENTRIES)
def test_a_customer_cannot_cancel_on_the_vendors_behalf(entry, client_for, banked, soon, alice):
    outcome = attempt_action(entry, client_for, alice, soon, "cancel", on_behalf_of="vendor", reason="Free credit")
    assert (outcome.status, outcome.messages) == (403, ["Only the vendor's staff cancel on the vendor's behalf."])
    assert balance(banked) == (1, 1)


@pytest.mark.parametrize("entry", ENTRIES)
@pytest.mark.parametrize(("who", "behalf"), [("alice", "customer"), ("tam", "customer"), ("tam", "vendor")])
def test_an_event_that_has_started_is_not_cancelled(
    entry, who, behalf, request, client_for, banked, soon, time_machine
):
    time_machine.move_to(SOON + dt.timedelta(minutes=10), tick=False)
    outcome = attempt_action(
        entry, client_for, request.getfixturevalue(who), soon, "cancel", on_behalf_of=behalf, reason="Too late"
    )
    assert (outcome.status, outcome.messages) == (
        400,
        ["The event has started and can no longer be cancelled: record its outcome, or mark a no-show."],
    )
    assert balance(banked) == (1, 1)


@pytest.mark.parametrize("entry", ENTRIES)
def test_after_the_start_a_no_show_uses_the_credit(entry, client_for, banked, soon, tam, alice, time_machine):
    early = attempt_action(entry, client_for, tam, soon, "no-show")
    assert early.messages == ["A no-show is recorded after the start time."]
    time_machine.move_to(SOON + dt.timedelta(minutes=30), tick=False)
    assert attempt_action(entry, client_for, alice, soon, "no-show").status == 403
    outcome = attempt_action(entry, client_for, tam, soon, "no-show", reason="Nobody answered")
    assert outcome.ok, outcome.messages
    assert (outcome.event.status, outcome.event.no_show) == (EventStatus.CANCELLED, True)
    assert balance(banked) == (1, 0)


@pytest.mark.parametrize("entry", ENTRIES)
def test_a_release_over_the_bank_is_forfeited_and_the_customer_reads_so_first(
    entry, client_for, banked, far, alice, admin_user
):
    credit_adjust(actor=admin_user, account=banked, amount=1, reason="Goodwill")
    page = client_for(alice).get(f"/maintenance/events/{far.pk}/").content.decode()
    assert "the released credit is forfeited" in page
    outcome = attempt_action(entry, client_for, alice, far, "cancel", on_behalf_of="customer")
    assert outcome.ok, outcome.messages
    assert balance(banked) == (2, 0)
    assert CreditEntry.objects.filter(event=far, kind="forfeit", cause="release_cap").count() == 1


@pytest.mark.parametrize("entry", ENTRIES)
@pytest.mark.parametrize("behalf", ["", "nobody"])
def test_on_whose_behalf_is_required_and_read_by_the_service(entry, behalf, client_for, banked, far, alice):
    outcome = attempt_action(entry, client_for, alice, far, "cancel", on_behalf_of=behalf)
    assert outcome.messages == ["Say on whose behalf the event is cancelled: the customer's request, or the vendor's."]
    assert balance(banked) == (1, 1)


def test_the_api_reads_a_missing_behalf_as_the_page_does(client_for, banked, far, alice):
    response = client_for(alice).post(f"/api/v1/events/{far.pk}/cancel/", {}, content_type="application/json")
    assert response.json() == {
        "on_behalf_of": ["Say on whose behalf the event is cancelled: the customer's request, or the vendor's."]
    }


def test_the_page_tells_staff_both_terms_and_customers_their_own(client_for, banked, soon, alice, tam):
    customer = client_for(alice).get(f"/maintenance/events/{soon.pk}/").content.decode()
    assert 'data-testid="terms-customer"' in customer and 'data-testid="terms-vendor"' not in customer
    assert "cancelling it now uses its credit" in customer
    assert 'value="vendor"' not in customer
    staff = client_for(tam).get(f"/maintenance/events/{soon.pk}/").content.decode()
    assert 'data-testid="terms-customer"' in staff and 'data-testid="terms-vendor"' in staff
    assert "Cancelled by the vendor, the credit is released" in staff
    assert 'value="vendor"' in staff
