from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action, api_view
from rest_framework.response import Response

from core.api import ScopedReadOnlyViewSet, ScopedViewSetMixin, validated
from core.models import Limits
from core.permissions import HasPortalRole, asks_service, require

from . import services
from .absences import require_may_manage_absences_of, require_may_record_absences
from .configuration import CONFIGURATION_ADMIN_ONLY
from .contracts import require_may_manage_contracts
from .models import Account, BusinessCalendar, Contract, TamAbsence, Tier
from .people import require_may_invite
from .quarters import vendor_today
from .roles import Role
from .serializers import (
    AccountSerializer,
    BusinessCalendarSerializer,
    ContractEndSerializer,
    ContractSerializer,
    InvitationSerializer,
    LimitsSerializer,
    MeSerializer,
    TamAbsenceSerializer,
    TierSerializer,
)


@extend_schema(responses=MeSerializer, summary="The signed-in user, with roles and account")
@api_view(["GET"])
def me(request):
    return Response(MeSerializer(request.user).data)


@extend_schema(methods=["GET"], responses=LimitsSerializer, summary="The notice periods and limits in force")
@extend_schema(
    methods=["PATCH"],
    request=LimitsSerializer,
    responses=LimitsSerializer,
    summary="Change notice periods and limits (administrators, with a recently entered password)",
)
@api_view(["GET", "PATCH"])
def limits(request):
    """Everyone signed in reads the limits the booking and renewal rules apply; administrators change them through
    the service the configuration page uses (its refusals, its words)."""
    if request.method == "GET":
        return Response(LimitsSerializer(Limits.current()).data)
    require(services.may_configure(request.user), CONFIGURATION_ADMIN_ONLY)
    payload = validated(LimitsSerializer, request, partial=True)
    saved = services.limits_save(actor=request.user, values=payload)
    return Response(LimitsSerializer(saved).data)


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
    """Contracts of the accounts you may see. Admins create, end and cancel them (with a recently entered
    password: 403 ``reauthentication_required`` otherwise)."""

    queryset = Contract.objects.all()
    serializer_class = ContractSerializer
    permission_classes = [
        asks_service(
            create=require_may_manage_contracts,
            change=lambda request, contract: require_may_manage_contracts(request.user),
        )
    ]

    def scope_queryset(self, queryset):
        return queryset.select_related("account", "tier")

    def perform_create(self, serializer):
        serializer.instance = services.contract_create(actor=self.request.user, **serializer.validated_data)

    @extend_schema(request=ContractEndSerializer, responses=ContractSerializer, summary="End a contract on a day")
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        contract = self.get_object()
        payload = validated(ContractEndSerializer, request)
        contract = services.contract_end(actor=request.user, contract=contract, **payload)
        return Response(ContractSerializer(contract).data)

    @extend_schema(request=None, responses=ContractSerializer, summary="Cancel a contract entered in error")
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        contract = self.get_object()
        contract = services.contract_cancel(actor=request.user, contract=contract)
        return Response(ContractSerializer(contract).data)


class TamAbsenceViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """TAM absences. Staff read all; customers read those of their own TAMs. A TAM manages their own,
    admins anyone's. Deleting an absence cancels it (customers are told); history is kept."""

    queryset = TamAbsence.objects.all()
    serializer_class = TamAbsenceSerializer
    permission_classes = [
        asks_service(
            create=require_may_record_absences,
            change=lambda request, absence: require_may_manage_absences_of(
                request.user, absence.tam, verb="cancel" if request.method == "DELETE" else "change"
            ),
        )
    ]
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def scope_queryset(self, queryset):
        queryset = queryset.select_related("tam")
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
        services.absence_update(
            actor=self.request.user,
            absence=absence,
            starts_at=data.get("starts_at", absence.starts_at),
            ends_at=data.get("ends_at", absence.ends_at),
            note=data.get("note", absence.note),
            tam=data.get("tam"),
        )

    def destroy(self, request, *args, **kwargs):
        absence = self.get_object()
        services.absence_cancel(actor=request.user, absence=absence)
        return Response(status=status.HTTP_204_NO_CONTENT)


class InvitationViewSet(viewsets.GenericViewSet):
    """Invite a person: admins invite anyone, a TAM customer users of the accounts they own. The person gets an
    e-mail with a link to choose a password. Needs a recently entered password (403
    ``reauthentication_required`` otherwise)."""

    serializer_class = InvitationSerializer
    permission_classes = [HasPortalRole, asks_service(create=require_may_invite)]

    @extend_schema(responses={201: MeSerializer}, summary="Invite a person by e-mail")
    def create(self, request):
        payload = self.get_serializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        invited = services.user_invite(actor=request.user, **{**data, "role": Role(data["role"])})
        return Response(MeSerializer(invited).data, status=status.HTTP_201_CREATED)
