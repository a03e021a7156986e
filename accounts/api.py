from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action, api_view
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from . import services
from .api_base import ScopedReadOnlyViewSet, ScopedViewSetMixin
from .models import Account, BusinessCalendar, Contract, TamAbsence, Tier
from .permissions import IsAbsenceManagerOrReadOnly, IsPortalAdminOrReadOnly
from .quarters import vendor_today
from .serializers import (
    AccountSerializer,
    BusinessCalendarSerializer,
    ContractEndSerializer,
    ContractSerializer,
    MeSerializer,
    TamAbsenceSerializer,
    TierSerializer,
)


@extend_schema(responses=MeSerializer, summary="The signed-in user, with roles and account")
@api_view(["GET"])
def me(request):
    return Response(MeSerializer(request.user).data)


@extend_schema_view(
    list=extend_schema(
        summary="Customer accounts you may see",
        parameters=[
            OpenApiParameter("mine", OpenApiTypes.BOOL, description="Only accounts you own as primary or backup TAM")
        ],
    )
)
class AccountViewSet(ScopedReadOnlyViewSet):
    """Customer users see their own account; vendor staff see all."""

    queryset = Account.objects.all()
    serializer_class = AccountSerializer
    lookup_field = "slug"

    def scope_queryset(self, queryset):
        if self.request.query_params.get("mine", "").lower() in ("1", "true", "yes"):
            queryset = queryset.owned_by(self.request.user)
        return queryset.select_related("calendar").with_coverage(vendor_today())


class TierViewSet(ScopedReadOnlyViewSet):
    queryset = Tier.objects.all()
    serializer_class = TierSerializer


class BusinessCalendarViewSet(ScopedReadOnlyViewSet):
    queryset = BusinessCalendar.objects.all()
    serializer_class = BusinessCalendarSerializer

    def scope_queryset(self, queryset):
        return queryset.prefetch_related("intervals", "holidays")


class ContractViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Contracts of the accounts you may see. Admins create, end and cancel them."""

    queryset = Contract.objects.all()
    serializer_class = ContractSerializer
    permission_classes = [IsPortalAdminOrReadOnly]

    def scope_queryset(self, queryset):
        return queryset.select_related("account", "tier")

    def perform_create(self, serializer):
        serializer.instance = services.contract_create(actor=self.request.user, **serializer.validated_data)

    @extend_schema(request=ContractEndSerializer, responses=ContractSerializer, summary="End a contract on a day")
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        contract = self.get_object()
        payload = ContractEndSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.contract_end(actor=request.user, contract=contract, **payload.validated_data)
        return Response(ContractSerializer(contract).data)

    @extend_schema(request=None, responses=ContractSerializer, summary="Cancel a contract entered in error")
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        contract = self.get_object()
        services.contract_cancel(actor=request.user, contract=contract)
        return Response(ContractSerializer(contract).data)


class TamAbsenceViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """TAM absences. Staff read all; customers read those of their own TAMs. A TAM manages their own,
    admins anyone's. Deleting an absence cancels it (customers are told); history is kept."""

    queryset = TamAbsence.objects.all()
    serializer_class = TamAbsenceSerializer
    permission_classes = [IsAbsenceManagerOrReadOnly]
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def scope_queryset(self, queryset):
        queryset = queryset.select_related("tam")
        user = self.request.user
        if self.request.method not in SAFE_METHODS and not user.is_portal_admin:
            queryset = queryset.filter(tam=user)
        if self.request.query_params.get("current", "").lower() in ("1", "true", "yes"):
            queryset = queryset.not_over(timezone.now())
        return queryset

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.absence_record(
            actor=self.request.user,
            tam=data.get("tam", self.request.user),
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            note=data.get("note", ""),
        )

    def perform_update(self, serializer):
        absence = serializer.instance
        data = serializer.validated_data
        if "tam" in data and data["tam"].pk != absence.tam_id:
            raise PermissionDenied("An absence cannot be moved to another person.")
        services.absence_update(
            actor=self.request.user,
            absence=absence,
            starts_at=data.get("starts_at", absence.starts_at),
            ends_at=data.get("ends_at", absence.ends_at),
            note=data.get("note", absence.note),
        )

    def destroy(self, request, *args, **kwargs):
        absence = self.get_object()
        services.absence_cancel(actor=request.user, absence=absence)
        return Response(status=status.HTTP_204_NO_CONTENT)
