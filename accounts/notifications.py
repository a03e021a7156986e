"""E-mail to people, each message rendered in its recipient's own time zone. Sent after commit."""

from collections.abc import Iterable

from django.conf import settings
from django.core import mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from .models import User


def email_users(
    users: Iterable[User],
    *,
    subject: str,
    template: str,
    context: dict,
    attachments: list[tuple[str, bytes, str]] = (),
) -> int:
    """Queue one e-mail per user (never a shared To: line) to go out when the transaction commits."""
    messages = []
    for user in users:
        with timezone.override(user.time_zone):
            body = render_to_string(template, {**context, "recipient": user, "base_url": settings.ESS_BASE_URL})
        message = mail.EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
        for filename, content, mimetype in attachments:
            message.attach(filename, content, mimetype)
        messages.append(message)
    if messages:
        transaction.on_commit(lambda: mail.get_connection().send_messages(messages))
    return len(messages)
