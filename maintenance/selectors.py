"""Reads other pages (the role homes, the TAM dashboard) ask the maintenance app for."""

import datetime as dt

from django.utils import timezone

from accounts.models import Account
from core.charts import Chart, step_chart

from .ledger import Balance, account_balance, next_grant_date
from .models import CreditBalance, CreditEntry, CreditKind, EventStatus, ForfeitCause, MaintenanceEvent


def account_summary(account: Account, *, limit: int = 3) -> dict:
    """Balance, next grant date and the next events of one account."""
    now = timezone.now()
    return {
        "balance": account_balance(account),
        "next_grant": next_grant_date(account),
        "upcoming": list(
            MaintenanceEvent.objects.filter(account=account, ends_at__gte=now)
            .busy()
            .select_related("performing_tam")
            .order_by("starts_at")[:limit]
        ),
    }


def balances(accounts: list[Account]) -> dict[int, Balance]:
    """Balances of many accounts in one query (one row each, whatever the length of their ledgers)."""
    rows = CreditBalance.objects.filter(account__in=accounts).values_list("account_id", "available", "reserved")
    found = {account_id: Balance(available, reserved) for account_id, available, reserved in rows}
    return {account.pk: found.get(account.pk, Balance(0, 0)) for account in accounts}


def events_between(*, tam=None, accounts=None, start: dt.datetime, end: dt.datetime) -> list[MaintenanceEvent]:
    """Requested and confirmed events in a window, for an agenda (one query)."""
    events = MaintenanceEvent.objects.busy().filter(starts_at__lt=end, ends_at__gt=start)
    if tam is not None:
        events = events.filter(performing_tam=tam)
    if accounts is not None:
        events = events.filter(account__in=accounts)
    return list(events.select_related("account", "performing_tam").order_by("starts_at"))


def events_needing_a_tam(*, limit: int = 50) -> list[MaintenanceEvent]:
    """Open events ahead whose performing TAM could not follow coverage (nobody free, or the acting TAM booked
    then), soonest first, for the admin overview (one query, through a partial index)."""
    return list(
        MaintenanceEvent.objects.busy()
        .filter(staffing_flagged_at__isnull=False, starts_at__gt=timezone.now())
        .select_related("account", "performing_tam")
        .order_by("starts_at")[:limit]
    )


def requested_count_for(tam) -> int:
    return MaintenanceEvent.objects.filter(status=EventStatus.REQUESTED).for_tam(tam).count()


SHORTEST_HISTORY = dt.timedelta(days=92)  # the chart shows at least a quarter, so one change is not a wall
# Forfeits that belong to the movement before them: the excess of a quarter's grant, a released credit over the bank.
_SAME_MOVEMENT = {ForfeitCause.BANK_CAP, ForfeitCause.RELEASE_OVER_CAP}


def credit_steps(rows: list[tuple[dt.datetime, int, str, str]]) -> list[tuple[dt.datetime, int]]:
    """The available balance after each movement of the ledger, from (created_at, available_delta, kind, cause) rows
    in ledger order. Rows written at the same instant are one movement, and so is a forfeit over the bank with the
    grant or release that caused it, so the balance is never shown above the bank limit it never held."""
    steps: list[tuple[dt.datetime, int]] = []
    balance = 0
    for moment, delta, kind, cause in rows:
        balance += delta
        joins = steps and (steps[-1][0] == moment or (kind == CreditKind.FORFEIT and cause in _SAME_MOVEMENT))
        if joins:
            steps[-1] = (steps[-1][0], balance)
        else:
            steps.append((moment, balance))
    return steps


def credit_history_chart(account: Account, *, bank_cap: int | None, now: dt.datetime | None = None) -> Chart | None:
    """The available balance over time as a step chart with its bank limit line (one query)."""
    rows = list(
        CreditEntry.objects.filter(account=account)
        .order_by("created_at", "id")
        .values_list("created_at", "available_delta", "kind", "cause")
    )
    if not rows:
        return None
    steps = credit_steps(rows)
    now = max(now or timezone.now(), steps[-1][0])
    zone = timezone.get_current_timezone()
    start = steps[0][0].astimezone(zone)
    chart = step_chart(
        steps,
        cap=bank_cap,
        title="Events available over time",
        y_label="events available",
        start=min(start, now - SHORTEST_HISTORY).astimezone(zone),
        end=now.astimezone(zone),
    )
    changes = f"{len(steps)} change{'s' * (len(steps) != 1)}"
    chart.summary = (
        f"Events available from {start:%b %-d, %Y} to today, in {changes}: "
        f"{steps[-1][1]} now, at most {max(value for _, value in steps)}"
        + (f", with a bank limit of {bank_cap}." if bank_cap else ".")
    )
    chart.rows = [(timezone.localtime(moment, zone).strftime("%b %-d, %Y"), str(value)) for moment, value in steps]
    return chart


def quarter_credit_figures(account_ids: list[int], first: dt.datetime, last: dt.datetime) -> dict[int, dict]:
    """Per account, its credits over [first, last): the events held or missed (no-show) that started then, with
    their dates; each grant and forfeit with its date; the credits used (consumed); the balance banked at the start
    and at the end. Three queries, whatever the number of accounts."""
    from django.db.models import Q, Sum

    figures = {
        pk: {"events": [], "grants": [], "forfeits": [], "credits_used": 0, "banked_at_start": 0, "banked_at_end": 0}
        for pk in account_ids
    }
    held = (
        MaintenanceEvent.objects.filter(account_id__in=account_ids, starts_at__gte=first, starts_at__lt=last)
        .filter(Q(status=EventStatus.COMPLETED) | Q(no_show=True))
        .order_by("starts_at")
        .values_list("account_id", "starts_at", "scope", "no_show")
    )
    for account_id, starts_at, scope, no_show in held:
        figures[account_id]["events"].append({"at": starts_at, "scope": scope, "no_show": no_show})
    moves = (
        CreditEntry.objects.filter(account_id__in=account_ids, created_at__gte=first, created_at__lt=last)
        .filter(kind__in=["grant", "forfeit", "consume"])
        .order_by("created_at", "id")
        .values_list("account_id", "kind", "available_delta", "created_at", "cause")
    )
    for account_id, kind, delta, at, cause in moves:
        if kind == "consume":
            figures[account_id]["credits_used"] += 1
        elif delta:
            key = "grants" if kind == "grant" else "forfeits"
            figures[account_id][key].append({"at": at, "credits": abs(delta), "cause": cause})
    banked = (
        CreditEntry.objects.filter(account_id__in=account_ids, created_at__lt=last)
        .values("account_id")
        .annotate(end=Sum("available_delta"), start=Sum("available_delta", filter=Q(created_at__lt=first)))
    )
    for row in banked:
        figures[row["account_id"]]["banked_at_start"] = row["start"] or 0
        figures[row["account_id"]]["banked_at_end"] = row["end"] or 0
    return figures
