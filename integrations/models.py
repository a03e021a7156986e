"""Other systems' ways into and out of the portal: API tokens (in) and outbound webhooks (out).

- ``ApiToken``: django-rest-knox's token, stored as a hash (the digest is the primary key; only the first
  characters are kept in clear to find it), with a name, scopes and when it was last used. A personal token acts
  as its person; a service token as a ``ServiceAccount``'s user, who holds one role (and one account when it
  acts for a customer).
- ``WebhookEndpoint``: where an admin wants events sent, with its signing secret; all accounts or one.
- ``WebhookMessage``: the durable outbox, one row per event and endpoint, written in the transaction of the change;
  ``WebhookAttempt``: each try to deliver it, for the delivery log.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from knox.models import AbstractAuthToken, AuthTokenManager


class Scope(models.TextChoices):
    READ = "read", "Read"
    WRITE = "write", "Write"
    TELEPHONY = "telephony", "Phone system call events"
    WEBHOOKS = "webhooks", "Webhook endpoints and deliveries"


class TokenKind(models.TextChoices):
    PERSONAL = "personal", "Personal"
    SERVICE = "service", "Service"


class ApiTokenQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A person sees their own tokens; admins also see the service tokens."""
        if not user.is_authenticated:
            return self.none()
        if user.is_portal_admin:
            return self.filter(Q(user=user) | Q(kind=TokenKind.SERVICE))
        return self.filter(user=user)

    def in_force(self, now=None):
        return self.filter(Q(expiry__isnull=True) | Q(expiry__gt=now or timezone.now()))


class ApiToken(AbstractAuthToken):
    """A knox token (``KNOX_TOKEN_MODEL``). ``uid`` names it in pages and the API; the digest never leaves the
    database and the token itself is shown once, when it is made."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=10, choices=TokenKind.choices, default=TokenKind.PERSONAL)
    scopes = models.JSONField(default=list, help_text="What it may be used for: read, write, telephony, webhooks.")
    last_used_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = AuthTokenManager.from_queryset(ApiTokenQuerySet)()

    class Meta:
        ordering = ["-created"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="api_token_name_unique_per_user")]

    def __str__(self) -> str:
        return f"token {self.name} of {self.user.email}"

    @property
    def audit_label(self) -> str:
        """Who the audit trail says made a change with this token."""
        return str(self)

    @property
    def expired(self) -> bool:
        return self.expiry is not None and self.expiry <= timezone.now()

    def allows(self, scope: str) -> bool:
        return scope in self.scopes


class ServiceAccount(models.Model):
    """The user an integration acts as: one role (and one account for a customer's system), no password, no
        verified address (so no mail), named after the integration, with one token. Revoking the token deactivates the
    user."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="service_account")
    name = models.CharField(max_length=100)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["name"], condition=Q(revoked_at__isnull=True), name="service_name_in_use")
        ]

    def __str__(self) -> str:
        return self.name


class AdminOnlyQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Webhook endpoints and their deliveries are configuration: portal admins only."""
        return self if getattr(user, "is_portal_admin", False) else self.none()


class WebhookEndpoint(models.Model):
    """A receiver of the portal's events: an admin registers its URL, the event types it wants, and whether it gets
    every account's events or one account's. The portal signs each message with ``secret``."""

    name = models.CharField(max_length=100)
    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=100, help_text="Standard Webhooks signing secret (whsec_…).")
    event_types = models.JSONField(default=list)
    account = models.ForeignKey(
        "accounts.Account",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="Only this account's events; empty for every account's.",
    )
    active = models.BooleanField(default=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = AdminOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.url})"

    def wants(self, kind: str, account_id: int) -> bool:
        return kind in self.event_types and (self.account_id is None or self.account_id == account_id)


class MessageStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be delivered"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Given up"


class WebhookMessage(models.Model):
    """One event for one endpoint. ``webhook_id`` is the same on every try (receivers use it to ignore a repeat);
    messages about one object (``object_key``) are delivered one after the other, in the order they were made."""

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="messages")
    webhook_id = models.CharField(max_length=40, unique=True)
    event_type = models.CharField(max_length=60)
    account_id = models.BigIntegerField(help_text="The account the event concerns.")
    object_key = models.CharField(max_length=80, help_text="The object the event is about, e.g. case:42.")
    body = models.TextField(help_text="The JSON payload, exactly as sent.")
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=MessageStatus.choices, default=MessageStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    locked_until = models.DateTimeField(null=True, blank=True, help_text="A worker is sending it until then.")
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    objects = AdminOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"], condition=Q(status=MessageStatus.PENDING), name="webhook_pending_due"
            ),
            models.Index(
                fields=["endpoint", "object_key", "id"],
                condition=Q(status=MessageStatus.PENDING),
                name="webhook_pending_per_object",
            ),
            # The claim walks the pending messages in order and stops at a batch, past none of those delivered.
            models.Index(fields=["id"], condition=Q(status=MessageStatus.PENDING), name="webhook_pending_in_order"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.webhook_id}"


class WebhookAttempt(models.Model):
    """One try to deliver a message: when, how long, what the receiver answered or what went wrong."""

    message = models.ForeignKey(WebhookMessage, on_delete=models.CASCADE, related_name="attempts_made")
    attempted_at = models.DateTimeField()
    status_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    succeeded = models.BooleanField(default=False)

    class Meta:
        ordering = ["-attempted_at", "-id"]

    def __str__(self) -> str:
        return f"{self.message} at {self.attempted_at:%Y-%m-%d %H:%M:%S}"
