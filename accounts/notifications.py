"""E-mail to people, each message rendered in its recipient's own time zone, through the outbox."""

import logging
from collections.abc import Iterable

from allauth.account.models import EmailAddress
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from core.outbox import outbox_add, outbox_add_many

from .models import User

logger = logging.getLogger(__name__)


def email_users(
    users: Iterable[User],
    *,
    subject: str,
    template: str,
    context: dict,
    attachments: list[tuple[str, bytes, str]] = (),
    headers: dict[str, str] | None = None,
) -> int:
    """One e-mail per user (never a shared To: line), stored in the outbox with the change that causes it.

    Each goes to the user's verified primary address only: a person whose address is not proved yet (an
    invitation not accepted) gets nothing. One query finds the addresses, however many the users."""
    users = list(users)
    addresses = dict(
        EmailAddress.objects.filter(user_id__in=[user.pk for user in users], primary=True, verified=True).values_list(
            "user_id", "email"
        )
    )
    count = 0
    for user in users:
        address = addresses.get(user.pk)
        if address is None:
            logger.info("no mail to user %s: no verified address", user.pk)
            continue
        with timezone.override(user.time_zone):
            body = render_to_string(template, {**context, "recipient": user, "base_url": settings.ESS_BASE_URL})
        outbox_add(to=address, subject=subject, body=body, attachments=attachments, headers=headers)
        count += 1
    return count


def email_users_at_once(letters: Iterable[tuple[User, str, str, dict, list]]) -> int:
    """Like ``email_users`` for jobs that write a set of letters, each ``(user, subject, template, context,
    attachments)``: one query for the addresses and one statement for the messages, however many letters."""
    letters = list(letters)
    addresses = dict(
        EmailAddress.objects.filter(
            user_id__in={user.pk for user, *_ in letters}, primary=True, verified=True
        ).values_list("user_id", "email")
    )
    messages = []
    for user, subject, template, context, attachments in letters:
        if user.pk not in addresses:
            logger.info("no mail to user %s: no verified address", user.pk)
            continue
        with timezone.override(user.time_zone):
            body = render_to_string(template, {**context, "recipient": user, "base_url": settings.ESS_BASE_URL})
        messages.append({"to": addresses[user.pk], "subject": subject, "body": body, "attachments": attachments})
    return len(outbox_add_many(messages))
