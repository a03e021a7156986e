"""P4: the quarter rollover of many more accounts vs the same writes in hand-written SQL."""

import datetime as dt

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Tier
from accounts.quarters import Quarter, vendor_today
from bench.measure import timed
from maintenance.credits import quarter_roll_over

LEDGER = "maintenance_creditentry"


def rollover_accounts(count: int, tier: Tier, quarter: Quarter) -> None:
    """``count`` more Enterprise accounts, each with two unused credits banked from the two previous quarters."""
    previous = quarter.previous()
    before = previous.previous()
    with connection.cursor() as cursor:
        # Synthetic accounts and contracts need no audit trail: skip row triggers while they are written (the
        # ledger rows below keep theirs: the database keeps the balances from them).
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            "INSERT INTO accounts_account (name, slug, created_at, renewal_notices_to_contacts) "
            "SELECT 'Rollover ' || g, 'rollover-' || g, now(), false FROM generate_series(1, %s) g",
            [count],
        )
        cursor.execute(
            "INSERT INTO accounts_contract (account_id, tier_id, start_date, status, created_at, "
            "renews_automatically, notice_days, renewal_term_months) "
            "SELECT id, %s, %s, 'active', now(), false, 90, 12 FROM accounts_account WHERE slug LIKE 'rollover-%%'",
            [tier.pk, before.start],
        )
        cursor.execute("SET LOCAL session_replication_role = origin")
        for granted in (before, previous):
            cursor.execute(
                f"INSERT INTO {LEDGER} (account_id, kind, available_delta, reserved_delta, quarter_start, cause, "  # noqa: S608
                "reason, created_at) SELECT id, 'grant', 1, 0, %s, '', %s, now() "
                "FROM accounts_account WHERE slug LIKE 'rollover-%%'",
                [granted.start, granted.label],
            )
        cursor.execute("ANALYZE accounts_account")
        cursor.execute("ANALYZE accounts_contract")
        cursor.execute(f"ANALYZE {LEDGER}")


HAND_WRITTEN_ROLLOVER = [
    # Grant the quarter's events to every account with a contract with events on some day of the quarter so far.
    f"""
    INSERT INTO {LEDGER} (account_id, kind, available_delta, reserved_delta, quarter_start, cause, reason, created_at)
    SELECT c.account_id, 'grant', MAX(t.events_per_quarter), 0, %(qs)s, '', %(label)s, %(now)s
    FROM accounts_contract c JOIN accounts_tier t ON t.id = c.tier_id
    WHERE t.events_per_quarter > 0 AND c.status = 'active' AND c.start_date <= %(through)s
      AND (c.end_date IS NULL OR c.end_date >= %(qs)s)
    GROUP BY c.account_id
    ON CONFLICT DO NOTHING
    """,  # noqa: S608
    # Cap the available balance of the accounts just granted at their tier's bank.
    f"""
    INSERT INTO {LEDGER} (account_id, kind, available_delta, reserved_delta, quarter_start, cause, reason, created_at)
    SELECT b.account_id, 'forfeit', caps.cap - b.available, 0, %(qs)s, 'bank_cap', %(label)s, %(now)s
    FROM (
        SELECT account_id, SUM(available_delta) AS available FROM {LEDGER}
        WHERE account_id IN (SELECT account_id FROM {LEDGER} WHERE kind = 'grant' AND quarter_start = %(qs)s
                             AND created_at = %(now)s)
        GROUP BY account_id
    ) b
    JOIN (
        SELECT c.account_id, MAX(t.bank_cap) AS cap
        FROM accounts_contract c JOIN accounts_tier t ON t.id = c.tier_id
        WHERE t.events_per_quarter > 0 AND c.status = 'active' AND c.start_date <= %(through)s
          AND (c.end_date IS NULL OR c.end_date >= %(qs)s)
        GROUP BY c.account_id
    ) caps ON caps.account_id = b.account_id
    WHERE b.available > caps.cap
    ON CONFLICT DO NOTHING
    """,  # noqa: S608
    # Forfeit the balance of accounts with no contract with events on the day.
    f"""
    INSERT INTO {LEDGER} (account_id, kind, available_delta, reserved_delta, quarter_start, cause, reason, created_at)
    SELECT l.account_id, 'forfeit', -SUM(l.available_delta), 0, NULL, 'ineligible', %(label)s, %(now)s
    FROM {LEDGER} l
    WHERE NOT EXISTS (
        SELECT 1 FROM accounts_contract c JOIN accounts_tier t ON t.id = c.tier_id
        WHERE c.account_id = l.account_id AND t.events_per_quarter > 0 AND c.status = 'active'
          AND c.start_date <= %(through)s AND (c.end_date IS NULL OR c.end_date >= %(through)s))
    GROUP BY l.account_id HAVING SUM(l.available_delta) > 0
    """,  # noqa: S608
    "INSERT INTO maintenance_quarterrollover (quarter_start, applied_at, granted, forfeited) "
    "VALUES (%(qs)s, %(now)s, 0, 0) ON CONFLICT DO NOTHING",
]


def _ledger_written(since: dt.datetime) -> tuple[int, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FILTER (WHERE kind = 'grant'), COUNT(*) FILTER (WHERE kind = 'forfeit') "  # noqa: S608
            f"FROM {LEDGER} WHERE created_at >= %s",
            [since],
        )
        return cursor.fetchone()


def p4_rollover(accounts: int, small: int, repeat: int) -> dict:
    enterprise = Tier.objects.get(name="Enterprise")
    quarter = Quarter.of(vendor_today()).next()  # the next quarter start: nothing applied yet

    def run_app():
        return quarter_roll_over(as_of=quarter.start, since=quarter)

    def run_sql():
        now = timezone.now()
        params = {"qs": quarter.start, "through": quarter.start, "now": now, "label": quarter.label}
        with transaction.atomic(), connection.cursor() as cursor:
            for statement in HAND_WRITTEN_ROLLOVER:
                cursor.execute(statement, params)

    def statements(count: int) -> int:
        with transaction.atomic():
            rollover_accounts(count, enterprise, quarter)
            with CaptureQueriesContext(connection) as captured:
                run_app()
            transaction.set_rollback(True)
        return len(captured.captured_queries)

    app_times, sql_times, written = [], [], {}
    with transaction.atomic():
        rollover_accounts(accounts, enterprise, quarter)
        for _ in range(repeat):
            for name, run, times in (("app", run_app, app_times), ("sql", run_sql, sql_times)):
                began = timezone.now()
                with transaction.atomic():
                    times.append(timed(run))
                    written[name] = _ledger_written(began)
                    transaction.set_rollback(True)
        transaction.set_rollback(True)
    if written["app"] != written["sql"]:
        raise SystemExit(f"P4: the job and the SQL wrote different rows: {written}")
    return {
        "accounts": accounts,
        "baseline_ms": min(sql_times) * 1000,
        "subject_ms": min(app_times) * 1000,
        "grants_and_forfeits": list(written["app"]),
        "statements_small": statements(small),
        "statements_large": statements(accounts),
        "small_accounts": small,
    }
