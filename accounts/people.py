"""People: invitations, roles, an admin's edits of a person, and a person's own profile.

Who may: admins invite anyone and change anyone's roles and details; a TAM invites customer users of the accounts
they own (primary or backup). ``None`` as the actor is the system (a command or a job), which may.
"""

from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse

from core.authentication import privileged
from core.errors import Conflict, DomainError, NotAllowed
from core.outbox import outbox_add
from core.permissions import require

from .models import Account, User
from .roles import Role

INVITE_REFUSED = "Only admins and TAMs invite users."
INVITE_ROLE_REFUSED = "You may not invite users with this role."
INVITE_ACCOUNT_REFUSED = "You can only invite users to accounts you manage."
PEOPLE_ADMIN_ONLY = "Only administrators change people's roles and details."
ADDRESS_TAKEN = "A user with this e-mail address already exists."
NOT_YOURSELF = "You cannot {what}: another administrator can."


def _invite_refusal(user: User | None, role: Role | None, account: Account | None) -> str | None:
    if user is None or user.is_portal_admin:
        return None
    if not user.is_tam:
        return INVITE_REFUSED
    if role is not None and role != Role.CUSTOMER:
        return INVITE_ROLE_REFUSED
    if account is not None and not Account.objects.owned_by(user).filter(pk=account.pk).exists():
        return INVITE_ACCOUNT_REFUSED
    return None


def may_invite(user: User | None, *, role: Role | None = None, account: Account | None = None) -> bool:
    """Whether ``user`` may invite someone (with this role, to this account, when given)."""
    return _invite_refusal(user, role, account) is None


def require_may_invite(user: User | None, *, role: Role | None = None, account: Account | None = None) -> None:
    refusal = _invite_refusal(user, role, account)
    if refusal is not None:
        raise NotAllowed(refusal)


def invitable_roles(user: User) -> list[Role]:
    """The roles the invitation page offers ``user``."""
    return [role for role in Role if may_invite(user, role=role)]


def may_manage_people(user: User | None) -> bool:
    """Admins (and the system) change people's roles and details."""
    return user is None or user.is_portal_admin


def _check_role_shape(*, roles: set[Role], account: Account | None) -> None:
    if not roles:
        raise DomainError("Choose a role.", field="role")
    if Role.CUSTOMER in roles:
        if roles != {Role.CUSTOMER}:
            raise DomainError("A customer user cannot also hold a vendor staff role.", field="role")
        if account is None:
            raise DomainError("A customer user belongs to exactly one account: choose it.", field="account")
    elif account is not None:
        raise DomainError("Vendor staff do not belong to a customer account.", field="account")


def _give_roles(user: User, roles: set[Role], account: Account | None) -> None:
    user.account = account
    user.is_staff = Role.ADMIN in roles
    user.save(update_fields=["account", "is_staff"])
    user.groups.set(Group.objects.filter(name__in=[r.value for r in roles]))
    user.__dict__.pop("roles", None)


@privileged
def user_set_roles(*, actor: User | None, user: User, roles: set[Role], account: Account | None) -> User:
    """Give a person their roles (auth groups) and account link; admins get the configuration site. Only admins
    do this, and not to themselves: an administrator keeps their own role (another one takes it away). A customer
    user belongs to exactly one account and holds no staff role; staff belong to none."""
    require(may_manage_people(actor), PEOPLE_ADMIN_ONLY)
    if actor is not None and actor.pk == user.pk and Role.ADMIN not in roles:
        raise DomainError(NOT_YOURSELF.format(what="take away your own administrator role"), field="role")
    _check_role_shape(roles=roles, account=account)
    with transaction.atomic():
        list(User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True))  # one writer at once
        _give_roles(user, roles, account)
    return user


@privileged
def user_update(
    *, actor: User | None, user: User, first_name: str, last_name: str, time_zone: str, is_active: bool
) -> User:
    """An admin changes a person's name, time zone, and whether they may sign in at all (never their own: another
    administrator deactivates an administrator)."""
    require(may_manage_people(actor), PEOPLE_ADMIN_ONLY)
    if actor is not None and actor.pk == user.pk and not is_active:
        raise DomainError(NOT_YOURSELF.format(what="deactivate yourself"), field="is_active")
    user.first_name, user.last_name, user.time_zone, user.is_active = first_name, last_name, time_zone, is_active
    _full_clean(user)
    user.save(update_fields=["first_name", "last_name", "time_zone", "is_active"])
    return user


@privileged
def user_invite(
    *,
    actor: User | None,
    email: str,
    first_name: str = "",
    last_name: str = "",
    role: Role,
    account: Account | None = None,
) -> User:
    """Invite a person by e-mail. Admins invite anyone; a TAM invites customer users of their own accounts.

    The invitation is a link to choose a password; the person cannot sign in before that. One person per
    address: a second invitation to the same address, even at the same moment, is refused.
    """
    require_may_invite(actor, role=role, account=account)
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise DomainError(ADDRESS_TAKEN, field="email")
    _check_role_shape(roles={role}, account=account)
    with transaction.atomic():
        try:
            with transaction.atomic():
                user = User.objects.create_user(email=email, first_name=first_name, last_name=last_name)
        except IntegrityError as error:  # the same address, invited by a concurrent request first
            raise Conflict(ADDRESS_TAKEN, field="email") from error
        _give_roles(user, {role}, account)
        # Verified when the person chooses a password from the link (accounts/emails.py): that proves it.
        EmailAddress.objects.create(user=user, email=email, primary=True, verified=False)
        link = settings.ESS_BASE_URL + reverse(
            "account_reset_password_from_key",
            kwargs={"uidb36": user_pk_to_url_str(user), "key": default_token_generator.make_token(user)},
        )
        body = render_to_string(
            "accounts/email/invitation.txt",
            {"user": user, "actor": actor, "role": role, "account": account, "link": link},
        )
        outbox_add(to=email, subject="Your ESS Portal invitation", body=body, secrets=[link])
    return user


def user_update_profile(
    *, actor: User, first_name: str, last_name: str, time_zone: str, phone: str | None = None
) -> User:
    """A person edits their own name, the time zone their pages are shown in and their phone number (a valid one:
    the phone system's calls are matched to people by it)."""
    actor.first_name = first_name
    actor.last_name = last_name
    actor.time_zone = time_zone
    if phone is not None:
        actor.phone = phone.strip()
    _full_clean(actor)
    actor.save(update_fields=["first_name", "last_name", "time_zone", "phone"])
    return actor


def _full_clean(user: User) -> None:
    try:
        user.full_clean(exclude=["password", "email", "account"], validate_unique=False)
    except ValidationError as error:
        raise DomainError(errors=error.message_dict) from error
