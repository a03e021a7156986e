"""An account's priority support today, kept on the account (accounts/priority.py): the contract in force today
with a tier that has priority support, set by the services that change contracts and tiers and by the SLA job
each minute; a second or concurrent refresh changes nothing."""

import datetime as dt

import pytest

from accounts.models import Account, Contract, Tier
from accounts.priority import accounts_priority_refresh
from accounts.quarters import vendor_today
from tests.races import at_once


def _flags() -> dict[str, bool]:
    return dict(Account.objects.values_list("slug", "priority_support_today"))


@pytest.mark.django_db
def test_the_flag_is_the_contract_in_force_today(ess, standard):
    assert _flags() == {"acme": True, "globex": False}
    today = vendor_today()
    Contract.objects.filter(account=ess).update(end_date=today - dt.timedelta(days=1))  # not through its service
    assert _flags()["acme"] is True
    assert accounts_priority_refresh() == 1
    assert _flags() == {"acme": False, "globex": False}
    assert accounts_priority_refresh() == 0  # a second run writes nothing
    assert accounts_priority_refresh(today=today - dt.timedelta(days=1)) == 1  # on its last day it had it


@pytest.mark.django_db
def test_a_tier_that_gains_priority_support_flags_its_accounts_at_once(ess, standard):
    from accounts.configuration import tier_save

    tier_save(actor=None, tier=Tier.objects.get(name="Standard"), values={"priority_support": True})
    assert _flags() == {"acme": True, "globex": True}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_refreshes_at_once_change_each_flag_once(ess, standard):
    Contract.objects.filter(account=ess).update(end_date=vendor_today() - dt.timedelta(days=1))
    outcomes = at_once(6, lambda n: accounts_priority_refresh())
    assert not outcomes.errors, outcomes.errors
    assert sum(outcomes.results) == 1
    assert _flags() == {"acme": False, "globex": False}
