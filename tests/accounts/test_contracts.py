import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from accounts.models import Contract, ContractStatus
from accounts.services import (
    contract_cancel,
    contract_change_tier,
    contract_create,
    contract_end,
    coverage_assign,
)
from accounts.signals import contract_changed
from core.errors import DomainError
from tests.factories import tier
from tests.races import at_once

D = dt.date


@pytest.fixture
def ess_ready(acme, tam, backup_tam):
    coverage_assign(actor=None, account=acme, primary=tam, backup=backup_tam)
    return acme


def test_the_faq_tiers_are_installed_as_data(db):
    standard, enterprise = tier("Standard"), tier("Enterprise")
    assert (enterprise.events_per_quarter, enterprise.bank_cap, enterprise.proactive_reviews_per_quarter) == (1, 2, 1)
    assert enterprise.assigned_tam and enterprise.release_previews and enterprise.priority_support
    assert enterprise.store_discount_percent == 10
    assert (standard.events_per_quarter, standard.bank_cap, standard.store_discount_percent) == (0, 0, 0)
    assert not (standard.assigned_tam or standard.release_previews or standard.priority_support)
    assert standard.email_phone_support and standard.software_updates
    calendar = enterprise.support_calendar
    assert calendar.name == "Support hours" and calendar.time_zone == "America/Denver"
    assert sorted((i.weekday, i.opens, i.closes) for i in calendar.intervals.all()) == [
        (day, dt.time(6), dt.time(18)) for day in range(5)
    ]


def test_an_enterprise_contract_needs_tams_first(acme, admin_user):
    with pytest.raises(DomainError) as refused:
        contract_create(actor=admin_user, account=acme, tier=tier("Enterprise"), start_date=D(2026, 1, 1))
    assert refused.value.field == "tier"
    assert not Contract.objects.exists()


def test_a_standard_contract_needs_no_tam(globex, admin_user):
    contract = contract_create(actor=admin_user, account=globex, tier=tier("Standard"), start_date=D(2026, 1, 1))
    assert contract.covers(D(2030, 5, 5))
    assert contract.created_by == admin_user


def test_overlapping_active_contracts_are_refused_with_a_message(ess_ready):
    contract_create(
        actor=None, account=ess_ready, tier=tier("Enterprise"), start_date=D(2026, 1, 1), end_date=D(2026, 12, 31)
    )
    with pytest.raises(DomainError, match="already has an active contract"):
        contract_create(actor=None, account=ess_ready, tier=tier("Standard"), start_date=D(2026, 12, 31))
    contract_create(actor=None, account=ess_ready, tier=tier("Standard"), start_date=D(2027, 1, 1))
    assert Contract.objects.filter(account=ess_ready).count() == 2


