"""A person's signed-in sessions (allauth.usersessions records one at each sign-in): listed on their own page,
where they end the others.

allauth checks each recorded session by loading it and its user, one session after another; the portal keeps
sessions in the database, so here a person's sessions are checked and ended in a fixed number of queries
whatever their number.
"""

from importlib import import_module

from allauth.account.signals import user_logged_in
from allauth.usersessions import signals as usersession_signals
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.models import Session
from django.dispatch import receiver
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from .models import User

DATABASE_ENGINES = ("django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cached_db")


def sessions_of(user: User) -> list[UserSession]:
    """The user's sessions still signed in, oldest first; the records of ended ones are deleted."""
    recorded = list(UserSession.objects.filter(user_id=user.pk).order_by("created_at"))
    live = _live_keys(user, [session.session_key for session in recorded])
    ended = [session.pk for session in recorded if session.session_key not in live]
    if ended:
        UserSession.objects.filter(pk__in=ended).delete()
    return [session for session in recorded if session.session_key in live]


def _live_keys(user: User, keys: list[str]) -> set[str]:
    """Keys of sessions that exist, have not expired and still sign this user in (a changed password ends the
    others: Django's session hash)."""
    if settings.SESSION_ENGINE not in DATABASE_ENGINES:
        return {key for key in keys if not UserSession(user=user, session_key=key).purge()}
    expected = user.get_session_auth_hash()
    live = set()
    for row in Session.objects.filter(session_key__in=keys, expire_date__gt=timezone.now()):
        data = row.get_decoded()
        if data.get(SESSION_KEY) == str(user.pk) and constant_time_compare(data.get(HASH_SESSION_KEY, ""), expected):
            live.add(row.session_key)
    return live


def may_end_sessions(user) -> bool:
    """Anyone signed in ends their own other sessions (and only their own)."""
    return bool(user.is_authenticated)


def sessions_end_others(*, actor: User, current_key: str | None) -> int:
    """Sign ``actor`` out everywhere but here: their other sessions end at once (their next request is signed
    out). Returns how many ended."""
    others = list(UserSession.objects.filter(user_id=actor.pk).exclude(session_key=current_key))
    keys = [session.session_key for session in others]
    if DATABASE_ENGINES[0] == settings.SESSION_ENGINE:
        Session.objects.filter(session_key__in=keys).delete()
    else:  # a cache holds them too: each store forgets its own
        store = import_module(settings.SESSION_ENGINE).SessionStore
        for key in keys:
            store().delete(key)
    UserSession.objects.filter(pk__in=[session.pk for session in others]).delete()
    return len(others)


@receiver(user_logged_in, dispatch_uid="accounts.sessions.record")
def record_session(sender, request, user, **kwargs) -> None:
    """At each sign-in: forget the records of ended sessions, record this one (allauth's, set-based)."""
    sessions_of(user)
    UserSession.objects.create_from_request(request)


def replace_allauths_recorder() -> None:
    """allauth's own recorder checks sessions one by one: the portal records with ``record_session`` instead."""
    user_logged_in.disconnect(receiver=usersession_signals.on_user_logged_in)
