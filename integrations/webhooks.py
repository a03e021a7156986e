"""Outbound webhook endpoints and their messages: every write and every decision about them.

Admins register endpoints (a privileged write: a receiver gets the portal's data, so the password must be recent),
change, enable, disable and remove them, and send a message again. A receiver's URL must resolve to public
addresses only (``outbound.resolve``); the refusal says which address and why. The signing secret is made by the
portal unless the admin brings one in the Standard Webhooks form (``whsec_`` and base64 of 24 to 64 bytes).
"""

import base64
import binascii
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from accounts.models import Account, User
from core.authentication import privileged
from core.errors import DomainError
from core.events import EVENT_TYPES
from core.permissions import require

from .delivery import request_delivery
from .models import MessageStatus, WebhookEndpoint, WebhookMessage
from .outbound import AddressRefused, new_secret, resolve
from .states import MESSAGE_STATES

ADMIN_ONLY = "Only administrators manage webhooks."


def may_manage_webhooks(user: User | None, target=None) -> bool:
    """Admins (and the system) manage endpoints and their deliveries."""
    return user is None or (user.is_authenticated and user.is_portal_admin)


def require_may_manage_webhooks(user: User | None, target=None) -> None:
    require(may_manage_webhooks(user), ADMIN_ONLY)


def _checked(*, name: str, url: str, event_types: Iterable[str], secret: str = "") -> dict:
    errors: dict[str, list[str]] = {}
    name, url = (name or "").strip(), (url or "").strip()
    if not name:
        errors["name"] = ["Name the receiver."]
    if not url:
        errors["url"] = ["Give the receiver's URL."]
    elif len(url) > 500:
        errors["url"] = ["A URL has at most 500 characters."]
    else:
        try:
            resolve(url)
        except AddressRefused as refusal:
            errors["url"] = [str(refusal)]
    chosen = list(dict.fromkeys(event_types or ()))
    if not chosen:
        errors["event_types"] = ["Choose the events to send."]
    elif unknown := [kind for kind in chosen if kind not in EVENT_TYPES]:
        errors["event_types"] = [f"Unknown event types: {', '.join(unknown)}."]
    if secret and not _secret_ok(secret):
        errors["secret"] = ["A secret is whsec_ followed by base64 of 24 to 64 random bytes; or leave it empty."]
    if errors:
        raise DomainError(errors=errors)
    return {"name": name[:100], "url": url, "event_types": chosen}


def _secret_ok(secret: str) -> bool:
    if not secret.startswith("whsec_"):
        return False
    try:
        return 24 <= len(base64.b64decode(secret[6:], validate=True)) <= 64
    except (binascii.Error, ValueError):
        return False


@privileged
def endpoint_register(
    *,
    actor: User | None,
    name: str,
    url: str,
    event_types: Iterable[str],
    account: Account | None = None,
    secret: str = "",
) -> WebhookEndpoint:
    """An admin registers a receiver for the chosen event types of every account (``account=None``) or one. Its
    URL must reach public addresses only."""
    require_may_manage_webhooks(actor)
    fields = _checked(name=name, url=url, event_types=event_types, secret=secret)
    return WebhookEndpoint.objects.create(**fields, account=account, secret=secret or new_secret(), created_by=actor)


@privileged
def endpoint_update(
    *,
    actor: User | None,
    endpoint: WebhookEndpoint,
    name: str,
    url: str,
    event_types: Iterable[str],
    account: Account | None = None,
) -> WebhookEndpoint:
    """An admin changes where an endpoint is, what it gets and for which accounts (the same rules as registering);
    messages already written keep their content."""
    require_may_manage_webhooks(actor)
    fields = _checked(name=name, url=url, event_types=event_types)
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        for key, value in {**fields, "account": account}.items():
            setattr(endpoint, key, value)
        endpoint.save()
    return endpoint


def endpoint_set_active(*, actor: User | None, endpoint: WebhookEndpoint, active: bool) -> WebhookEndpoint:
    """An admin disables an endpoint (its messages wait) or enables it again (they go out, oldest first)."""
    require_may_manage_webhooks(actor)
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        endpoint.active = active
        endpoint.disabled_at = None if active else timezone.now()
        endpoint.disabled_reason = "" if active else f"Disabled by {actor.display_name if actor else 'the system'}."
        endpoint.save(update_fields=["active", "disabled_at", "disabled_reason"])
        if active:
            request_delivery()
    return endpoint


def endpoint_remove(*, actor: User | None, endpoint: WebhookEndpoint) -> None:
    """An admin removes an endpoint with its messages and their log."""
    require_may_manage_webhooks(actor)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).delete()


def message_redeliver(*, actor: User | None, message: WebhookMessage) -> WebhookMessage:
    """An admin sends a message again (delivered or given up): the same webhook-id, so a receiver that has it
    already can tell. It goes out at once if its endpoint is enabled, after earlier messages about its object."""
    require_may_manage_webhooks(actor)
    with transaction.atomic():
        message = WebhookMessage.objects.select_for_update().get(pk=message.pk)
        MESSAGE_STATES.move(message, MessageStatus.PENDING)
        message.attempts = 0
        message.next_attempt_at = timezone.now()
        message.locked_until = None
        message.save(update_fields=["status", "attempts", "next_attempt_at", "locked_until"])
        request_delivery()
    return message
