"""The events API's input parses types only; the services decide (the same messages as the pages)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Account
from accounts.serializers import AccountSerializer, LocalDateTimeField

from .forms import MOST_MINUTES
from .models import EXCLUDED_SCOPES, CreditEntry, MaintenanceEvent, OnBehalfOf, Scope


@extend_schema_field({"type": "string", "enum": [*Scope.values, *EXCLUDED_SCOPES]})
class ScopeField(serializers.CharField):
    """Any value reaches the service, which refuses a major upgrade or a migration with its own message."""


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
            "cancelled_on_behalf_of",
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
    scope = ScopeField(
        required=False,
        allow_blank=True,
        default="",
        help_text="What the event is for. major_upgrade and system_migration are refused: they need a services "
        "engagement.",
    )
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    starts_at = LocalDateTimeField()
    duration_minutes = serializers.IntegerField(min_value=1, max_value=MOST_MINUTES)
    critical = serializers.BooleanField(default=False)
    critical_justification = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class EventProposeSerializer(serializers.Serializer):
    starts_at = LocalDateTimeField()
    duration_minutes = serializers.IntegerField(min_value=1, max_value=MOST_MINUTES)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class EventCompleteSerializer(serializers.Serializer):
    outcome = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    actual_minutes = serializers.IntegerField(min_value=1, max_value=MOST_MINUTES)
    notes = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


@extend_schema_field({"type": "string", "enum": OnBehalfOf.values})
class OnBehalfOfField(serializers.CharField):
    """Parsed as text: the service answers a wrong value with its own message."""


class EventCancelSerializer(serializers.Serializer):
    on_behalf_of = OnBehalfOfField(
        required=False,
        allow_blank=True,
        default="",
        help_text="customer: at the customer's request (48 hours or more ahead releases the credit, later uses it); "
        "vendor: the TAM cannot perform it (vendor staff only, with a reason; the credit is always released).",
    )
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class EventNoShowSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
