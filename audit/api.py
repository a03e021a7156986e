"""The audit trail over REST, for portal admins: read-only, filtered, newest first."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.pagination import CursorPagination

from core.api import ScopedViewSetMixin
from core.permissions import IsPortalAdmin

from .models import AuditEvent


class ReadsTheTrail(IsPortalAdmin):
    message = "Only administrators may read the audit trail."


class AuditEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEvent
        fields = ["id", "at", "model", "object_pk", "action", "actor", "actor_label", "before", "after"]


class AuditFilterSerializer(serializers.Serializer):
    model = serializers.CharField(required=False, max_length=100, help_text="e.g. accounts.tier")
    object_pk = serializers.CharField(required=False, max_length=64)
    action = serializers.ChoiceField(required=False, choices=AuditEvent.Action.choices)
    actor = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1, help_text="A user's id.")
    since = serializers.DateTimeField(required=False)
    until = serializers.DateTimeField(required=False)


class NewestFirst(CursorPagination):
    ordering = "-id"
    page_size = 100


@extend_schema_view(
    list=extend_schema(parameters=[AuditFilterSerializer]),
)
class AuditEventViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Every recorded change to tiers, calendars, SLA policies, contracts, TAM assignments, absences, events,
    cases, users and their roles: who, when, before and after."""

    queryset = AuditEvent.objects.all()
    serializer_class = AuditEventSerializer
    permission_classes = [ReadsTheTrail]
    pagination_class = NewestFirst

    def scope_queryset(self, queryset):
        if self.action != "list":
            return queryset
        filters = AuditFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        wanted = filters.validated_data
        for name in ("model", "object_pk", "action"):
            if name in wanted:
                queryset = queryset.filter(**{name: wanted[name]})
        if "actor" in wanted:
            queryset = queryset.filter(actor_id=wanted["actor"])
        if "since" in wanted:
            queryset = queryset.filter(at__gte=wanted["since"])
        if "until" in wanted:
            queryset = queryset.filter(at__lt=wanted["until"])
        return queryset
