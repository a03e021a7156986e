"""The N+1 detection itself: a unit of work (a request, a task, a portal function a test calls) fails on an N+1,
and each unit counts on its own."""

import datetime as dt

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import RequestFactory
from zeal import NPlusOneError

from accounts.models import Account, Contract
from tests.factories import AccountFactory, tier

from .n_plus_one import as_unit, per_request, unit_of_work


@pytest.fixture
def contracts(db):
    for _ in range(3):
        account = AccountFactory()
        Contract.objects.create(account=account, tier=tier("Standard"), start_date=dt.date(2026, 1, 1))


def test_the_suite_runs_with_the_detector():
    assert "zeal" in settings.INSTALLED_APPS
    assert settings.MIDDLEWARE[0] == "tests.perf.n_plus_one.per_request"
    assert settings.ZEAL_RAISE is True


def test_the_portals_functions_are_units_of_work():
    from cases import chaser, services
    from ess_portal import homes
    from maintenance import credits
    from reviews import selectors

    for function in (services.case_open, chaser.sla_chase, homes.customer_home, credits.quarter_roll_over):
        assert function.counted_as_unit, function
    assert selectors.previews_to_plan.counted_as_unit


def test_a_related_row_fetched_per_row_fails_the_unit(contracts):
    with pytest.raises(NPlusOneError, match=r"accounts\.Contract\.tier"), unit_of_work():
        [contract.tier.name for contract in Contract.objects.all()]


def test_fetched_with_the_rows_it_passes(contracts, django_assert_num_queries):
    with unit_of_work(), django_assert_num_queries(1):
        assert len([c.tier.name for c in Contract.objects.select_related("tier")]) == 3


def _get_per_row(request=None):
    for pk in Account.objects.values_list("pk", flat=True):
        Account.objects.get(pk=pk)
    return HttpResponse("ok")


def test_a_get_per_row_in_a_request_fails_it(contracts):
    with pytest.raises(NPlusOneError, match=r"accounts\.Account\.get\(\)"):
        per_request(_get_per_row)(RequestFactory().get("/"))


def test_a_portal_function_called_once_per_row_inside_a_unit_is_caught(contracts):
    @as_unit
    def one_account(pk):
        return Account.objects.get(pk=pk)

    one_account(Account.objects.values_list("pk", flat=True).first())
    one_account(Account.objects.values_list("pk", flat=True).last())  # a test calling it twice: two units
    with pytest.raises(NPlusOneError, match=r"accounts\.Account\.get\(\)"), unit_of_work():
        for pk in Account.objects.values_list("pk", flat=True):
            one_account(pk)


def test_each_request_counts_on_its_own(contracts):
    handler = per_request(_get_per_row)
    with pytest.raises(NPlusOneError):
        handler(RequestFactory().get("/"))

    def one_get(request):
        Account.objects.get(pk=Account.objects.values_list("pk", flat=True).first())
        return HttpResponse("ok")

    handler = per_request(one_get)
    for _ in range(3):
        assert handler(RequestFactory().get("/")).status_code == 200
