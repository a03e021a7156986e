"""Reads other pages (the role homes, the TAM dashboard) ask the maintenance app for."""

import datetime as dt

from django.utils import timezone

from accounts.models import Account

from .models import CreditBalance, CreditEntry, EventStatus, MaintenanceEvent
from .services import Balance, account_balance, next_grant_date


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


def requested_count_for(tam) -> int:
    return MaintenanceEvent.objects.filter(status=EventStatus.REQUESTED).for_tam(tam).count()


def credit_history_chart(account: Account, *, width: int = 600, height: int = 120) -> dict | None:
    """The available balance after each ledger movement, as points for a small SVG step chart (one query)."""
    rows = list(
        CreditEntry.objects.filter(account=account)
        .order_by("created_at", "id")
        .values_list("created_at", "available_delta")
    )
    if not rows:
        return None
    balance, steps = 0, []
    for moment, delta in rows:
        balance += delta
        steps.append((moment, balance))
    top = max(max(b for _, b in steps), 1)
    count = len(steps)
    x = [round(20 + i * (width - 40) / max(count - 1, 1)) for i in range(count)]
    y = [round(height - 20 - b * (height - 40) / top) for _, b in steps]
    path = [f"{x[0]},{y[0]}"]
    for i in range(1, count):
        path += [f"{x[i]},{y[i - 1]}", f"{x[i]},{y[i]}"]
    return {
        "width": width,
        "height": height,
        "points": " ".join(path),
        "top": top,
        "top_y": round(height - 20 - (height - 40)),
        "baseline": height - 20,
        "first": steps[0][0],
        "last": steps[-1][0],
        "current": steps[-1][1],
    }
