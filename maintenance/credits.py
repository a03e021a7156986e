"""The quarterly credit bank, worked set-based: grants, the bank cap and forfeits in a few SQL statements
whatever the number of accounts. Each statement relies on the ledger's unique constraints, and on row
locks of the accounts it touches, so a second run (or two runs at once) changes nothing."""

import datetime as dt
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Account, Contract
from accounts.quarters import Quarter, catch_up_quarters, vendor_today
from core.vendor_sql import Fragment, condition_of, positional

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


def _in_force(first: dt.date, last: dt.date) -> Fragment:
    """SQL condition: contract ``c`` is in force on some day from ``first`` to ``last`` (the one rule of the pages
    and the API, ``in_force_during``), tested on the row the statements below join, not through a subquery."""
    return condition_of(Contract.objects.in_force_during(first, last), "c")


def _execute(sql: str, params: dict) -> int:
    with connection.cursor() as cursor:
        cursor.execute(*positional(sql, params))
        return max(cursor.rowcount, 0)


def _insert(sql_select: str) -> str:
    columns = (
        "(account_id, kind, available_delta, reserved_delta, quarter_start, cause, reason, created_at, grant_round)"
    )
    if connection.vendor == "postgresql":
        return f"INSERT INTO {LEDGER} {columns} {sql_select} ON CONFLICT DO NOTHING"
    return f"INSERT OR IGNORE INTO {LEDGER} {columns} {sql_select}"


def _quarter_grants(alias: str) -> str:
    """SQL columns: how many grants of the quarter ``%(qs)s`` the account ``alias`` has had, and how many of them
    were forfeited with a contract that ended (its net is the grant it holds)."""
    return f"""
        (SELECT COUNT(*) FROM {LEDGER} g WHERE g.account_id = {alias} AND g.kind = 'grant'
           AND g.quarter_start = %(qs)s) AS grants,
        (SELECT COUNT(*) FROM {LEDGER} f WHERE f.account_id = {alias} AND f.kind = 'forfeit'
           AND f.cause = 'ineligible' AND f.quarter_start = %(qs)s) AS forfeited
    """  # noqa: S608


def _lock_accounts(sql_ids: str, params: dict) -> None:
    """Lock the account rows a step will write for, in one statement (bookings lock the same rows)."""
    if connection.vendor != "postgresql":
        return
    _execute(f"SELECT id FROM accounts_account WHERE id IN ({sql_ids}) ORDER BY id FOR UPDATE", params)  # noqa: S608


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
    """Grant the quarter's events to every account owed them, then cap the available balance of the accounts
    granted by this run at their tier's bank. Returns (grants, cap forfeits) written.

    An account is owed the quarter's grant when it does not hold it (its grants of the quarter minus their
    forfeits is below one) and a contract with events covers a day from the quarter start to ``through`` (so a
    contract that starts mid-quarter gets it on its first day). A grant forfeited with a contract that ended is
    granted again (the next round) only to a contract in force on ``through``: one that started again, after a
    correction or a return from a tier without events. A seamless renewal never lost the grant, so gets nothing
    more. The unique constraint per account, quarter and round makes a concurrent run's insert a no-op."""
    params = _adapt({"qs": quarter.start, "through": through, "now": now, "label": quarter.label})
    params["in_quarter"], params["on_through"] = _in_force(quarter.start, through), _in_force(through, through)
    window = "%(in_quarter)s " + _only("c.account_id", account_ids)
    owed = f"""
        SELECT o.account_id, o.events, o.grants FROM (
            SELECT c.account_id, MAX(t.events_per_quarter) AS events, {_quarter_grants("c.account_id")},
                   MAX(CASE WHEN %(on_through)s THEN 1 ELSE 0 END) AS in_force
            FROM accounts_contract c JOIN accounts_tier t ON t.id = c.tier_id
            WHERE t.events_per_quarter > 0 AND {window}
            GROUP BY c.account_id
        ) o
        WHERE o.grants - o.forfeited < 1 AND (o.grants = 0 OR o.in_force = 1)
    """  # noqa: S608
    _lock_accounts(f"SELECT account_id FROM ({owed}) owed", params)  # noqa: S608
    grant = _insert(
        f"""
        SELECT o.account_id, 'grant', o.events, 0, %(qs)s, '', %(label)s, %(now)s, o.grants + 1
        FROM ({owed}) o
        """  # noqa: S608
    )
    cap = _insert(
        f"""
        SELECT x.account_id, 'forfeit', x.cap - x.available, 0, %(qs)s, 'bank_cap', %(label)s, %(now)s, x.round
        FROM (
            SELECT g.account_id, g.grant_round AS round, b.available, (
                SELECT MAX(t.bank_cap) FROM accounts_contract c JOIN accounts_tier t ON t.id = c.tier_id
                WHERE c.account_id = g.account_id AND t.events_per_quarter > 0 AND {window}
            ) AS cap
            FROM {LEDGER} g JOIN maintenance_creditbalance b ON b.account_id = g.account_id
            WHERE g.kind = 'grant' AND g.quarter_start = %(qs)s AND g.created_at = %(now)s
        ) x
        WHERE x.available > x.cap
        """  # noqa: S608
    )
    return _execute(grant, params), _execute(cap, params)


