"""A contract that starts on a day in a quarter grants that quarter's events, unless the account still holds this
quarter's grant: however contracts are entered (a correction, an upgrade from Standard, a gap), the ledger nets one
grant per account and quarter; a seamless renewal keeps the bank and grants nothing more. Through the contract
services, the contracts API, the quarterly job and its command, and under concurrent runs."""

import datetime as dt

import pytest
from django.core.management import call_command

from accounts.models import Contract
from accounts.quarters import Quarter
from accounts.services import contract_cancel, contract_change_tier, contract_create, contract_end, coverage_assign
from maintenance.credits import account_sync_credits, quarter_roll_over
from maintenance.models import CreditEntry, CreditKind
from maintenance.services import account_balance
from maintenance.tasks import roll_over_quarter
from tests.factories import tier
from tests.figures import record
from tests.races import at_once

from .conftest import DENVER

D = dt.date
Q2 = D(2026, 4, 1)


def on(time_machine, day: dt.date) -> None:
    """Move the clock to midday in Denver on ``day``."""
    time_machine.move_to(dt.datetime.combine(day, dt.time(12), tzinfo=DENVER), tick=False)


def available(account) -> int:
    return account_balance(account).available


def net_grant(account, quarter_start: dt.date) -> int:
    """Grants of the quarter minus the forfeits of those grants, as the ledger records them."""
    rows = CreditEntry.objects.filter(account=account, quarter_start=quarter_start)
    grants = rows.filter(kind=CreditKind.GRANT).count()
    forfeited = rows.filter(kind=CreditKind.FORFEIT, cause="ineligible").count()
    return grants - forfeited


@pytest.fixture
def two_banked_in_may(ess, time_machine):
    """May 15, 2026: Acme has banked Q1's and Q2's events."""
    on(time_machine, D(2026, 5, 15))
    quarter_roll_over(since=Quarter(2026, 1))
    assert available(ess) == 2
    return ess


def end_and_enter_again(entry: str, client_for, admin_user, account, *, end: dt.date, start: dt.date) -> None:
    contract = Contract.objects.get(account=account, status="active", end_date__isnull=True)
    enterprise = tier("Enterprise")
    if entry == "service":
        contract_end(actor=admin_user, contract=contract, end_date=end)
        contract_create(actor=admin_user, account=account, tier=enterprise, start_date=start)
        return
    client = client_for(admin_user)
    ended = client.post(
        f"/api/v1/contracts/{contract.pk}/end/", {"end_date": str(end)}, content_type="application/json"
    )
    assert ended.status_code == 200, ended.content
    body = {"account": account.pk, "tier": enterprise.pk, "start_date": str(start)}
    created = client.post("/api/v1/contracts/", body, content_type="application/json")
    assert created.status_code == 201, created.content


@pytest.mark.parametrize("entry", ["service", "api"])
def test_a_contract_corrected_by_ending_and_entering_it_again_leaves_the_quarters_grant(
    entry, client_for, two_banked_in_may, admin_user, time_machine
):
    acme = two_banked_in_may
    end_and_enter_again(entry, client_for, admin_user, acme, end=D(2026, 5, 14), start=D(2026, 5, 15))
    assert available(acme) == 1  # the end forfeited both; the new contract gets Q2's event
    forfeit = CreditEntry.objects.get(account=acme, kind=CreditKind.FORFEIT)
    assert (forfeit.available_delta, forfeit.quarter_start, forfeit.grant_round) == (-2, Q2, 1)
    assert CreditEntry.objects.get(account=acme, kind=CreditKind.GRANT, grant_round=2).quarter_start == Q2
    for _ in range(3):
        roll_over_quarter()
    call_command("roll_over_quarter")
    assert (available(acme), net_grant(acme, Q2)) == (1, 1)
    on(time_machine, D(2026, 7, 1))
    roll_over_quarter()
    assert available(acme) == 2


def test_a_contract_cancelled_as_entered_in_error_and_entered_again_leaves_the_quarters_grant(
    two_banked_in_may, admin_user
):
    acme = two_banked_in_may
    contract_cancel(actor=admin_user, contract=Contract.objects.get(account=acme))
    assert available(acme) == 0
    contract_create(actor=admin_user, account=acme, tier=tier("Enterprise"), start_date=D(2026, 1, 1))
    quarter_roll_over()
    assert (available(acme), net_grant(acme, Q2)) == (1, 1)


def test_an_ended_contract_gets_nothing_back_however_often_the_job_runs(two_banked_in_may, admin_user, time_machine):
    acme = two_banked_in_may
    contract_end(actor=admin_user, contract=Contract.objects.get(account=acme), end_date=D(2026, 5, 14))
    for day in (15, 16, 20, 31):
        on(time_machine, D(2026, 5, day))
        roll_over_quarter()
        assert available(acme) == 0
    assert net_grant(acme, Q2) == 0


