"""Demo credits and events for `seed_demo`: Acme has banked two credits and has a confirmed event behind it
and one completed last quarter, so every page has something believable to show. Idempotent."""

import datetime as dt

from django.utils import timezone

from accounts.models import Account, User
from accounts.quarters import Quarter, vendor_today, vendor_zone

from .credits import quarter_roll_over
from .ledger import account_balance
from .models import MaintenanceEvent


def seed_maintenance(log, users: dict[str, User]) -> None:
    today = vendor_today()
    report = quarter_roll_over(as_of=today, since=Quarter.of(today).previous().previous())
    acme = Account.objects.get(slug="acme")
    tam = users["tam@ess.example"]
    if not MaintenanceEvent.objects.filter(account=acme).exists():
        # A completed event last quarter, written as history (the booking rules are about the future).
        last_quarter = Quarter.of(today).previous()
        saturday = last_quarter.start + dt.timedelta(days=(5 - last_quarter.start.weekday()) % 7 + 14)
        starts = dt.datetime.combine(saturday, dt.time(9), tzinfo=vendor_zone())
        MaintenanceEvent.objects.create(
            account=acme,
            requested_by=users["alice@acme.example"],
            performing_tam=tam,
            scope="maintenance_release",
            description="Apply the 10.1.4 maintenance release to production.",
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=2),
            status="completed",
            confirmed_at=starts - dt.timedelta(days=10),
            completed_at=starts + dt.timedelta(hours=2),
            outcome="10.1.4 applied; services restarted; smoke tests passed.",
            actual_duration=dt.timedelta(minutes=105),
        )
    balance = account_balance(acme)
    log(
        f"  credits: {report.granted} granted, {report.forfeited_over_cap} forfeited over the bank; "
        f"Acme has {balance.available} available ({timezone.now():%Y-%m-%d})"
    )
