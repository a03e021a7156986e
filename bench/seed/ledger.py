"""The credit ledger and maintenance events: quarterly grants and bank-cap forfeits of every Enterprise account,
reservations and settlements of its events, and adjustments making up the rest of the ledger's rows."""

import datetime as dt
import random
import uuid

from django.db import connection

from accounts.models import Account, User
from accounts.quarters import Quarter, quarters_between
from bench.names import BOOKING_ACCOUNT
from bench.seed.accounts import Vendor
from bench.seed.base import HISTORY, Copier, Seeding, flush_all, reset_sequence
from maintenance.models import CreditBalance, CreditEntry, MaintenanceEvent, QuarterRollover

SCOPES = ["maintenance_release", "connectors_after_erp_upgrade", "repository_move", "other_small_task"]
LEDGER_FIELDS = [
    "account",
    "kind",
    "available_delta",
    "reserved_delta",
    "quarter_start",
    "cause",
    "event",
    "reason",
    "created_at",
]
EVENT_FIELDS = [
    "id",
    "uid",
    "account",
    "requested_by",
    "performing_tam",
    "scope",
    "description",
    "starts_at",
    "ends_at",
    "critical",
    "critical_justification",
    "status",
    "proposal_note",
    "outcome",
    "actual_duration",
    "notes",
    "cancel_reason",
    "no_show",
    "sequence",
    "created_at",
    "confirmed_at",
    "completed_at",
    "cancelled_at",
    "reminder_sent_at",
]


def load_credits_and_events(seeding: Seeding, vendor: Vendor) -> None:
    current = Quarter.of(seeding.today)
    first = current
    for _ in range(seeding.options["quarters"]):
        first = first.previous()
    quarters = list(quarters_between(first, current))
    history = _History(seeding, vendor, quarters)
    for account in vendor.ess:
        if account.slug.startswith(BOOKING_ACCOUNT):
            continue  # the booking benchmark gives this account its credits itself
        history.account(account)
    ledger, events = history.ledger, history.events
    ledger.flush()
    events.flush()
    _adjustments(seeding, vendor, ledger, history.rng)
    flush_all(ledger, models=(CreditEntry,))
    # The load ran without triggers: sum the ledger into the balances the database keeps from here on.
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO "{CreditBalance._meta.db_table}" (account_id, available, reserved) '  # noqa: S608
            f"SELECT account_id, SUM(available_delta), SUM(reserved_delta) "
            f'FROM "{CreditEntry._meta.db_table}" GROUP BY account_id'
        )
    reset_sequence(MaintenanceEvent)
    QuarterRollover.objects.bulk_create(
        QuarterRollover(quarter_start=q.start, applied_at=q.starts_at(), granted=len(vendor.ess)) for q in quarters
    )
    seeding.log(f"{ledger.written:,} credit ledger rows, {events.written:,} maintenance events")


