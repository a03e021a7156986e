"""Contracts over time: the renewal state an administrator sees, renewing in one action (with the bank rule of the
domain: a seamless renewal keeps the bank and grants nothing extra, a lapse forfeits it), automatic renewals on
the end date, and the renewal reminders, each once per contract and offset however often or concurrently the job
runs. The edges: an end on a quarter boundary, on a daylight-saving change, a renewal on the last day, a lapse and
a late renewal."""

import datetime as dt
import zoneinfo

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Contract, ContractStatus, RenewalReminder
from accounts.renewals import (
    RenewalState,
    account_set_renewal_notices,
    contract_renew,
    contract_set_renewal_terms,
    contracts_renew_automatically,
    lapsed_contract,
    renewal_reminders_send,
    renewal_state,
    state_of,
    term_end,
)
from accounts.services import contract_create, contract_end
from core.errors import DomainError, NotAllowed
from maintenance.credits import quarter_roll_over
from maintenance.ledger import account_balance
from maintenance.models import CreditEntry, CreditKind
from tests.factories import customer_user, flush_mail, tier
from tests.races import at_once

DENVER = zoneinfo.ZoneInfo("America/Denver")


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    """Noon (or ``hour``) in Denver on ``day``."""
    return dt.datetime.combine(day, dt.time(hour), tzinfo=DENVER)


@pytest.fixture
def ending(ess, time_machine):
    """Acme on Enterprise from Jan 1, 2026 to Jun 30, 2026, with two credits banked by the end of Q1."""
    time_machine.move_to(at(dt.date(2026, 1, 1)), tick=False)
    contract = Contract.objects.get(account=ess)
    contract_end(actor=None, contract=contract, end_date=dt.date(2026, 6, 30))
    quarter_roll_over(since=None)
    time_machine.move_to(at(dt.date(2026, 4, 1)), tick=False)
    quarter_roll_over()
    assert account_balance(ess).available == 2
    return contract


def grants(account) -> int:
    return CreditEntry.objects.filter(account=account, kind=CreditKind.GRANT).count()


# --- The state -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("end", "notice", "renewed", "today", "state"),
    [
        (None, 90, False, dt.date(2026, 5, 1), RenewalState.ACTIVE),
        (dt.date(2026, 12, 31), 90, False, dt.date(2026, 10, 2), RenewalState.DUE),  # 90 days before: inside
        (dt.date(2026, 12, 31), 90, False, dt.date(2026, 10, 1), RenewalState.ACTIVE),  # 91 days before
        (dt.date(2026, 12, 31), 90, False, dt.date(2026, 12, 31), RenewalState.DUE),  # the last day
        (dt.date(2026, 12, 31), 90, False, dt.date(2027, 1, 1), RenewalState.LAPSED),  # the day after
        (dt.date(2026, 12, 31), 90, True, dt.date(2026, 11, 1), RenewalState.RENEWED),
        (dt.date(2026, 12, 31), 90, True, dt.date(2027, 3, 1), RenewalState.RENEWED),
        (dt.date(2026, 12, 31), 0, False, dt.date(2026, 12, 30), RenewalState.ACTIVE),
    ],
)
def test_the_state_follows_the_end_the_notice_period_and_what_continues_it(end, notice, renewed, today, state):
    assert renewal_state(end_date=end, notice_days=notice, renewed=renewed, today=today) == state


def test_a_term_ends_the_day_before_the_same_day_months_later():
    assert term_end(dt.date(2027, 1, 1), 12) == dt.date(2027, 12, 31)
    assert term_end(dt.date(2026, 7, 1), 6) == dt.date(2026, 12, 31)
    assert term_end(dt.date(2027, 1, 31), 1) == dt.date(2027, 2, 27)  # Feb 28 is the same day a month on


# --- Renewing --------------------------------------------------------------------------------------------------


def test_a_renewal_continues_the_contract_the_next_day_with_its_terms(ending, admin_user, time_machine):
    time_machine.move_to(at(dt.date(2026, 6, 1)), tick=False)
    contract_set_renewal_terms(
        actor=admin_user, contract=ending, renews_automatically=True, notice_days=60, renewal_term_months=6
    )
    renewal = contract_renew(actor=admin_user, contract=ending)
    assert (renewal.start_date, renewal.end_date, renewal.tier) == (
        dt.date(2026, 7, 1),
        dt.date(2026, 12, 31),
        ending.tier,
    )
    renewal.refresh_from_db()
    assert (renewal.renews_automatically, renewal.notice_days, renewal.renewal_term_months) == (True, 60, 6)
    assert state_of(ending) == RenewalState.RENEWED
    assert state_of(renewal) == RenewalState.ACTIVE


