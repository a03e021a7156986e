import datetime as dt

from django.utils import timezone
from rest_framework import serializers

from accounts.models import Account, User
from accounts.serializers import LOCAL_TIME_HELP, LocalDateTimeField

from .models import Case, CaseEntry, ContactLog, Escalation, Milestone, Severity, case_reference


class MilestoneSerializer(serializers.ModelSerializer):
    state = serializers.CharField(read_only=True)

    class Meta:
        model = Milestone
        fields = [
            "id",
            "name",
            "meet_event",
            "clock",
            "started_at",
            "due_at",
            "paused_at",
            "met_at",
            "breached_at",
            "state",
        ]
        read_only_fields = fields


class CaseEntrySerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.display_name", read_only=True, default=None)

    class Meta:
        model = CaseEntry
        fields = ["id", "kind", "public", "author", "channel", "body", "created_at"]
        read_only_fields = fields


class CaseSerializer(serializers.ModelSerializer):
    account = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    reference = serializers.CharField(read_only=True)
    contact = serializers.CharField(source="contact.email", read_only=True, default=None, allow_null=True)
    assignee = serializers.CharField(source="assignee.display_name", read_only=True, default=None, allow_null=True)
    next_due = serializers.DateTimeField(read_only=True, allow_null=True)
    priority = serializers.BooleanField(read_only=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "reference",
            "account",
            "subject",
            "channel",
            "severity",
            "status",
            "contact",
            "assignee",
            "on_behalf",
            "created_at",
            "resolved_at",
            "next_due",
            "priority",
        ]
        read_only_fields = fields


# The list's read path: the same payload as CaseSerializer, built from ``.values()`` rows instead of model instances
# (a list page is fifty cases with their account, contact and assignee: instances cost more than the queries).
# tests/cases/test_api.py holds the two equal, field by field, for every kind of case.
LIST_COLUMNS = (
    "id",
    "account__slug",
    "subject",
    "channel",
    "severity",
    "status",
    "contact__email",
    "assignee_id",
    "assignee__first_name",
    "assignee__last_name",
    "assignee__email",
    "on_behalf",
    "created_at",
    "resolved_at",
    "next_due",
    "priority",
)


def case_list_rows(rows) -> list[dict]:
    """``.values(*LIST_COLUMNS)`` rows of cases (annotated ``with_urgency``) as the API lists them: exactly what
    ``CaseSerializer`` writes for each."""
    zone = timezone.get_current_timezone()
    return [case_list_payload(row, zone) for row in rows]


def _moment(value: dt.datetime | None, zone) -> str | None:
    """A time as DRF's ``DateTimeField`` writes it: in the current zone, ISO 8601, UTC as ``Z``."""
    if value is None:
        return None
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def case_list_payload(row: dict, zone=None) -> dict:
    """One ``.values(*LIST_COLUMNS)`` row as ``CaseSerializer`` writes its case (times in the current zone)."""
    zone = zone or timezone.get_current_timezone()
    assignee = None
    if row["assignee_id"] is not None:
        full = f"{row['assignee__first_name']} {row['assignee__last_name']}".strip()
        assignee = full or row["assignee__email"]
    return {
        "id": row["id"],
        "reference": case_reference(row["id"]),
        "account": row["account__slug"],
        "subject": row["subject"],
        "channel": row["channel"],
        "severity": row["severity"],
        "status": row["status"],
        "contact": row["contact__email"],
        "assignee": assignee,
        "on_behalf": row["on_behalf"],
        "created_at": _moment(row["created_at"], zone),
        "resolved_at": _moment(row["resolved_at"], zone),
        "next_due": _moment(row["next_due"], zone),
        "priority": row["priority"],
    }


class CaseOpenSerializer(serializers.Serializer):
    """``account`` and ``contact`` resolve only within what the requester may see, so a refusal never tells
    whether another account or user exists."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        visible = Account.objects.visible_to(request.user) if request else Account.objects.none()
        self.fields["account"].queryset = visible
        self.fields["contact"].queryset = User.objects.filter(account__in=visible)

    account = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Account.objects.all(),
        required=False,
        help_text="Staff only; customers open their own.",
    )
    subject = serializers.CharField(max_length=200, allow_blank=True, default="")
    description = serializers.CharField(max_length=20000, allow_blank=True, default="")
    severity = serializers.IntegerField(default=Severity.MEDIUM, help_text="1 (critical) to 4 (low).")
    channel = serializers.CharField(
        max_length=12, allow_blank=True, default="", help_text="Staff: how it came in (default: api)."
    )
    contact = serializers.SlugRelatedField(
        slug_field="email", queryset=User.objects.filter(account__isnull=False), required=False, allow_null=True
    )


class TextSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=20000, allow_blank=True, default="")


class ReplySerializer(TextSerializer):
    channel = serializers.CharField(
        max_length=12, allow_blank=True, default="", help_text="Staff: how the reply came in (default: api)."
    )
    from_customer = serializers.BooleanField(
        default=False, help_text="Staff or the mail gateway: record the customer's own reply (e.g. an e-mail)."
    )


class StatusSerializer(serializers.Serializer):
    status = serializers.CharField(max_length=20, allow_blank=True, default="")


class EscalateSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, allow_blank=True, default="")


class EscalationSerializer(serializers.ModelSerializer):
    case = serializers.PrimaryKeyRelatedField(read_only=True)
    escalated_to = serializers.CharField(source="escalated_to.display_name", read_only=True)

    class Meta:
        model = Escalation
        fields = ["id", "case", "escalated_to", "escalated_at", "reason", "acknowledged_at", "superseded_at"]
        read_only_fields = fields


class ContactLogSerializer(serializers.ModelSerializer):
    """A call to support, or a voicemail or e-mail to the TAM, logged on a case, and when it was answered."""

    tam = serializers.CharField(source="tam.display_name", read_only=True, default=None)

    class Meta:
        model = ContactLog
        fields = ["id", "kind", "received_at", "answered_at", "tam", "notes"]
        read_only_fields = fields


class ContactLogInputSerializer(serializers.Serializer):
    kind = serializers.CharField(
        max_length=12, allow_blank=True, default="", help_text="phone (to support), voicemail or email (to the TAM)."
    )
    received_at = LocalDateTimeField(required=False, allow_null=True, default=None)
    answered_at = LocalDateTimeField(
        required=False, allow_null=True, default=None, help_text="Empty if not answered yet. " + LOCAL_TIME_HELP
    )
    notes = serializers.CharField(max_length=500, allow_blank=True, default="")


class AnsweredSerializer(serializers.Serializer):
    contact = serializers.IntegerField(help_text="The id of a call or message logged on this case.")
    answered_at = LocalDateTimeField(
        required=False, allow_null=True, default=None, help_text="Empty for now. " + LOCAL_TIME_HELP
    )
