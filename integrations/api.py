"""The integrations API: one's API tokens (admins: service tokens too), webhook endpoints and their deliveries.
Each write calls the same service as the page, which decides who may (403) and what is acceptable (400), so both
answer alike. Making a token or registering an endpoint is privileged: a token gets 403
``reauthentication_required`` there, always. Webhook endpoints and deliveries need the ``webhooks`` scope."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from core.api import ScopedViewSetMixin, validated
from core.permissions import asks_service, require

from . import tokens, webhooks
from .models import ApiToken, Scope, WebhookEndpoint, WebhookMessage
from .serializers import (
    ApiTokenSerializer,
    EndpointRegisterSerializer,
    EndpointWriteSerializer,
    NewApiTokenSerializer,
    ServiceTokenCreateSerializer,
    TokenCreateSerializer,
    WebhookEndpointSerializer,
    WebhookMessageSerializer,
)


def _may_revoke(request, token) -> None:
    require(tokens.may_revoke_token(request.user, token), tokens.OWN_TOKENS_ONLY)


def _created(token: ApiToken, value: str) -> Response:
    token.token = value
    return Response(NewApiTokenSerializer(token).data, status=status.HTTP_201_CREATED)


class ApiTokenViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Your API tokens (admins also see the service tokens). ``DELETE`` revokes one at once."""

    queryset = ApiToken.objects.all()
    serializer_class = ApiTokenSerializer
    lookup_field = "uid"
    lookup_url_kwarg = "id"
    lookup_value_converter = "uuid"
    permission_classes = [asks_service(change=_may_revoke)]

    def scope_queryset(self, queryset):
        return queryset.select_related("user").order_by("-created")

    @extend_schema(
        request=TokenCreateSerializer, responses={201: NewApiTokenSerializer}, summary="Make a personal token"
    )
    def create(self, request):
        tokens.require_may_create_token(request.user)
        payload = validated(TokenCreateSerializer, request)
        return _created(*tokens.token_create(actor=request.user, **payload))

    @extend_schema(
        request=ServiceTokenCreateSerializer, responses={201: NewApiTokenSerializer}, summary="Make a service token"
    )
    @action(detail=False, methods=["post"])
    def service(self, request):
        tokens.require_may_manage_service_tokens(request.user)
        data = validated(ServiceTokenCreateSerializer, request)
        return _created(*tokens.service_token_create(actor=request.user, **{**data, "role": data["role"] or None}))

    def perform_destroy(self, instance):
        tokens.token_revoke(actor=self.request.user, token=instance)


class ManagesWebhooks(BasePermission):
    """Webhooks are the admins' (the service's own check, before any lookup or body): 403 for anyone else."""

    def has_permission(self, request, view):
        webhooks.require_may_manage_webhooks(request.user)
        return True


class WebhookEndpointViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """Webhook endpoints (admins). Registering or changing one needs a recently entered password."""

    queryset = WebhookEndpoint.objects.all()
    serializer_class = WebhookEndpointSerializer
    token_scope = Scope.WEBHOOKS
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    permission_classes = [ManagesWebhooks]

    def scope_queryset(self, queryset):
        return queryset.select_related("account")

    @extend_schema(request=EndpointRegisterSerializer, responses={201: WebhookEndpointSerializer})
    def create(self, request):
        payload = validated(EndpointRegisterSerializer, request)
        endpoint = webhooks.endpoint_register(actor=request.user, **payload)
        return Response(WebhookEndpointSerializer(endpoint).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=EndpointWriteSerializer, responses=WebhookEndpointSerializer)
    def partial_update(self, request, pk=None):
        endpoint = self.get_object()
        current = {
            "name": endpoint.name,
            "url": endpoint.url,
            "event_types": endpoint.event_types,
            "account": endpoint.account.slug if endpoint.account else None,
        }
        payload = EndpointWriteSerializer(data={**current, **request.data})
        payload.is_valid(raise_exception=True)
        endpoint = webhooks.endpoint_update(actor=request.user, endpoint=endpoint, **payload.validated_data)
        return Response(WebhookEndpointSerializer(endpoint).data)

    def perform_destroy(self, instance):
        webhooks.endpoint_remove(actor=self.request.user, endpoint=instance)

    @extend_schema(request=None, responses=WebhookEndpointSerializer, summary="Enable: waiting messages go out")
    @action(detail=True, methods=["post"])
    def enable(self, request, pk=None):
        endpoint = webhooks.endpoint_set_active(actor=request.user, endpoint=self.get_object(), active=True)
        return Response(WebhookEndpointSerializer(endpoint).data)

    @extend_schema(request=None, responses=WebhookEndpointSerializer, summary="Disable: messages wait")
    @action(detail=True, methods=["post"])
    def disable(self, request, pk=None):
        endpoint = webhooks.endpoint_set_active(actor=request.user, endpoint=self.get_object(), active=False)
        return Response(WebhookEndpointSerializer(endpoint).data)


class WebhookMessageViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The delivery log (admins), newest first; ``?endpoint=<id>`` for one endpoint's, ``?status=failed``."""

    queryset = WebhookMessage.objects.all()
    serializer_class = WebhookMessageSerializer
    token_scope = Scope.WEBHOOKS
    permission_classes = [ManagesWebhooks]

    def scope_queryset(self, queryset):
        params = self.request.query_params
        if (endpoint := params.get("endpoint", "")).isdigit():
            queryset = queryset.filter(endpoint_id=int(endpoint))
        if status_filter := params.get("status"):
            queryset = queryset.filter(status=status_filter)
        return queryset.order_by("-id")

    @extend_schema(request=None, responses=WebhookMessageSerializer, summary="Send again (the same webhook-id)")
    @action(detail=True, methods=["post"])
    def redeliver(self, request, pk=None):
        message = webhooks.message_redeliver(actor=request.user, message=self.get_object())
        return Response(WebhookMessageSerializer(message).data)
