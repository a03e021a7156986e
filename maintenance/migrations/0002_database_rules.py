"""Rules the database holds itself, beyond what Django's constraints express.

- A TAM is never booked on two overlapping open events: a PostgreSQL exclusion constraint on the
  TAM and the event's time range (requested or confirmed events); triggers on SQLite.
- The credit ledger is append-only: on PostgreSQL, triggers refuse UPDATE and DELETE of a row.
"""

from django.db import migrations

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
SQLITE_FORWARD = [
    f"""
    CREATE TRIGGER event_tam_never_double_booked_insert BEFORE INSERT ON maintenance_maintenanceevent
    WHEN {_SQLITE_CLASH}
    BEGIN SELECT RAISE(ABORT, 'event_tam_never_double_booked'); END
    """,
    f"""
    CREATE TRIGGER event_tam_never_double_booked_update BEFORE UPDATE ON maintenance_maintenanceevent
    WHEN {_SQLITE_CLASH}
    BEGIN SELECT RAISE(ABORT, 'event_tam_never_double_booked'); END
    """,
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS event_tam_never_double_booked_insert",
    "DROP TRIGGER IF EXISTS event_tam_never_double_booked_update",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("maintenance", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        )
    ]
