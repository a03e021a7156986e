import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import TamAbsence
from accounts.services import contract_create, coverage_assign
from tests.factories import AccountFactory, tier


@pytest.fixture
def world(acme, globex, tam, backup_tam):
    coverage_assign(actor=None, account=acme, primary=tam, backup=backup_tam)
    contract_create(actor=None, account=acme, tier=tier("Enterprise"), start_date=dt.date(2025, 1, 1))
    contract_create(actor=None, account=globex, tier=tier("Standard"), start_date=dt.date(2025, 1, 1))


def test_a_tam_starts_with_their_own_accounts(client_for, world, tam):
    page = client_for(tam).get("/customers/").content.decode()
    assert "Acme Manufacturing" in page
    assert "Globex Logistics" not in page
    everything = client_for(tam).get("/customers/?show=all").content.decode()
    assert "Globex Logistics" in everything


def test_the_backup_sees_a_covering_badge_while_the_primary_is_away(client_for, world, tam, backup_tam):
    now = timezone.now()
    TamAbsence.objects.create(tam=tam, starts_at=now - dt.timedelta(hours=1), ends_at=now + dt.timedelta(days=1))
    page = client_for(backup_tam).get("/customers/").content.decode()
    assert "covering" in page


def test_a_tam_level_resource_sees_accounts_they_stand_in_for(client_for, world, tam, backup_tam, tam_level):
    now = timezone.now()
    for person in (tam, backup_tam):
        TamAbsence.objects.create(tam=person, starts_at=now - dt.timedelta(hours=1), ends_at=now + dt.timedelta(days=1))
    page = client_for(tam_level).get("/customers/").content.decode()
    assert "Acme Manufacturing" in page
    assert "covering" in page


def test_the_account_list_takes_a_fixed_number_of_queries(
    client_for, world, tam, backup_tam, django_assert_num_queries
):
    client = client_for(tam)
    client.get("/customers/?show=all")
    # session, user, roles, covered accounts, accounts, contracts of the day, TAM pairs
    with CaptureQueriesContext(connection) as first:  # the baseline; the count must not grow
        client.get("/customers/?show=all")
    for _ in range(10):
        account = AccountFactory()
        coverage_assign(actor=None, account=account, primary=tam, backup=backup_tam)
        contract_create(actor=None, account=account, tier=tier("Enterprise"), start_date=dt.date(2025, 1, 1))
    with django_assert_num_queries(len(first.captured_queries)):
        client.get("/customers/?show=all")


def test_account_page_for_staff(client_for, world, support, alice):
    page = client_for(support).get("/customers/acme/").content.decode()
    assert "Terry Tamsin" in page and "Enterprise" in page and alice.email in page


def test_customers_cannot_open_account_pages(client_for, world, alice):
    client = client_for(alice)
    assert client.get("/customers/").status_code == 403
    assert client.get("/customers/globex/").status_code == 404
    assert client.get("/customers/acme/").status_code == 404
    assert client.get("/customers/nope/").status_code == 404


def test_the_customer_home_names_the_tier(client_for, world, alice, bob):
    assert "Enterprise support" in client_for(alice).get("/").content.decode()
    bob_home = client_for(bob).get("/").content.decode()
    assert "Standard support" in bob_home
    assert "Terry Tamsin" not in bob_home
    assert "Acme" not in bob_home
