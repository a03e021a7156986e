"""The quarterly credit bank, worked set-based: grants, the bank cap and forfeits in a few SQL statements
whatever the number of accounts. Each statement relies on the ledger's unique constraints, and on row
locks of the accounts it touches, so a second run (or two runs at once) changes nothing."""

import datetime as dt
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Account
from accounts.quarters import Quarter, quarters_between, vendor_today

from .models import QuarterRollover

LEDGER = "maintenance_creditentry"
# The same lock id for every run: two roll-overs never interleave (PostgreSQL; SQLite serialises writers anyway).
_ROLLOVER_LOCK = 0x455353_51


@dataclass
class RolloverReport:
    quarters: list[Quarter] = field(default_factory=list)
    granted: int = 0
    forfeited_over_cap: int = 0
    forfeited_ineligible: int = 0


def _eligible_contracts(alias: str, *, on_or_before: str, not_before: str) -> str:
    """SQL condition: contract ``alias`` with a tier that has events is active on some day of the window."""
    return f"""
        {alias}.status = 'active' AND {alias}.start_date <= {on_or_before}
        AND ({alias}.end_date IS NULL OR {alias}.end_date >= {not_before})
    """


def _insert(sql_select: str) -> str:
    columns = "(account_id, kind, available_delta, reserved_delta, quarter_start, cause, reason, created_at)"
    if connection.vendor == "postgresql":
        return f"INSERT INTO {LEDGER} {columns} {sql_select} ON CONFLICT DO NOTHING"
    return f"INSERT OR IGNORE INTO {LEDGER} {columns} {sql_select}"


def _lock_accounts(sql_ids: str, params: dict) -> None:
    """Lock the account rows a step will write for, in one statement (bookings lock the same rows)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM accounts_account WHERE id IN ({sql_ids}) ORDER BY id FOR UPDATE",  # noqa: S608
            params,
        )


def _adapt(params: dict) -> dict:
    """Dates and times as this database's driver stores them (raw SQL skips the model fields' conversion)."""
    ops = connection.ops
    return {
        key: ops.adapt_datetimefield_value(value)
        if isinstance(value, dt.datetime)
        else ops.adapt_datefield_value(value)
        if isinstance(value, dt.date)
        else value
        for key, value in params.items()
    }


def _only(column: str, account_ids: list[int] | None) -> str:
    if account_ids is None:
        return ""
    return f"AND {column} IN ({','.join(str(int(pk)) for pk in account_ids) or 'NULL'})"


def _grant(
    quarter: Quarter, through: dt.date, now: dt.datetime, account_ids: list[int] | None = None
) -> tuple[int, int]:
    """Grant the quarter's events to every account eligible on some day from the quarter start to ``through``
    (a contract that starts mid-quarter gets the grant on its first day), then cap the available balance of
    the accounts granted by this run at their tier's bank. Returns (grants, cap forfeits) written."""
    params = _adapt({"qs": quarter.start, "through": through, "now": now, "label": quarter.label})
    window = _eligible_contracts("c", on_or_before="%(through)s", not_before="%(qs)s") + _only(
        "c.account_id", account_ids
    )
    candidates = f"""
        SELECT c.account_id FROM accounts_contract c JOIN accounts_tier t ON t.id = c.tier_id
        WHERE t.events_per_quarter > 0 AND {window}
          AND NOT EXISTS (
            SELECT 1 FROM {LEDGER} g WHERE g.account_id = c.account_id AND g.kind = 'grant'
              AND g.quarter_start = %(qs)s)
    """  # noqa: S608
    _lock_accounts(candidates, params)
    grant = _insert(
        f"""
        SELECT c.account_id, 'grant', MAX(t.events_per_quarter), 0, %(qs)s, '', %(label)s, %(now)s
        FROM accounts_contract c JOIN accounts_tier t ON t.id = c.tier_id
        WHERE t.events_per_quarter > 0 AND {window}
        GROUP BY c.account_id
        """  # noqa: S608
    )
    cap = _insert(
        f"""
        SELECT b.account_id, 'forfeit', b.cap - b.available, 0, %(qs)s, 'bank_cap', %(label)s, %(now)s
        FROM (
            SELECT l.account_id, SUM(l.available_delta) AS available, (
                SELECT MAX(t.bank_cap) FROM accounts_contract c JOIN accounts_tier t ON t.id = c.tier_id
                WHERE c.account_id = l.account_id AND t.events_per_quarter > 0 AND {window}
            ) AS cap
            FROM {LEDGER} l
            WHERE l.account_id IN (
                SELECT g.account_id FROM {LEDGER} g
                WHERE g.kind = 'grant' AND g.quarter_start = %(qs)s AND g.created_at = %(now)s)
            GROUP BY l.account_id
        ) b
        WHERE b.available > b.cap
        """  # noqa: S608
    )
    with connection.cursor() as cursor:
        cursor.execute(grant, params)
        granted = max(cursor.rowcount, 0)
        cursor.execute(cap, params)
        forfeited = max(cursor.rowcount, 0)
    return granted, forfeited


