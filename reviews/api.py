"""REST endpoints for releases, release previews and proactive reviews, with their items, findings, inventory
and recommendations nested. Scoping lives in ScopedViewSetMixin; every write asks its service's rule before it
reads the body (so a user the service refuses gets its 403 whatever they sent), then calls the service, whose
refusals core.api turns into 400 and 403 answers."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from accounts.models import Account
from core.api import ScopedViewSetMixin, validated

from . import selectors, services
from . import serializers as shapes
from .models import Finding, InventoryRow, PreviewSession, ProactiveReview, Recommendation, Release, ReleaseItem


class _ReadAndAct(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Lists and rows in the user's scope; writes through the services."""

    def target(self, rule):
        """The row of the URL, once the service's rule lets the user act on it."""
        row = self.get_object()
        rule.require(self.request.user, row)
        return row

    def parsed(self, shape, **kwargs) -> dict:
        return dict(validated(shape, self.request, **kwargs))

    def done(self, row, code=status.HTTP_200_OK) -> Response:
        """The row as the list shows it, re-read in scope."""
        return Response(self.get_serializer(self.get_queryset().get(pk=row.pk)).data, status=code)


class ReleaseViewSet(_ReadAndAct):
    """Product releases, newest version first, with their items. Customers see published releases; vendor
    staff see drafts too and add and change releases."""

    queryset = Release.objects.all()
    serializer_class = shapes.ReleaseSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def scope_queryset(self, queryset):
        if kind := self.request.query_params.get("kind"):
            queryset = queryset.filter(kind=kind)
        return queryset.prefetch_related("items").by_version()

    @extend_schema(
        request=shapes.ReleaseWriteSerializer, responses={201: serializer_class}, summary="Add a release (staff)"
    )
    def create(self, request):
        services.may_manage_releases.require(request.user)
        data = self.parsed(shapes.ReleaseWriteSerializer)
        return self.done(services.release_create(actor=request.user, **data), status.HTTP_201_CREATED)

    @extend_schema(
        request=shapes.ReleaseWriteSerializer, responses=serializer_class, summary="Change a release (staff)"
    )
    def partial_update(self, request, pk=None):
        release = self.target(services.may_manage_releases)
        changes = self.parsed(shapes.ReleaseWriteSerializer, partial=True)
        values = {**services.release_values(release), **changes}
        return self.done(services.release_update(actor=request.user, release=release, **values))

    @extend_schema(
        request=shapes.ReleaseItemWriteSerializer, responses={201: shapes.ReleaseItemSerializer}, summary="Add an item"
    )
    @action(detail=True, methods=["post"])
    def items(self, request, pk=None):
        release = self.target(services.may_manage_releases)
        data = self.parsed(shapes.ReleaseItemWriteSerializer)
        item = services.release_item_add(actor=request.user, release=release, **data)
        return Response(shapes.ReleaseItemSerializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None}, summary="Remove an item (staff)")
    @action(detail=True, methods=["delete"], url_path="items/<int:item_id>")
    def remove_item(self, request, pk=None, item_id=None):
        release = self.target(services.may_manage_releases)
        services.release_item_remove(
            actor=request.user, item=get_object_or_404(ReleaseItem, pk=item_id, release=release)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses=serializer_class, summary="Publish a draft (staff)")
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        release = self.target(services.may_manage_releases)
        return self.done(services.release_publish(actor=request.user, release=release))


class PreviewViewSet(_ReadAndAct):
    """Release previews. Customers read their own account's and may decline a planned one; TAMs plan, change
    and record them as held. ``?status=planned`` filters."""

    queryset = PreviewSession.objects.all()
    serializer_class = shapes.PreviewSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def scope_queryset(self, queryset):
        if status_filter := self.request.query_params.get("status"):
            queryset = queryset.filter(status=status_filter)
        return queryset.select_related("release", "account", "tam").prefetch_related("items").order_by("scheduled_at")

    @extend_schema(
        request=shapes.PreviewPlanSerializer, responses={201: serializer_class}, summary="Plan a preview (TAM)"
    )
    def create(self, request):
        services.may_plan_preview.require(request.user)
        data = self.parsed(shapes.PreviewPlanSerializer)
        release = get_object_or_404(Release.objects.visible_to(request.user), pk=data.pop("release").pk)
        account = get_object_or_404(Account.objects.visible_to(request.user), pk=data.pop("account").pk)
        preview = services.preview_plan(actor=request.user, release=release, account=account, **data)
        return self.done(preview, status.HTTP_201_CREATED)

    @extend_schema(request=shapes.PreviewWriteSerializer, responses=serializer_class, summary="Change a preview (TAM)")
    def partial_update(self, request, pk=None):
        preview = self.target(services.may_change_preview)
        changes = self.parsed(shapes.PreviewWriteSerializer, partial=True)
        values = {**services.preview_values(preview), **changes}
        return self.done(services.preview_update(actor=request.user, preview=preview, **values))

    @extend_schema(request=shapes.NotesSerializer, responses=serializer_class, summary="Record it as held (TAM)")
    @action(detail=True, methods=["post"])
    def hold(self, request, pk=None):
        preview = self.target(services.may_hold_preview)
        data = self.parsed(shapes.NotesSerializer)
        return self.done(services.preview_hold(actor=request.user, preview=preview, **data))

    @extend_schema(request=shapes.DeclineSerializer, responses=serializer_class, summary="Decline (the customer)")
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        preview = self.target(services.may_decline_preview)
        data = self.parsed(shapes.DeclineSerializer)
        return self.done(services.preview_decline(actor=request.user, preview=preview, **data))


