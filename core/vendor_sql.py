"""Database rules Django's constraints cannot express (exclusion constraints, triggers), per database vendor.

Used by migrations: PostgreSQL gets exclusion constraints and triggers, the embedded SQLite default gets
triggers holding the same rule.
"""

from django.db import connection, migrations


def advisory_xact_lock(key: int) -> None:
    """Hold a transaction-scoped lock named by ``key`` until the transaction ends (PostgreSQL). SQLite, the
    embedded default, serialises writers anyway."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def run_by_vendor(forward: dict[str, list[str]], backward: dict[str, list[str]]) -> migrations.RunPython:
    def runner(statements_by_vendor):
        def run(apps, schema_editor):
            for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
                schema_editor.execute(statement)

        return run

    return migrations.RunPython(runner(forward), runner(backward))


def sqlite_no_overlap_triggers(name: str, table: str, clash: str) -> tuple[list[str], list[str]]:
    """BEFORE INSERT and UPDATE triggers raising ``name`` when ``clash`` (an SQL condition on NEW) holds."""
    forward = [
        f"""
        CREATE TRIGGER {name}_{when} BEFORE {when.upper()} ON {table}
        WHEN {clash}
        BEGIN SELECT RAISE(ABORT, '{name}'); END
        """
        for when in ("insert", "update")
    ]
    backward = [f"DROP TRIGGER IF EXISTS {name}_{when}" for when in ("insert", "update")]
    return forward, backward
