import datetime as dt

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from accounts.api import AccountViewSet
from accounts.models import Account
from core.api import ScopedViewSetMixin, validated

from . import booking, lifecycle
from .models import CreditEntry, MaintenanceEvent
from .querysets import with_credit_balance
from .serializers import (
    AccountWithCreditsSerializer,
    CreditEntrySerializer,
    EventBookSerializer,
    EventCancelSerializer,
    EventCompleteSerializer,
    EventNoShowSerializer,
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
    """Planned maintenance events. Customers see and book their own account's; staff all. Each action calls the
    service the page calls: who may act is the service's answer (403), a refusal its message (400)."""

    queryset = MaintenanceEvent.objects.all()
    serializer_class = MaintenanceEventSerializer

    def scope_queryset(self, queryset):
        queryset = queryset.select_related("account", "performing_tam")
        if status_filter := self.request.query_params.get("status"):
            queryset = queryset.filter(status=status_filter)
        return queryset.order_by("starts_at")

    def _account(self) -> Account:
        """A customer's own account, or the one staff name (only among those they may see: 404 otherwise)."""
        user = self.request.user
        if user.is_customer_user:
            return user.account
        slug = self.request.data.get("account") if hasattr(self.request.data, "get") else None
        account = Account.objects.visible_to(user).filter(slug=slug).first() if isinstance(slug, str) else None
        if account is None:
            raise NotFound("Name an account you may book for (its slug).")
        return account

    def _event(self, name: str) -> MaintenanceEvent:
        """The event (404 when not the user's to see), once the service says the user may take this action: the
        refusal comes before the input is read, as on the page."""
        event = self.get_object()
        lifecycle.authorize(name, actor=self.request.user, event=event)
        return event

    def _input(self, serializer_class) -> dict:
        return validated(serializer_class, self.request, context=self.get_serializer_context())

    def _done(self, event):
        event.refresh_from_db()
        return Response(MaintenanceEventSerializer(event, context=self.get_serializer_context()).data)

    @extend_schema(request=EventBookSerializer, responses={201: MaintenanceEventSerializer}, summary="Book an event")
    def create(self, request):
        account = self._account()
        booking.authorize_booking(actor=request.user, account=account)  # before the input is read, as on the page
        data = self._input(EventBookSerializer)
        event = booking.event_book(
            actor=request.user,
            account=account,
            scope=data["scope"],
            description=data["description"],
            starts_at=data["starts_at"],
            duration=dt.timedelta(minutes=data["duration_minutes"]),
            critical=data["critical"],
            critical_justification=data["critical_justification"],
        )
        return Response(
            MaintenanceEventSerializer(event, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=None, responses=MaintenanceEventSerializer, summary="The TAM confirms")
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        event = self._event("confirm")
        lifecycle.event_confirm(actor=request.user, event=event)
        return self._done(event)

    @extend_schema(request=EventProposeSerializer, responses=MaintenanceEventSerializer, summary="Propose a time")
    @action(detail=True, methods=["post"])
    def propose(self, request, pk=None):
        event = self._event("propose")
        data = self._input(EventProposeSerializer)
        lifecycle.event_propose(
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
        event = self._event("accept")
        lifecycle.event_accept_proposal(actor=request.user, event=event)
        return self._done(event)

    @extend_schema(request=EventCompleteSerializer, responses=MaintenanceEventSerializer, summary="Record the outcome")
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        event = self._event("complete")
        data = self._input(EventCompleteSerializer)
        lifecycle.event_complete(
            actor=request.user,
            event=event,
            outcome=data["outcome"],
            actual_duration=dt.timedelta(minutes=data["actual_minutes"]),
            notes=data["notes"],
        )
        return self._done(event)

    @extend_schema(
        request=EventCancelSerializer,
        responses=MaintenanceEventSerializer,
        summary="Cancel, on the customer's or the vendor's behalf",
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        event = self._event("cancel")
        data = self._input(EventCancelSerializer)
        lifecycle.event_cancel(
            actor=request.user, event=event, on_behalf_of=data["on_behalf_of"], reason=data["reason"]
        )
        return self._done(event)

    @extend_schema(request=EventNoShowSerializer, responses=MaintenanceEventSerializer, summary="Record a no-show")
    @action(detail=True, methods=["post"], url_path="no-show")
    def no_show(self, request, pk=None):
        event = self._event("no-show")
        data = self._input(EventNoShowSerializer)
        lifecycle.event_mark_no_show(actor=request.user, event=event, reason=data["reason"])
        return self._done(event)
