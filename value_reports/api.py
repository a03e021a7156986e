"""The value reports and the renewals in the API. The services decide who may; a refusal is the same 403 with the
same words as on the pages."""

from django.shortcuts import get_object_or_404
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action, api_view, permission_classes
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from accounts.models import Account, Contract
from accounts.quarters import vendor_today
from accounts.renewals import (
    account_set_renewal_notices,
    contract_renew,
    contract_set_renewal_terms,
    require_may_manage_renewals,
    with_renewal,
)
from core.api import ScopedReadOnlyViewSet, ScopedViewSetMixin, validated
from core.permissions import HasPortalRole

from . import services
from .forms import RenewalFilterForm
from .models import ValueReport
from .renewals import renewal_rows
from .serializers import (
    RenewalListSerializer,
    RenewalNoticesSerializer,
    RenewalSerializer,
    RenewSerializer,
    SubscriptionSerializer,
    TermsSerializer,
    ValueReportSerializer,
)


class ReadsReports(BasePermission):
    def has_permission(self, request, view):
        if view.action != "subscription":
            services.require_may_read_reports(request.user)
        return True


class ValueReportViewSet(ScopedReadOnlyViewSet):
    """Quarterly ESS value reports: a customer user's own account's, a TAM's accounts', an administrator's all."""

    queryset = ValueReport.objects.all()
    serializer_class = ValueReportSerializer
    permission_classes = [ReadsReports]

    def scope_queryset(self, queryset):
        return queryset.select_related("account").order_by("-quarter_start", "account__name")

    @extend_schema(request=SubscriptionSerializer, responses=SubscriptionSerializer, summary="Receive it by e-mail")
    @action(detail=False, methods=["post"])
    def subscription(self, request):
        payload = validated(SubscriptionSerializer, request)
        subscribed = services.report_subscription_set(actor=request.user, **payload)
        return Response({"subscribed": subscribed})


class ManagesRenewals(BasePermission):
    """The renewals are the administrators': the service's own question, before the body is read."""

    def has_permission(self, request, view):
        require_may_manage_renewals(request.user)
        return True


_FILTERS = [
    OpenApiParameter("days", OpenApiTypes.INT, description="Ending within this many days (default 90)"),
    OpenApiParameter("state", OpenApiTypes.STR, description="active, renewal due, renewed or lapsed"),
    OpenApiParameter("tier", OpenApiTypes.INT, description="A tier's id"),
    OpenApiParameter("tam", OpenApiTypes.INT, description="The account's TAM (a user id)"),
]


class _WindowSchema(AutoSchema):
    """The renewals list answers one object (the day, the window and its rows), not a bare array."""

    def _is_list_view(self, serializer=None) -> bool:
        return False


@extend_schema_view(
    list=extend_schema(
        parameters=_FILTERS, responses=RenewalListSerializer, summary="Contracts ending soon, with what is at stake"
    )
)
class RenewalViewSet(ScopedViewSetMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Contracts ending within ``days`` (and those ended in the last 30 days) with the credits banked, open cases,
    this quarter's SLA compliance and the TAM; renew one, or set its renewal terms. Administrators only."""

    queryset = Contract.objects.all()
    serializer_class = RenewalSerializer
    permission_classes = [ManagesRenewals]
    pagination_class = None
    schema = _WindowSchema()

    def scope_queryset(self, queryset):
        return with_renewal(queryset).select_related("account", "tier")

    def list(self, request):
        """The page's own filter form reads the query: a window of 1 to 3,650 days, a known state, tier or TAM; anything
        else is a 400 with the form's words."""
        filters = RenewalFilterForm(request.query_params)
        if not filters.is_valid():
            raise ValidationError(filters.errors)
        chosen = filters.cleaned_data
        today, days = vendor_today(), chosen.get("days") or 90
        rows = renewal_rows(
            today=today, days=days, state=chosen.get("state") or "", tier=chosen.get("tier"), tam=chosen.get("tam")
        )
        return Response(RenewalListSerializer({"today": today, "days": days, "results": rows}).data)

    @extend_schema(request=RenewSerializer, summary="Renew: a new contract from the day after this one ends")
    @action(detail=True, methods=["post"])
    def renew(self, request, pk=None):
        contract = self.get_object()
        payload = validated(RenewSerializer, request)
        renewal = contract_renew(actor=request.user, contract=contract, **payload)
        return Response(_contract(renewal), status=201)

    @extend_schema(request=TermsSerializer, summary="Set the renewal terms")
    @action(detail=True, methods=["post"])
    def terms(self, request, pk=None):
        contract = self.get_object()
        payload = validated(TermsSerializer, request)
        contract = contract_set_renewal_terms(actor=request.user, contract=contract, **payload)
        return Response(_contract(contract))


def _contract(contract: Contract) -> dict:
    return {
        "id": contract.pk,
        "account": contract.account.slug,
        "tier": contract.tier.name,
        "start_date": contract.start_date,
        "end_date": contract.end_date,
        "renews_automatically": contract.renews_automatically,
        "notice_days": contract.notice_days,
        "renewal_term_months": contract.renewal_term_months,
    }


@extend_schema(request=RenewalNoticesSerializer, responses=RenewalNoticesSerializer, summary="Renewal reminders")
@api_view(["POST"])
@permission_classes([HasPortalRole])
def renewal_notices(request, slug):
    """Whether the account's users get its contract renewal reminders: its own users decide, or an administrator.
    Another account is a 404, like a missing one."""
    account = get_object_or_404(Account.objects.visible_to(request.user), slug=slug)
    payload = validated(RenewalNoticesSerializer, request)
    account = account_set_renewal_notices(actor=request.user, account=account, **payload)
    return Response({"to_contacts": account.renewal_notices_to_contacts})
