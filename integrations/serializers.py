"""The integrations API's shapes. Inputs parse types only (every field may be missing or blank): the services say
what is acceptable, with the same words as on the pages."""

import json

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Account

from .models import ApiToken, WebhookEndpoint, WebhookMessage


class ApiTokenSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uid", read_only=True)
    user = serializers.EmailField(source="user.email", read_only=True)
    expired = serializers.BooleanField(read_only=True)

    class Meta:
        model = ApiToken
        fields = ["id", "name", "kind", "user", "scopes", "created", "expiry", "expired", "last_used_at"]
        read_only_fields = fields


class NewApiTokenSerializer(ApiTokenSerializer):
    token = serializers.CharField(read_only=True, help_text="The token itself: shown this once, never again.")

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "token"]
        read_only_fields = fields


class TokenCreateSerializer(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True, default="")
    days = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="90 unless given; at most 365"
    )
    scopes = serializers.ListField(child=serializers.CharField(), required=False, allow_null=True, default=None)


class ServiceTokenCreateSerializer(TokenCreateSerializer):
    role = serializers.CharField(required=False, allow_blank=True, default="")
    account = serializers.SlugRelatedField(
        slug_field="slug", queryset=Account.objects.all(), required=False, allow_null=True, default=None
    )


class WebhookEndpointSerializer(serializers.ModelSerializer):
    account = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id",
            "name",
            "url",
            "event_types",
            "account",
            "active",
            "disabled_at",
            "disabled_reason",
            "secret",
            "created_at",
        ]
        read_only_fields = fields


class EndpointWriteSerializer(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True, default="")
    url = serializers.CharField(required=False, allow_blank=True, default="")
    event_types = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    account = serializers.SlugRelatedField(
        slug_field="slug", queryset=Account.objects.all(), required=False, allow_null=True, default=None
    )


class EndpointRegisterSerializer(EndpointWriteSerializer):
    secret = serializers.CharField(required=False, allow_blank=True, default="")


class WebhookMessageSerializer(serializers.ModelSerializer):
    payload = serializers.SerializerMethodField()

    class Meta:
        model = WebhookMessage
        fields = [
            "id",
            "webhook_id",
            "endpoint",
            "event_type",
            "object_key",
            "status",
            "attempts",
            "created_at",
            "next_attempt_at",
            "delivered_at",
            "last_status_code",
            "last_error",
            "payload",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_payload(self, message) -> dict:
        return json.loads(message.body)
