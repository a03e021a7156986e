from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from accounts.api_base import ScopedViewSetMixin
from accounts.models import Account
from accounts.permissions import IsVendorStaff
from accounts.quarters import vendor_today

from . import services
from .models import Case, Channel, Escalation
from .serializers import (
    CaseEntrySerializer,
    CaseOpenSerializer,
    CaseSerializer,
    EscalateSerializer,
    EscalationSerializer,
    MilestoneSerializer,
    ReplySerializer,
    StatusSerializer,
    TextSerializer,
)


class QueuePagination(PageNumberPagination):
    """A page of the queue picked on the sort keys alone, then only its rows fetched with what a row shows: an
    account with thousands of cases no longer joins every one of them to its contact and assignee."""

    def paginate_queryset(self, queryset, request, view=None):
        page_ids = super().paginate_queryset(queryset.values_list("pk", flat=True), request, view)
        if page_ids is None:
            return None
        rows = queryset.filter(pk__in=page_ids).order_by().in_bulk()
        return [rows[pk] for pk in page_ids]


class CaseViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Support cases. Customers see and open their own account's; staff work every case. Internal notes are
    never in a customer's timeline."""

    queryset = Case.objects.all()
    serializer_class = CaseSerializer
    pagination_class = QueuePagination

    def scope_queryset(self, queryset):
        queryset = queryset.select_related("account", "contact", "assignee").with_urgency(
            vendor_today(), customer_view=not self.request.user.is_vendor_staff
        )
        params = self.request.query_params
        if status_filter := params.get("status"):
            queryset = queryset.filter(status=status_filter)
        if params.get("open", "").lower() in ("1", "true", "yes"):
            queryset = queryset.open()
        return queryset.queue_order()

    @extend_schema(request=CaseOpenSerializer, responses={201: CaseSerializer}, summary="Open a case")
    def create(self, request):
        payload = CaseOpenSerializer(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        user = request.user
        if user.is_customer_user:
            account = user.account
        elif data.get("account") is None:
            raise NotFound("Name the account.")
        else:
            account = get_object_or_404(Account.objects.visible_to(user), pk=data["account"].pk)
        case = services.case_open(
            actor=user,
            account=account,
            subject=data["subject"],
            description=data["description"],
            channel=data["channel"] if user.is_vendor_staff else Channel.API,
            severity=int(data["severity"]),
            contact=data.get("contact"),
        )
        case = self.get_queryset().get(pk=case.pk)
        return Response(CaseSerializer(case).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=CaseEntrySerializer(many=True), summary="The timeline you may read")
    @action(detail=True, methods=["get"], pagination_class=None)
    def timeline(self, request, pk=None):
        case = self.get_object()
        entries = case.entries.for_viewer(request.user).select_related("author")
        return Response(CaseEntrySerializer(entries, many=True).data)

    @extend_schema(responses=MilestoneSerializer(many=True), summary="SLA milestones")
    @action(detail=True, methods=["get"], pagination_class=None)
    def milestones(self, request, pk=None):
        milestones = self.get_object().milestones.for_viewer(request.user)
        return Response(MilestoneSerializer(milestones, many=True).data)

    @extend_schema(request=ReplySerializer, responses={201: CaseEntrySerializer}, summary="Post a public reply")
    @action(detail=True, methods=["post"])
    def reply(self, request, pk=None):
        case = self.get_object()
        payload = ReplySerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        entry = services.case_reply(
            actor=request.user,
            case=case,
            body=data["body"],
            channel=data["channel"] if request.user.is_vendor_staff else Channel.API,
            from_customer=data["from_customer"],
        )
        return Response(CaseEntrySerializer(entry).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=TextSerializer, responses={201: CaseEntrySerializer}, summary="Write an internal note (staff)"
    )
    @action(detail=True, methods=["post"])
    def note(self, request, pk=None):
        case = self.get_object()
        if not request.user.is_vendor_staff:
            raise PermissionDenied("Only vendor staff write internal notes.")
        payload = TextSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        entry = services.case_note(actor=request.user, case=case, body=payload.validated_data["body"])
        return Response(CaseEntrySerializer(entry).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=StatusSerializer, responses=CaseSerializer, summary="Change the status")
    @action(detail=True, methods=["post"])
    def status(self, request, pk=None):
        case = self.get_object()
        payload = StatusSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.case_set_status(actor=request.user, case=case, status=payload.validated_data["status"])
        return Response(CaseSerializer(self.get_queryset().get(pk=case.pk)).data)

    @extend_schema(request=EscalateSerializer, responses={201: EscalationSerializer}, summary="Escalate to the TAM")
    @action(detail=True, methods=["post"])
    def escalate(self, request, pk=None):
        case = self.get_object()
        if not request.user.is_vendor_staff:
            raise PermissionDenied("Only vendor staff escalate cases.")
        payload = EscalateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        escalation = services.case_escalate(actor=request.user, case=case, reason=payload.validated_data["reason"])
        return Response(EscalationSerializer(escalation).data, status=status.HTTP_201_CREATED)


class EscalationViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Escalations (staff). ``?mine=true``: the open ones waiting for your acknowledgement."""

    queryset = Escalation.objects.all()
    serializer_class = EscalationSerializer
    permission_classes = [IsVendorStaff]

    def scope_queryset(self, queryset):
        if self.request.query_params.get("mine", "").lower() in ("1", "true", "yes"):
            queryset = queryset.open().filter(escalated_to=self.request.user)
        return queryset.select_related("escalated_to").order_by("-escalated_at")

    @extend_schema(request=None, responses=EscalationSerializer, summary="Acknowledge")
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        escalation = self.get_object()
        if not request.user.is_tam_level:
            raise PermissionDenied("Only a TAM or TAM-level resource acknowledges an escalation.")
        escalation = services.escalation_acknowledge(actor=request.user, escalation=escalation)
        return Response(EscalationSerializer(escalation).data)