def test_the_database_itself_refuses_two_active_contracts_on_a_day(ess_ready):
    Contract.objects.create(account=ess_ready, tier=tier("Enterprise"), start_date=D(2026, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Contract.objects.create(
            account=ess_ready, tier=tier("Standard"), start_date=D(2027, 6, 1), end_date=D(2027, 7, 1)
        )


def test_the_database_allows_a_cancelled_contract_to_overlap(ess_ready):
    Contract.objects.create(account=ess_ready, tier=tier("Enterprise"), start_date=D(2026, 1, 1))
    Contract.objects.create(
        account=ess_ready, tier=tier("Standard"), start_date=D(2026, 6, 1), status=ContractStatus.CANCELLED
    )
    assert Contract.objects.count() == 2


def test_the_database_refuses_reactivating_into_an_overlap(ess_ready):
    Contract.objects.create(account=ess_ready, tier=tier("Enterprise"), start_date=D(2026, 1, 1))
    cancelled = Contract.objects.create(
        account=ess_ready, tier=tier("Standard"), start_date=D(2026, 6, 1), status=ContractStatus.CANCELLED
    )
    cancelled.status = ContractStatus.ACTIVE
    with pytest.raises(IntegrityError), transaction.atomic():
        cancelled.save()


def test_an_end_before_the_start_is_refused(globex):
    with pytest.raises(DomainError) as refused:
        contract_create(
            actor=None, account=globex, tier=tier("Standard"), start_date=D(2026, 5, 1), end_date=D(2026, 4, 1)
        )
    assert refused.value.field == "end_date"


def test_changing_tier_keeps_history_and_sends_the_signal(ess_ready):
    heard = []

    def listener(sender, account, contract, actor, **kwargs):
        heard.append((contract.tier.name, contract.start_date, contract.end_date, contract.status))

    contract_changed.connect(listener)
    try:
        old = contract_create(
            actor=None, account=ess_ready, tier=tier("Standard"), start_date=D(2025, 1, 1), end_date=D(2027, 12, 31)
        )
        new = contract_change_tier(actor=None, account=ess_ready, tier=tier("Enterprise"), from_date=D(2026, 4, 1))
    finally:
        contract_changed.disconnect(listener)
    old.refresh_from_db()
    assert old.end_date == D(2026, 3, 31)
    assert (new.tier.name, new.start_date, new.end_date) == ("Enterprise", D(2026, 4, 1), D(2027, 12, 31))
    assert Contract.objects.in_force(on=D(2026, 3, 31)).get().tier.name == "Standard"
    assert Contract.objects.in_force(on=D(2026, 4, 1)).get().tier.name == "Enterprise"
    assert heard[-2:] == [
        ("Standard", D(2025, 1, 1), D(2026, 3, 31), "active"),
        ("Enterprise", D(2026, 4, 1), D(2027, 12, 31), "active"),
    ]


def test_changing_tier_on_the_first_day_replaces_the_contract(ess_ready):
    first = contract_create(actor=None, account=ess_ready, tier=tier("Standard"), start_date=D(2026, 4, 1))
    contract_change_tier(actor=None, account=ess_ready, tier=tier("Enterprise"), from_date=D(2026, 4, 1))
    first.refresh_from_db()
    assert first.status == ContractStatus.CANCELLED
    assert Contract.objects.in_force(on=D(2026, 4, 1)).get().tier.name == "Enterprise"


def test_changing_to_the_same_tier_or_without_a_contract_is_refused(ess_ready):
    with pytest.raises(DomainError, match="no active contract"):
        contract_change_tier(actor=None, account=ess_ready, tier=tier("Enterprise"), from_date=D(2026, 4, 1))
    contract_create(actor=None, account=ess_ready, tier=tier("Enterprise"), start_date=D(2026, 1, 1))
    with pytest.raises(DomainError, match="already on Enterprise"):
        contract_change_tier(actor=None, account=ess_ready, tier=tier("Enterprise"), from_date=D(2026, 4, 1))


def test_ending_and_cancelling(globex):
    contract = contract_create(actor=None, account=globex, tier=tier("Standard"), start_date=D(2026, 1, 1))
    contract_end(actor=None, contract=contract, end_date=D(2026, 6, 30))
    assert not contract.covers(D(2026, 7, 1))
    with pytest.raises(DomainError, match="cannot extend"):
        contract_end(actor=None, contract=contract, end_date=D(2026, 8, 1))
    contract_cancel(actor=None, contract=contract)
    assert not Contract.objects.in_force(on=D(2026, 3, 1)).exists()
    with pytest.raises(DomainError, match="already cancelled"):
        contract_cancel(actor=None, contract=contract)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_writers_racing_get_one_contract(ess_ready):
    """Two transactions that each see no overlap still cannot both commit: one contract, the other refused."""
    tiers = ["Standard", "Enterprise"]
    outcomes = at_once(
        2, lambda n: contract_create(actor=None, account=ess_ready, tier=tier(tiers[n]), start_date=D(2026, 1, 1))
    )
    assert len(outcomes.results) == 1 and outcomes.raised(DomainError) == 1, outcomes.errors
    assert Contract.objects.filter(account=ess_ready).count() == 1
