"""Each account's credit balances, kept by the database from its ledger.

PostgreSQL: a statement trigger adds the rows one INSERT wrote, grouped by account (one UPSERT per statement, so
the quarterly job's set-based inserts stay set-based). SQLite (the embedded default): a row trigger doing the same.
Existing ledgers are summed once.
"""

import django.db.models.deletion
from django.db import migrations, models

from core.vendor_sql import run_by_vendor

BACKFILL = """
    INSERT INTO maintenance_creditbalance (account_id, available, reserved)
    SELECT account_id, SUM(available_delta), SUM(reserved_delta) FROM maintenance_creditentry GROUP BY account_id
"""
PG_FORWARD = [
    """
    CREATE FUNCTION maintenance_credit_balance_add() RETURNS trigger AS $$
    BEGIN
        INSERT INTO maintenance_creditbalance (account_id, available, reserved)
        SELECT account_id, SUM(available_delta), SUM(reserved_delta) FROM inserted GROUP BY account_id
        ON CONFLICT (account_id) DO UPDATE
        SET available = maintenance_creditbalance.available + EXCLUDED.available,
            reserved = maintenance_creditbalance.reserved + EXCLUDED.reserved;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER maintenance_credit_balance AFTER INSERT ON maintenance_creditentry
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION maintenance_credit_balance_add()
    """,
    BACKFILL,
]
PG_BACKWARD = [
    "DROP TRIGGER IF EXISTS maintenance_credit_balance ON maintenance_creditentry",
    "DROP FUNCTION IF EXISTS maintenance_credit_balance_add()",
]
SQLITE_FORWARD = [
    """
    CREATE TRIGGER maintenance_credit_balance AFTER INSERT ON maintenance_creditentry
    BEGIN
        INSERT INTO maintenance_creditbalance (account_id, available, reserved)
        VALUES (NEW.account_id, NEW.available_delta, NEW.reserved_delta)
        ON CONFLICT (account_id) DO UPDATE
        SET available = available + excluded.available, reserved = reserved + excluded.reserved;
    END
    """,
    BACKFILL,
]
SQLITE_BACKWARD = ["DROP TRIGGER IF EXISTS maintenance_credit_balance"]


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_outbox"),
        ("maintenance", "0004_credit_account_balance"),
    ]

    operations = [
        migrations.CreateModel(
            name="CreditBalance",
            fields=[
                (
                    "account",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="credit_balance",
                        serialize=False,
                        to="accounts.account",
                    ),
                ),
                ("available", models.IntegerField(default=0)),
                ("reserved", models.IntegerField(default=0)),
            ],
            options={"verbose_name": "credit balance"},
        ),
        run_by_vendor(
            {"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD},
            {"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD},
        ),
    ]
