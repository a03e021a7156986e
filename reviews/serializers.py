from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers

from accounts.models import Account
from accounts.serializers import SafeDateTimeField

from .models import (
    Finding,
    FindingLevel,
    InventoryRow,
    ItemKind,
    PreviewSession,
    PreviewStatus,
    ProactiveReview,
    Recommendation,
    RecommendationPriority,
    RecommendationStatus,
    Release,
    ReleaseItem,
    ReleaseKind,
    ReviewStatus,
)


class InlineChoiceField(serializers.ChoiceField):
    """A choice field whose values the schema lists in place. Other apps have ``status`` and ``kind`` enums of
    their own, and the schema's enum components are named after the field: ours would collide with theirs."""


class InlineChoiceFieldExtension(OpenApiSerializerFieldExtension):
    target_class = InlineChoiceField

    def map_serializer_field(self, auto_schema, direction):
        # Wrapped in allOf, the enum stays with its field instead of becoming a shared, named component.
        return {"allOf": [{"type": "string", "enum": list(self.target.choices)}]}


class ReleaseItemSerializer(serializers.ModelSerializer):
    kind = InlineChoiceField(choices=ItemKind.choices, read_only=True)
    module_list = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = ReleaseItem
        fields = ["id", "kind", "title", "description", "modules", "module_list"]
        read_only_fields = fields


class ReleaseSerializer(serializers.ModelSerializer):
    kind = InlineChoiceField(choices=ReleaseKind.choices, read_only=True)
    items = ReleaseItemSerializer(many=True, read_only=True)

    class Meta:
        model = Release
        fields = [
            "id",
            "product",
            "version",
            "kind",
            "planned_date",
            "actual_date",
            "published",
            "notes",
            "items",
        ]
        read_only_fields = fields


class ReleaseWriteSerializer(serializers.Serializer):
    product = serializers.CharField(max_length=80, default="KwikTag")
    version = serializers.CharField(max_length=20)
    kind = InlineChoiceField(choices=ReleaseKind.choices)
    planned_date = serializers.DateField()
    actual_date = serializers.DateField(required=False, allow_null=True, default=None)
    notes = serializers.CharField(max_length=20000, required=False, allow_blank=True, default="")
    published = serializers.BooleanField(default=False)


class ReleaseItemWriteSerializer(serializers.Serializer):
    kind = InlineChoiceField(choices=ItemKind.choices)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    modules = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class PreviewSerializer(serializers.ModelSerializer):
    release = serializers.PrimaryKeyRelatedField(read_only=True)
    release_name = serializers.CharField(source="release.__str__", read_only=True)
    account = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    tam = serializers.CharField(source="tam.display_name", read_only=True)
    ends_at = serializers.DateTimeField(read_only=True)
    status = InlineChoiceField(choices=PreviewStatus.choices, read_only=True)
    items = ReleaseItemSerializer(many=True, read_only=True)

    class Meta:
        model = PreviewSession
        fields = [
            "id",
            "uid",
            "release",
            "release_name",
            "account",
            "tam",
            "scheduled_at",
            "ends_at",
            "duration_minutes",
            "items",
            "uses_replica",
            "attendees",
            "notes",
            "status",
            "decline_reason",
            "held_at",
            "declined_at",
            "created_at",
        ]
        read_only_fields = fields


class PreviewFieldsSerializer(serializers.Serializer):
    scheduled_at = SafeDateTimeField()
    duration_minutes = serializers.IntegerField(min_value=1, max_value=24 * 60, default=60)
    items = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        required=False,
        allow_empty=True,
        help_text="Release item ids; leave out to use the items suggested from the account's modules.",
    )
    uses_replica = serializers.BooleanField(default=False)
    attendees = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    notes = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    coordinate_myself = serializers.BooleanField(
        default=False, help_text="Coordinate it yourself instead of the TAM acting at that time."
    )


class PreviewPlanSerializer(PreviewFieldsSerializer):
    release = serializers.PrimaryKeyRelatedField(queryset=Release.objects.all())
    account = serializers.SlugRelatedField(slug_field="slug", queryset=Account.objects.all())


class PreviewUpdateSerializer(serializers.Serializer):
    scheduled_at = SafeDateTimeField(required=False)
    duration_minutes = serializers.IntegerField(min_value=1, max_value=24 * 60, required=False)
    items = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), required=False, allow_empty=True
    )
    uses_replica = serializers.BooleanField(required=False)
    attendees = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    notes = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    coordinate_myself = serializers.BooleanField(default=False)


class NotesSerializer(serializers.Serializer):
    notes = serializers.CharField(max_length=4000, required=False, allow_blank=True, allow_null=True, default=None)


class DeclineSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class FindingSerializer(serializers.ModelSerializer):
    level = InlineChoiceField(choices=FindingLevel.choices)
    count = serializers.IntegerField(min_value=1, max_value=2_000_000_000, default=1)

    class Meta:
        model = Finding
        fields = ["id", "source", "level", "count", "summary"]
        read_only_fields = ["id"]


class InventoryRowSerializer(serializers.ModelSerializer):
    extension = serializers.CharField(max_length=32, allow_blank=True)
    file_count = serializers.IntegerField(min_value=0, max_value=2**63 - 1)
    bytes = serializers.IntegerField(min_value=0, max_value=2**63 - 1)

    class Meta:
        model = InventoryRow
        fields = ["id", "extension", "file_count", "bytes"]
        read_only_fields = ["id"]


class RecommendationSerializer(serializers.ModelSerializer):
    priority = InlineChoiceField(choices=RecommendationPriority.choices)
    status = InlineChoiceField(choices=RecommendationStatus.choices, read_only=True)

    class Meta:
        model = Recommendation
        fields = ["id", "text", "priority", "status", "created_at", "updated_at"]
        read_only_fields = ["id", "status", "created_at", "updated_at"]


class RecommendationStatusSerializer(serializers.Serializer):
    status = InlineChoiceField(choices=RecommendationStatus.choices)


class ReviewSerializer(serializers.ModelSerializer):
    account = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    quarter = serializers.CharField(source="quarter_label", read_only=True)
    tam = serializers.CharField(source="tam.display_name", read_only=True, default=None)
    status = InlineChoiceField(choices=ReviewStatus.choices, read_only=True)
    findings = FindingSerializer(many=True, read_only=True)
    inventory = InventoryRowSerializer(many=True, read_only=True)
    recommendations = RecommendationSerializer(many=True, read_only=True)

    class Meta:
        model = ProactiveReview
        fields = [
            "id",
            "account",
            "quarter",
            "quarter_start",
            "due_date",
            "tam",
            "status",
            "scheduled_at",
            "held_at",
            "published_at",
            "summary",
            "monitoring_tools",
            "findings",
            "inventory",
            "inventory_source",
            "inventory_imported_at",
            "recommendations",
        ]
        read_only_fields = fields


class ReviewUpdateSerializer(serializers.Serializer):
    scheduled_at = SafeDateTimeField(required=False, help_text="Schedules (or moves) the remote session.")
    summary = serializers.CharField(max_length=8000, required=False, allow_blank=True)
    monitoring_tools = serializers.CharField(max_length=4000, required=False, allow_blank=True)


class InventoryUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="CSV with a header: one row per file (path, size) or one per file type (extension, count, bytes)."
    )


class InventoryRefusalSerializer(serializers.Serializer):
    # Other refusals (a review that is published, a request the portal rejects outright) name other keys.
    file = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="The summary, then the bad lines."
    )
