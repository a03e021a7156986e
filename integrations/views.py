"""The integrations pages: one's own API tokens (from the profile), and for admins the service tokens and the
webhook endpoints with their delivery log. Each page parses its form and calls a service, which decides; a page
asks the service's own check before showing its form (the webhook pages answer anyone but admins 403, as the API
does), and a token is found only among those the user may see (404 otherwise, as in the API). A new token is
shown once, in the answer to the request that made it, and never stored in clear."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from core.actions import PageAction, action_view, offered, perform, perform_form
from core.permissions import require

from . import tokens, webhooks
from .forms import EndpointForm, ServiceTokenForm, TokenForm
from .models import ApiToken, MessageStatus, TokenKind, WebhookEndpoint, WebhookMessage

ADMIN_AREA = "This page is for administrators."
LOG_LENGTH = 50


def _own_tokens(user):
    return ApiToken.objects.visible_to(user).filter(user=user).order_by("-created")


def _created(request, token: ApiToken, value: str, *, back: str):
    return render(request, "integrations/token_created.html", {"token": token, "value": value, "back": back})


@login_required
def token_list(request):
    """A person's own tokens; making one asks for a recent password (the service's ``@privileged``)."""
    form = TokenForm(request.POST or None)
    if request.method == "POST":
        tokens.require_may_create_token(request.user)
        made, form = perform_form(
            request,
            form,
            lambda data: tokens.token_create(
                actor=request.user, name=data["name"], days=data["days"], scopes=data["scopes"] or None
            ),
        )
        if made is not None:
            return _created(request, *made, back=reverse("integrations:tokens"))
    return render(
        request,
        "integrations/tokens.html",
        {"form": form, "tokens": _own_tokens(request.user), "may_create": tokens.may_create_token(request.user)},
    )


TOKEN_ACTIONS = {
    "revoke": PageAction(
        run=lambda request, token, data: tokens.token_revoke(actor=request.user, token=token),
        done="Token revoked: it no longer works.",
        may=tokens.may_revoke_token,
    )
}


@login_required
@require_POST
def token_revoke(request, uid):
    token = get_object_or_404(ApiToken.objects.visible_to(request.user).select_related("user"), uid=uid)
    back = reverse("integrations:index" if token.kind == TokenKind.SERVICE else "integrations:tokens")
    return perform(request, token, TOKEN_ACTIONS, "revoke", page=lambda forms: redirect(back), success_url=back)


# --- The admin area ----------------------------------------------------------------------------------------------


@login_required
@require_GET
def index(request):
    require(request.user.is_portal_admin, ADMIN_AREA)
    pending, failed = Q(messages__status=MessageStatus.PENDING), Q(messages__status=MessageStatus.FAILED)
    endpoints = (
        WebhookEndpoint.objects.visible_to(request.user)
        .select_related("account")
        .annotate(pending=Count("messages", filter=pending), failed=Count("messages", filter=failed))
    )
    service_tokens = (
        ApiToken.objects.visible_to(request.user)
        .filter(kind=TokenKind.SERVICE)
        .select_related("user", "user__account")
        .prefetch_related("user__groups")
        .order_by("name")
    )
    return render(request, "integrations/index.html", {"endpoints": endpoints, "service_tokens": service_tokens})


@login_required
def service_token_new(request):
    tokens.require_may_manage_service_tokens(request.user)
    form = ServiceTokenForm(request.POST or None)
    if request.method == "POST":
        made, form = perform_form(
            request,
            form,
            lambda data: tokens.service_token_create(
                actor=request.user,
                name=data["name"],
                role=data["role"] or None,
                account=data["account"],
                scopes=data["scopes"],
                days=data["days"],
            ),
        )
        if made is not None:
            return _created(request, *made, back=reverse("integrations:index"))
    return render(request, "integrations/service_token_new.html", {"form": form})


@login_required
def endpoint_new(request):
    webhooks.require_may_manage_webhooks(request.user)
    form = EndpointForm(request.POST or None)
    if request.method == "POST":
        endpoint, form = perform_form(
            request, form, lambda data: webhooks.endpoint_register(actor=request.user, **data)
        )
        if endpoint is not None:
            messages.success(request, "Endpoint registered. Give its receiver the signing secret below.")
            return redirect("integrations:endpoint", endpoint.pk)
    return render(request, "integrations/endpoint_new.html", {"form": form})


ENDPOINT_ACTIONS = {
    "enable": PageAction(
        run=lambda request, endpoint, data: webhooks.endpoint_set_active(
            actor=request.user, endpoint=endpoint, active=True
        ),
        done="Endpoint enabled: its waiting messages go out now.",
        may=webhooks.may_manage_webhooks,
    ),
    "disable": PageAction(
        run=lambda request, endpoint, data: webhooks.endpoint_set_active(
            actor=request.user, endpoint=endpoint, active=False
        ),
        done="Endpoint disabled: its messages wait until it is enabled.",
        may=webhooks.may_manage_webhooks,
    ),
    "remove": PageAction(
        run=lambda request, endpoint, data: webhooks.endpoint_remove(actor=request.user, endpoint=endpoint),
        done="Endpoint removed.",
        may=webhooks.may_manage_webhooks,
    ),
}


def _endpoint_page(request, endpoint: WebhookEndpoint, forms: dict):
    initial = {
        "name": endpoint.name,
        "url": endpoint.url,
        "event_types": endpoint.event_types,
        "account": endpoint.account.slug if endpoint.account else None,
    }
    log = endpoint.messages.annotate(tries=Count("attempts_made")).order_by("-id")[:LOG_LENGTH]
    return render(
        request,
        "integrations/endpoint.html",
        {
            "endpoint": endpoint,
            "form": forms.get("form") or EndpointForm(initial=initial, editing=True),
            "log": log,
            "offered": offered(request.user, endpoint, ENDPOINT_ACTIONS),
            "may_change": webhooks.may_manage_webhooks(request.user),
        },
    )


def _endpoint(request, pk) -> WebhookEndpoint:
    webhooks.require_may_manage_webhooks(request.user)
    return get_object_or_404(WebhookEndpoint.objects.visible_to(request.user).select_related("account"), pk=pk)


@login_required
@require_GET
def endpoint_detail(request, pk):
    return _endpoint_page(request, _endpoint(request, pk), {})


@login_required
@require_POST
def endpoint_change(request, pk):
    """Change where an endpoint is and what it gets: a privileged write, like registering it."""
    endpoint = _endpoint(request, pk)
    form = EndpointForm(request.POST, editing=True)
    changed, form = perform_form(
        request, form, lambda data: webhooks.endpoint_update(actor=request.user, endpoint=endpoint, **data)
    )
    if changed is None:
        return _endpoint_page(request, endpoint, {"form": form})
    messages.success(request, "Endpoint saved.")
    return redirect("integrations:endpoint", pk)


endpoint_action = action_view(
    ENDPOINT_ACTIONS,
    fetch=_endpoint,
    page=_endpoint_page,
    # a removed endpoint (its service returns nothing) has no page to go back to
    back=lambda endpoint, outcome: (
        reverse("integrations:index") if outcome is None else reverse("integrations:endpoint", args=[endpoint.pk])
    ),
)


MESSAGE_ACTIONS = {
    "redeliver": PageAction(
        run=lambda request, message, data: webhooks.message_redeliver(actor=request.user, message=message),
        done="Sent again: the log shows the answer.",
        may=webhooks.may_manage_webhooks,
    )
}


def _message(request, pk) -> WebhookMessage:
    webhooks.require_may_manage_webhooks(request.user)
    return get_object_or_404(WebhookMessage.objects.visible_to(request.user).select_related("endpoint"), pk=pk)


@login_required
@require_GET
def message_detail(request, pk):
    message = _message(request, pk)
    return render(
        request,
        "integrations/message.html",
        {
            "message": message,
            "attempts": message.attempts_made.order_by("-attempted_at", "-id"),
            "offered": offered(request.user, message, MESSAGE_ACTIONS),
        },
    )


message_action = action_view(
    MESSAGE_ACTIONS,
    fetch=_message,
    page=lambda request, message, forms: message_detail(request, message.pk),
    back=lambda message, outcome: reverse("integrations:message", args=[message.pk]),
)
