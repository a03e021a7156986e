"""A person's scheduled absences never overlap, held by the database (two TAM sessions at once)."""

from django.db import migrations

from core.vendor_sql import run_by_vendor, sqlite_no_overlap_triggers

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
SQLITE_FORWARD, SQLITE_BACKWARD = sqlite_no_overlap_triggers("absence_never_overlaps", "accounts_tamabsence", _SQLITE_CLASH)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_default_tiers")]

    operations = [
        run_by_vendor(
            {"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD},
            {"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD},
        )
    ]
