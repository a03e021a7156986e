"""Private calendar feeds: a TAM's events, or one account's (shared by its customer users). The unguessable token is
the only key; a feed lives as long as its maker may see what it shows, and can be replaced or revoked.

Writers of one owner's feed take turns on the owner's row (the TAM's user row, or the account's), so two requests
at once never both create one: the second finds the first's feed (or, replacing, replaces it in turn).
"""

import datetime as dt
import secrets

from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from accounts.models import Account, User
from core.errors import Conflict
from core.permissions import require

from .models import CalendarFeed, EventStatus, MaintenanceEvent

FEED_HISTORY = dt.timedelta(days=180)
FEEDS_ARE_FOR = "Calendar feeds are for TAMs and customers."


def may_have_feed(user: User) -> bool:
    return user.is_authenticated and (user.is_tam_level or user.is_customer_user)


def _owner(actor: User) -> dict:
    return {"tam": actor} if actor.is_tam_level else {"account_id": actor.account_id}


def _lock_owner(actor: User) -> None:
    if actor.is_tam_level:
        list(User.objects.select_for_update().filter(pk=actor.pk).values_list("pk", flat=True))
    else:
        list(Account.objects.select_for_update().filter(pk=actor.account_id).values_list("pk", flat=True))


def live_feed(*, actor: User) -> CalendarFeed | None:
    """The actor's live feed (a TAM's own, a customer's account's), if there is one."""
    require(may_have_feed(actor), FEEDS_ARE_FOR)
    return CalendarFeed.objects.filter(revoked_at__isnull=True, **_owner(actor)).first()


def _create(actor: User) -> CalendarFeed:
    try:
        with transaction.atomic():
            return CalendarFeed.objects.create(token=secrets.token_urlsafe(32), created_by=actor, **_owner(actor))
    except IntegrityError as error:  # one live feed per owner, should a writer ever skip the owner's lock
        raise Conflict("Another request just made this feed; reload the page to see its address.") from error


def feed_get_or_create(*, actor: User) -> CalendarFeed:
    """The actor's live feed, made now if there is none."""
    require(may_have_feed(actor), FEEDS_ARE_FOR)
    with transaction.atomic():
        _lock_owner(actor)
        return live_feed(actor=actor) or _create(actor)


def feed_replace(*, actor: User) -> CalendarFeed:
    """A new address for the actor's feed; the old one stops working."""
    require(may_have_feed(actor), FEEDS_ARE_FOR)
    with transaction.atomic():
        _lock_owner(actor)
        CalendarFeed.objects.filter(revoked_at__isnull=True, **_owner(actor)).update(revoked_at=timezone.now())
        return _create(actor)


def feed_revoke(*, actor: User) -> None:
    """The actor's feed stops working; there is none until they make one."""
    require(may_have_feed(actor), FEEDS_ARE_FOR)
    with transaction.atomic():
        _lock_owner(actor)
        CalendarFeed.objects.filter(revoked_at__isnull=True, **_owner(actor)).update(revoked_at=timezone.now())


def feed_events(token: str) -> tuple[list[MaintenanceEvent], str]:
    """The events a live feed shows and its name, or 404 (unknown, revoked, or its maker may no longer see them)."""
    subscription = (
        CalendarFeed.objects.select_related("tam", "account", "created_by")
        .filter(token=token, revoked_at__isnull=True)
        .first()
    )
    if subscription is None:
        raise Http404
    creator = subscription.created_by
    if creator is None or not creator.is_active:
        raise Http404
    if subscription.tam_id and not subscription.tam.is_tam_level:
        raise Http404
    if subscription.account_id and creator.account_id != subscription.account_id:
        raise Http404
    events = MaintenanceEvent.objects.exclude(status=EventStatus.CANCELLED).select_related("account", "performing_tam")
    if subscription.tam_id:
        events, name = events.filter(performing_tam=subscription.tam), f"ESS events of {subscription.tam.display_name}"
    else:
        events, name = events.filter(account=subscription.account), f"ESS events of {subscription.account.name}"
    since = timezone.now() - FEED_HISTORY
    return list(events.filter(ends_at__gte=since).order_by("starts_at")), name