def test_a_renewal_may_change_tier_and_end_date(ending, admin_user, time_machine):
    time_machine.move_to(at(dt.date(2026, 6, 1)), tick=False)
    renewal = contract_renew(actor=admin_user, contract=ending, tier=tier("Standard"), end_date=dt.date(2027, 3, 31))
    assert (renewal.tier.name, renewal.start_date, renewal.end_date) == (
        "Standard",
        dt.date(2026, 7, 1),
        dt.date(2027, 3, 31),
    )


def _renewed_once(contract, admin_user):
    contract_renew(actor=admin_user, contract=contract)
    return "Acme Manufacturing already has a contract from 2026-07-01."


def _open_ended(contract, admin_user):
    Contract.objects.filter(pk=contract.pk).update(end_date=None)
    return "An open-ended contract does not end: there is nothing to renew."


def _cancelled(contract, admin_user):
    Contract.objects.filter(pk=contract.pk).update(status=ContractStatus.CANCELLED)
    return "Only an active contract can be renewed."


@pytest.mark.parametrize("make", [_renewed_once, _open_ended, _cancelled])
def test_what_cannot_be_renewed(ending, admin_user, time_machine, make):
    time_machine.move_to(at(dt.date(2026, 6, 1)), tick=False)
    message = make(ending, admin_user)
    before = Contract.objects.count()
    with pytest.raises(DomainError) as refused:
        contract_renew(actor=admin_user, contract=ending)
    assert refused.value.message == message
    assert Contract.objects.count() == before


def test_a_renewal_ends_after_it_starts(ending, admin_user, time_machine):
    time_machine.move_to(at(dt.date(2026, 6, 1)), tick=False)
    with pytest.raises(DomainError) as refused:
        contract_renew(actor=admin_user, contract=ending, end_date=dt.date(2026, 6, 30))
    assert refused.value.errors == {"end_date": ["A renewal ends on or after the day it starts (2026-07-01)."]}


@pytest.mark.parametrize("who", ["alice", "tam", "support"])
def test_only_administrators_renew(ending, who, request, time_machine):
    time_machine.move_to(at(dt.date(2026, 6, 1)), tick=False)
    person = request.getfixturevalue(who)
    with pytest.raises(NotAllowed, match="Only administrators renew contracts"):
        contract_renew(actor=person, contract=ending)
    with pytest.raises(NotAllowed):
        contract_set_renewal_terms(
            actor=person, contract=ending, renews_automatically=True, notice_days=1, renewal_term_months=1
        )
    assert Contract.objects.count() == 1


def test_renewal_terms_are_checked(ending, admin_user, time_machine):
    time_machine.move_to(at(dt.date(2026, 6, 1)), tick=False)
    with pytest.raises(DomainError, match=r"A notice period is from 0 to 730 days\."):
        contract_set_renewal_terms(
            actor=admin_user, contract=ending, renews_automatically=False, notice_days=731, renewal_term_months=12
        )
    with pytest.raises(DomainError, match=r"A renewal term is from 1 to 120 months\."):
        contract_set_renewal_terms(
            actor=admin_user, contract=ending, renews_automatically=False, notice_days=30, renewal_term_months=0
        )
    time_machine.move_to(at(dt.date(2026, 7, 2)), tick=False)
    with pytest.raises(DomainError, match=r"This contract has ended: renew it instead\."):
        contract_set_renewal_terms(
            actor=admin_user, contract=ending, renews_automatically=True, notice_days=30, renewal_term_months=12
        )


# --- The bank at the edges -------------------------------------------------------------------------------------


