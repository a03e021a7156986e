"""The documented backup and restore (docs/operations.md), end to end: scripts/pg-backup.sh dumps the test
database, scripts/pg-restore.sh restores it into a fresh database, and what the portal reports from the copy
(credit balances, cases per account, every table's rows, sequences, the ledger's append-only trigger) is the
same as from the original."""

import io
import os
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from psycopg2 import sql

from accounts.models import Account, Contract, Tier, User
from accounts.quarters import Quarter, vendor_today
from cases.services import case_open
from maintenance.credits import quarter_roll_over
from tests.figures import record

from .postgres import database_url, query, server_connection

SCRIPTS = Path(settings.BASE_DIR) / "scripts"
CUSTOMERS = 200
# A table's row count and a digest of every row.
ROWS = sql.SQL("SELECT COUNT(*), md5(COALESCE(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {} t")


def run(script: str, *args: str, url: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(SCRIPTS / script), *args],
        env={"PATH": os.environ["PATH"], "DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def seed_customers() -> int:
    """The demo data, plus a population of customers with a year of credit history and open cases; the number of
    accounts made."""
    call_command("seed_demo", stdout=io.StringIO())
    demo_accounts = Account.objects.count()
    enterprise, standard = Tier.objects.get(name="Enterprise"), Tier.objects.get(name="Standard")
    today = vendor_today()
    this_quarter = Quarter.of(today)
    year_ago = this_quarter.previous().previous().previous().previous()
    accounts = Account.objects.bulk_create(
        Account(name=f"Customer {n:03d}", slug=f"customer-{n:03d}") for n in range(CUSTOMERS)
    )
    Contract.objects.bulk_create(
        Contract(
            account=account,
            tier=standard if n % 5 == 0 else enterprise,
            start_date=(year_ago if n % 2 else this_quarter).start,
        )
        for n, account in enumerate(accounts)
    )
    quarter_roll_over(as_of=today, since=year_ago)
    support = User.objects.get(email="support@ess.example")
    for n, account in enumerate(accounts[:15]):
        for severity in range(1 + n % 3):
            case_open(
                actor=support,
                account=account,
                subject=f"Import job {n}-{severity} stalls",
                description="The nightly import stops at the first batch.",
                channel="phone",
                severity=severity + 2,
            )
    return demo_accounts + CUSTOMERS


def snapshot(conn) -> dict:
    tables = [
        name
        for (name,) in query(conn, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    ]
    return {
        "balances": query(
            conn,
            """SELECT a.slug, COALESCE(SUM(l.available_delta), 0), COALESCE(SUM(l.reserved_delta), 0)
               FROM accounts_account a LEFT JOIN maintenance_creditentry l ON l.account_id = a.id
               GROUP BY a.slug ORDER BY a.slug""",
        ),
        "cases": query(
            conn,
            """SELECT a.slug, COUNT(c.id) FROM accounts_account a LEFT JOIN cases_case c ON c.account_id = a.id
               GROUP BY a.slug ORDER BY a.slug""",
        ),
        "rows": {table: query(conn, ROWS.format(sql.Identifier(table)))[0] for table in tables},
        "sequences": query(
            conn, "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1"
        ),
        "migrations": query(conn, "SELECT app, name FROM django_migrations ORDER BY app, name"),
    }


@pytest.fixture
def restored_name():
    """A database beside the test database, dropped before and after."""
    name = f"{settings.DATABASES['default']['NAME']}_restored"
    server = server_connection()
    try:
        query_drop = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
        with server.cursor() as cursor:
            cursor.execute(query_drop)
        yield name
        with server.cursor() as cursor:
            cursor.execute(query_drop)
    finally:
        server.close()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_backup_restored_into_a_fresh_database_holds_the_same_ledger_and_cases(settings, tmp_path, restored_name):
    settings.DEBUG = True  # seed_demo refuses otherwise
    accounts = seed_customers()
    dump = tmp_path / "ess.dump"

    backup = run("pg-backup.sh", str(dump), url=database_url())
    assert backup.returncode == 0, backup.stderr
    assert backup.stdout.strip() == str(dump) and dump.stat().st_size > 0
    assert "dumping database" in backup.stderr and not list(tmp_path.glob("*.partial"))

    restore = run("pg-restore.sh", str(dump), url=database_url(restored_name))
    assert restore.returncode == 0, restore.stderr
    assert f"creating database {restored_name}" in restore.stderr

    original = server_connection(settings.DATABASES["default"]["NAME"])
    before = snapshot(original)
    original.close()
    copy = server_connection(restored_name)
    try:
        assert snapshot(copy) == before
        # The schema came back whole: the ledger still refuses an update in the copy.
        with pytest.raises(Exception, match="append-only"), copy.cursor() as cursor:
            cursor.execute("UPDATE maintenance_creditentry SET available_delta = 9")
        with copy.cursor() as cursor:
            cursor.execute("CREATE TABLE stray_table (id integer)")
    finally:
        copy.close()
    rows = sum(count for count, _ in before["rows"].values())
    assert rows > 1000
    assert len(before["balances"]) == accounts > CUSTOMERS
    assert {available for _, available, _ in before["balances"]} == {0, 1, 2}

    refused = run("pg-restore.sh", str(dump), url=database_url(restored_name))  # it is not empty now
    assert refused.returncode == 1
    assert "is not empty" in refused.stderr and "refusing" in refused.stderr
    replaced = run("pg-restore.sh", "--replace", str(dump), url=database_url(restored_name))
    assert replaced.returncode == 0, replaced.stderr
    assert "dropping database" in replaced.stderr
    copy = server_connection(restored_name)
    try:
        assert snapshot(copy) == before  # exactly the backup: the stray table went with the old database
    finally:
        copy.close()

    cases = sum(count for _, count in before["cases"])
    record(
        "backup",
        f"backup/restore: {len(before['balances'])} accounts' balances and {cases} cases identical after restore "
        f"({len(before['rows'])} tables, {rows} rows identical row for row, every sequence)",
    )
