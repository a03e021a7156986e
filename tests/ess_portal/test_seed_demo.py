import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command

from accounts.models import Account, Contract, User
from cases.models import Case, CaseEntry
from maintenance.models import CreditEntry, MaintenanceEvent


def _snapshot():
    return {
        "accounts": sorted(Account.objects.values_list("slug", "name")),
        "users": sorted(
            User.objects.values_list("email", "first_name", "last_name", "time_zone", "account__slug", "password")
        ),
        "memberships": sorted(User.groups.through.objects.values_list("user__email", "group__name")),
        "addresses": sorted(EmailAddress.objects.values_list("email", "verified", "primary")),
        "groups": sorted(Group.objects.values_list("name", flat=True)),
        "contracts": sorted(Contract.objects.values_list("account__slug", "tier__name", "start_date")),
        "ledger": sorted(CreditEntry.objects.values_list("account__slug", "kind", "available_delta", "quarter_start")),
        "events": sorted(MaintenanceEvent.objects.values_list("account__slug", "status", "starts_at")),
        "cases": sorted(Case.objects.values_list("account__slug", "subject", "status")),
        "entries": CaseEntry.objects.count(),
    }


def test_seed_demo_twice_leaves_the_same_data(settings, db):
    settings.DEBUG = True
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    first = _snapshot()
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert _snapshot() == first
    assert len(first["accounts"]) >= 2
    assert sum(delta for slug, _, delta, _ in first["ledger"] if slug == "acme") == 2  # two banked events
    assert {status for _, _, status in first["cases"]} >= {"escalated", "waiting", "resolved", "new"}
    roles = {group for _, group in first["memberships"]}
    assert roles == {"Admin", "TAM", "TAM-level resource", "Support staff", "Customer user"}


def test_seed_demo_refuses_with_debug_off(settings, db):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG off"):
        call_command("seed_demo")
    assert not User.objects.exists()
