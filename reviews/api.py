"""REST endpoints for releases, release previews and proactive reviews, with their items, findings, inventory
and recommendations nested. Scoping lives in ScopedViewSetMixin; every write calls a service."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response

from accounts.api_base import ScopedViewSetMixin
from accounts.models import Account
from accounts.permissions import IsTamOrReadOnly

from . import selectors, services
from .models import Finding, InventoryRow, PreviewSession, ProactiveReview, Recommendation, Release, ReleaseItem
from .serializers import (
    DeclineSerializer,
    FindingSerializer,
    InventoryRefusalSerializer,
    InventoryRowSerializer,
    InventoryUploadSerializer,
    NotesSerializer,
    PreviewPlanSerializer,
    PreviewSerializer,
    PreviewUpdateSerializer,
    RecommendationSerializer,
    RecommendationStatusSerializer,
    ReleaseItemSerializer,
    ReleaseItemWriteSerializer,
    ReleaseSerializer,
    ReleaseWriteSerializer,
    ReviewSerializer,
    ReviewUpdateSerializer,
)


class IsStaffOrReadOnly(BasePermission):
    """Anyone signed in reads (within their scope); vendor staff write."""

    message = "Only vendor staff change releases."

    def has_permission(self, request, view):
        user = request.user
        if not user or not user.is_authenticated:
            return False
        return request.method in SAFE_METHODS or user.is_vendor_staff


class ReleaseViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Product releases, newest version first, with their items. Customers see published releases; vendor
    staff see drafts too and add and change releases."""

    queryset = Release.objects.all()
    serializer_class = ReleaseSerializer
    permission_classes = [IsStaffOrReadOnly]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def scope_queryset(self, queryset):
        params = self.request.query_params
        if kind := params.get("kind"):
            queryset = queryset.filter(kind=kind)
        return queryset.prefetch_related("items").by_version()

    def _done(self, release, code=status.HTTP_200_OK):
        return Response(ReleaseSerializer(self.get_queryset().get(pk=release.pk)).data, status=code)

    @extend_schema(request=ReleaseWriteSerializer, responses={201: ReleaseSerializer}, summary="Add a release (staff)")
    def create(self, request):
        payload = ReleaseWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        release = services.release_create(actor=request.user, **payload.validated_data)
        return self._done(release, status.HTTP_201_CREATED)

    @extend_schema(request=ReleaseWriteSerializer, responses=ReleaseSerializer, summary="Change a release (staff)")
    def partial_update(self, request, pk=None):
        release = self.get_object()
        current = {
            "product": release.product,
            "version": release.version,
            "kind": release.kind,
            "planned_date": release.planned_date,
            "actual_date": release.actual_date,
            "notes": release.notes,
            "published": release.published,
        }
        if not isinstance(request.data, dict):
            raise ValidationError({"non_field_errors": ["Send an object of the fields to change."]})
        payload = ReleaseWriteSerializer(data={**current, **request.data})
        payload.is_valid(raise_exception=True)
        release = services.release_update(actor=request.user, release=release, **payload.validated_data)
        return self._done(release)

    @extend_schema(request=ReleaseItemWriteSerializer, responses={201: ReleaseItemSerializer}, summary="Add an item")
    @action(detail=True, methods=["post"])
    def items(self, request, pk=None):
        release = self.get_object()
        payload = ReleaseItemWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        item = services.release_item_add(actor=request.user, release=release, **payload.validated_data)
        return Response(ReleaseItemSerializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None}, summary="Remove an item (staff)")
    @action(detail=True, methods=["delete"], url_path="items/<int:item_id>")
    def remove_item(self, request, pk=None, item_id=None):
        item = get_object_or_404(ReleaseItem, pk=item_id, release=self.get_object())
        services.release_item_remove(actor=request.user, item=item)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses=ReleaseSerializer, summary="Publish a draft (staff)")
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        return self._done(services.release_publish(actor=request.user, release=self.get_object()))


class PreviewViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Release previews. Customers read their own account's and may decline a planned one; TAMs plan, change
    and record them as held. ``?status=planned`` filters."""

    queryset = PreviewSession.objects.all()
    serializer_class = PreviewSerializer
    permission_classes = [IsTamOrReadOnly]
    customer_actions = ("decline",)
    http_method_names = ["get", "post", "patch", "head", "options"]

    def scope_queryset(self, queryset):
        if status_filter := self.request.query_params.get("status"):
            queryset = queryset.filter(status=status_filter)
        return queryset.select_related("release", "account", "tam").prefetch_related("items").order_by("scheduled_at")

    def _done(self, preview, code=status.HTTP_200_OK):
        return Response(PreviewSerializer(self.get_queryset().get(pk=preview.pk)).data, status=code)

    def _items(self, release, ids):
        if ids is None:
            return None
        items = list(ReleaseItem.objects.filter(release=release, pk__in=ids))
        if len(items) != len(set(ids)):
            raise ValidationError({"items": [f"Choose items of {release} only."]})
        return items

    @extend_schema(request=PreviewPlanSerializer, responses={201: PreviewSerializer}, summary="Plan a preview (TAM)")
    def create(self, request):
        payload = PreviewPlanSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        release = get_object_or_404(Release.objects.visible_to(request.user), pk=data["release"].pk)
        account = get_object_or_404(Account.objects.visible_to(request.user), pk=data["account"].pk)
        preview = services.preview_plan(
            actor=request.user,
            release=release,
            account=account,
            scheduled_at=data["scheduled_at"],
            duration_minutes=data["duration_minutes"],
            items=self._items(release, data.get("items")),
            uses_replica=data["uses_replica"],
            attendees=data["attendees"],
            notes=data["notes"],
            coordinate_myself=data["coordinate_myself"],
        )
        return self._done(preview, status.HTTP_201_CREATED)

    @extend_schema(request=PreviewUpdateSerializer, responses=PreviewSerializer, summary="Change a preview (TAM)")
    def partial_update(self, request, pk=None):
        preview = self.get_object()
        payload = PreviewUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        items = self._items(preview.release, data.get("items"))
        services.preview_update(
            actor=request.user,
            preview=preview,
            scheduled_at=data.get("scheduled_at", preview.scheduled_at),
            duration_minutes=data.get("duration_minutes", preview.duration_minutes),
            items=preview.items.all() if items is None else items,
            uses_replica=data.get("uses_replica", preview.uses_replica),
            attendees=data.get("attendees", preview.attendees),
            notes=data.get("notes", preview.notes),
            coordinate_myself=data["coordinate_myself"],
        )
        return self._done(preview)

    @extend_schema(request=NotesSerializer, responses=PreviewSerializer, summary="Record it as held (TAM)")
    @action(detail=True, methods=["post"])
    def hold(self, request, pk=None):
        preview = self.get_object()
        payload = NotesSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.preview_hold(actor=request.user, preview=preview, notes=payload.validated_data["notes"])
        return self._done(preview)

    @extend_schema(request=DeclineSerializer, responses=PreviewSerializer, summary="Decline (the customer)")
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        preview = self.get_object()
        payload = DeclineSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.preview_decline(actor=request.user, preview=preview, reason=payload.validated_data["reason"])
        return self._done(preview)


class ReviewViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Proactive system reviews (the quarterly job creates them). Customers read their own account's published
    reviews; TAMs schedule them, record findings, the inventory and recommendations, and publish.
    ``?status=due`` filters; ``?overdue=true`` lists reviews past their due date and not published."""

    queryset = ProactiveReview.objects.all()
    serializer_class = ReviewSerializer
    permission_classes = [IsTamOrReadOnly]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def scope_queryset(self, queryset):
        params = self.request.query_params
        if status_filter := params.get("status"):
            queryset = queryset.filter(status=status_filter)
        if params.get("overdue", "").lower() in ("1", "true", "yes"):
            queryset = queryset.filter(pk__in=selectors.overdue_reviews().values("pk"))
        return (
            queryset.select_related("account", "tam")
            .prefetch_related(
                "findings", "inventory", Prefetch("recommendations", queryset=Recommendation.objects.order_by("id"))
            )
            .order_by("-quarter_start", "account__name")
        )

    def _done(self, review, code=status.HTTP_200_OK):
        return Response(ReviewSerializer(self.get_queryset().get(pk=review.pk)).data, status=code)

    @extend_schema(
        request=ReviewUpdateSerializer,
        responses=ReviewSerializer,
        summary="Schedule the session, write the summary and monitoring tools (TAM)",
    )
    def partial_update(self, request, pk=None):
        review = self.get_object()
        payload = ReviewUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        if "scheduled_at" in data:
            review = services.review_schedule(actor=request.user, review=review, scheduled_at=data["scheduled_at"])
        if "summary" in data or "monitoring_tools" in data:
            review = services.review_update(
                actor=request.user,
                review=review,
                summary=data.get("summary", review.summary),
                monitoring_tools=data.get("monitoring_tools", review.monitoring_tools),
            )
        return self._done(review)

    @extend_schema(request=FindingSerializer, responses={201: FindingSerializer}, summary="Add a finding (TAM)")
    @action(detail=True, methods=["post"])
    def findings(self, request, pk=None):
        review = self.get_object()
        payload = FindingSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        finding = services.finding_add(actor=request.user, review=review, **payload.validated_data)
        return Response(FindingSerializer(finding).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None}, summary="Remove a finding (TAM)")
    @action(detail=True, methods=["delete"], url_path="findings/<int:finding_id>")
    def remove_finding(self, request, pk=None, finding_id=None):
        finding = get_object_or_404(Finding, pk=finding_id, review=self.get_object())
        services.finding_remove(actor=request.user, finding=finding)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request={"multipart/form-data": InventoryUploadSerializer},
        responses={
            200: InventoryRowSerializer(many=True),
            400: OpenApiResponse(InventoryRefusalSerializer, description="The bad lines; nothing was imported."),
        },
        summary="Upload the inventory CSV, replacing the inventory (TAM)",
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def inventory(self, request, pk=None):
        review = self.get_object()
        payload = InventoryUploadSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            rows = services.inventory_import_csv(
                actor=request.user, review=review, upload=payload.validated_data["file"]
            )
        except services.InventoryFileRefused as refused:
            raise ValidationError({"file": [refused.message, *refused.lines]}) from refused
        return Response(InventoryRowSerializer(rows, many=True).data)

    @extend_schema(
        request=InventoryRowSerializer,
        responses={201: InventoryRowSerializer},
        summary="Type in one file type's count and bytes (TAM)",
    )
    @action(detail=True, methods=["post"], url_path="inventory-rows")
    def inventory_rows(self, request, pk=None):
        review = self.get_object()
        payload = InventoryRowSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        row = services.inventory_set_row(actor=request.user, review=review, **payload.validated_data)
        return Response(InventoryRowSerializer(row).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None}, summary="Remove one file type (TAM)")
    @action(detail=True, methods=["delete"], url_path="inventory-rows/<int:row_id>")
    def remove_inventory_row(self, request, pk=None, row_id=None):
        row = get_object_or_404(InventoryRow, pk=row_id, review=self.get_object())
        services.inventory_remove_row(actor=request.user, row=row)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=RecommendationSerializer, responses={201: RecommendationSerializer}, summary="Recommend (TAM)"
    )
    @action(detail=True, methods=["post"])
    def recommendations(self, request, pk=None):
        review = self.get_object()
        payload = RecommendationSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        recommendation = services.recommendation_add(actor=request.user, review=review, **payload.validated_data)
        return Response(RecommendationSerializer(recommendation).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=RecommendationStatusSerializer,
        responses=RecommendationSerializer,
        summary="Track a recommendation: accepted, done, declined (TAM)",
    )
    @action(detail=True, methods=["patch"], url_path="recommendations/<int:recommendation_id>")
    def recommendation_status(self, request, pk=None, recommendation_id=None):
        recommendation = get_object_or_404(Recommendation, pk=recommendation_id, review=self.get_object())
        payload = RecommendationStatusSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        recommendation = services.recommendation_set_status(
            actor=request.user, recommendation=recommendation, status=payload.validated_data["status"]
        )
        return Response(RecommendationSerializer(recommendation).data)

    @extend_schema(request=None, responses=ReviewSerializer, summary="Record the session as held (TAM)")
    @action(detail=True, methods=["post"])
    def hold(self, request, pk=None):
        return self._done(services.review_hold(actor=request.user, review=self.get_object()))

    @extend_schema(request=None, responses=ReviewSerializer, summary="Publish to the customer (TAM)")
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        return self._done(services.review_publish(actor=request.user, review=self.get_object()))
