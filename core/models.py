import datetime as dt
import uuid
from email.utils import parseaddr

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone


def new_message_id() -> str:
    """A Message-ID fixed when the row is stored: a copy sent again after a worker died between the server's
    acceptance and the mark-sent carries the same one, so mail programs see one message."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "ess-portal.invalid"
    return f"<outbox-{uuid.uuid4()}@{domain}>"


class OutboxMessage(models.Model):
    """An e-mail waiting to go out. Written in the same transaction as the change it announces, sent by a
    worker with retries and backoff, so a mail server that is down delays mail but loses none.

    A message that cannot be built (an address or a header no mail can carry) is marked failed once, with its
    reason, instead of being retried for ever. Live secrets (set-password and reset links, sign-in codes) are
    never in ``body``: they wait in ``secrets`` and are put in only for the server, then forgotten."""

    to = models.EmailField()
    subject = models.CharField(max_length=300)
    body = models.TextField(help_text="as stored and shown here: live links and codes are withheld")
    attachments = models.JSONField(default=list, blank=True, help_text="filename, mimetype, base64 content")
    secrets = models.JSONField(
        default=list, blank=True, help_text="[placeholder, value] pairs put into the body when sent; emptied then"
    )
    message_id = models.CharField("Message-ID", max_length=255, unique=True, default=new_message_id)
    headers = models.JSONField(
        default=dict, blank=True, help_text="References and Reply-To, so that a reply finds its thread"
    )
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True, help_text="given up: the message cannot be sent")
    last_error = models.TextField(blank=True)

    class Meta:
        db_table = "accounts_outboxmessage"  # the table it has had since it lived in accounts
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(sent_at__isnull=True, failed_at__isnull=True),
                name="outbox_due_by_time",
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject} to {self.to}"

    @property
    def state(self) -> str:
        if self.sent_at is not None:
            return "sent"
        return "failed" if self.failed_at is not None else "waiting"


def default_renewal_reminder_days() -> list[int]:
    """The renewal reminder offsets before an administrator sets them: ``ESS_RENEWAL_REMINDER_DAYS``."""
    return sorted({int(days) for days in settings.ESS_RENEWAL_REMINDER_DAYS if int(days) >= 0}, reverse=True)


class Limits(models.Model):
    """The notice periods and limits an administrator sets for the whole portal: one row, read by the rules that
    use them (maintenance booking and cancellation, contract renewal reminders). Until it is first saved, the
    defaults below apply."""

    event_notice_days = models.PositiveSmallIntegerField(
        "notice for a planned maintenance event (days)",
        default=14,
        validators=[MaxValueValidator(365)],
        help_text="A request starts at least this many days ahead, unless it is marked critical.",
    )
    event_free_cancellation_hours = models.PositiveSmallIntegerField(
        "free cancellation (hours before the start)",
        default=48,
        validators=[MaxValueValidator(30 * 24)],
        help_text="Cancelled at the customer's request at least this long before the start, the credit is released; "
        "later, it is used.",
    )
    event_shortest_hours = models.PositiveSmallIntegerField(
        "shortest event (hours)", default=1, validators=[MinValueValidator(1), MaxValueValidator(24)]
    )
    event_longest_hours = models.PositiveSmallIntegerField(
        "longest event (hours)",
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
        help_text="Longer work is not a maintenance event but a services engagement.",
    )
    renewal_reminder_days = models.JSONField(
        "renewal reminders (days before the end)",
        default=default_renewal_reminder_days,
        help_text="Each contract's renewal reminder goes out once at each of these offsets.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "notice periods and limits"
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="limits_one_row"),
            models.CheckConstraint(
                condition=Q(event_shortest_hours__lte=models.F("event_longest_hours")),
                name="limits_shortest_event_not_longer",
            ),
        ]

    def __str__(self) -> str:
        return "Notice periods and limits"

    @classmethod
    def current(cls) -> "Limits":
        """The limits in force: the saved row, else the defaults (one query)."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)

    @property
    def event_notice(self) -> dt.timedelta:
        return dt.timedelta(days=self.event_notice_days)

    @property
    def free_cancellation(self) -> dt.timedelta:
        return dt.timedelta(hours=self.event_free_cancellation_hours)

    @property
    def shortest_event(self) -> dt.timedelta:
        return dt.timedelta(hours=self.event_shortest_hours)

    @property
    def longest_event(self) -> dt.timedelta:
        return dt.timedelta(hours=self.event_longest_hours)
