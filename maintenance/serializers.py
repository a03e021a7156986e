import datetime as dt

from rest_framework import serializers

from accounts.models import Account
from accounts.serializers import AccountSerializer, SafeDateTimeField

from .models import EXCLUDED_SCOPES, CreditEntry, MaintenanceEvent, Scope


class AccountWithCreditsSerializer(AccountSerializer):
    events_available = serializers.IntegerField(read_only=True)
    events_reserved = serializers.IntegerField(read_only=True)

    class Meta(AccountSerializer.Meta):
        fields = [*AccountSerializer.Meta.fields, "events_available", "events_reserved"]


class CreditEntrySerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = CreditEntry
        fields = [
            "id",
            "kind",
            "kind_label",
            "available_delta",
            "reserved_delta",
            "quarter_start",
            "cause",
            "event",
            "reason",
            "created_at",
        ]


class MaintenanceEventSerializer(serializers.ModelSerializer):
    account = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    performing_tam = serializers.CharField(source="performing_tam.display_name", read_only=True)
    duration_minutes = serializers.SerializerMethodField()

    class Meta:
        model = MaintenanceEvent
        fields = [
            "id",
            "uid",
            "account",
            "scope",
            "description",
            "starts_at",
            "ends_at",
            "duration_minutes",
            "critical",
            "critical_justification",
            "status",
            "performing_tam",
            "proposed_starts_at",
            "proposed_ends_at",
            "proposal_note",
            "outcome",
            "actual_duration",
            "notes",
            "cancel_reason",
            "no_show",
            "created_at",
        ]
        read_only_fields = fields

    def get_duration_minutes(self, event) -> int:
        return int(event.duration.total_seconds() // 60)


class EventBookSerializer(serializers.Serializer):
    """``account`` resolves only within the requester's own scope (no probing for other accounts)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        self.fields["account"].queryset = (
            Account.objects.visible_to(request.user) if request else Account.objects.none()
        )

    account = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Account.objects.all(),
        required=False,
        help_text="Staff only; customers book for their own.",
    )
    scope = serializers.ChoiceField(choices=[*Scope.choices, *EXCLUDED_SCOPES.items()])
    description = serializers.CharField(max_length=2000)
    starts_at = SafeDateTimeField()
    duration_minutes = serializers.IntegerField(min_value=1, max_value=24 * 60)
    critical = serializers.BooleanField(default=False)
    critical_justification = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class EventProposeSerializer(serializers.Serializer):
    starts_at = SafeDateTimeField()
    duration_minutes = serializers.IntegerField(min_value=1, max_value=24 * 60)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class EventCompleteSerializer(serializers.Serializer):
    outcome = serializers.CharField(max_length=4000)
    actual_minutes = serializers.IntegerField(min_value=1, max_value=720)
    notes = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")

    def validated_duration(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.validated_data["actual_minutes"])


class EventCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
