import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from accounts.models import Account, BusinessCalendar, Tier

from .querysets import CaseEntryQuerySet, CaseQuerySet, EscalationQuerySet, MilestoneQuerySet


class Channel(models.TextChoices):
    PHONE = "phone", "Phone"
    EMAIL = "email", "E-mail"
    VOICEMAIL = "voicemail", "Voicemail"
    PORTAL = "portal", "Portal"
    REMOTE = "remote", "Remote session"
    API = "api", "API"


class Severity(models.IntegerChoices):
    CRITICAL = 1, "1 · Critical"
    HIGH = 2, "2 · High"
    MEDIUM = 3, "3 · Medium"
    LOW = 4, "4 · Low"


class CaseStatus(models.TextChoices):
    NEW = "new", "New"
    OPEN = "open", "Open"
    WAITING = "waiting", "Waiting on customer"
    ESCALATED = "escalated", "Escalated"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"


OPEN_STATUSES = [CaseStatus.NEW, CaseStatus.OPEN, CaseStatus.WAITING, CaseStatus.ESCALATED]


def case_reference(pk: int | None) -> str:
    """What people call a case: CASE-000042. From the id alone, so a row naming its case need not fetch it."""
    return f"CASE-{pk:06d}" if pk else "CASE-new"


class Case(models.Model):
    """A support case of one account. Its timeline holds public replies, internal notes and status changes."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="cases")
    contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contact_cases",
        help_text="The customer user the case is for.",
    )
    subject = models.CharField(max_length=200)
    channel = models.CharField(max_length=12, choices=Channel.choices)
    severity = models.PositiveSmallIntegerField(choices=Severity.choices, default=Severity.MEDIUM)
    status = models.CharField(max_length=12, choices=CaseStatus.choices, default=CaseStatus.NEW)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_cases"
    )
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="opened_cases")
    on_behalf = models.BooleanField(default=False, help_text="Opened by vendor staff on the customer's behalf.")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # The queue's sort key, kept by the database from the milestones (cases/urgency.py): never written here.
    due_next = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="The earliest due time of a clock neither met nor paused."
    )
    due_next_customer = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="The same, over the clocks the customer sees."
    )

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(severity__gte=1, severity__lte=4), name="case_severity_1_to_4"),
        ]
        indexes = [
            models.Index(fields=["account", "-created_at"], name="case_account_recent"),
            models.Index(fields=["status", "-created_at"], name="case_status_recent"),
            # The queue in order: staff over every case, a customer over their account's (PostgreSQL's ascending
            # order puts nulls last, as the queue does).
            models.Index(fields=["due_next"], name="case_queue_due"),
            # A customer's queue, in order (cases.querysets.queue_order).
            models.Index(
                fields=["account", "due_next_customer", "severity", "created_at", "id"], name="case_account_queue"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.subject}"

    @property
    def reference(self) -> str:
        return case_reference(self.pk)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class EntryKind(models.TextChoices):
    REPLY = "reply", "Reply"
    NOTE = "note", "Internal note"
    STATUS = "status", "Status change"
    SLA = "sla", "SLA clock"
    ESCALATION = "escalation", "Escalation"
    CALL = "call", "Logged contact"


class CaseEntry(models.Model):
    """One line of a case's timeline. Internal notes (and staff-only events) have ``public`` off and are never
    shown to customers: not in pages, the API or e-mails."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="entries")
    kind = models.CharField(max_length=12, choices=EntryKind.choices)
    public = models.BooleanField(default=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(max_length=12, choices=Channel.choices, blank=True)
    body = models.TextField(max_length=20000)
    created_at = models.DateTimeField()

    objects = CaseEntryQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "created_at"], name="entry_case_time")]
        verbose_name_plural = "case entries"

    def __str__(self) -> str:
        return f"{case_reference(self.case_id)} {self.get_kind_display()}"


def attachment_path(instance, filename):
    """A short generated name on disk (a customer's long or odd file name never reaches the file system);
    the original name is kept in ``Attachment.name``."""
    import uuid

    suffix = ("." + filename.rsplit(".", 1)[-1].lower())[:10] if "." in filename else ""
    return f"cases/{instance.case_id}/{dt.date.today():%Y%m}/{uuid.uuid4().hex}{suffix}"


