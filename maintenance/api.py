import datetime as dt

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from accounts.api import AccountViewSet
from accounts.api_base import ScopedViewSetMixin
from accounts.models import Account
from accounts.permissions import IsTamOrReadOnly

from . import services
from .models import CreditEntry, MaintenanceEvent
from .querysets import with_credit_balance
from .serializers import (
    AccountWithCreditsSerializer,
    CreditEntrySerializer,
    EventBookSerializer,
    EventCancelSerializer,
    EventCompleteSerializer,
    EventProposeSerializer,
    MaintenanceEventSerializer,
)


class AccountWithCreditsViewSet(AccountViewSet):
    """Customer accounts with their maintenance credits (events_available, events_reserved)."""

    serializer_class = AccountWithCreditsSerializer

    def scope_queryset(self, queryset):
        return with_credit_balance(super().scope_queryset(queryset))

    @extend_schema(responses=CreditEntrySerializer(many=True), summary="The account's credit ledger, newest first")
    @action(detail=True, methods=["get"])
    def ledger(self, request, slug=None):
        account = self.get_object()
        entries = CreditEntry.objects.filter(account=account).order_by("-created_at", "-id")
        page = self.paginate_queryset(entries)
        return self.get_paginated_response(CreditEntrySerializer(page, many=True).data)


class MaintenanceEventViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Planned maintenance events. Customers see and book their own account's; staff all. The lifecycle
    actions apply the same rules as the pages."""

    queryset = MaintenanceEvent.objects.all()
    serializer_class = MaintenanceEventSerializer
    permission_classes = [IsTamOrReadOnly]
    customer_actions = ("create", "accept", "cancel")

    def scope_queryset(self, queryset):
        queryset = queryset.select_related("account", "performing_tam")
        if status_filter := self.request.query_params.get("status"):
            queryset = queryset.filter(status=status_filter)
        return queryset.order_by("starts_at")

    def _account(self, data) -> Account:
        user = self.request.user
        if user.is_customer_user:
            return user.account
        account = data.get("account")
        if account is None:
            raise NotFound("Name the account to book for.")
        return get_object_or_404(Account.objects.visible_to(user), pk=account.pk)

    @extend_schema(request=EventBookSerializer, responses={201: MaintenanceEventSerializer}, summary="Book an event")
    def create(self, request):
        payload = EventBookSerializer(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        event = services.event_book(
            actor=request.user,
            account=self._account(data),
            scope=data["scope"],
            description=data["description"],
            starts_at=data["starts_at"],
            duration=dt.timedelta(minutes=data["duration_minutes"]),
            critical=data["critical"],
            critical_justification=data["critical_justification"],
        )
        return Response(MaintenanceEventSerializer(event).data, status=status.HTTP_201_CREATED)

    def _done(self, event):
        event.refresh_from_db()
        return Response(MaintenanceEventSerializer(event).data)

    @extend_schema(request=None, responses=MaintenanceEventSerializer, summary="The TAM confirms")
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        event = self.get_object()
        services.event_confirm(actor=request.user, event=event)
        return self._done(event)

    @extend_schema(request=EventProposeSerializer, responses=MaintenanceEventSerializer, summary="Propose a time")
    @action(detail=True, methods=["post"])
    def propose(self, request, pk=None):
        event = self.get_object()
        payload = EventProposeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        services.event_propose(
            actor=request.user,
            event=event,
            starts_at=data["starts_at"],
            duration=dt.timedelta(minutes=data["duration_minutes"]),
            note=data["note"],
        )
        return self._done(event)

    @extend_schema(request=None, responses=MaintenanceEventSerializer, summary="Accept the proposed time")
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        event = self.get_object()
        services.event_accept_proposal(actor=request.user, event=event)
        return self._done(event)

    @extend_schema(request=EventCompleteSerializer, responses=MaintenanceEventSerializer, summary="Record the outcome")
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        event = self.get_object()
        payload = EventCompleteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.event_complete(
            actor=request.user,
            event=event,
            outcome=payload.validated_data["outcome"],
            actual_duration=payload.validated_duration(),
            notes=payload.validated_data["notes"],
        )
        return self._done(event)

    @extend_schema(request=EventCancelSerializer, responses=MaintenanceEventSerializer, summary="Cancel")
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        event = self.get_object()
        payload = EventCancelSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.event_cancel(actor=request.user, event=event, reason=payload.validated_data["reason"])
        return self._done(event)

    @extend_schema(request=EventCancelSerializer, responses=MaintenanceEventSerializer, summary="Record a no-show")
    @action(detail=True, methods=["post"], url_path="no-show")
    def no_show(self, request, pk=None):
        event = self.get_object()
        payload = EventCancelSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.event_cancel(actor=request.user, event=event, reason=payload.validated_data["reason"], no_show=True)
        return self._done(event)
