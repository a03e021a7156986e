"""The quarterly credit bank: grants, the cap of two, catch-up, idempotence and forfeits."""

import datetime as dt

import pytest
from django.db import transaction

from accounts.quarters import Quarter
from accounts.services import contract_change_tier, contract_create, contract_end
from maintenance.credits import quarter_roll_over
from maintenance.models import AppendOnlyError, CreditEntry, CreditKind
from maintenance.services import account_balance, credit_adjust, next_grant_date
from tests.factories import AccountFactory, tier
from tests.figures import record
from tests.races import at_once

D = dt.date


def available(account):
    return account_balance(account).available


def test_the_faq_example(ess):
    quarter_roll_over(as_of=D(2026, 1, 1))
    assert available(ess) == 1  # Q1's event
    quarter_roll_over(as_of=D(2026, 4, 1))
    assert available(ess) == 2  # none used in Q1: two available in Q2
    quarter_roll_over(as_of=D(2026, 7, 1))
    assert available(ess) == 2  # none used in Q2: still two in Q3, at the bank's maximum
    forfeits = CreditEntry.objects.filter(account=ess, kind=CreditKind.FORFEIT)
    assert [(f.cause, f.available_delta, f.quarter_start) for f in forfeits] == [("bank_cap", -1, D(2026, 7, 1))]


def test_running_again_grants_nothing_more(ess):
    for _ in range(5):
        quarter_roll_over(as_of=D(2026, 4, 15))
    assert available(ess) == 1
    assert CreditEntry.objects.filter(account=ess, kind=CreditKind.GRANT).count() == 1


def test_a_missed_quarter_is_caught_up_in_order(ess):
    quarter_roll_over(as_of=D(2026, 1, 2))
    report = quarter_roll_over(as_of=D(2026, 10, 5))  # April and July were missed
    assert [str(q) for q in report.quarters] == ["Q1 2026", "Q2 2026", "Q3 2026", "Q4 2026"]
    assert available(ess) == 2
    grants = CreditEntry.objects.filter(account=ess, kind=CreditKind.GRANT).order_by("quarter_start")
    assert [g.quarter_start for g in grants] == [D(2026, 1, 1), D(2026, 4, 1), D(2026, 7, 1), D(2026, 10, 1)]
    assert CreditEntry.objects.filter(account=ess, kind=CreditKind.FORFEIT).count() == 2


def test_standard_accounts_get_nothing(standard):
    quarter_roll_over(as_of=D(2026, 4, 1))
    assert available(standard) == 0
    assert not CreditEntry.objects.filter(account=standard).exists()


def test_a_contract_starting_mid_quarter_gets_that_quarters_event_on_its_first_day(tam, backup_tam):
    from accounts.services import coverage_assign

    quarter_roll_over(as_of=D(2026, 4, 1))
    newcomer = AccountFactory()
    coverage_assign(actor=None, account=newcomer, primary=tam, backup=backup_tam)
    contract_create(actor=None, account=newcomer, tier=tier("Enterprise"), start_date=D(2026, 5, 20))
    quarter_roll_over(as_of=D(2026, 5, 19))
    assert available(newcomer) == 0
    quarter_roll_over(as_of=D(2026, 5, 20))
    assert available(newcomer) == 1
    quarter_roll_over(as_of=D(2026, 7, 1))
    assert available(newcomer) == 2


def test_an_ended_contract_forfeits_the_balance(ess):
    quarter_roll_over(as_of=D(2026, 1, 1))
    quarter_roll_over(as_of=D(2026, 4, 1))
    contract = ess.contracts.get()
    contract_end(actor=None, contract=contract, end_date=D(2026, 5, 31))
    quarter_roll_over(as_of=D(2026, 6, 1))
    assert available(ess) == 0
    forfeit = CreditEntry.objects.get(account=ess, kind=CreditKind.FORFEIT)
    assert (forfeit.cause, forfeit.available_delta) == ("ineligible", -2)
    quarter_roll_over(as_of=D(2026, 7, 1))
    assert available(ess) == 0


def test_moving_to_a_tier_without_events_forfeits_at_once(ess, time_machine):
    time_machine.move_to(dt.datetime(2026, 5, 10, 18, tzinfo=dt.UTC))
    quarter_roll_over(as_of=D(2026, 5, 10))
    assert available(ess) == 1
    contract_change_tier(actor=None, account=ess, tier=tier("Standard"), from_date=D(2026, 5, 10))
    assert available(ess) == 0


