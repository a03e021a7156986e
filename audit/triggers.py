"""Row triggers that write the audit trail, for PostgreSQL and for the embedded SQLite default.

Triggers see every write, whatever issued it: a form, ``QuerySet.update()``, ``bulk_create``, a set-based job's
raw SQL, or an edit made directly in the database. They are (re)installed after every ``migrate``, because
SQLite drops a table's triggers when a migration rebuilds the table, and because the SQLite trigger lists the
table's current columns.

On SQLite they are dropped before ``migrate`` runs, so a migration may drop or rename a column they list.

The actor comes from ``audit.actors``: SQLite triggers call Python functions registered on each connection;
on PostgreSQL each write statement is preceded by ``set_config`` of the actor on its connection, and the
trigger reads it back. A change made outside the portal is recorded with the actor "outside the portal".
"""

import datetime as dt

from django.apps import apps
from django.conf import settings
from django.db import connections
from django.db.models import Model

from . import actors

TRIGGER = "ess_audit"
OUTSIDE = "outside the portal"
WRITES = ("INSERT", "UPDATE", "DELETE", "WITH", "MERGE")


def audited_models() -> list[type[Model]]:
    return [apps.get_model(label) for label in settings.ESS_AUDITED_MODELS]


def _label(model: type[Model]) -> str:
    return model._meta.label_lower


def _excluded(model: type[Model]) -> list[str]:
    return settings.ESS_AUDIT_EXCLUDED_COLUMNS.get(model._meta.label, [])


# --- connections -----------------------------------------------------------------------------------------


def _sqlite_now() -> str:
    from django.utils import timezone

    return timezone.now().astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _set_postgres_actor(execute, sql, params, many, context):
    if sql.lstrip()[:6].upper().startswith(WRITES):
        actor_id, label = actors.current()
        context["cursor"].cursor.execute(
            "SELECT set_config('ess.actor_id', %s, false), set_config('ess.actor', %s, false)",
            ["" if actor_id is None else str(actor_id), label],
        )
    return execute(sql, params, many, context)


def prepare_connection(sender, connection, **kwargs):
    """Give each new connection the means to tell its triggers who is acting."""
    if connection.vendor == "sqlite":
        raw = connection.connection
        raw.create_function("ess_audit_actor_id", 0, lambda: actors.current()[0])
        raw.create_function("ess_audit_actor", 0, lambda: actors.current()[1])
        raw.create_function("ess_audit_now", 0, _sqlite_now)
    elif connection.vendor == "postgresql" and _set_postgres_actor not in connection.execute_wrappers:
        connection.execute_wrappers.append(_set_postgres_actor)


# --- PostgreSQL --------------------------------------------------------------------------------------------

POSTGRES_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {TRIGGER}_row() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    excluded text[] := TG_ARGV[2]::text[];
    old_row jsonb;
    new_row jsonb;
BEGIN
    IF TG_OP <> 'INSERT' THEN old_row := to_jsonb(OLD) - excluded; END IF;
    IF TG_OP <> 'DELETE' THEN new_row := to_jsonb(NEW) - excluded; END IF;
    IF TG_OP = 'UPDATE' AND old_row = new_row THEN
        RETURN NULL;
    END IF;
    INSERT INTO audit_auditevent (at, model, object_pk, action, actor_id, actor_label, before, after)
    VALUES (
        clock_timestamp(), TG_ARGV[0], coalesce(new_row, old_row) ->> TG_ARGV[1], lower(TG_OP),
        nullif(current_setting('ess.actor_id', true), '')::bigint,
        coalesce(nullif(current_setting('ess.actor', true), ''), '{OUTSIDE}'),
        old_row, new_row
    );
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION {TRIGGER}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only';
END
$$;
"""  # noqa: S608 - every name in it is a constant of this module


def _postgres_statements(model: type[Model]) -> list[str]:
    table = model._meta.db_table
    excluded = "{" + ",".join(_excluded(model)) + "}"
    return [
        f'DROP TRIGGER IF EXISTS {TRIGGER} ON "{table}"',
        f'CREATE TRIGGER {TRIGGER} AFTER INSERT OR UPDATE OR DELETE ON "{table}" FOR EACH ROW '
        f"EXECUTE FUNCTION {TRIGGER}_row('{_label(model)}', '{model._meta.pk.column}', '{excluded}')",
    ]


# --- SQLite ------------------------------------------------------------------------------------------------


def _sqlite_statements(model: type[Model]) -> list[str]:
    table = model._meta.db_table
    excluded = set(_excluded(model))
    columns = [field.column for field in model._meta.concrete_fields if field.column not in excluded]
    pk = model._meta.pk.column

    def row(alias: str) -> str:
        return "json_object(" + ", ".join(f"'{column}', {alias}.\"{column}\"" for column in columns) + ")"

    def insert(action: str, alias: str, before: str, after: str) -> str:
        return (
            # Table and column names come from the models, never from input.
            "INSERT INTO audit_auditevent (at, model, object_pk, action, actor_id, actor_label, before, after) "  # noqa: S608
            f"VALUES (ess_audit_now(), '{_label(model)}', CAST({alias}.\"{pk}\" AS TEXT), '{action}', "
            f"ess_audit_actor_id(), ess_audit_actor(), {before}, {after});"
        )

    changed = " OR ".join(f'OLD."{column}" IS NOT NEW."{column}"' for column in columns)
    statements = [f"DROP TRIGGER IF EXISTS {TRIGGER}_{table}_{op}" for op in ("insert", "update", "delete")]
    statements += [
        f'CREATE TRIGGER {TRIGGER}_{table}_insert AFTER INSERT ON "{table}" BEGIN '
        f"{insert('insert', 'NEW', 'NULL', row('NEW'))} END",
        f'CREATE TRIGGER {TRIGGER}_{table}_update AFTER UPDATE ON "{table}" WHEN {changed} BEGIN '
        f"{insert('update', 'NEW', row('OLD'), row('NEW'))} END",
        f'CREATE TRIGGER {TRIGGER}_{table}_delete AFTER DELETE ON "{table}" BEGIN '
        f"{insert('delete', 'OLD', row('OLD'), 'NULL')} END",
    ]
    return statements


# --- installation ------------------------------------------------------------------------------------------


def install(using: str = "default") -> int:
    """Create or replace the triggers on every audited table; returns how many tables are audited."""
    connection = connections[using]
    models = audited_models()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(POSTGRES_FUNCTION)
            cursor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER}_append_only ON audit_auditevent")
            cursor.execute(
                f"CREATE TRIGGER {TRIGGER}_append_only BEFORE UPDATE OR DELETE ON audit_auditevent "
                f"FOR EACH ROW EXECUTE FUNCTION {TRIGGER}_append_only()"
            )
            statements = [s for model in models for s in _postgres_statements(model)]
        elif connection.vendor == "sqlite":
            statements = [s for model in models for s in _sqlite_statements(model)]
        else:
            raise NotImplementedError(f"no audit triggers for {connection.vendor}")
        for statement in statements:
            cursor.execute(statement)
    return len(models)


def uninstall(using: str = "default") -> None:
    """Drop the SQLite triggers (SQLite refuses to drop a column a trigger names); PostgreSQL's generic
    trigger names no column and stays."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s", [f"{TRIGGER}_%"])
        for (name,) in cursor.fetchall():
            cursor.execute(f'DROP TRIGGER IF EXISTS "{name}"')


def uninstall_before_migrate(sender, using="default", **kwargs):
    uninstall(using)


def install_after_migrate(sender, using="default", **kwargs):
    install(using)
