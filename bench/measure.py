"""Measurements that run inside Django, one per process: ``python -m bench.measure NAME [--option value]``.

``bench/run.py`` starts each with the benchmark settings and the database to measure, and reads the JSON object
printed on the last line. Every measurement that writes does so inside a transaction it rolls back, so the
benchmark database stays as seeded.
"""

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ess_portal.settings.bench")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Tier, User  # noqa: E402
from accounts.quarters import Quarter, vendor_today  # noqa: E402

BENCH_DOMAIN = "bench.example"


def _timed(call) -> float:
    began = time.perf_counter()
    call()
    return time.perf_counter() - began


# --- sessions -----------------------------------------------------------------------------------------------


def sessions(emails: list[str]) -> dict:
    """A signed-in session per user, as a browser would hold after signing in (cookie values), and a CSRF token."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.middleware.csrf import _get_new_csrf_string

    cookies = {}
    for email in emails:
        user = User.objects.get(email=email)
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        cookies[email] = store.session_key
    from cases.models import Case

    busiest = Case.objects.filter(account__slug="bench-busiest").count()
    return {"sessions": cookies, "csrf": _get_new_csrf_string(), "busiest_cases": busiest}


# --- P3: DRF serialization of 500 cases vs the same payload from .values() --------------------------------


def _drf_datetime(value):
    """What DRF's DateTimeField writes: the current zone, ISO 8601, UTC as Z."""
    if value is None:
        return None
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def p3_serialization(rows: int, repeat: int) -> dict:
    from cases.models import Case
    from cases.serializers import CaseSerializer

    staff = User.objects.get(email=f"support-01@{BENCH_DOMAIN}")

    def queryset():
        return (
            Case.objects.visible_to(staff)
            .select_related("account", "contact", "assignee")
            .with_urgency(vendor_today())
            .order_by("-created_at")[:rows]
        )

    def with_drf():
        return CaseSerializer(list(queryset()), many=True).data

    def with_values():
        payload = []
        for row in queryset().values(
            "id",
            "account__slug",
            "subject",
            "channel",
            "severity",
            "status",
            "contact__email",
            "assignee_id",
            "assignee__first_name",
            "assignee__last_name",
            "assignee__email",
            "on_behalf",
            "created_at",
            "resolved_at",
            "next_due",
            "priority",
        ):
            if row["assignee_id"] is None:
                assignee = None
            else:
                full = f"{row['assignee__first_name']} {row['assignee__last_name']}".strip()
                assignee = full or row["assignee__email"]
            payload.append(
                {
                    "id": row["id"],
                    "reference": f"CASE-{row['id']:06d}",
                    "account": row["account__slug"],
                    "subject": row["subject"],
                    "channel": row["channel"],
                    "severity": row["severity"],
                    "status": row["status"],
                    "contact": row["contact__email"],
                    "assignee": assignee,
                    "on_behalf": row["on_behalf"],
                    "created_at": _drf_datetime(row["created_at"]),
                    "resolved_at": _drf_datetime(row["resolved_at"]),
                    "next_due": _drf_datetime(row["next_due"]),
                    "priority": row["priority"],
                }
            )
        return payload

    drf_payload, values_payload = json.dumps(with_drf()), json.dumps(with_values())
    if drf_payload != values_payload:
        raise SystemExit("P3: the two payloads differ; the baseline must build exactly what the API returns")
    drf_times, values_times = [], []
    for _ in range(repeat):  # interleaved, so drift on a shared machine hits both alike
        drf_times.append(_timed(with_drf))
        values_times.append(_timed(with_values))
    return {
        "rows": rows,
        "baseline_ms": statistics.median(values_times) * 1000,
        "subject_ms": statistics.median(drf_times) * 1000,
    }


# --- P4: quarter rollover vs the same writes in hand-written SQL -------------------------------------------

LEDGER = "maintenance_creditentry"


