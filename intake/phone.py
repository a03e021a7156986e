"""The phone system's record of each call (``PhoneCall``): one row per call id, whatever events came about it and in
whatever order; ``intake.telephony`` merges each event into it and files what the merged call says."""

from django.conf import settings
from django.db import models

from accounts.models import Account
from cases.models import Case, ContactLog


class CallOutcome(models.TextChoices):
    ANSWERED = "answered", "Answered"
    MISSED = "missed", "Not answered"
    VOICEMAIL = "voicemail", "Voicemail"


class PhoneCallQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Vendor staff only: a call names a number, and an unknown caller is nobody's account's."""
        if user.is_authenticated and user.is_vendor_staff:
            return self
        return self.none()


class PhoneCall(models.Model):
    """A call to a support line as the phone system reported it. Times are the phone system's own. ``contact`` is
    the account's user whose validated number called (none: an unknown caller, filed in triage)."""

    call_id = models.CharField(max_length=100, unique=True)
    caller = models.CharField(max_length=40, help_text="The number as the phone system gave it.")
    caller_number = models.CharField(max_length=20, blank=True, help_text="E.164, when it is a valid number.")
    line = models.CharField(max_length=40, help_text="The number or line that was dialled.")
    received_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    voicemail_url = models.URLField(max_length=500, blank=True)
    voicemail_file = models.FileField(upload_to="intake/voicemail/%Y%m/", max_length=200, blank=True)
    transcript = models.TextField(blank=True, max_length=20000)
    contact = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="phone_calls"
    )
    account = models.ForeignKey(Account, null=True, blank=True, on_delete=models.PROTECT, related_name="phone_calls")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    contact_log = models.ForeignKey(ContactLog, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    transcript_filed = models.BooleanField(default=False)
    triage_item = models.OneToOneField(
        "intake.TriageItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="call"
    )
    events = models.PositiveIntegerField(default=0, help_text="Events received about it, repeats included.")
    updated_at = models.DateTimeField(auto_now=True)

    objects = PhoneCallQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["account", "received_at"], name="phonecall_account_time")]

    def __str__(self) -> str:
        return f"call {self.call_id} from {self.caller}"

    @property
    def has_voicemail(self) -> bool:
        return bool(self.voicemail_url or self.voicemail_file)

    @property
    def outcome(self) -> CallOutcome:
        if self.answered_at is not None:
            return CallOutcome.ANSWERED
        return CallOutcome.VOICEMAIL if self.has_voicemail else CallOutcome.MISSED
