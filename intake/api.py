"""The triage list in the API, for vendor staff: read it (``?status=waiting``), ``assign`` an item to an account or
``discard`` it. The same services as the page decide, with the same words."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from cases.serializers import CaseSerializer
from core.api import ScopedViewSetMixin, validated

from . import services
from .models import TriageItem
from .serializers import AssignSerializer, DiscardSerializer, TriageItemSerializer
from .views import account_named


class AsksTriage(BasePermission):
    """The triage services' own question, asked before anything is read: the same 403 and words as the page."""

    def has_permission(self, request, view):
        services.require_may_triage(request.user)
        return True


class TriageViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """What came in and could not be filed by itself (unknown senders, staff writing about no case)."""

    queryset = TriageItem.objects.all()
    serializer_class = TriageItemSerializer

    def get_permissions(self):
        return [*super().get_permissions(), AsksTriage()]

    def scope_queryset(self, queryset):
        if status_filter := self.request.query_params.get("status"):
            queryset = queryset.filter(status=status_filter)
        return queryset.select_related("mail", "account", "case", "decided_by").order_by("-received_at", "-id")

    @extend_schema(request=AssignSerializer, responses={201: CaseSerializer}, summary="File it on an account")
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        item = self.get_object()
        data = validated(AssignSerializer, request)
        case = services.triage_assign(
            actor=request.user, item=item, account=account_named(data["account"]), severity=data["severity"]
        )
        return Response(CaseSerializer(case).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DiscardSerializer, responses=TriageItemSerializer, summary="Discard it")
    @action(detail=True, methods=["post"])
    def discard(self, request, pk=None):
        item = services.triage_discard(actor=request.user, item=self.get_object(), note=self._note(request.data))
        return Response(TriageItemSerializer(item).data)

    @staticmethod
    def _note(data) -> str:
        payload = DiscardSerializer(data=data)
        payload.is_valid(raise_exception=True)
        return payload.validated_data["note"]
