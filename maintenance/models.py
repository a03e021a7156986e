import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce

from accounts.local_time import elapsed
from accounts.models import Account, AppliedQuarter

from .querysets import CreditEntryQuerySet, MaintenanceEventQuerySet


class CreditKind(models.TextChoices):
    GRANT = "grant", "Granted"
    FORFEIT = "forfeit", "Forfeited"
    RESERVE = "reserve", "Reserved for an event"
    CONSUME = "consume", "Used"
    RELEASE = "release", "Released"
    ADJUSTMENT = "adjustment", "Adjusted"


class ForfeitCause(models.TextChoices):
    BANK_CAP = "bank_cap", "Over the bank limit"
    INELIGIBLE = "ineligible", "Contract ended or tier without events"
    RELEASE_OVER_CAP = "release_cap", "Released credit over the bank limit"


class AppendOnlyError(Exception):
    pass


class CreditEntry(models.Model):
    """One row of an account's append-only credit ledger. Rows are never updated or deleted.

    Each row says how it moves the two balances: ``available_delta`` (credits free to book) and
    ``reserved_delta`` (credits held by requested or confirmed events). The balances are their sums.
    """

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="credit_entries")
    kind = models.CharField(max_length=12, choices=CreditKind.choices)
    available_delta = models.SmallIntegerField()
    reserved_delta = models.SmallIntegerField(default=0)
    quarter_start = models.DateField(
        null=True,
        blank=True,
        help_text="The quarter a grant, a forfeit at the bank cap, or a forfeit of a quarter's grant belongs to.",
    )
    grant_round = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Which grant of its quarter a grant is (1, then 2 after the first was forfeited), and which grant "
        "a forfeit of the quarter's grant or at the bank cap goes with. Empty on rows written before: round 1.",
    )
    cause = models.CharField(max_length=12, choices=ForfeitCause.choices, blank=True, default="")
    event = models.ForeignKey(
        "MaintenanceEvent", null=True, blank=True, on_delete=models.PROTECT, related_name="credit_entries"
    )
    reason = models.CharField(max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    objects = CreditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["account", "created_at", "id"]
        verbose_name = "credit ledger entry"
        verbose_name_plural = "credit ledger"
        constraints = [
            # One grant per account and quarter in the ledger's net, however often or concurrently the job runs: a
            # quarter's grant is granted again (round 2) only after it was forfeited with a contract that ended.
            models.UniqueConstraint(
                F("account"),
                F("quarter_start"),
                Coalesce("grant_round", Value(1)),
                condition=Q(kind="grant"),
                name="credit_one_grant_per_quarter_round",
            ),
            models.UniqueConstraint(
                F("account"),
                F("quarter_start"),
                Coalesce("grant_round", Value(1)),
                condition=Q(kind="forfeit", cause="bank_cap"),
                name="credit_one_cap_forfeit_per_quarter_round",
            ),
            models.UniqueConstraint(
                fields=["account", "quarter_start", "grant_round"],
                condition=Q(kind="forfeit", cause="ineligible", quarter_start__isnull=False),
                name="credit_one_forfeit_per_grant",
            ),
            # Each event reserves once and settles (consume or release) once.
            models.UniqueConstraint(fields=["event"], condition=Q(kind="reserve"), name="credit_one_reserve_per_event"),
            models.UniqueConstraint(
                fields=["event"], condition=Q(kind__in=["consume", "release"]), name="credit_one_settlement_per_event"
            ),
            models.CheckConstraint(
                condition=Q(kind="adjustment", available_delta__lt=0)
                | Q(kind="adjustment", available_delta__gt=0)
                | ~Q(kind="adjustment"),
                name="credit_adjustment_moves_something",
            ),
            models.CheckConstraint(
                condition=~Q(kind="adjustment") | ~Q(reason=""), name="credit_adjustment_has_a_reason"
            ),
        ]
        indexes = [
            models.Index(fields=["account", "created_at"], name="credit_account_time"),
            # Balances are sums over an account's rows: with the deltas in the index they are read from it alone
            # (an index-only scan), never from the table's pages spread over years of history.
            models.Index(
                fields=["account"], include=["available_delta", "reserved_delta"], name="credit_account_balance"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.get_kind_display()} {self.available_delta:+d}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("Ledger rows are never changed; add a new row instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Ledger rows are never deleted.")


class CreditBalance(models.Model):
    """An account's two balances, the sums of its ledger, kept by the database: a trigger adds every inserted
    ledger row (whoever inserts it: a service, the quarterly job's set-based SQL, a bulk load) in the same
    transaction. Reading a balance then costs one row, not years of history. Never written by the application."""

    account = models.OneToOneField(Account, primary_key=True, on_delete=models.CASCADE, related_name="credit_balance")
    available = models.IntegerField(default=0)
    reserved = models.IntegerField(default=0)

    class Meta:
        verbose_name = "credit balance"

    def __str__(self) -> str:
        return f"{self.account_id}: {self.available} available, {self.reserved} reserved"


class Scope(models.TextChoices):
    MAINTENANCE_RELEASE = "maintenance_release", "Apply a maintenance release or minor update"
    CONNECTORS = "connectors_after_erp_upgrade", "Install connectors after an ERP upgrade (e.g. GP 2010 to GP 2013)"
    REPOSITORY_MOVE = "repository_move", "Configure for a document repository move"
    OTHER = "other_small_task", "Another task of at most 3 hours"


# Work that is never a maintenance event: accepted as input only to refuse it with a pointer.
EXCLUDED_SCOPES = {
    "major_upgrade": "A major system upgrade",
    "system_migration": "A complete system migration",
}


class EventStatus(models.TextChoices):
    REQUESTED = "requested", "Requested"
    CONFIRMED = "confirmed", "Confirmed"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


class OnBehalfOf(models.TextChoices):
    """Whose cancellation it is: it decides what happens to the credit."""

    CUSTOMER = "customer", "At the customer's request"
    VENDOR = "vendor", "By the vendor (the TAM cannot perform it)"


BUSY_STATUSES = [EventStatus.REQUESTED, EventStatus.CONFIRMED]


class MaintenanceEvent(models.Model):
    """An evening or weekend planned maintenance event of an Enterprise account, paid with one credit."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="maintenance_events")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    performing_tam = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="performed_events"
    )
    scope = models.CharField(max_length=40, choices=Scope.choices)
    description = models.TextField(max_length=2000)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    critical = models.BooleanField(
        default=False, help_text="A critical system integrity, stability or performance issue: shorter notice."
    )
    critical_justification = models.TextField(blank=True, max_length=2000)
    status = models.CharField(max_length=12, choices=EventStatus.choices, default=EventStatus.REQUESTED)
    proposed_starts_at = models.DateTimeField(null=True, blank=True)
    proposed_ends_at = models.DateTimeField(null=True, blank=True)
    proposal_note = models.CharField(max_length=300, blank=True)
    outcome = models.TextField(blank=True, max_length=4000)
    actual_duration = models.DurationField(null=True, blank=True)
    notes = models.TextField(blank=True, max_length=4000)
    cancel_reason = models.CharField(max_length=300, blank=True)
    # Nullable so that adding them never rebuilds the table (SQLite would drop its triggers with it).
    cancelled_on_behalf_of = models.CharField(  # noqa: DJ001
        max_length=8, choices=OnBehalfOf.choices, null=True, blank=True
    )
    staffing_problem = models.CharField(  # noqa: DJ001
        max_length=300,
        null=True,
        blank=True,
        help_text="Why the acting TAM at the event's time cannot perform it (nobody free, or booked then); the "
        "admin overview lists flagged events.",
    )
    staffing_flagged_at = models.DateTimeField(null=True, blank=True)
    no_show = models.BooleanField(default=False)
    sequence = models.PositiveIntegerField(default=0, help_text="iCalendar SEQUENCE: bumped on every reschedule.")
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    objects = MaintenanceEventQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="event_ends_after_start"),
            models.CheckConstraint(
                condition=Q(proposed_starts_at__isnull=True) | Q(proposed_ends_at__gt=F("proposed_starts_at")),
                name="event_proposal_ends_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["account", "starts_at"], name="event_account_start"),
            models.Index(fields=["performing_tam", "starts_at"], name="event_tam_start"),
            # The reminder job reads confirmed events not yet reminded, by start.
            models.Index(
                fields=["starts_at"],
                condition=Q(status="confirmed", reminder_sent_at__isnull=True),
                name="event_reminder_due",
            ),
            # The admin overview lists open events whose performing TAM could not follow coverage.
            models.Index(
                fields=["starts_at"],
                condition=Q(staffing_flagged_at__isnull=False, status__in=["requested", "confirmed"]),
                name="event_needs_a_tam",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account} · {self.get_scope_display()} · {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def duration(self) -> dt.timedelta:
        """Real elapsed time (across a daylight-saving change too)."""
        return elapsed(self.starts_at, self.ends_at)

    @property
    def is_open(self) -> bool:
        return self.status in BUSY_STATUSES

    @property
    def has_proposal(self) -> bool:
        return self.proposed_starts_at is not None

    @property
    def needs_a_tam(self) -> bool:
        return self.staffing_flagged_at is not None and self.is_open


class CalendarFeed(models.Model):
    """A private iCalendar feed: a TAM's events, or one account's. The token is the only key; it can be revoked."""

    token = models.CharField(max_length=64, unique=True)
    tam = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    account = models.ForeignKey(Account, null=True, blank=True, on_delete=models.CASCADE, related_name="calendar_feeds")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(tam__isnull=False, account__isnull=True) | Q(tam__isnull=True, account__isnull=False),
                name="feed_for_a_tam_or_an_account",
            ),
            models.UniqueConstraint(fields=["tam"], condition=Q(revoked_at__isnull=True), name="feed_one_live_per_tam"),
            models.UniqueConstraint(
                fields=["account"], condition=Q(revoked_at__isnull=True), name="feed_one_live_per_account"
            ),
        ]

    def __str__(self) -> str:
        return f"Calendar feed of {self.tam or self.account}"


class QuarterRollover(AppliedQuarter):
    """A quarter whose start the credit job has fully applied (grants and the bank cap)."""

    granted = models.PositiveIntegerField(default=0)
    forfeited = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"Quarter starting {self.quarter_start:%Y-%m-%d}"