class Attachment(models.Model):
    """A file on a case, kept through Django's storage API and served only to those who may see its entry."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    entry = models.ForeignKey(CaseEntry, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=300)
    name = models.CharField(max_length=200)
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=100)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.name


class ContactKind(models.TextChoices):
    PHONE = "phone", "Phone call to support"
    VOICEMAIL = "voicemail", "Voicemail to the TAM"
    EMAIL = "email", "E-mail to the TAM"


class ContactLog(models.Model):
    """A logged call, or a voicemail or e-mail to the TAM, with when it came in and when it was answered."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="contacts")
    kind = models.CharField(max_length=12, choices=ContactKind.choices)
    received_at = models.DateTimeField()
    answered_at = models.DateTimeField(
        null=True, blank=True, help_text="Call answered, or the TAM's reply to a voicemail or e-mail."
    )
    tam = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    notes = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["received_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True) | Q(answered_at__gte=F("received_at")),
                name="contact_answered_after_received",
            )
        ]
        indexes = [models.Index(fields=["kind", "received_at"], name="contact_kind_time")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.received_at:%Y-%m-%d %H:%M}"


class StartEvent(models.TextChoices):
    CASE_OPENED = "case_opened", "Case opened"
    CALL_RECEIVED = "call_received", "Phone call received"
    ESCALATED = "escalated", "Case escalated"
    TAM_MESSAGE = "tam_message", "Voicemail or e-mail to the TAM received"


class MeetEvent(models.TextChoices):
    FIRST_RESPONSE = "first_response", "First public reply by staff"
    CALL_ANSWERED = "call_answered", "Call answered"
    ACKNOWLEDGED = "acknowledged", "Escalation acknowledged by the TAM or a TAM-level resource"
    TAM_REPLIED = "tam_replied", "TAM replied"
    RESOLVED = "resolved", "Case resolved"


# Which meeting events make sense after which start.
MEETS_FOR_START = {
    StartEvent.CASE_OPENED: {MeetEvent.FIRST_RESPONSE, MeetEvent.RESOLVED},
    StartEvent.CALL_RECEIVED: {MeetEvent.CALL_ANSWERED},
    StartEvent.ESCALATED: {MeetEvent.ACKNOWLEDGED},
    StartEvent.TAM_MESSAGE: {MeetEvent.TAM_REPLIED},
}


class ClockKind(models.TextChoices):
    WALL = "wall", "Wall clock"
    BUSINESS = "business", "Business time on a calendar"


class SlaPolicy(models.Model):
    """The SLA targets of one tier, and when the chaser warns."""

    tier = models.OneToOneField(Tier, on_delete=models.PROTECT, related_name="sla_policy")
    warn_at_percent = models.PositiveSmallIntegerField(
        default=75, help_text="Warn the owner when this share of a target has elapsed (on the target's own clock)."
    )

    class Meta:
        verbose_name = "SLA policy"
        verbose_name_plural = "SLA policies"
        constraints = [
            models.CheckConstraint(
                condition=Q(warn_at_percent__gte=1, warn_at_percent__lte=99), name="policy_warn_between_1_and_99"
            )
        ]

    def __str__(self) -> str:
        return f"SLA policy of {self.tier}"