def _rollover_accounts(count: int, tier: Tier, quarter: Quarter) -> None:
    """``count`` more Enterprise accounts, each with two unused credits banked from the two previous quarters."""
    previous = quarter.previous()
    before = previous.previous()
    with connection.cursor() as cursor:
        # Synthetic accounts and contracts need no audit trail: skip row triggers while they are written (the
        # ledger rows below keep theirs: the database keeps the balances from them).
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            "INSERT INTO accounts_account (name, slug, created_at) "
            "SELECT 'Rollover ' || g, 'rollover-' || g, now() FROM generate_series(1, %s) g",
            [count],
        )
        cursor.execute(
            "INSERT INTO accounts_contract (account_id, tier_id, start_date, status, created_at) "
            "SELECT id, %s, %s, 'active', now() FROM accounts_account WHERE slug LIKE 'rollover-%%'",
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
    from maintenance.credits import quarter_roll_over

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
            _rollover_accounts(count, enterprise, quarter)
            with CaptureQueriesContext(connection) as captured:
                run_app()
            transaction.set_rollback(True)
        return len(captured.captured_queries)

    app_times, sql_times, written = [], [], {}
    with transaction.atomic():
        _rollover_accounts(accounts, enterprise, quarter)
        for _ in range(repeat):
            for name, run, times in (("app", run_app, app_times), ("sql", run_sql, sql_times)):
                began = timezone.now()
                with transaction.atomic():
                    times.append(_timed(run))
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


# --- P5: the SLA chaser with a million closed clocks vs only the due ones -----------------------------------


def _due_milestones(count: int, now: dt.datetime) -> None:
    """``count`` running clocks on open cases: half past their warning time, half past their due time."""
    from cases.models import Case, Milestone, SlaTarget

    cases = list(Case.objects.open().order_by("-created_at").values_list("id", flat=True)[:count])
    target = SlaTarget.objects.order_by("id").first()
    rows = []
    for n in range(count):
        breach = n % 2 == 1
        rows.append(
            Milestone(
                case_id=cases[n % len(cases)],
                target=target,
                name=target.name,
                meet_event=target.meet_event,
                duration=dt.timedelta(hours=2),
                clock="wall",
                warn_at_percent=75,
                started_at=now - dt.timedelta(hours=3 if breach else 1, minutes=40),
                due_at=now - dt.timedelta(minutes=40) if breach else now + dt.timedelta(minutes=20),
                warn_at=now - dt.timedelta(hours=1, minutes=10) if breach else now - dt.timedelta(minutes=10),
                warned_at=now - dt.timedelta(hours=1) if breach else None,
            )
        )
    Milestone.objects.bulk_create(rows)


def p5_chaser(due: int, only_due: bool, repeat: int) -> dict:
    from cases.chaser import sla_chase
    from cases.models import Milestone

    times, plans, report, selects = [], [], None, []
    with transaction.atomic():
        now = timezone.now()
        if only_due:
            # The baseline database holds nothing but the due clocks.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")
                cursor.execute("DELETE FROM cases_milestone")
                cursor.execute("SET LOCAL session_replication_role = origin")
        sla_chase(now=now)  # whatever fell due since the seed, so that only the clocks added below are due
        closed = Milestone.objects.filter(met_at__isnull=False).count()
        for attempt in range(repeat + 1):
            with transaction.atomic():
                _due_milestones(due, now)
                if attempt == 0:  # a warm-up run, whose statements are kept for EXPLAIN
                    with CaptureQueriesContext(connection) as captured:
                        sla_chase(now=now)
                    selects = [q["sql"] for q in captured.captured_queries if "SKIP LOCKED" in q["sql"]][:2]
                else:
                    if not plans:
                        with connection.cursor() as cursor:
                            for sql in selects:
                                cursor.execute("EXPLAIN " + sql)
                                plans.append("\n".join(row[0] for row in cursor.fetchall()))
                    began = time.perf_counter()
                    report = sla_chase(now=now)
                    times.append(time.perf_counter() - began)
                transaction.set_rollback(True)
        transaction.set_rollback(True)
    return {
        "ms": min(times) * 1000,
        "due": due,
        "closed_milestones": closed,
        "warned": report.warned,
        "breached": report.breached,
        "plans": plans,
    }


# --- P8: the business-hours engine --------------------------------------------------------------------------


def p8_business_hours(repeat: int) -> dict:
    from bench.business_hours import measure

    figures = measure(repeat=repeat)
    return {"baseline_us": figures["short_us"], "subject_us": figures["long_us"]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("name")
    parser.add_argument("--emails", default="")
    parser.add_argument("--rows", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--due", type=int, default=1_000)
    parser.add_argument("--only-due", action="store_true")
    args = parser.parse_args()
    if args.name == "sessions":
        result = sessions(args.emails.split(","))
    elif args.name == "p3":
        result = p3_serialization(args.rows, args.repeat)
    elif args.name == "p4":
        result = p4_rollover(args.accounts, args.small, args.repeat)
    elif args.name == "p5":
        result = p5_chaser(args.due, args.only_due, args.repeat)
    elif args.name == "p8":
        result = p8_business_hours(args.repeat)
    else:
        raise SystemExit(f"unknown measurement {args.name}")
    print(json.dumps(result, default=str))


if __name__ == "__main__":
    main()
