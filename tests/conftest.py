"""Personas shared by every test: two customer accounts with their users, staff of every role.

Tests that need PostgreSQL (row locks, concurrency) are marked ``postgres`` and tests that need a
Redis server ``redis``; they are deselected, with a note, when that service is not configured.
"""

import datetime as dt
import time

import pytest
from celery.result import _set_task_join_will_block
from django.conf import settings
from django.db import connection

from accounts.defaults import install_default_tiers
from accounts.models import BusinessCalendar, OpenInterval, Tier
from accounts.roles import Role, install_role_groups
from accounts.services import contract_create, coverage_assign
from cases.defaults import install_default_policies
from cases.models import SlaPolicy, SlaTarget

from . import clock
from .factories import PASSWORD, AccountFactory, UserFactory, customer_user
from .perf import n_plus_one


def pytest_collection_modifyitems(config, items):
    using_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    missing = {"postgres": not using_postgres, "redis": not settings.REDIS_URL}
    kept, dropped = [], []
    for item in items:
        (dropped if any(missing[m] and item.get_closest_marker(m) for m in missing) else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
        reasons = ", ".join(name for name, absent in missing.items() if absent)
        print(f"\n{len(dropped)} tests deselected: no {reasons} configured (set DATABASE_URL / REDIS_URL)")


def pytest_addoption(parser):
    clock.add_option(parser)


def pytest_configure(config):
    """An N+1 query in a request, a task or a portal function a test calls fails the test (tests/perf/n_plus_one.py).
    With ``--clock-at`` the run starts at another date (tests/clock.py)."""
    n_plus_one.install()
    clock.start(config)


def pytest_unconfigure(config):
    clock.stop()


def pytest_report_header(config):
    return clock.report_header(config)


@pytest.fixture(autouse=True)
def _celery_may_wait_on_results():
    """Tasks run eagerly here, and an eager run marks the process as inside a task (so that waiting on a result
    is refused) with one flag for the whole process, put back when it ends. Requests sent on threads at once each
    run their tasks eagerly and can put it back out of order, leaving it set for the tests after them (a test
    that waits on a real worker's result is then refused). No worker process shares this state: it is the eager
    test mode's, so each test starts from the default."""
    yield
    _set_task_join_will_block(False)


@pytest.fixture(autouse=True)
def _role_groups(db):
    """Data that migrations install; transactional tests flush it, so it is put back for each test."""
    install_role_groups()
    install_default_tiers(BusinessCalendar, OpenInterval, Tier)
    install_default_policies(Tier, BusinessCalendar, SlaPolicy, SlaTarget)


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def acme(db):
    return AccountFactory(name="Acme Manufacturing", slug="acme")


@pytest.fixture
def globex(db):
    return AccountFactory(name="Globex Logistics", slug="globex")


@pytest.fixture
def alice(acme):
    """A customer user of Acme."""
    return customer_user(acme, email="alice@acme.example", first_name="Alice")


@pytest.fixture
def bob(globex):
    """A customer user of Globex: the outsider for Acme's data."""
    return customer_user(globex, email="bob@globex.example", first_name="Bob")


@pytest.fixture
def tam(db):
    return UserFactory(email="tam@ess.example", first_name="Terry", last_name="Tamsin", roles=[Role.TAM])


@pytest.fixture
def backup_tam(db):
    return UserFactory(email="backup@ess.example", first_name="Bianca", last_name="Backup", roles=[Role.TAM])


@pytest.fixture
def tam_level(db):
    return UserFactory(
        email="level@ess.example", first_name="Lee", last_name="Level", roles=[Role.SUPPORT, Role.TAM_LEVEL]
    )


@pytest.fixture
def support(db):
    return UserFactory(email="support@ess.example", first_name="Sam", last_name="Support", roles=[Role.SUPPORT])


@pytest.fixture
def admin_user(db):
    return UserFactory(email="admin@ess.example", first_name="Ada", last_name="Admin", roles=[Role.ADMIN])


@pytest.fixture
def ess(acme, tam, backup_tam):
    """Acme: Enterprise since Jan 1, 2026, with Terry as TAM and Bianca as backup."""
    coverage_assign(actor=None, account=acme, primary=tam, backup=backup_tam, at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
    contract_create(actor=None, account=acme, tier=Tier.objects.get(name="Enterprise"), start_date=dt.date(2026, 1, 1))
    return acme


@pytest.fixture
def standard(globex):
    """Globex: Standard since Jan 1, 2026."""
    contract_create(actor=None, account=globex, tier=Tier.objects.get(name="Standard"), start_date=dt.date(2026, 1, 1))
    return globex


def signed_in_with_password(client, user, *, seconds_ago: float = 0) -> None:
    """Record in the session what the sign-in form records: a password entered now (or a while ago)."""
    session = client.session
    session["account_authentication_methods"] = [{"method": "password", "at": time.time() - seconds_ago}]
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()


@pytest.fixture
def client_for(client):
    """Sign the test client in as a given user."""

    def sign_in(user):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        signed_in_with_password(client, user)
        return client

    return sign_in


@pytest.fixture
def is_postgres():
    return connection.vendor == "postgresql"