def test_a_renewal_on_the_last_day_keeps_the_bank_and_grants_nothing_extra(ending, admin_user, time_machine):
    time_machine.move_to(at(dt.date(2026, 6, 30), 23), tick=False)  # the last day, late in the evening
    contract_renew(actor=admin_user, contract=ending)
    before = grants(ending.account)
    for day in (dt.date(2026, 7, 1), dt.date(2026, 7, 2)):
        for hour in (0, 1, 12):
            time_machine.move_to(at(day, hour), tick=False)
            quarter_roll_over()
    # Jul 1 is a quarter start: the quarter's grant is due anyway, then capped at the bank. Nothing is forfeited
    # for a lapse and nothing is granted for the renewal itself.
    assert grants(ending.account) == before + 1
    assert not CreditEntry.objects.filter(account=ending.account, cause="ineligible").exists()
    assert account_balance(ending.account).available == 2
    assert lapsed_contract(ending.account_id) is None


def test_a_seamless_renewal_mid_quarter_grants_nothing(ess, admin_user, time_machine):
    time_machine.move_to(at(dt.date(2026, 1, 1)), tick=False)
    contract = Contract.objects.get(account=ess)
    contract_end(actor=None, contract=contract, end_date=dt.date(2026, 5, 15))
    quarter_roll_over(since=None)
    time_machine.move_to(at(dt.date(2026, 4, 1)), tick=False)
    quarter_roll_over()
    time_machine.move_to(at(dt.date(2026, 5, 15)), tick=False)
    contract_renew(actor=admin_user, contract=contract)
    ledger = CreditEntry.objects.filter(account=ess).count()
    time_machine.move_to(at(dt.date(2026, 5, 16), 1), tick=False)
    quarter_roll_over()
    assert CreditEntry.objects.filter(account=ess).count() == ledger
    assert account_balance(ess).available == 2


@pytest.mark.parametrize(
    ("end", "still_in_force", "lapsed"),
    [
        # An end on a quarter boundary: Mar 31. Denver is on MDT (UTC-6): the day after starts at 06:00 UTC.
        (
            dt.date(2026, 3, 31),
            dt.datetime(2026, 4, 1, 5, 59, tzinfo=dt.UTC),
            dt.datetime(2026, 4, 1, 6, tzinfo=dt.UTC),
        ),
        # An end on the day clocks go back (Nov 1, 2026): the day after starts at 07:00 UTC (MST, UTC-7).
        (
            dt.date(2026, 11, 1),
            dt.datetime(2026, 11, 2, 6, 59, tzinfo=dt.UTC),
            dt.datetime(2026, 11, 2, 7, tzinfo=dt.UTC),
        ),
        # An end on the day clocks go forward (Mar 8, 2026): the day after starts at 06:00 UTC (MDT).
        (dt.date(2026, 3, 8), dt.datetime(2026, 3, 9, 5, 59, tzinfo=dt.UTC), dt.datetime(2026, 3, 9, 6, tzinfo=dt.UTC)),
    ],
)
def test_a_lapse_takes_the_bank_at_local_midnight_after_the_end(ess, time_machine, end, still_in_force, lapsed):
    time_machine.move_to(at(dt.date(2026, 1, 1)), tick=False)
    contract = Contract.objects.get(account=ess)
    contract_end(actor=None, contract=contract, end_date=end)
    quarter_roll_over(since=None)
    time_machine.move_to(still_in_force, tick=False)
    quarter_roll_over()
    banked = account_balance(ess).available
    assert banked >= 1
    assert state_of(contract) == RenewalState.DUE
    assert lapsed_contract(ess.pk) is None
    time_machine.move_to(lapsed, tick=False)
    assert state_of(contract) == RenewalState.LAPSED
    assert lapsed_contract(ess.pk).pk == contract.pk
    quarter_roll_over()
    assert account_balance(ess).available == 0
    forfeit = CreditEntry.objects.get(account=ess, kind=CreditKind.FORFEIT, cause="ineligible")
    assert forfeit.available_delta == -banked


def test_a_late_renewal_starts_the_day_it_is_made_and_leaves_the_gap(ending, admin_user, time_machine):
    time_machine.move_to(at(dt.date(2026, 7, 1), 3), tick=False)
    quarter_roll_over()
    assert account_balance(ending.account).available == 0  # the bank went with the lapse
    time_machine.move_to(at(dt.date(2026, 7, 10)), tick=False)
    renewal = contract_renew(actor=admin_user, contract=ending)
    assert renewal.start_date == dt.date(2026, 7, 10)  # Jul 1 to 9 stay a gap
    assert state_of(ending) == RenewalState.LAPSED
    # The account is Enterprise again this quarter: it gets the quarter's grant anew, not the bank it lost.
    assert account_balance(ending.account).available == 1
    assert lapsed_contract(ending.account_id) is None


