"""The API's shapes. Answers are read-only model serializers; requests parse types only (text, whole numbers,
dates, ids): what a value may be is the service's to say, with the same words a page shows."""

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers

from accounts.models import Account
from accounts.serializers import LocalDateTimeField

from . import models


class ChoiceText(serializers.CharField):
    """Text naming one of ``choices``, which the schema lists in place (other apps have ``status`` and ``kind``
    enums of their own, and the schema names shared enums after the field: ours would collide with theirs).
    Whether a value is one of them is the service's to say."""

    def __init__(self, *, choices, **kwargs):
        self.choices = dict(choices)
        super().__init__(**kwargs)


class ChoiceTextExtension(OpenApiSerializerFieldExtension):
    target_class = ChoiceText

    def map_serializer_field(self, auto_schema, direction):
        # Wrapped in allOf, the enum stays with its field instead of becoming a shared, named component.
        return {"allOf": [{"type": "string", "enum": list(self.target.choices)}]}


def _text(**kwargs) -> serializers.CharField:
    """Text, possibly empty (``""`` when not sent, unless the request changes only what it sends)."""
    return serializers.CharField(required=False, allow_blank=True, **{"default": "", **kwargs})


def _one_of(choices, **kwargs) -> ChoiceText:
    return ChoiceText(choices=choices, required=False, allow_blank=True, **{"default": "", **kwargs})


def _number(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(required=False, allow_null=True, **{"default": None, **kwargs})


def _moment(**kwargs) -> LocalDateTimeField:
    return LocalDateTimeField(required=False, allow_null=True, **{"default": None, **kwargs})


class _Answer(serializers.ModelSerializer):
    """A shape the API answers with: every field read-only."""

    def get_fields(self):
        fields = super().get_fields()
        for field in fields.values():
            field.read_only, field.required = True, False
        return fields


# --- Answers ---------------------------------------------------------------------------------------


class ReleaseItemSerializer(_Answer):
    kind = ChoiceText(choices=models.ItemKind.choices)
    module_list = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = models.ReleaseItem
        fields = ["id", "kind", "title", "description", "modules", "module_list"]


class ReleaseSerializer(_Answer):
    kind = ChoiceText(choices=models.ReleaseKind.choices)
    items = ReleaseItemSerializer(many=True)

    class Meta:
        model = models.Release
        fields = ["id", "product", "version", "kind", "planned_date", "actual_date", "published", "notes", "items"]


class PreviewSerializer(_Answer):
    release = serializers.PrimaryKeyRelatedField(read_only=True)
    release_name = serializers.CharField(source="release.__str__")
    account = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    tam = serializers.CharField(source="tam.display_name")
    ends_at = serializers.DateTimeField()
    status = ChoiceText(choices=models.PreviewStatus.choices)
    items = ReleaseItemSerializer(many=True)

    class Meta:
        model = models.PreviewSession
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


class FindingSerializer(_Answer):
    level = ChoiceText(choices=models.FindingLevel.choices)

    class Meta:
        model = models.Finding
        fields = ["id", "source", "level", "count", "summary"]


class InventoryRowSerializer(_Answer):
    class Meta:
        model = models.InventoryRow
        fields = ["id", "extension", "file_count", "bytes"]


class RecommendationSerializer(_Answer):
    priority = ChoiceText(choices=models.RecommendationPriority.choices)
    status = ChoiceText(choices=models.RecommendationStatus.choices)

    class Meta:
        model = models.Recommendation
        fields = ["id", "text", "priority", "status", "created_at", "updated_at"]


class ReviewSerializer(_Answer):
    account = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    quarter = serializers.CharField(source="quarter_label")
    tam = serializers.CharField(source="tam.display_name", default=None)
    status = ChoiceText(choices=models.ReviewStatus.choices)
    findings = FindingSerializer(many=True)
    inventory = InventoryRowSerializer(many=True)
    recommendations = RecommendationSerializer(many=True)

    class Meta:
        model = models.ProactiveReview
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


# --- Requests --------------------------------------------------------------------------------------


class ReleaseWriteSerializer(serializers.Serializer):
    """All fields to add a release; with PATCH, the fields to change."""

    product = _text(default="KwikTag")
    version = _text()
    kind = _one_of(models.ReleaseKind.choices)
    planned_date = serializers.DateField(required=False, allow_null=True, default=None)
    actual_date = serializers.DateField(required=False, allow_null=True, default=None)
    notes = _text()
    published = serializers.BooleanField(default=False)


class ReleaseItemWriteSerializer(serializers.Serializer):
    kind = _one_of(models.ItemKind.choices)
    title = _text()
    description = _text()
    modules = _text()


class PreviewWriteSerializer(serializers.Serializer):
    """The session; with PATCH, the fields to change."""

    scheduled_at = _moment()
    duration_minutes = serializers.IntegerField(default=60)
    items = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text="Release item ids; leave out to use the items suggested from the account's modules.",
    )
    uses_replica = serializers.BooleanField(default=False)
    attendees = _text()
    notes = _text()
    coordinate_myself = serializers.BooleanField(
        default=False, help_text="Coordinate it yourself instead of the TAM acting at that time."
    )


class PreviewPlanSerializer(PreviewWriteSerializer):
    release = serializers.PrimaryKeyRelatedField(queryset=models.Release.objects.all())
    account = serializers.SlugRelatedField(slug_field="slug", queryset=Account.objects.all())


class NotesSerializer(serializers.Serializer):
    notes = _text(allow_null=True, default=None)


class DeclineSerializer(serializers.Serializer):
    reason = _text()


class ReviewUpdateSerializer(serializers.Serializer):
    """What to change: each field sent is changed, the others are left alone."""

    scheduled_at = LocalDateTimeField(required=False, allow_null=True, help_text="Schedules (or moves) the session.")
    summary = serializers.CharField(required=False, allow_blank=True)
    monitoring_tools = serializers.CharField(required=False, allow_blank=True)


class FindingWriteSerializer(serializers.Serializer):
    source = _text()
    level = _one_of(models.FindingLevel.choices)
    count = _number(help_text="How many times it was seen; once when left out.")
    summary = _text()


class InventoryRowWriteSerializer(serializers.Serializer):
    extension = _text()
    file_count = _number()
    bytes = _number()


class RecommendationWriteSerializer(serializers.Serializer):
    text = _text()
    priority = _one_of(models.RecommendationPriority.choices)


class RecommendationStatusSerializer(serializers.Serializer):
    status = _one_of(models.RecommendationStatus.choices)


class InventoryUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        required=False,
        allow_null=True,
        default=None,
        help_text="CSV with a header: one row per file (path, size) or one per file type (extension, count, bytes).",
    )


class InventoryRefusalSerializer(serializers.Serializer):
    # Other refusals (a review that is published, a request the portal rejects outright) name other keys.
    file = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="The summary, then the bad lines."
    )
