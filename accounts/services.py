"""Every write to accounts and users goes through these functions."""

from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from .errors import DomainError
from .models import Account, User
from .roles import Role


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


def user_set_roles(*, actor: User | None, user: User, roles: set[Role], account: Account | None) -> User:
    """Give a user their roles (auth groups) and account link; admins get the configuration site."""
    _check_role_shape(roles=roles, account=account)
    with transaction.atomic():
        user.account = account
        user.is_staff = Role.ADMIN in roles
        user.save(update_fields=["account", "is_staff"])
        user.groups.set(Group.objects.filter(name__in=[r.value for r in roles]))
    user.__dict__.pop("roles", None)
    return user


def user_invite(
    *,
    actor: User,
    email: str,
    first_name: str = "",
    last_name: str = "",
    role: Role,
    account: Account | None = None,
) -> User:
    """Invite a person by e-mail. Admins invite anyone; a TAM invites customer users of their own accounts.

    The invitation is a link to choose a password; the person cannot sign in before that.
    """
    email = email.strip().lower()
    if not (actor.is_portal_admin or (actor.is_tam and role == Role.CUSTOMER)):
        raise DomainError("You may not invite users with this role.", field="role")
    managed = Account.objects.managed_by(actor)
    if role == Role.CUSTOMER and account is not None and not managed.filter(pk=account.pk).exists():
        raise DomainError("You can only invite users to accounts you manage.", field="account")
    if User.objects.filter(email__iexact=email).exists():
        raise DomainError("A user with this e-mail address already exists.", field="email")
    _check_role_shape(roles={role}, account=account)
    with transaction.atomic():
        user = User.objects.create_user(email=email, first_name=first_name, last_name=last_name)
        user_set_roles(actor=actor, user=user, roles={role}, account=account)
        EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
        link = settings.ESS_BASE_URL + reverse(
            "account_reset_password_from_key",
            kwargs={"uidb36": user_pk_to_url_str(user), "key": default_token_generator.make_token(user)},
        )
        body = render_to_string(
            "accounts/email/invitation.txt",
            {"user": user, "actor": actor, "role": role, "account": account, "link": link},
        )
        transaction.on_commit(
            lambda: send_mail("Your ESS Portal invitation", body, settings.DEFAULT_FROM_EMAIL, [email])
        )
    return user


def user_update_profile(*, actor: User, first_name: str, last_name: str, time_zone: str) -> User:
    """A person edits their own name and the time zone their pages are shown in."""
    actor.first_name = first_name
    actor.last_name = last_name
    actor.time_zone = time_zone
    actor.full_clean(exclude=["password", "email", "account"])
    actor.save(update_fields=["first_name", "last_name", "time_zone"])
    return actor