# --- Automatic renewals ----------------------------------------------------------------------------------------


def test_the_job_renews_on_the_end_date_once(ending, time_machine):
    Contract.objects.filter(pk=ending.pk).update(renews_automatically=True, renewal_term_months=12)
    time_machine.move_to(at(dt.date(2026, 6, 29)), tick=False)
    assert contracts_renew_automatically() == []
    time_machine.move_to(at(dt.date(2026, 6, 30)), tick=False)
    renewed = contracts_renew_automatically()
    assert [(c.start_date, c.end_date) for c in renewed] == [(dt.date(2026, 7, 1), dt.date(2027, 6, 30))]
    assert contracts_renew_automatically() == []
    assert Contract.objects.get(start_date=dt.date(2026, 7, 1)).renews_automatically


def test_a_job_back_after_downtime_renews_from_the_day_after_the_end(ending, time_machine):
    Contract.objects.filter(pk=ending.pk).update(renews_automatically=True, renewal_term_months=1)
    time_machine.move_to(at(dt.date(2026, 8, 15)), tick=False)
    renewed = contracts_renew_automatically()
    # Jul 1 to Jul 31, then Aug 1 to Aug 31: no gap, and the renewal now in force is made too.
    assert [(c.start_date, c.end_date) for c in renewed] == [
        (dt.date(2026, 7, 1), dt.date(2026, 7, 31)),
        (dt.date(2026, 8, 1), dt.date(2026, 8, 31)),
    ]


def test_a_contract_that_does_not_renew_itself_is_left_alone(ending, time_machine):
    time_machine.move_to(at(dt.date(2026, 6, 30)), tick=False)
    assert contracts_renew_automatically() == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_renewal_jobs_at_once_renew_once(ending, time_machine):
    Contract.objects.filter(pk=ending.pk).update(renews_automatically=True)
    time_machine.move_to(at(dt.date(2026, 6, 30)), tick=False)
    outcomes = at_once(2, lambda n: len(contracts_renew_automatically()))
    assert not outcomes.errors
    assert sorted(outcomes.results) == [0, 1]
    assert Contract.objects.filter(account=ending.account).count() == 2


# --- Reminders -------------------------------------------------------------------------------------------------


@pytest.fixture
def reminded(ending, admin_user, alice, tam):
    flush_mail()
    return ending


def deliver() -> list[str]:
    from core.outbox import outbox_deliver

    outbox_deliver()
    addresses = sorted(message.to[0] for message in mail.outbox)
    mail.outbox.clear()
    return addresses


def test_each_offset_reminds_the_tam_and_the_admins_once(reminded, time_machine):
    time_machine.move_to(at(dt.date(2026, 3, 31)), tick=False)
    assert renewal_reminders_send() == 0
    time_machine.move_to(at(dt.date(2026, 4, 1)), tick=False)  # 90 days before Jun 30
    assert renewal_reminders_send() == 1
    assert deliver() == ["admin@ess.example", "tam@ess.example"]
    assert renewal_reminders_send() == 0
    assert deliver() == []
    for day in (dt.date(2026, 5, 1), dt.date(2026, 5, 31), dt.date(2026, 6, 23)):  # 60, 30 and 7 days before
        time_machine.move_to(at(day), tick=False)
        assert renewal_reminders_send() == 1
        renewal_reminders_send()
        assert len(deliver()) == 2
    assert sorted(RenewalReminder.objects.values_list("days_before", flat=True)) == [7, 30, 60, 90]


def test_the_customer_gets_them_when_the_account_opts_in(reminded, alice, time_machine):
    account_set_renewal_notices(actor=alice, account=reminded.account, to_contacts=True)
    time_machine.move_to(at(dt.date(2026, 6, 23)), tick=False)
    renewal_reminders_send()
    assert "alice@acme.example" in deliver()


