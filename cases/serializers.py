from rest_framework import serializers

from accounts.models import Account, User

from .models import Case, CaseEntry, Channel, Escalation, Milestone, Severity


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
    subject = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=20000, allow_blank=True, default="")
    severity = serializers.ChoiceField(choices=Severity.choices, default=Severity.MEDIUM)
    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.API)
    contact = serializers.SlugRelatedField(
        slug_field="email", queryset=User.objects.filter(account__isnull=False), required=False, allow_null=True
    )


class TextSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=20000)


class ReplySerializer(TextSerializer):
    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.API)
    from_customer = serializers.BooleanField(
        default=False, help_text="Staff or the mail gateway: record the customer's own reply (e.g. an e-mail)."
    )


class StatusSerializer(serializers.Serializer):
    status = serializers.CharField(max_length=20)


class EscalateSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, allow_blank=True, default="")


class EscalationSerializer(serializers.ModelSerializer):
    case = serializers.PrimaryKeyRelatedField(read_only=True)
    escalated_to = serializers.CharField(source="escalated_to.display_name", read_only=True)

    class Meta:
        model = Escalation
        fields = ["id", "case", "escalated_to", "escalated_at", "reason", "acknowledged_at", "superseded_at"]
        read_only_fields = fields