def _forfeit_ineligible(today: dt.date, now: dt.datetime, account_ids: list[int] | None = None) -> int:
    """Forfeit the available balance of accounts with no contract with events today (ended, or moved to a tier
    without events). When the account held this quarter's grant, the forfeit is marked as that grant's (its
    quarter and round), so a contract that starts again this quarter is owed the grant anew."""
    params = _adapt(
        {
            "today": today,
            "now": now,
            "qs": Quarter.of(today).start,
            "reason": f"No Enterprise contract on {today:%Y-%m-%d}",
        }
    )
    params["on_today"] = _in_force(today, today)
    only = _only("l.account_id", account_ids)
    window = "%(on_today)s"
    positive = f"""
        SELECT l.account_id, SUM(l.available_delta) AS available, {_quarter_grants("l.account_id")}
        FROM {LEDGER} l
        WHERE NOT EXISTS (
            SELECT 1 FROM accounts_contract c JOIN accounts_tier t ON t.id = c.tier_id
            WHERE c.account_id = l.account_id AND t.events_per_quarter > 0 AND {window}) {only}
        GROUP BY l.account_id HAVING SUM(l.available_delta) > 0
    """  # noqa: S608
    _lock_accounts(f"SELECT account_id FROM ({positive}) positive", params)  # noqa: S608
    forfeit = _insert(
        f"""
        SELECT p.account_id, 'forfeit', -p.available, 0,
               CASE WHEN p.grants > p.forfeited THEN %(qs)s END, 'ineligible', %(reason)s, %(now)s,
               CASE WHEN p.grants > p.forfeited THEN p.grants END
        FROM ({positive}) p
        """  # noqa: S608
    )
    return _execute(forfeit, params)


def quarter_roll_over(*, as_of: dt.date | None = None, since: Quarter | None = None) -> RolloverReport:
    """Apply every quarter start up to ``as_of`` (default: today in the vendor zone) not yet applied, in order:
    grant each eligible account its tier's events, cap the available balance at the tier's bank, forfeit the
    excess. Then forfeit the balance of accounts no longer eligible. Idempotent and safe to run concurrently:
    grants are unique per account and quarter, the accounts written for are locked first, and the quarters are
    caught up by ``catch_up_quarters`` (one at a time, under the job's lock, never one earlier than applied).

    ``since`` replays from an earlier quarter (a first install, or the demo); by default the job starts after
    the last quarter it applied, or at the current quarter on a first run.
    """
    report = RolloverReport()

    def apply(quarter: Quarter, through: dt.date, now: dt.datetime) -> dict[str, int]:
        granted, over_cap = _grant(quarter, through, now)
        report.granted += granted
        report.forfeited_over_cap += over_cap
        # After the quarter (or up to today, for the current one) drop balances nobody may use any more.
        report.forfeited_ineligible += _forfeit_ineligible(through, now)
        return {"granted": granted, "forfeited": over_cap}

    report.quarters = catch_up_quarters(
        applied=QuarterRollover, lock=_ROLLOVER_LOCK, apply=apply, as_of=as_of, since=since
    )
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
