"""Booking rules, each refused with a clear message and nothing changed; the lifecycle and its credits."""

import datetime as dt

import pytest
from django.core import mail

from accounts.models import Holiday
from core.errors import DomainError, NotAllowed
from maintenance.credits import quarter_roll_over
from maintenance.models import CreditEntry, EventStatus, MaintenanceEvent
from maintenance.services import (
    account_balance,
    cancellation_terms,
    event_accept_proposal,
    event_cancel,
    event_complete,
    event_confirm,
    event_propose,
)
from tests.factories import flush_mail, support_hours_calendar
from tests.figures import record
from tests.races import at_once

from .conftest import DENVER, EVENING, NOW, TWO_HOURS, book, refused

pytestmark = pytest.mark.time_machine(NOW, tick=False)


def test_a_customer_books_an_evening_event_and_a_credit_is_reserved(
    banked, alice, tam, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        event = book(banked, alice)
    assert event.status == EventStatus.REQUESTED
    assert event.performing_tam == tam
    balance = account_balance(banked)
    assert (balance.available, balance.reserved) == (1, 1)
    assert mail.outbox[0].to == [tam.email]
    assert "Maintenance request from Acme" in mail.outbox[0].subject


def test_inside_support_hours_is_refused(banked, alice):
    refused(banked, alice, "outside support hours", "starts_at", starts_at=EVENING.replace(hour=17))


def test_a_weekend_day_is_fine(banked, alice):
    saturday_noon = dt.datetime(2026, 5, 30, 12, 0, tzinfo=DENVER)
    assert book(banked, alice, starts_at=saturday_noon).starts_at == saturday_noon


def test_a_holiday_counts_as_closed(banked, alice, time_machine):
    memorial_day = dt.datetime(2026, 5, 25, 10, 0, tzinfo=DENVER)
    refused(banked, alice, "outside support hours", starts_at=memorial_day)
    time_machine.shift(dt.timedelta(minutes=1))  # the calendar's edit comes later: a new version of its schedule
    Holiday.objects.create(calendar=support_hours_calendar(), date=dt.date(2026, 5, 25), name="Memorial Day")
    assert book(banked, alice, starts_at=memorial_day).starts_at == memorial_day


@pytest.mark.parametrize("minutes", [30, 59, 181, 240])
def test_durations_outside_one_to_three_hours_are_refused(banked, alice, minutes):
    refused(banked, alice, "from 1 to 3 hours", "duration", duration=dt.timedelta(minutes=minutes))


@pytest.mark.parametrize("minutes", [60, 180])
def test_one_and_three_hours_are_allowed(banked, alice, minutes):
    assert book(banked, alice, duration=dt.timedelta(minutes=minutes)).duration == dt.timedelta(minutes=minutes)


def test_less_than_two_weeks_notice_is_refused(banked, alice):
    error = refused(
        banked, alice, "two weeks' notice", "starts_at", starts_at=dt.datetime(2026, 5, 12, 19, tzinfo=DENVER)
    )
    assert "earliest start is Mon May 18, 2026" in error.message


def test_critical_requests_may_be_short_notice_with_a_justification(banked, alice):
    soon = dt.datetime(2026, 5, 5, 19, tzinfo=DENVER)
    refused(banked, alice, "Explain the critical", "critical_justification", starts_at=soon, critical=True)
    event = book(banked, alice, starts_at=soon, critical=True, critical_justification="Database corruption risk")
    assert event.critical and event.status == EventStatus.REQUESTED


@pytest.mark.parametrize(
    ("scope", "words"), [("major_upgrade", "major system upgrade"), ("system_migration", "complete system migration")]
)
def test_major_upgrades_and_migrations_are_not_events(banked, alice, scope, words):
    error = refused(banked, alice, "services engagement", "scope", scope=scope)
    assert words in error.message.lower()


def test_no_credit_says_when_the_next_one_comes(ess, alice):
    quarter_roll_over(as_of=dt.date(2026, 4, 1))
    book(ess, alice)
    refused(ess, alice, r"next credit arrives on Jul 1, 2026", starts_at=EVENING + dt.timedelta(days=7))


def test_no_contract_on_the_event_date_is_refused(banked, alice):
    contract = banked.contracts.get()
    from accounts.services import contract_end

    contract_end(actor=None, contract=contract, end_date=dt.date(2026, 5, 20))
    refused(banked, alice, "no contract that includes maintenance events on May 26, 2026", "starts_at")


def test_standard_customers_cannot_book(standard, bob):
    refused(standard, bob, "no contract that includes maintenance events")


def test_a_customer_cannot_book_for_another_account(banked, bob):
    with pytest.raises(NotAllowed, match="cannot book events for this account"):
        book(banked, bob)
    assert not MaintenanceEvent.objects.exists()


def test_support_staff_do_not_book(banked, support):
    with pytest.raises(NotAllowed, match="cannot book events for this account"):
        book(banked, support)


def test_the_performing_tam_is_never_double_booked(banked, alice, globex, tam, backup_tam, db):
    from accounts.services import contract_create, coverage_assign
    from tests.factories import customer_user, tier

    coverage_assign(actor=None, account=globex, primary=tam, backup=backup_tam)
    contract_create(actor=None, account=globex, tier=tier("Enterprise"), start_date=dt.date(2026, 1, 1))
    quarter_roll_over(as_of=dt.date(2026, 5, 4))
    book(banked, alice)
    other = customer_user(globex, email="gus@globex.example")
    error = refused(globex, other, "already booked", "starts_at", starts_at=EVENING + dt.timedelta(hours=1))
    assert "Terry Tamsin" in error.message
    assert book(globex, other, starts_at=EVENING + TWO_HOURS).performing_tam == tam


def test_the_backup_performs_when_the_tam_is_away_that_day(banked, alice, tam, backup_tam):
    from accounts.models import TamAbsence

    TamAbsence.objects.create(tam=tam, starts_at=EVENING - dt.timedelta(days=1), ends_at=EVENING + dt.timedelta(days=1))
    assert book(banked, alice).performing_tam == backup_tam


def test_a_tam_books_for_an_account(banked, tam):
    assert book(banked, tam).requested_by == tam


def test_confirm_sends_the_customer_an_ics_invite(banked, alice, tam, django_capture_on_commit_callbacks):
    event = book(banked, alice)
    flush_mail()
    with django_capture_on_commit_callbacks(execute=True):
        event_confirm(actor=tam, event=event)
    message = next(m for m in mail.outbox if m.to == [alice.email])
    filename, content, mimetype = message.attachments[0]
    assert filename == "invite.ics" and mimetype.startswith("text/calendar")
    text = content.decode() if isinstance(content, bytes) else content
    assert "METHOD:REQUEST" in text
    assert f"UID:{event.uid}@ess-portal" in text
    assert "DTSTART:20260527T010000Z" in text  # 19:00 in Denver (MDT) is 01:00 UTC the next day
    assert "SEQUENCE:0" in text


def test_a_proposed_time_moves_the_event_when_accepted(banked, alice, tam, django_capture_on_commit_callbacks):
    event = book(banked, alice)
    later = EVENING + dt.timedelta(days=2)
    event_propose(actor=tam, event=event, starts_at=later, duration=TWO_HOURS, note="Thursday suits better")
    with pytest.raises(DomainError, match="customer accepts"):
        event_confirm(actor=tam, event=event)
    with django_capture_on_commit_callbacks(execute=True):
        event = event_accept_proposal(actor=alice, event=event)
    assert (event.status, event.starts_at, event.sequence) == (EventStatus.CONFIRMED, later, 1)
    ics = next(m for m in mail.outbox if m.attachments).attachments[0][1]
    assert "SEQUENCE:1" in (ics.decode() if isinstance(ics, bytes) else ics)


def test_a_proposal_inside_support_hours_is_refused(banked, alice, tam):
    event = book(banked, alice)
    with pytest.raises(DomainError, match="outside support hours"):
        event_propose(actor=tam, event=event, starts_at=EVENING.replace(hour=9), duration=TWO_HOURS)
    event.refresh_from_db()
    assert not event.has_proposal


def test_cancelling_48_hours_ahead_releases_the_credit(banked, alice):
    event = book(banked, alice)
    assert account_balance(banked).available == 1
    assert cancellation_terms(event, on_behalf_of="customer").releases_credit
    event_cancel(actor=alice, event=event, on_behalf_of="customer")
    balance = account_balance(banked)
    assert (balance.available, balance.reserved) == (2, 0)


def test_a_release_over_the_bank_is_forfeited_and_the_customer_is_told_first(banked, alice, admin_user):
    from maintenance.services import credit_adjust

    event = book(banked, alice)
    credit_adjust(actor=admin_user, account=banked, amount=1, reason="Goodwill")
    terms = cancellation_terms(event, on_behalf_of="customer")
    assert terms.forfeited_over_cap
    assert "forfeited" in terms.message
    event_cancel(actor=alice, event=event, on_behalf_of="customer")
    assert account_balance(banked).available == 2


def test_a_late_cancellation_of_a_confirmed_event_uses_the_credit(banked, alice, tam):
    soon = dt.datetime(2026, 5, 5, 19, tzinfo=DENVER)
    event = book(banked, alice, starts_at=soon, critical=True, critical_justification="Outage")
    event = event_confirm(actor=tam, event=event)
    assert not cancellation_terms(event, on_behalf_of="customer").releases_credit
    event_cancel(actor=alice, event=event, on_behalf_of="customer")
    balance = account_balance(banked)
    assert (balance.available, balance.reserved) == (1, 0)


def test_a_late_cancellation_by_the_customer_uses_the_credit_even_before_confirmation(banked, alice):
    soon = dt.datetime(2026, 5, 5, 19, tzinfo=DENVER)
    event = book(banked, alice, starts_at=soon, critical=True, critical_justification="Outage")
    event_cancel(actor=alice, event=event, on_behalf_of="customer")
    assert account_balance(banked).available == 1


def test_when_the_vendor_cancels_late_the_customer_keeps_the_credit(banked, alice, tam):
    soon = dt.datetime(2026, 5, 5, 19, tzinfo=DENVER)
    event = book(banked, alice, starts_at=soon, critical=True, critical_justification="Outage")
    event_confirm(actor=tam, event=event)
    event_cancel(actor=tam, event=event, on_behalf_of="vendor", reason="TAM unavailable")
    assert account_balance(banked).available == 2
    event.refresh_from_db()
    assert event.sequence == 1


def test_confirming_moves_the_event_to_the_acting_tam_after_a_new_absence(banked, alice, tam, backup_tam):
    from accounts.models import TamAbsence

    event = book(banked, alice)
    assert event.performing_tam == tam
    TamAbsence.objects.create(tam=tam, starts_at=EVENING - dt.timedelta(days=1), ends_at=EVENING + dt.timedelta(days=1))
    event_confirm(actor=tam, event=event)
    event.refresh_from_db()
    assert event.performing_tam == backup_tam


def test_no_confirming_after_the_start_and_no_accepting_a_past_proposal(banked, alice, tam, time_machine):
    event = book(banked, alice)
    other = book(banked, alice, starts_at=EVENING + dt.timedelta(days=7))
    event_propose(actor=tam, event=event, starts_at=EVENING + dt.timedelta(days=1), duration=TWO_HOURS)
    time_machine.move_to(EVENING + dt.timedelta(days=2), tick=False)
    with pytest.raises(DomainError, match="past"):
        event_accept_proposal(actor=alice, event=event)
    time_machine.move_to(EVENING + dt.timedelta(days=8), tick=False)
    with pytest.raises(DomainError, match="passed"):
        event_confirm(actor=tam, event=other)


def test_completing_uses_the_credit(banked, alice, tam, time_machine):
    event = book(banked, alice)
    event_confirm(actor=tam, event=event)
    with pytest.raises(DomainError, match="after it has started"):
        event_complete(actor=tam, event=event, outcome="Done", actual_duration=TWO_HOURS)
    time_machine.move_to(EVENING + dt.timedelta(hours=3), tick=False)
    event_complete(actor=tam, event=event, outcome="Applied 10.2.1", actual_duration=dt.timedelta(minutes=95))
    event.refresh_from_db()
    assert event.status == EventStatus.COMPLETED
    balance = account_balance(banked)
    assert (balance.available, balance.reserved) == (1, 0)


def test_illegal_moves_are_refused(banked, alice, tam):
    event = book(banked, alice)
    event_cancel(actor=alice, event=event, on_behalf_of="customer")
    with pytest.raises(DomainError, match="cancelled event cannot become confirmed"):
        event_confirm(actor=tam, event=event)
    with pytest.raises(DomainError):
        event_cancel(actor=alice, event=event, on_behalf_of="customer")
    assert CreditEntry.objects.filter(event=event).count() == 2  # reserve, release: nothing doubled


def test_customers_cannot_confirm(banked, alice):
    event = book(banked, alice)
    with pytest.raises(NotAllowed, match="Only the TAM"):
        event_confirm(actor=alice, event=event)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_bookings_with_one_credit_give_one_event(ess, alice):
    quarter_roll_over(as_of=dt.date(2026, 4, 1))
    assert account_balance(ess).available == 1

    def attempt(day):
        try:
            book(ess, alice, starts_at=EVENING + dt.timedelta(days=day))
        except DomainError:
            return "refused"
        return "booked"

    outcomes = at_once(20, attempt)
    assert outcomes.errors == []
    assert outcomes.tally() == {"booked": 1, "refused": 19}
    balance = account_balance(ess)
    assert (balance.available, balance.reserved) == (0, 1)
    assert MaintenanceEvent.objects.filter(account=ess).count() == 1
    record("booking", "booking: 20 simultaneous bookings for 1 credit: 1 booked, 19 refused")
