"""Recent authentication is a property of the action: a privileged service asks for it, whatever the route.

A request records who signed in and when they last entered their password (allauth's authentication records,
read when the service asks, so a password confirmed in this same request counts). ``@privileged`` services
call ``require_recent_authentication(actor)``: a page then asks for the password and replays the change; the
API answers 403 (``reauthentication_required``); an API token never counts as a recent password.

Outside a web request (a management command, a Celery job, a migration) there is no remote user to doubt:
the operator who runs the process is trusted, and jobs act as the system (``actor=None``).
"""

import functools
import time
from collections.abc import Callable
from contextvars import ContextVar

from django.conf import settings

from .errors import ReauthenticationRequired

# (user pk, epoch seconds of the latest password entry) for the current request, resolved on demand.
_request_authentication: ContextVar[Callable[[], tuple[int | None, float]] | None] = ContextVar(
    "request_authentication", default=None
)

PRIVILEGED: dict[str, Callable] = {}


def _latest_password_entry(request) -> tuple[int | None, float]:
    from allauth.account.internal.flows.login import get_authentication_records

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not hasattr(request, "session"):
        return None, 0.0
    if getattr(request, "auth", None) is not None:  # an API token authenticated it: no password was entered
        return user.pk, 0.0
    records = get_authentication_records(request, user)
    return user.pk, max((record.get("at", 0) for record in records), default=0.0)


def recently_authenticated(request) -> bool:
    pk, at = _latest_password_entry(request)
    return pk is not None and time.time() - at < settings.ACCOUNT_REAUTHENTICATION_TIMEOUT


def require_recent_authentication(actor) -> None:
    """Refuse unless ``actor`` entered their password in this request's session within the window."""
    if actor is None:
        return
    resolve = _request_authentication.get()
    if resolve is None:
        return
    pk, at = resolve()
    if pk != actor.pk or time.time() - at >= settings.ACCOUNT_REAUTHENTICATION_TIMEOUT:
        raise ReauthenticationRequired()


def privileged(service: Callable) -> Callable:
    """Mark a service as a privileged write (users and roles, tiers, contracts, calendars, SLA policies, tokens):
    it runs only for an actor who authenticated recently, on every path that reaches it."""

    @functools.wraps(service)
    def guarded(*args, actor, **kwargs):
        require_recent_authentication(actor)
        return service(*args, actor=actor, **kwargs)

    guarded.privileged = True
    PRIVILEGED[f"{service.__module__}.{service.__qualname__}"] = guarded
    return guarded


class RecentAuthenticationMiddleware:
    """Lets privileged services ask the current request when its user last entered a password."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request_authentication.set(lambda: _latest_password_entry(request))
        try:
            return self.get_response(request)
        finally:
            _request_authentication.reset(token)
