"""Permission primitives.

The decision about a domain object belongs to its service: it asks its own predicate (``may_<verb>(user, ...)``)
and refuses with ``require``, which raises ``NotAllowed`` (403 on a page and in the API). Pages ask the same
predicates to offer or hide an action. The DRF classes below are coarse routing checks only ("signed in", "staff
area"), plus ``asks_service``, which puts a service's own predicate in front of an API write, and ``TokenScopes``,
which holds a request made with an API token to the token's scopes.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission

from .errors import NotAllowed


def require(condition: bool, message: str) -> None:
    """Refuse with ``NotAllowed`` (403 on a page and in the API) unless ``condition`` holds."""
    if not condition:
        raise NotAllowed(message)


@dataclass(frozen=True)
class Rule:
    """One decision about who may do something, written once: ``rule(user, target)`` answers yes or no (a page
    offers the action by it), ``rule.require(actor, target)`` refuses with ``NotAllowed`` and the rule's message.
    The service calls ``require`` first thing; a page (``PageAction(may=rule)``) and an API view ask it before
    reading input, so a refused user gets the same 403 whatever they sent."""

    allows: Callable[[Any, Any], bool]
    refusal: str

    def __call__(self, user, target: Any = None) -> bool:
        return bool(user.is_authenticated and self.allows(user, target))

    def require(self, actor, target: Any = None) -> None:
        require(self(actor, target), self.refusal)


class HasPortalRole(BasePermission):
    """Signed in and holding a portal role: a customer user of an account, or vendor staff."""

    message = "Your user has no role in the portal yet. Ask an administrator."

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and (user.is_customer_user or user.is_vendor_staff))


class TokenScopes(BasePermission):
    """A token may do only what its scopes name; a browser session is not limited here. The token's user still
    meets every other check, so a token never does more than its user may."""

    def has_permission(self, request, view):
        allows = getattr(request.auth, "allows", None)
        if allows is None:
            return True
        scope = getattr(view, "token_scope", None) or ("read" if request.method in SAFE_METHODS else "write")
        if not allows(scope):
            raise NotAllowed(f"This API token's scopes do not include {scope}.")
        return True


class IsVendorStaff(BasePermission):
    message = "Only vendor staff may do this."

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.is_vendor_staff)


class IsPortalAdmin(BasePermission):
    message = "Only administrators may do this."

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.is_portal_admin)


def asks_service(
    *,
    create: Callable[[Any], None] | None = None,
    change: Callable[[Any, Any], None] | None = None,
) -> type[BasePermission]:
    """A DRF permission that asks a service's own question before the request body is read, so a user the service
    refuses whatever they send gets the service's 403 and its words, not a 400 about the body.

    ``create(user)`` is asked before a write to a list (creating); ``change(request, row)`` before a write to one
    row, once the scoped lookup has found it (another account's row stays a 404, like a missing one). Each is the
    service's own check and raises its ``NotAllowed``. Reads are the scoped queryset's business. The service asks
    again when it runs: this only decides which refusal comes first.
    """

    class AsksService(BasePermission):
        def has_permission(self, request, view):
            if create is not None and request.method not in SAFE_METHODS and not getattr(view, "detail", False):
                create(request.user)
            return True

        def has_object_permission(self, request, view, obj):
            if change is not None and request.method not in SAFE_METHODS:
                change(request, obj)
            return True

    return AsksService
