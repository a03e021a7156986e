"""Rules the database holds itself, beyond what Django's constraints express.

- A TAM is never booked on two overlapping open events: a PostgreSQL exclusion constraint on the
  TAM and the event's time range (requested or confirmed events); triggers on SQLite.
- The credit ledger is append-only: on PostgreSQL, triggers refuse UPDATE and DELETE of a row.
"""

from django.db import migrations

from core.vendor_sql import run_by_vendor, sqlite_no_overlap_triggers

PG_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    """
    ALTER TABLE maintenance_maintenanceevent ADD CONSTRAINT event_tam_never_double_booked
    EXCLUDE USING gist (performing_tam_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)
    WHERE (status IN ('requested', 'confirmed'))
    """,
    """
    CREATE FUNCTION maintenance_ledger_is_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'the credit ledger is append-only: rows are never updated or deleted';
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER maintenance_ledger_append_only BEFORE UPDATE OR DELETE ON maintenance_creditentry
    FOR EACH ROW EXECUTE FUNCTION maintenance_ledger_is_append_only()
    """,
]
PG_BACKWARD = [
    "DROP TRIGGER IF EXISTS maintenance_ledger_append_only ON maintenance_creditentry",
    "DROP FUNCTION IF EXISTS maintenance_ledger_is_append_only()",
    "ALTER TABLE maintenance_maintenanceevent DROP CONSTRAINT IF EXISTS event_tam_never_double_booked",
]

_SQLITE_CLASH = """
    NEW.status IN ('requested', 'confirmed') AND EXISTS (
        SELECT 1 FROM maintenance_maintenanceevent e
        WHERE e.performing_tam_id = NEW.performing_tam_id AND e.status IN ('requested', 'confirmed')
          AND e.id IS NOT NEW.id AND e.starts_at < NEW.ends_at AND NEW.starts_at < e.ends_at
    )
"""
SQLITE_FORWARD, SQLITE_BACKWARD = sqlite_no_overlap_triggers("event_tam_never_double_booked", "maintenance_maintenanceevent", _SQLITE_CLASH)


class Migration(migrations.Migration):
    dependencies = [("maintenance", "0001_initial")]

    operations = [
        run_by_vendor(
            {"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD},
            {"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD},
        )
    ]