def test_an_upgrade_from_standard_mid_quarter_grants_the_quarters_event(standard, tam, backup_tam, time_machine):
    globex = standard
    on(time_machine, D(2026, 4, 1))
    quarter_roll_over()
    assert available(globex) == 0
    on(time_machine, D(2026, 5, 15))
    coverage_assign(actor=None, account=globex, primary=tam, backup=backup_tam)
    contract_change_tier(actor=None, account=globex, tier=tier("Enterprise"), from_date=D(2026, 5, 15))
    assert available(globex) == 1
    roll_over_quarter()
    assert (available(globex), net_grant(globex, Q2)) == (1, 1)


def test_away_to_standard_and_back_within_a_quarter_leaves_the_quarters_grant(two_banked_in_may, time_machine):
    acme = two_banked_in_may
    contract_change_tier(actor=None, account=acme, tier=tier("Standard"), from_date=D(2026, 5, 15))
    assert available(acme) == 0
    on(time_machine, D(2026, 6, 1))
    contract_change_tier(actor=None, account=acme, tier=tier("Enterprise"), from_date=D(2026, 6, 1))
    roll_over_quarter()
    assert (available(acme), net_grant(acme, Q2)) == (1, 1)


def test_a_seamless_renewal_keeps_the_bank_and_grants_nothing_more(two_banked_in_may, admin_user, time_machine):
    acme = two_banked_in_may
    contract_end(actor=admin_user, contract=Contract.objects.get(account=acme), end_date=D(2026, 5, 31))
    contract_create(actor=admin_user, account=acme, tier=tier("Enterprise"), start_date=D(2026, 6, 1))
    for day in (D(2026, 5, 31), D(2026, 6, 1), D(2026, 6, 2)):
        on(time_machine, day)
        roll_over_quarter()
        assert available(acme) == 2
    assert not CreditEntry.objects.filter(account=acme, kind=CreditKind.FORFEIT).exists()
    assert net_grant(acme, Q2) == 1


def test_a_gap_between_contracts_forfeits_and_the_next_contract_gets_the_quarters_grant(
    two_banked_in_may, admin_user, time_machine
):
    acme = two_banked_in_may
    contract_end(actor=admin_user, contract=Contract.objects.get(account=acme), end_date=D(2026, 5, 20))
    contract_create(actor=admin_user, account=acme, tier=tier("Enterprise"), start_date=D(2026, 5, 25))
    expected = {D(2026, 5, 20): 2, D(2026, 5, 21): 0, D(2026, 5, 24): 0, D(2026, 5, 25): 1, D(2026, 5, 26): 1}
    for day, credits in expected.items():
        on(time_machine, day)
        roll_over_quarter()
        assert available(acme) == credits, day
    assert net_grant(acme, Q2) == 1


def test_every_account_and_quarter_nets_at_most_one_grant(two_banked_in_may, admin_user, time_machine):
    acme = two_banked_in_may
    for day in (16, 17, 18):
        on(time_machine, D(2026, 5, day))
        contract = Contract.objects.get(account=acme, status="active", end_date__isnull=True)
        contract_end(actor=admin_user, contract=contract, end_date=D(2026, 5, day - 1))
        contract_create(actor=admin_user, account=acme, tier=tier("Enterprise"), start_date=D(2026, 5, day))
        roll_over_quarter()
        assert available(acme) == 1
    assert CreditEntry.objects.filter(account=acme, kind=CreditKind.GRANT, quarter_start=Q2).count() == 4
    assert net_grant(acme, Q2) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_after_a_correction_grant_the_quarter_once(ess, admin_user, time_machine):
    """The contract was ended and entered again from tomorrow; tomorrow the hourly job and contract syncs run ten
    at once: one grant of the quarter's second round, the balance one."""
    on(time_machine, D(2026, 5, 15))
    quarter_roll_over(since=Quarter(2026, 1))
    contract_end(actor=admin_user, contract=Contract.objects.get(account=ess), end_date=D(2026, 5, 14))
    contract_create(actor=admin_user, account=ess, tier=tier("Enterprise"), start_date=D(2026, 5, 16))
    assert available(ess) == 0
    on(time_machine, D(2026, 5, 16))
    outcomes = at_once(10, lambda n: quarter_roll_over() if n % 2 else account_sync_credits(account=ess))
    assert outcomes.errors == []
    assert CreditEntry.objects.filter(account=ess, kind=CreditKind.GRANT, grant_round=2).count() == 1
    assert (available(ess), net_grant(ess, Q2)) == (1, 1)
    record("regrant", "quarter grant: 10 concurrent runs after a contract correction: 1 grant, balance 1")
