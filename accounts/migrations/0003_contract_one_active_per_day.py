"""At most one active contract per account on any day, enforced by the database itself.

PostgreSQL: an exclusion constraint over the contract's date range (btree_gist). SQLite (the embedded
default) has no exclusion constraints, so triggers refuse an overlapping active contract instead.
"""

from django.db import migrations

from core.vendor_sql import run_by_vendor, sqlite_no_overlap_triggers

PG_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    """
    ALTER TABLE accounts_contract ADD CONSTRAINT contract_one_active_per_day
    EXCLUDE USING gist (account_id WITH =, daterange(start_date, end_date, '[]') WITH &&)
    WHERE (status = 'active')
    """,
]
PG_BACKWARD = ["ALTER TABLE accounts_contract DROP CONSTRAINT IF EXISTS contract_one_active_per_day"]

_SQLITE_CLASH = """
    NEW.status = 'active' AND EXISTS (
        SELECT 1 FROM accounts_contract c
        WHERE c.account_id = NEW.account_id AND c.status = 'active' AND c.id IS NOT NEW.id
          AND c.start_date <= COALESCE(NEW.end_date, '9999-12-31')
          AND NEW.start_date <= COALESCE(c.end_date, '9999-12-31')
    )
"""
SQLITE_FORWARD, SQLITE_BACKWARD = sqlite_no_overlap_triggers("contract_one_active_per_day", "accounts_contract", _SQLITE_CLASH)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_coverage_contracts_calendars")]

    operations = [
        run_by_vendor(
            {"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD},
            {"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD},
        )
    ]