class SlaTarget(models.Model):
    """One promise: from a start event to a meeting event within a duration, on a wall or business clock."""

    policy = models.ForeignKey(SlaPolicy, on_delete=models.CASCADE, related_name="targets")
    name = models.CharField(max_length=120)
    start_event = models.CharField(max_length=20, choices=StartEvent.choices)
    meet_event = models.CharField(max_length=20, choices=MeetEvent.choices)
    severity = models.PositiveSmallIntegerField(
        choices=Severity.choices, null=True, blank=True, help_text="Only cases of this severity; empty for all."
    )
    duration = models.DurationField()
    clock = models.CharField(max_length=10, choices=ClockKind.choices, default=ClockKind.WALL)
    calendar = models.ForeignKey(
        BusinessCalendar,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="For business time: whose open hours count.",
    )
    paused_while_waiting = models.BooleanField(
        default=False, help_text="The clock stops while the case waits on the customer."
    )
    is_example = models.BooleanField(
        default=False, help_text="A seeded example value, not a contractual promise; review it."
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["policy", "start_event", "severity", "name"]
        verbose_name = "SLA target"
        constraints = [
            models.CheckConstraint(
                condition=Q(clock="wall") | Q(calendar__isnull=False), name="target_business_needs_a_calendar"
            ),
            models.CheckConstraint(condition=Q(duration__gt=dt.timedelta(0)), name="target_positive_duration"),
        ]

    def __str__(self) -> str:
        return self.name + (" (example)" if self.is_example else "")


class Escalation(models.Model):
    """A case handed to the acting TAM (or a TAM-level resource) who must acknowledge it. A re-escalation is a
    new row that supersedes the previous one; each escalation has at most one successor."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="escalations")
    escalated_to = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="escalations")
    escalated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    escalated_at = models.DateTimeField()
    reason = models.CharField(max_length=500, blank=True)
    previous = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="successor")
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    superseded_at = models.DateTimeField(null=True, blank=True)

    objects = EscalationQuerySet.as_manager()

    class Meta:
        ordering = ["escalated_at"]
        indexes = [
            models.Index(
                fields=["escalated_to"],
                condition=Q(acknowledged_at__isnull=True, superseded_at__isnull=True),
                name="escalation_open_by_person",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case.reference} to {self.escalated_to}"

    @property
    def is_open(self) -> bool:
        return self.acknowledged_at is None and self.superseded_at is None


class Milestone(models.Model):
    """A running SLA clock of a case. Its rule (duration, clock, calendar) is copied from the target when it
    starts, so a later policy change never rewrites it silently."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="milestones")
    target = models.ForeignKey(SlaTarget, on_delete=models.PROTECT, related_name="milestones")
    name = models.CharField(max_length=120)
    meet_event = models.CharField(max_length=20, choices=MeetEvent.choices)
    duration = models.DurationField()
    clock = models.CharField(max_length=10, choices=ClockKind.choices)
    calendar = models.ForeignKey(BusinessCalendar, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    paused_while_waiting = models.BooleanField(default=False)
    warn_at_percent = models.PositiveSmallIntegerField(default=75)
    contact = models.ForeignKey(ContactLog, null=True, blank=True, on_delete=models.CASCADE, related_name="milestones")
    escalation = models.OneToOneField(
        Escalation, null=True, blank=True, on_delete=models.CASCADE, related_name="milestone"
    )
    started_at = models.DateTimeField()
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_for = models.DurationField(default=dt.timedelta(0), help_text="Paused time, on the milestone's clock.")
    due_at = models.DateTimeField()
    warn_at = models.DateTimeField()
    met_at = models.DateTimeField(null=True, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)

    objects = MilestoneQuerySet.as_manager()

    class Meta:
        ordering = ["due_at"]
        indexes = [
            # The chaser reads only running milestones, by due time and by warning time.
            models.Index(
                fields=["due_at"],
                condition=Q(met_at__isnull=True, breached_at__isnull=True, paused_at__isnull=True),
                name="milestone_breach_due",
            ),
            # A clock breached before it was warned (a chaser back after downtime) is never warned: not in it.
            models.Index(
                fields=["warn_at"],
                condition=Q(
                    met_at__isnull=True, warned_at__isnull=True, paused_at__isnull=True, breached_at__isnull=True
                ),
                name="milestone_warning_due",
            ),
            models.Index(fields=["case", "meet_event"], name="milestone_case_meet"),
            # The queue's and the homes' urgency (next due time, breached, paused) read only the clocks not yet
            # met, per case; without this they scan every met clock in the history.
            models.Index(fields=["case"], condition=Q(met_at__isnull=True), name="milestone_unmet_by_case"),
        ]

    def __str__(self) -> str:
        return f"{case_reference(self.case_id)} {self.name}"

    @property
    def state(self) -> str:
        if self.met_at:
            return "met late" if self.met_at > self.due_at or self.breached_at else "met"
        if self.breached_at:
            return "breached"
        if self.paused_at:
            return "paused"
        return "running"


class CaseTally(models.Model):
    """How many cases of a status a statement added (or removed: negative), written by the database's triggers
    (cases/tally.py); the number of cases of a status is the sum of its rows."""

    status = models.CharField(max_length=12, choices=CaseStatus.choices)
    cases = models.IntegerField()

    class Meta:
        indexes = [models.Index(fields=["status"], name="case_tally_status")]

    def __str__(self) -> str:
        return f"{self.status}: {self.cases:+d}"