def test_a_contract_created_today_is_granted_at_once(tam, backup_tam, time_machine):
    from accounts.services import coverage_assign

    time_machine.move_to(dt.datetime(2026, 5, 20, 18, tzinfo=dt.UTC))
    quarter_roll_over(as_of=D(2026, 5, 20))
    account = AccountFactory()
    coverage_assign(actor=None, account=account, primary=tam, backup=backup_tam)
    contract_create(actor=None, account=account, tier=tier("Enterprise"), start_date=D(2026, 5, 20))
    assert available(account) == 1


def test_the_ledger_is_append_only(ess):
    quarter_roll_over(as_of=D(2026, 1, 1))
    entry = CreditEntry.objects.get(account=ess)
    entry.available_delta = 5
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(TypeError):
        CreditEntry.objects.filter(account=ess).update(available_delta=3)
    with pytest.raises(TypeError):
        CreditEntry.objects.filter(account=ess).delete()


@pytest.mark.postgres
def test_the_database_refuses_changing_a_ledger_row(ess):
    from django.db import connection

    quarter_roll_over(as_of=D(2026, 1, 1))
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE maintenance_creditentry SET available_delta = 9")


def test_admin_adjustments_need_a_reason_and_never_go_below_zero(ess, admin_user, tam):
    with pytest.raises(Exception, match="Say why"):
        credit_adjust(actor=admin_user, account=ess, amount=1, reason=" ")
    with pytest.raises(Exception, match="fewer than zero"):
        credit_adjust(actor=admin_user, account=ess, amount=-1, reason="oops")
    with pytest.raises(Exception, match="Only administrators"):
        credit_adjust(actor=tam, account=ess, amount=1, reason="gift")
    credit_adjust(actor=admin_user, account=ess, amount=1, reason="Goodwill after outage")
    assert available(ess) == 1


def test_next_grant_date(ess, standard):
    assert next_grant_date(ess, D(2026, 5, 5)) == D(2026, 7, 1)
    assert next_grant_date(standard, D(2026, 5, 5)) is None


def test_quarters_are_reckoned_in_the_vendor_zone():
    assert Quarter.of(D(2026, 3, 31)).next().start == D(2026, 4, 1)
    assert str(Quarter(2026, 4).starts_at()) == "2026-10-01 00:00:00-06:00"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_five_runs_in_a_row_and_two_at_once_grant_once_and_the_ledger_adds_up(client_for, tam, backup_tam, admin_user):
    """Each quarter's job is run five times in a row, then twice at once: one grant per account and quarter,
    no balance above the bank or below zero, and SUM(ledger) equals the balance the portal shows, for every
    account."""
    from django.db.models import Sum

    from accounts.services import coverage_assign

    accounts = [AccountFactory() for _ in range(30)]
    for account in accounts:
        coverage_assign(actor=None, account=account, primary=tam, backup=backup_tam)
        contract_create(actor=None, account=account, tier=tier("Enterprise"), start_date=D(2026, 1, 1))
    for quarter_start in (D(2026, 1, 1), D(2026, 4, 1)):
        for _ in range(5):
            quarter_roll_over(as_of=quarter_start)
    assert at_once(2, lambda n: quarter_roll_over(as_of=D(2026, 7, 1))).errors == []

    grants = CreditEntry.objects.filter(kind=CreditKind.GRANT, account__in=accounts)
    assert grants.count() == 3 * len(accounts)
    assert grants.values("account", "quarter_start").distinct().count() == 3 * len(accounts)
    sums = dict(
        CreditEntry.objects.filter(account__in=accounts)
        .values_list("account")
        .annotate(total=Sum("available_delta"))
        .values_list("account", "total")
    )
    shown = {row["slug"]: row for row in client_for(admin_user).get("/api/v1/accounts/").json()["results"]}
    matching = 0
    for account in accounts:
        balance = account_balance(account)
        assert 0 <= balance.available <= 2
        assert sums[account.pk] == balance.available == shown[account.slug]["events_available"] == 2
        matching += 1
    record(
        "rollover",
        f"quarter job: 5 runs in a row and 2 at once for {len(accounts)} accounts: {grants.count()} grants "
        f"(one per account and quarter), SUM(ledger) = displayed balance for {matching}/{len(accounts)} accounts",
    )
