"""acting_tam: primary, else backup, else the first available TAM-level resource, else a clear error."""

import datetime as dt
from contextlib import nullcontext

import pytest
from django.utils import timezone

from accounts.coverage import (
    NoTamAvailable,
    TamLevelPool,
    accounts_covered_by,
    acting_tam,
    coverage,
    coverage_from,
    coverage_many,
    register_open_escalation_counter,
)
from accounts.models import TamAbsence, TamAssignment
from accounts.roles import Role
from accounts.services import coverage_assign
from tests.factories import AccountFactory, UserFactory

NOW = dt.datetime(2026, 12, 1, 16, 0, tzinfo=dt.UTC)


def away(user, start=NOW - dt.timedelta(hours=1), end=NOW + dt.timedelta(days=2)):
    return TamAbsence.objects.create(tam=user, starts_at=start, ends_at=end)


@pytest.fixture
def covered(acme, tam, backup_tam):
    coverage_assign(actor=None, account=acme, primary=tam, backup=backup_tam, at=NOW - dt.timedelta(days=30))
    return acme


@pytest.fixture(autouse=True)
def _no_counter():
    yield
    register_open_escalation_counter(None)


def test_the_primary_acts_when_present(covered, tam):
    assert acting_tam(covered, NOW) == tam
    assert not coverage(covered, NOW).is_covered


def test_the_backup_acts_while_the_primary_is_away(covered, tam, backup_tam):
    away(tam)
    assert acting_tam(covered, NOW) == backup_tam
    result = coverage(covered, NOW)
    assert result.is_covered
    assert result.primary_absence is not None


def test_the_absence_is_half_open(covered, tam, backup_tam):
    away(tam, start=NOW, end=NOW + dt.timedelta(hours=2))
    assert acting_tam(covered, NOW - dt.timedelta(seconds=1)) == tam
    assert acting_tam(covered, NOW) == backup_tam
    assert acting_tam(covered, NOW + dt.timedelta(hours=2)) == tam


def test_a_cancelled_absence_does_not_count(covered, tam):
    absence = away(tam)
    absence.cancelled_at = NOW
    absence.save()
    assert acting_tam(covered, NOW) == tam


def test_both_away_goes_to_the_first_tam_level_resource_by_name(covered, tam, backup_tam, db):
    away(tam)
    away(backup_tam)
    zoe = UserFactory(first_name="Zoe", last_name="Zed", roles=[Role.TAM_LEVEL, Role.SUPPORT])
    adam = UserFactory(first_name="Adam", last_name="Ant", roles=[Role.TAM])
    UserFactory(first_name="Aaron", last_name="Plain", roles=[Role.SUPPORT])  # support only: never a stand-in
    assert acting_tam(covered, NOW) == adam
    away(adam)
    assert acting_tam(covered, NOW) == zoe


def test_fewest_open_escalations_comes_before_the_name(covered, tam, backup_tam, db):
    away(tam)
    away(backup_tam)
    adam = UserFactory(first_name="Adam", last_name="Ant", roles=[Role.TAM])
    zoe = UserFactory(first_name="Zoe", last_name="Zed", roles=[Role.TAM_LEVEL])
    register_open_escalation_counter(lambda ids: {adam.pk: 3, zoe.pk: 1})
    assert acting_tam(covered, NOW) == zoe


def test_nobody_available_is_a_clear_error(covered, tam, backup_tam):
    away(tam)
    away(backup_tam)
    with pytest.raises(NoTamAvailable, match="No TAM or TAM-level resource is available"):
        acting_tam(covered, NOW)


def test_an_inactive_primary_does_not_act(covered, tam, backup_tam):
    tam.is_active = False
    tam.save()
    assert acting_tam(covered, NOW) == backup_tam


def test_an_account_without_tams_goes_to_a_tam_level_resource(globex, tam_level):
    assert acting_tam(globex, NOW) == tam_level


def test_history_answers_for_past_moments(covered, tam, backup_tam, db):
    new_tam = UserFactory(first_name="Nina", roles=[Role.TAM])
    coverage_assign(actor=None, account=covered, primary=new_tam, backup=backup_tam, at=NOW)
    assert acting_tam(covered, NOW - dt.timedelta(minutes=1)) == tam
    assert acting_tam(covered, NOW) == new_tam


def test_coverage_of_many_accounts_takes_a_fixed_number_of_queries(django_assert_max_num_queries, tam, backup_tam, db):
    accounts = [AccountFactory() for _ in range(20)]
    for account in accounts:
        coverage_assign(actor=None, account=account, primary=tam, backup=backup_tam, at=NOW - dt.timedelta(days=1))
    away(tam)
    away(backup_tam)
    UserFactory(first_name="Adam", roles=[Role.TAM])
    with django_assert_max_num_queries(4):
        result = coverage_many(accounts, NOW)
    assert {c.acting.first_name for c in result.values()} == {"Adam"}


def test_coverage_from_rows_read_once_decides_as_coverage_many(
    covered, tam, backup_tam, globex, django_assert_num_queries
):
    """The same decision from the rows read once, at moments before, during and after absences, with a pair
    changed in between and both TAMs away at once; with the TAM-level resources read once over the span, it
    reads nothing more."""
    other = UserFactory(first_name="Adam", roles=[Role.TAM])
    coverage_assign(actor=None, account=globex, primary=backup_tam, backup=tam, at=NOW - dt.timedelta(days=30))
    coverage_assign(actor=None, account=globex, primary=other, backup=tam, at=NOW + dt.timedelta(days=3))
    away(tam, start=NOW, end=NOW + dt.timedelta(days=2))
    away(backup_tam, start=NOW + dt.timedelta(days=1), end=NOW + dt.timedelta(days=4))
    pairs = list(TamAssignment.objects.select_related("primary", "backup"))
    absences = list(TamAbsence.objects.scheduled())
    away(other, start=NOW + dt.timedelta(hours=30), end=NOW + dt.timedelta(hours=40))
    pool = TamLevelPool(NOW - dt.timedelta(days=1), NOW + dt.timedelta(days=6))
    for hours in (-1, 0, 12, 24, 36, 48, 72, 80, 96, 120):
        at = NOW + dt.timedelta(hours=hours)
        expected = {account.pk: _coverage_or_none(account, at) for account in (covered, globex)}
        for read_once in (None, pool):
            with django_assert_num_queries(0) if read_once else nullcontext():
                decided = coverage_from(pairs, absences, at, {}, read_once)
            assert {pk: _who(c) for pk, c in decided.items()} == {pk: _who(c) for pk, c in expected.items()}, hours
    assert _coverage_or_none(covered, NOW + dt.timedelta(hours=36)) is None  # all three away: nobody


def _coverage_or_none(account, at):
    try:
        return coverage(account, at)
    except NoTamAvailable:
        return None


def _who(cover):
    return None if cover is None else (cover.acting, cover.primary_absence, cover.backup_absence)


def test_accounts_covered_by_lists_where_someone_stands_in(covered, tam, backup_tam, globex):
    coverage_assign(actor=None, account=globex, primary=backup_tam, backup=tam, at=NOW - dt.timedelta(days=1))
    now = timezone.now()
    away(tam, start=now - dt.timedelta(hours=1), end=now + dt.timedelta(hours=1))
    assert accounts_covered_by(backup_tam, now) == [covered]
    assert accounts_covered_by(tam, now) == []
