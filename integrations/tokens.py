"""API tokens: every write and every decision about one.

- A personal token is made by its person (anyone with a portal role) for themselves: a name of their choice,
  an expiry (90 days unless they say, a year at most), scopes among read, write and webhooks. It acts exactly as
  they do. Making one is a privileged write: it needs a password entered recently, so a token never makes another.
- A service token is made by an admin for an integration: a service user holding one role (a customer user's
  with the account it acts for, or a staff role other than admin), with scopes among read, write, telephony and
  webhooks. Revoking it deactivates that user.
- A token is revoked by its owner, or, for a service token, by an admin. The token's value is returned once, when
  it is made; only its hash is kept.
"""

import datetime as dt
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Account, User
from accounts.roles import Role
from core.authentication import privileged
from core.errors import DomainError, NotAllowed
from core.permissions import HasPortalRole, require

from .models import ApiToken, Scope, ServiceAccount, TokenKind

PERSONAL_SCOPES = (Scope.READ, Scope.WRITE, Scope.WEBHOOKS)
SERVICE_ROLES = (Role.CUSTOMER, Role.SUPPORT, Role.TAM, Role.TAM_LEVEL)
OWN_TOKENS_ONLY = "You make and revoke API tokens for yourself only."
NO_ROLE = HasPortalRole.message  # the API's own words for a user without a role
SERVICE_ADMIN_ONLY = "Only administrators manage service tokens."
SERVICE_DOMAIN = "services.invalid"


# --- Who may --------------------------------------------------------------------------------------------------


def _has_role(user: User) -> bool:
    return user.is_customer_user or user.is_vendor_staff


def is_service_user(user: User) -> bool:
    return user.email.endswith("@" + SERVICE_DOMAIN)


def may_create_token(user: User | None) -> bool:
    """A person with a portal role makes tokens for themselves (a service user does not make more)."""
    return user is None or (user.is_authenticated and _has_role(user) and not is_service_user(user))


def may_manage_service_tokens(user: User | None) -> bool:
    """Admins make and revoke service tokens."""
    return user is None or (user.is_authenticated and user.is_portal_admin)


def may_revoke_token(user: User | None, token: ApiToken) -> bool:
    """Its owner revokes a personal token; an admin a service token."""
    if token.kind == TokenKind.SERVICE:
        return may_manage_service_tokens(user)
    return user is None or token.user_id == user.pk


def require_may_create_token(user: User | None) -> None:
    require(may_create_token(user), NO_ROLE)


def require_may_manage_service_tokens(user: User | None) -> None:
    require(may_manage_service_tokens(user), SERVICE_ADMIN_ONLY)


# --- Input ---------------------------------------------------------------------------------------------------------


def _expiry_days(days: int | None) -> int:
    if days is None:
        return settings.API_TOKEN_DEFAULT_DAYS
    if not 1 <= days <= settings.API_TOKEN_MAX_DAYS:
        raise DomainError(f"A token lasts from 1 to {settings.API_TOKEN_MAX_DAYS} days.", field="days")
    return days


def _name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise DomainError("Give the token a name that says where it is used.", field="name")
    if len(name) > 100:
        raise DomainError("A token's name has at most 100 characters.", field="name")
    return name


def _scopes(scopes: Iterable[str] | None, allowed: Iterable[str], *, default: Iterable[str]) -> list[str]:
    chosen = list(dict.fromkeys(default if scopes is None else scopes))
    if not chosen:
        raise DomainError("Choose at least one scope.", field="scopes")
    wrong = [scope for scope in chosen if scope not in allowed]
    if wrong:
        names = ", ".join(str(scope) for scope in allowed)
        raise DomainError(f"A token's scopes are among: {names}; not {', '.join(map(str, wrong))}.", field="scopes")
    return chosen


def _issue(*, user: User, name: str, days: int, scopes: list[str], kind: str, actor: User | None):
    try:
        with transaction.atomic():
            return ApiToken.objects.create(
                user=user,
                expiry=dt.timedelta(days=days),
                name=name,
                kind=kind,
                scopes=scopes,
                created_by=actor,
            )
    except IntegrityError as error:
        raise DomainError(f"You already have a token named “{name}”.", field="name") from error


# --- Personal tokens ------------------------------------------------------------------------------------------------


@privileged
def token_create(
    *,
    actor: User | None,
    name: str,
    days: int | None = None,
    scopes: Iterable[str] | None = None,
    user: User | None = None,
) -> tuple[ApiToken, str]:
    """Make a personal token for ``actor`` (the system, ``actor=None``, makes one for ``user``: the
    ``issue_api_token`` command). Returns the row and the token, which is never shown again."""
    owner = user if actor is None else actor
    if actor is not None and user is not None and user.pk != actor.pk:
        raise NotAllowed(OWN_TOKENS_ONLY)
    require_may_create_token(owner)
    if owner is None or not owner.is_active:
        raise DomainError("Tokens are for active users.", field="user")
    return _issue(
        user=owner,
        name=_name(name),
        days=_expiry_days(days),
        scopes=_scopes(scopes, PERSONAL_SCOPES, default=(Scope.READ, Scope.WRITE)),
        kind=TokenKind.PERSONAL,
        actor=actor,
    )


def token_revoke(*, actor: User | None, token: ApiToken) -> None:
    """Revoke a token at once: its owner's own, or a service token (an admin), whose service user is then
    deactivated."""
    require(may_revoke_token(actor, token), SERVICE_ADMIN_ONLY if token.kind == TokenKind.SERVICE else OWN_TOKENS_ONLY)
    with transaction.atomic():
        ApiToken.objects.filter(pk=token.pk).delete()
        if token.kind == TokenKind.SERVICE:
            User.objects.filter(pk=token.user_id).update(is_active=False)
            ServiceAccount.objects.filter(user_id=token.user_id).update(revoked_at=timezone.now())


# --- Service tokens ------------------------------------------------------------------------------------------------


def _service_shape(role: str | None, account: Account | None) -> Role:
    if role not in SERVICE_ROLES:
        names = ", ".join(r.label for r in SERVICE_ROLES)
        raise DomainError(f"A service acts in one of these roles: {names}.", field="role")
    role = Role(role)
    if role == Role.CUSTOMER and account is None:
        raise DomainError("A customer's service acts for exactly one account: choose it.", field="account")
    if role != Role.CUSTOMER and account is not None:
        raise DomainError("A staff service acts for no single account.", field="account")
    return role


@privileged
def service_token_create(
    *,
    actor: User | None,
    name: str,
    role: str | None,
    account: Account | None = None,
    scopes: Iterable[str] | None = None,
    days: int | None = None,
) -> tuple[ApiToken, str]:
    """An admin makes a token for an integration: a new service user with ``role`` (and ``account`` for a customer
    user's role), bound to the chosen scopes. Returns the row and the token, shown once."""
    require_may_manage_service_tokens(actor)
    name = _name(name)
    role = _service_shape(role, account)
    chosen = _scopes(scopes, list(Scope), default=())
    days = _expiry_days(days)
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email=f"service-{uuid.uuid4().hex[:12]}@{SERVICE_DOMAIN}",
                first_name=name[:150],
                last_name="(service)",
                account=account,
            )
            user.groups.add(Group.objects.get(name=role.value))
            ServiceAccount.objects.create(user=user, name=name, created_by=actor)
            return _issue(user=user, name=name, days=days, scopes=chosen, kind=TokenKind.SERVICE, actor=actor)
    except IntegrityError as error:
        raise DomainError(f"A service named “{name}” already has a token.", field="name") from error
