"""A person's scheduled absences never overlap, held by the database (two TAM sessions at once)."""

from django.db import migrations

PG_FORWARD = [
    """
    ALTER TABLE accounts_tamabsence ADD CONSTRAINT absence_never_overlaps
    EXCLUDE USING gist (tam_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)
    WHERE (cancelled_at IS NULL)
    """
]
PG_BACKWARD = ["ALTER TABLE accounts_tamabsence DROP CONSTRAINT IF EXISTS absence_never_overlaps"]

_SQLITE_CLASH = """
    NEW.cancelled_at IS NULL AND EXISTS (
        SELECT 1 FROM accounts_tamabsence a
        WHERE a.tam_id = NEW.tam_id AND a.cancelled_at IS NULL AND a.id IS NOT NEW.id
          AND a.starts_at < NEW.ends_at AND NEW.starts_at < a.ends_at
    )
"""
SQLITE_FORWARD = [
    f"""
    CREATE TRIGGER absence_never_overlaps_{when} BEFORE {when.upper()} ON accounts_tamabsence
    WHEN {_SQLITE_CLASH}
    BEGIN SELECT RAISE(ABORT, 'absence_never_overlaps'); END
    """
    for when in ("insert", "update")
]
SQLITE_BACKWARD = [f"DROP TRIGGER IF EXISTS absence_never_overlaps_{when}" for when in ("insert", "update")]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_default_tiers")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        )
    ]
