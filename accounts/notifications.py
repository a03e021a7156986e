"""E-mail to people, each message rendered in its recipient's own time zone, through the outbox."""

from collections.abc import Iterable

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from .models import User
from .outbox import outbox_add


def email_users(
    users: Iterable[User],
    *,
    subject: str,
    template: str,
    context: dict,
    attachments: list[tuple[str, bytes, str]] = (),
) -> int:
    """One e-mail per user (never a shared To: line), stored in the outbox with the change that causes it."""
    count = 0
    for user in users:
        with timezone.override(user.time_zone):
            body = render_to_string(template, {**context, "recipient": user, "base_url": settings.ESS_BASE_URL})
        outbox_add(to=user.email, subject=subject, body=body, attachments=attachments)
        count += 1
    return count