def _forfeit_ineligible(today: dt.date, now: dt.datetime, account_ids: list[int] | None = None) -> int:
    """Forfeit the available balance of accounts with no contract with events today (ended, or moved to a tier
    without events)."""
    params = _adapt({"today": today, "now": now, "reason": f"No Enterprise contract on {today:%Y-%m-%d}"})
    only = _only("l.account_id", account_ids)
    window = _eligible_contracts("c", on_or_before="%(today)s", not_before="%(today)s")
    positive = f"""
        SELECT l.account_id FROM {LEDGER} l
        WHERE NOT EXISTS (
            SELECT 1 FROM accounts_contract c JOIN accounts_tier t ON t.id = c.tier_id
            WHERE c.account_id = l.account_id AND t.events_per_quarter > 0 AND {window}) {only}
        GROUP BY l.account_id HAVING SUM(l.available_delta) > 0
    """  # noqa: S608
    _lock_accounts(positive, params)
    forfeit = _insert(
        f"""
        SELECT l.account_id, 'forfeit', -SUM(l.available_delta), 0, NULL, 'ineligible', %(reason)s, %(now)s
        FROM {LEDGER} l
        WHERE NOT EXISTS (
            SELECT 1 FROM accounts_contract c JOIN accounts_tier t ON t.id = c.tier_id
            WHERE c.account_id = l.account_id AND t.events_per_quarter > 0 AND {window}) {only}
        GROUP BY l.account_id HAVING SUM(l.available_delta) > 0
        """  # noqa: S608
    )
    with connection.cursor() as cursor:
        cursor.execute(forfeit, params)
        return max(cursor.rowcount, 0)


def quarter_roll_over(*, as_of: dt.date | None = None, since: Quarter | None = None) -> RolloverReport:
    """Apply every quarter start up to ``as_of`` (default: today in the vendor zone) not yet applied, in order:
    grant each eligible account its tier's events, cap the available balance at the tier's bank, forfeit the
    excess. Then forfeit the balance of accounts no longer eligible. Idempotent and safe to run concurrently:
    grants are unique per account and quarter, the accounts written for are locked first, one quarter is applied
    at a time, and a quarter earlier than one already applied is left as it is.

    ``since`` replays from an earlier quarter (a first install, or the demo); by default the job starts after
    the last quarter it applied, or at the current quarter on a first run.
    """
    as_of = as_of or vendor_today()
    now = timezone.now()
    current = Quarter.of(as_of)
    if since is None:
        last = QuarterRollover.objects.order_by("-quarter_start").first()
        since = Quarter.of(last.quarter_start) if last else current
    report = RolloverReport()
    for quarter in quarters_between(min(since, current), current):
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ROLLOVER_LOCK])
            # A run that waited for the lock may find later quarters applied meanwhile (a second delivery of a
            # catch-up, running at once), as may a replay from ``since``. Such a quarter is done: judged again now,
            # later quarters' grants would count as the balance of accounts whose contracts had not started by its
            # end, and be forfeited.
            if QuarterRollover.objects.filter(quarter_start__gt=quarter.start).exists():
                continue
            through = min(as_of, quarter.end)
            granted, over_cap = _grant(quarter, through, now)
            report.granted += granted
            report.forfeited_over_cap += over_cap
            # After the quarter (or up to today, for the current one) drop balances nobody may use any more.
            report.forfeited_ineligible += _forfeit_ineligible(through, now)
            QuarterRollover.objects.get_or_create(
                quarter_start=quarter.start, defaults={"applied_at": now, "granted": granted, "forfeited": over_cap}
            )
        report.quarters.append(quarter)
    return report


def account_sync_credits(*, account: Account, today: dt.date | None = None) -> None:
    """After a contract change: grant this quarter's events when the account just became eligible, forfeit the
    balance when it no longer is. The same SQL as the quarterly job, for one account."""
    today = today or vendor_today()
    quarter = Quarter.of(today)
    with transaction.atomic():
        if QuarterRollover.objects.filter(quarter_start=quarter.start).exists():
            _grant(quarter, today, timezone.now(), account_ids=[account.pk])
        _forfeit_ineligible(today, timezone.now(), account_ids=[account.pk])


def on_contract_changed(sender, account: Account, **kwargs) -> None:
    """A contract starting today grants this quarter's events now; an ended one, or a tier without events,
    forfeits the balance now (the hourly job would do the same within the hour)."""
    account_sync_credits(account=account)
