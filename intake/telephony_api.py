"""The phone system's endpoint: ``POST /api/v1/calls/`` takes one call event (JSON, or a multipart form with the
voicemail recording as a file), with a token that has the ``telephony`` scope. Sending an event again, late or out
of order is harmless: the call's record converges (``intake.telephony``). Staff read the calls (``GET``)."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from core.api import ScopedViewSetMixin, validated

from . import telephony
from .phone import PhoneCall


class CallEventSerializer(serializers.Serializer):
    call_id = serializers.CharField(required=False, allow_blank=True, default="")
    caller = serializers.CharField(required=False, allow_blank=True, default="", help_text="The caller's number")
    line = serializers.CharField(required=False, allow_blank=True, default="", help_text="The line dialled")
    received_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    answered_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    ended_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    answered_by = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="The e-mail address of the staff member who answered"
    )
    voicemail_url = serializers.CharField(required=False, allow_blank=True, default="")
    voicemail_file = serializers.FileField(required=False, allow_null=True, default=None)
    transcript = serializers.CharField(required=False, allow_blank=True, default="")
    case = serializers.CharField(required=False, allow_blank=True, default="", help_text="A linked case: CASE-000042")


class PhoneCallSerializer(serializers.ModelSerializer):
    account = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    contact = serializers.EmailField(source="contact.email", read_only=True, default=None, allow_null=True)
    answered_by = serializers.EmailField(source="answered_by.email", read_only=True, default=None, allow_null=True)
    case = serializers.CharField(source="case.reference", read_only=True, default=None, allow_null=True)
    triage_item = serializers.IntegerField(source="triage_item_id", read_only=True, allow_null=True)
    outcome = serializers.CharField(read_only=True)
    voicemail_url = serializers.CharField(read_only=True, help_text="The recording's address; empty when none")

    class Meta:
        model = PhoneCall
        fields = [
            "id",
            "call_id",
            "caller",
            "caller_number",
            "line",
            "received_at",
            "answered_at",
            "ended_at",
            "answered_by",
            "voicemail_url",
            "transcript",
            "outcome",
            "account",
            "contact",
            "case",
            "triage_item",
            "events",
        ]
        read_only_fields = fields


class ReportsCalls(BasePermission):
    """The service's own question, before anything is read: the same 403 and words for every method."""

    def has_permission(self, request, view):
        telephony.require_may_report_calls(request.user)
        return True


class CallViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Calls as the phone system reported them (staff; a token needs the ``telephony`` scope)."""

    queryset = PhoneCall.objects.all()
    serializer_class = PhoneCallSerializer
    token_scope = "telephony"  # noqa: S105 (the name of a token scope)
    permission_classes = [ReportsCalls]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def scope_queryset(self, queryset):
        return queryset.select_related("account", "contact", "answered_by", "case").order_by("-received_at", "-id")

    @extend_schema(request=CallEventSerializer, responses=PhoneCallSerializer, summary="One event about a call")
    def create(self, request):
        payload = validated(CallEventSerializer, request)
        call = telephony.call_event_record(actor=request.user, **payload)
        return Response(PhoneCallSerializer(self.get_queryset().get(pk=call.pk)).data)
