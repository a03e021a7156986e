"""The checks every service of releases, previews and reviews makes on its input, each with its one message.

Forms and serializers only parse (text, whole numbers, dates); what a value may be is said here, so a page and the
API refuse the same input with the same words.
"""

import datetime as dt
import zoneinfo

from django.db import models
from django.utils import timezone

from core.errors import DomainError


def text(
    value: str | None, *, model: type[models.Model], field: str, required: str = "", named: str | None = None
) -> str:
    """The text trimmed. Refused when longer than the model's ``field`` holds, or empty when ``required`` (the
    message that asks for it); the refusal names the input ``named`` (default: the model's field name)."""
    cleaned = (value or "").strip()
    if required and not cleaned:
        raise DomainError(required, field=named or field)
    limit = model._meta.get_field(field).max_length
    if limit is not None and len(cleaned) > limit:
        raise DomainError(f"Keep it to {limit:,} characters; this is {len(cleaned):,}.", field=named or field)
    return cleaned


def whole_number(value: int | None, *, field: str, low: int, high: int, message: str, too_high: str = "") -> int:
    """``value`` when it lies from ``low`` to ``high``; else ``message`` (or ``too_high`` above ``high``)."""
    if value is not None and value > high and too_high:
        raise DomainError(too_high, field=field)
    if value is None or not low <= value <= high:
        raise DomainError(message, field=field)
    return value


def choice(value: str | None, *, choices: type[models.TextChoices], field: str, message: str) -> str:
    if value not in choices.values:
        raise DomainError(message, field=field)
    return value


def check_moment(moment: dt.datetime | None, field: str) -> None:
    """A time the portal can store and compare: given, with its zone, in a sensible century."""
    if moment is None:
        raise DomainError("Give the date and time.", field=field)
    if timezone.is_naive(moment):
        raise DomainError("Give the time with its time zone.", field=field)
    if not 1900 <= moment.year <= 9000:
        raise DomainError("Give a time between the years 1900 and 9000.", field=field)


def held_now(starts_at: dt.datetime, actor, *, what: str) -> dt.datetime:
    """When a session is recorded as held: now, once its time has come (``what`` names it: "The preview is
    planned", "The session is scheduled")."""
    if starts_at > timezone.now():
        raise DomainError(
            f"{what} for {local_label(starts_at, actor)}: record it as held once it has taken place.", field="status"
        )
    return timezone.now()


def local_label(moment: dt.datetime, user) -> str:
    """The moment in ``user``'s own zone, as a refusal names it (whatever route the user came by)."""
    return moment.astimezone(zoneinfo.ZoneInfo(user.time_zone)).strftime("%a %b %-d, %Y %H:%M")