def _adjustments(seeding: Seeding, vendor: Vendor, ledger: Copier, rng: random.Random) -> None:
    """Adjustments make up the rest of the ledger: goodwill credits taken back the same day, so balances hold."""
    pairs = max(0, (seeding.options["ledger"] - ledger.written) // 2)
    spread = HISTORY.total_seconds()
    for n in range(pairs):
        account = vendor.ess[2 + n % (len(vendor.ess) - 2)]
        at = seeding.now - dt.timedelta(seconds=rng.uniform(3600, spread))
        ledger.add(account.pk, "adjustment", 1, 0, None, "", None, "Goodwill credit", at)
        ledger.add(
            account.pk, "adjustment", -1, 0, None, "", None, "Goodwill credit withdrawn", at + dt.timedelta(minutes=5)
        )
        if (n + 1) % 200_000 == 0:
            seeding.log(f"ledger adjustments {2 * (n + 1):,} of {2 * pairs:,}")


class _History:
    """Each Enterprise account's quarters: its grants and forfeits, and the events it booked with them."""

    def __init__(self, seeding: Seeding, vendor: Vendor, quarters: list[Quarter]):
        self.seeding, self.vendor, self.quarters = seeding, vendor, quarters
        self.rng = seeding.stream(2)
        self.current = Quarter.of(seeding.today)
        self.chance = min(1.0, seeding.options["events"] / (len(vendor.ess) * len(quarters)))
        self.ledger = Copier(CreditEntry, LEDGER_FIELDS)
        self.events = Copier(MaintenanceEvent, EVENT_FIELDS)
        self.busy: dict[int, set[int]] = {}  # per TAM, the UTC hours already taken
        self.event_id = 0

    def account(self, account: Account) -> None:
        rng, ledger = self.rng, self.ledger
        tam = self.vendor.primary_of[account.pk]
        available = 0
        for quarter in self.quarters:
            granted_at = quarter.starts_at()
            ledger.add(account.pk, "grant", 1, 0, quarter.start, "", None, quarter.label, granted_at)
            available += 1
            if available > 2:
                ledger.add(
                    account.pk, "forfeit", 2 - available, 0, quarter.start, "bank_cap", None, quarter.label, granted_at
                )
                available = 2
            if rng.random() >= self.chance or available < 1:
                continue
            future = quarter == self.current
            starts = self._free_slot(self.busy.setdefault(tam.pk, set()), quarter, future)
            if starts is None:
                continue
            available = self._event(account, tam, starts, granted_at, future, available)

    def _event(
        self, account: Account, tam: User, starts: dt.datetime, granted_at: dt.datetime, future: bool, available: int
    ) -> int:
        """One event in the slot, with its reservation and its settlement; returns the available balance after it."""
        rng, ledger, now = self.rng, self.ledger, self.seeding.now
        self.event_id += 1
        event_id = self.event_id
        hours = rng.choice((1, 2, 3))
        ends = starts + dt.timedelta(hours=hours)
        booked = (now if future else starts) - dt.timedelta(days=rng.randrange(15, 40))
        booked = max(booked, granted_at)
        status = "requested" if future and rng.random() < 0.3 else "confirmed" if future else "completed"
        if not future and rng.random() < 0.15:
            status = "cancelled"
        confirmed = booked + dt.timedelta(days=1) if status != "requested" else None
        completed = ends if status == "completed" else None
        cancelled = starts - dt.timedelta(days=5) if status == "cancelled" else None
        self.events.add(
            event_id,
            uuid.UUID(int=rng.getrandbits(128), version=4),
            account.pk,
            self.vendor.contact_of[account.pk].pk,
            tam.pk,
            rng.choice(SCOPES),
            "Apply the maintenance release and check the capture services.",
            starts,
            ends,
            False,
            "",
            status,
            "",
            "Applied, all services up." if completed else "",
            dt.timedelta(hours=hours) if completed else None,
            "",
            "Customer postponed." if cancelled else "",
            False,
            0,
            booked,
            confirmed,
            completed,
            cancelled,
            starts - dt.timedelta(days=2) if completed else None,
        )
        ledger.add(account.pk, "reserve", -1, 1, None, "", event_id, "", booked)
        available -= 1
        if completed:
            ledger.add(account.pk, "consume", 0, -1, None, "", event_id, "", completed)
        elif cancelled:
            ledger.add(account.pk, "release", 1, -1, None, "", event_id, "", cancelled)
            available += 1
            if available > 2:
                ledger.add(account.pk, "forfeit", -1, 0, None, "release_cap", event_id, "", cancelled)
                available = 2
        return available

    def _free_slot(self, taken: set[int], quarter: Quarter, future: bool) -> dt.datetime | None:
        """A free evening or weekend slot of up to three hours for the TAM: in the quarter, or 15 to 90 days ahead."""
        rng, today = self.rng, self.seeding.today
        for _ in range(60):
            if future:
                day = today + dt.timedelta(days=rng.randrange(15, 90))
            else:
                day = quarter.start + dt.timedelta(days=rng.randrange((quarter.end - quarter.start).days - 3))
            hour = rng.choice((0, 3, 6, 9, 12, 15, 18, 21)) if day.weekday() >= 5 else rng.choice((18, 21))
            starts = dt.datetime.combine(day, dt.time(hour), tzinfo=self.seeding.zone)
            first_hour = int(starts.timestamp() // 3600)
            hours = set(range(first_hour - 2, first_hour + 4))
            if not hours & taken:
                taken.update(hours)
                return starts
        return None