class ReviewViewSet(_ReadAndAct):
    """Proactive system reviews (the quarterly job creates them). Customers read their own account's published
    reviews; TAMs schedule them, record findings, the inventory and recommendations, and publish.
    ``?status=due`` filters; ``?overdue=true`` lists reviews past their due date and not published."""

    queryset = ProactiveReview.objects.all()
    serializer_class = shapes.ReviewSerializer
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

    def _review(self) -> ProactiveReview:
        return self.target(services.may_work_on_review)

    @extend_schema(
        request=shapes.ReviewUpdateSerializer,
        responses=serializer_class,
        summary="Schedule the session, write the summary and monitoring tools (TAM)",
    )
    def partial_update(self, request, pk=None):
        review = self._review()
        data = self.parsed(shapes.ReviewUpdateSerializer)
        if "scheduled_at" in data:
            review = services.review_schedule(actor=request.user, review=review, scheduled_at=data["scheduled_at"])
        if "summary" in data or "monitoring_tools" in data:
            review = services.review_update(
                actor=request.user,
                review=review,
                summary=data.get("summary", review.summary),
                monitoring_tools=data.get("monitoring_tools", review.monitoring_tools),
            )
        return self.done(review)

    @extend_schema(
        request=shapes.FindingWriteSerializer, responses={201: shapes.FindingSerializer}, summary="Add a finding (TAM)"
    )
    @action(detail=True, methods=["post"])
    def findings(self, request, pk=None):
        review = self._review()
        finding = services.finding_add(actor=request.user, review=review, **self.parsed(shapes.FindingWriteSerializer))
        return Response(shapes.FindingSerializer(finding).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None}, summary="Remove a finding (TAM)")
    @action(detail=True, methods=["delete"], url_path="findings/<int:finding_id>")
    def remove_finding(self, request, pk=None, finding_id=None):
        finding = get_object_or_404(Finding, pk=finding_id, review=self._review())
        services.finding_remove(actor=request.user, finding=finding)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request={"multipart/form-data": shapes.InventoryUploadSerializer},
        responses={
            200: shapes.InventoryRowSerializer(many=True),
            400: OpenApiResponse(shapes.InventoryRefusalSerializer, description="The bad lines; nothing was imported."),
        },
        summary="Upload the inventory CSV, replacing the inventory (TAM)",
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def inventory(self, request, pk=None):
        review = self._review()
        upload = self.parsed(shapes.InventoryUploadSerializer)["file"]
        rows = services.inventory_import_csv(actor=request.user, review=review, upload=upload)
        return Response(shapes.InventoryRowSerializer(rows, many=True).data)

    @extend_schema(
        request=shapes.InventoryRowWriteSerializer,
        responses={201: shapes.InventoryRowSerializer},
        summary="Type in one file type's count and bytes (TAM)",
    )
    @action(detail=True, methods=["post"], url_path="inventory-rows")
    def inventory_rows(self, request, pk=None):
        review = self._review()
        data = self.parsed(shapes.InventoryRowWriteSerializer)
        row = services.inventory_set_row(actor=request.user, review=review, **data)
        return Response(shapes.InventoryRowSerializer(row).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None}, summary="Remove one file type (TAM)")
    @action(detail=True, methods=["delete"], url_path="inventory-rows/<int:row_id>")
    def remove_inventory_row(self, request, pk=None, row_id=None):
        row = get_object_or_404(InventoryRow, pk=row_id, review=self._review())
        services.inventory_remove_row(actor=request.user, row=row)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=shapes.RecommendationWriteSerializer,
        responses={201: shapes.RecommendationSerializer},
        summary="Recommend (TAM)",
    )
    @action(detail=True, methods=["post"])
    def recommendations(self, request, pk=None):
        review = self._review()
        data = self.parsed(shapes.RecommendationWriteSerializer)
        recommendation = services.recommendation_add(actor=request.user, review=review, **data)
        return Response(shapes.RecommendationSerializer(recommendation).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=shapes.RecommendationStatusSerializer,
        responses=shapes.RecommendationSerializer,
        summary="Track a recommendation: accepted, done, declined (TAM)",
    )
    @action(detail=True, methods=["patch"], url_path="recommendations/<int:recommendation_id>")
    def recommendation_status(self, request, pk=None, recommendation_id=None):
        recommendation = get_object_or_404(Recommendation, pk=recommendation_id, review=self._review())
        data = self.parsed(shapes.RecommendationStatusSerializer)
        recommendation = services.recommendation_set_status(actor=request.user, recommendation=recommendation, **data)
        return Response(shapes.RecommendationSerializer(recommendation).data)

    @extend_schema(request=None, responses=serializer_class, summary="Record the session as held (TAM)")
    @action(detail=True, methods=["post"])
    def hold(self, request, pk=None):
        return self.done(services.review_hold(actor=request.user, review=self._review()))

    @extend_schema(request=None, responses=serializer_class, summary="Publish to the customer (TAM)")
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        return self.done(services.review_publish(actor=request.user, review=self._review()))
