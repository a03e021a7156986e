from rest_framework import serializers

from .models import TriageItem


class TriageItemSerializer(serializers.ModelSerializer):
    account = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    case = serializers.CharField(source="case.reference", read_only=True, default=None, allow_null=True)
    decided_by = serializers.CharField(source="decided_by.display_name", read_only=True, default=None, allow_null=True)
    dmarc = serializers.CharField(source="mail.dmarc", read_only=True, default="")

    class Meta:
        model = TriageItem
        fields = [
            "id",
            "channel",
            "received_at",
            "sender",
            "sender_name",
            "summary",
            "body",
            "reason",
            "dmarc",
            "status",
            "account",
            "case",
            "decided_by",
            "decided_at",
            "note",
        ]
        read_only_fields = fields


class AssignSerializer(serializers.Serializer):
    account = serializers.CharField(allow_blank=True, default="", help_text="The account's slug.")
    severity = serializers.IntegerField(required=False, allow_null=True, default=None, help_text="1 to 4; default 3.")


class DiscardSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=300, allow_blank=True, default="")
