"""The configuration pages' world: Acme on Enterprise with its TAMs, Globex on Standard, and staff of every role."""

from types import SimpleNamespace

import pytest

from accounts.models import Contract, Tier
from tests.factories import support_hours_calendar


@pytest.fixture
def configured(ess, standard, alice, bob, tam, backup_tam, tam_level, support, admin_user):
    return SimpleNamespace(
        acme=ess,
        globex=standard,
        acme_contract=Contract.objects.get(account=ess),
        globex_contract=Contract.objects.get(account=standard),
        enterprise=Tier.objects.get(name="Enterprise"),
        standard=Tier.objects.get(name="Standard"),
        calendar=support_hours_calendar(),
        alice=alice,
        bob=bob,
        tam=tam,
        backup_tam=backup_tam,
        tam_level=tam_level,
        support=support,
        admin=admin_user,
    )
