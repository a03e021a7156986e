"""E-mail about integrations: the admins are told when an endpoint is disabled after failing for a day."""

from django.conf import settings
from django.urls import reverse

from accounts.models import User
from accounts.notifications import email_users
from accounts.roles import Role

from .models import WebhookEndpoint


def endpoint_disabled(endpoint: WebhookEndpoint) -> None:
    admins = User.objects.filter(groups__name=Role.ADMIN.value, is_active=True).distinct()
    email_users(
        admins,
        subject=f"Webhook endpoint disabled: {endpoint.name}",
        template="integrations/email/endpoint_disabled.txt",
        context={
            "endpoint": endpoint,
            "url": settings.ESS_BASE_URL + reverse("integrations:endpoint", args=[endpoint.pk]),
        },
    )
