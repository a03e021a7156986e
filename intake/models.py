"""What comes into the portal by a channel other than its pages: each e-mail received (``InboundMail``, one row
per message, its unique key claimed before the message is filed), and the triage list of what could not be
filed on an account by itself (``TriageItem``, channel-neutral: mail now, the phone system's calls later)."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import Account
from cases.models import Case, CaseEntry, Channel


class MailSource(models.TextChoices):
    PIPE = "pipe", "Mail server pipe"
    MAILBOX = "mailbox", "Mailbox polling"


class MailOutcome(models.TextChoices):
    CASE = "case", "Opened a case"
    ENTRY = "entry", "Added to a case"
    TRIAGE = "triage", "Waiting in triage"
    AUTOMATIC = "automatic", "Dropped: an auto-reply or a bounce"


def original_path(instance, filename) -> str:
    return f"intake/{timezone.now():%Y%m}/{uuid.uuid4().hex}.eml"


class InboundMail(models.Model):
    """One message received, however often it was delivered: ``key`` (its Message-ID, or the hash of its bytes
    when it has none) is unique, and claiming it is the first write of the transaction that files the message,
    so a second delivery, a second worker or a retry after a crash finds it taken and files nothing."""

    key = models.CharField(max_length=80, unique=True, help_text="mid: the Message-ID's hash; sha: the bytes' hash")
    message_id = models.CharField("Message-ID", max_length=998, blank=True)
    source = models.CharField(max_length=10, choices=MailSource.choices)
    received_at = models.DateTimeField(default=timezone.now)
    sender = models.CharField(max_length=254, blank=True, help_text="The From address, in lower case.")
    sender_name = models.CharField(max_length=200, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    size = models.PositiveIntegerField()
    outcome = models.CharField(max_length=10, choices=MailOutcome.choices)
    reason = models.CharField(max_length=300, blank=True, help_text="Why it went where it went.")
    tam = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The TAM whose direct address it was sent to.",
    )
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    entry = models.ForeignKey(CaseEntry, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    original = models.FileField(upload_to=original_path, max_length=200, blank=True)
    dmarc = models.CharField(max_length=20, blank=True, help_text="DMARC as the receiving server reported it.")

    class Meta:
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["message_id"], name="inbound_mail_message_id")]

    def __str__(self) -> str:
        return f"{self.subject or '(no subject)'} from {self.sender or 'nobody'}"


class TriageStatus(models.TextChoices):
    WAITING = "waiting", "Waiting"
    ASSIGNED = "assigned", "Assigned to an account"
    DISCARDED = "discarded", "Discarded"


class TriageQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Vendor staff only: an item may name anyone, and nothing in it is proved to be any account's."""
        if user.is_authenticated and user.is_vendor_staff:
            return self
        return self.none()

    def waiting(self):
        return self.filter(status=TriageStatus.WAITING)


class TriageItem(models.Model):
    """Something that came in and could not be filed on an account by itself (an unknown sender, staff writing
    about no case): support staff assign it to an account, which opens a case there, or discard it. The
    channel's own record (``mail``; a call later) keeps the original."""

    channel = models.CharField(max_length=12, choices=Channel.choices)
    received_at = models.DateTimeField()
    sender = models.CharField(max_length=254, blank=True, help_text="An address or a number, as the channel gave it.")
    sender_name = models.CharField(max_length=200, blank=True)
    summary = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    reason = models.CharField(max_length=300, help_text="Why it was not filed by itself.")
    mail = models.OneToOneField(
        InboundMail, null=True, blank=True, on_delete=models.CASCADE, related_name="triage_item"
    )
    status = models.CharField(max_length=10, choices=TriageStatus.choices, default=TriageStatus.WAITING)
    account = models.ForeignKey(Account, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True, help_text="Why it was discarded.")

    objects = TriageQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(
                fields=["-received_at"], condition=Q(status=TriageStatus.WAITING), name="triage_waiting_recent"
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=TriageStatus.ASSIGNED, account__isnull=False) | ~Q(status=TriageStatus.ASSIGNED),
                name="triage_assigned_has_account",
            )
        ]

    def __str__(self) -> str:
        return f"{self.summary} ({self.get_status_display().lower()})"


from .phone import PhoneCall  # noqa: E402, F401  (the phone system's calls: intake/phone.py)