def test_after_downtime_the_passed_offsets_are_recorded_and_only_the_nearest_mailed(reminded, time_machine):
    time_machine.move_to(at(dt.date(2026, 4, 2)), tick=False)
    renewal_reminders_send()
    deliver()
    time_machine.move_to(at(dt.date(2026, 6, 5)), tick=False)  # 25 days before: 60 and 30 were missed
    assert renewal_reminders_send() == 1
    assert len(deliver()) == 2
    rows = dict(RenewalReminder.objects.values_list("days_before", "sent"))
    assert rows == {90: True, 60: False, 30: True}


def test_a_renewed_or_ended_contract_is_not_reminded(reminded, admin_user, time_machine):
    time_machine.move_to(at(dt.date(2026, 4, 2)), tick=False)
    contract_renew(actor=admin_user, contract=reminded)
    assert renewal_reminders_send() == 0
    time_machine.move_to(at(dt.date(2026, 7, 2)), tick=False)
    Contract.objects.filter(start_date=dt.date(2026, 7, 1)).update(status="cancelled")
    assert renewal_reminders_send() == 0  # Jun 30 has passed: nothing to remind of


def test_the_reminder_says_what_happens_without_a_renewal(reminded, time_machine):
    time_machine.move_to(at(dt.date(2026, 6, 23)), tick=False)
    renewal_reminders_send()
    from core.outbox import outbox_deliver

    outbox_deliver()
    message = mail.outbox[0]
    assert message.subject == "Acme Manufacturing: the Enterprise contract ends on Jun 30, 2026"
    assert "7 days from today" in message.body
    assert "end on Wed 1 Jul 2026" in message.body


def test_the_reminder_job_runs_a_fixed_number_of_statements(ess, globex, admin_user, tam, backup_tam, time_machine):
    from accounts.services import coverage_assign
    from tests.factories import AccountFactory

    time_machine.move_to(at(dt.date(2026, 6, 1)), tick=False)

    def counted(accounts: int) -> int:
        for n in range(accounts):
            account = AccountFactory()
            coverage_assign(actor=None, account=account, primary=tam, backup=backup_tam)
            customer_user(account)
            account_set_renewal_notices(actor=None, account=account, to_contacts=True)
            contract_create(
                actor=None,
                account=account,
                tier=tier("Enterprise"),
                start_date=dt.date(2026, 1, 1),
                end_date=dt.date(2026, 6, 20 + n % 5),
            )
        with CaptureQueriesContext(connection) as queries:
            assert renewal_reminders_send() == accounts
        return len(queries)

    few = counted(2)
    Contract.objects.exclude(account=ess).update(status=ContractStatus.CANCELLED)
    many = counted(12)
    assert many == few


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_reminder_jobs_at_once_send_one_reminder(reminded, time_machine):
    time_machine.move_to(at(dt.date(2026, 6, 23)), tick=False)
    outcomes = at_once(2, lambda n: renewal_reminders_send())
    assert not outcomes.errors
    assert sorted(outcomes.results) == [0, 1]
    assert len(deliver()) == 2


# --- What the customer sees ------------------------------------------------------------------------------------


def test_a_lapsed_account_s_users_see_a_banner_on_every_page(ending, alice, client_for, time_machine):
    time_machine.move_to(at(dt.date(2026, 6, 30)), tick=False)
    client = client_for(alice)
    assert 'id="contract-lapsed"' not in client.get("/").content.decode()
    time_machine.move_to(at(dt.date(2026, 7, 1)), tick=False)
    client = client_for(alice)
    for page in ("/", "/cases/", "/maintenance/", "/value-reports/"):
        text = client.get(page).content.decode()
        assert "Your Enterprise contract ended on Jun 30, 2026." in text, page
        assert "Since Jul 1, 2026 its benefits no longer apply" in text


def test_who_chooses_the_renewal_reminders(ess, alice, bob, tam, admin_user):
    with pytest.raises(NotAllowed):
        account_set_renewal_notices(actor=bob, account=ess, to_contacts=True)
    with pytest.raises(NotAllowed):
        account_set_renewal_notices(actor=tam, account=ess, to_contacts=True)
    account_set_renewal_notices(actor=admin_user, account=ess, to_contacts=True)
    ess.refresh_from_db()
    assert ess.renewal_notices_to_contacts
    account_set_renewal_notices(actor=alice, account=ess, to_contacts=False)
    ess.refresh_from_db()
    assert not ess.renewal_notices_to_contacts
