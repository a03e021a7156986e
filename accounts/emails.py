"""A person's e-mail addresses. An address counts (sign-in, password reset, notifications) only once its owner
has proved it: by following the verification link sent to it, or, for an invited person, by choosing a password
from the invitation, which was sent to it. Until then it is used for nothing.

allauth keeps the addresses (``EmailAddress``) and does the verifying; the rules of the portal are here, and
the account adapter (accounts/adapters.py) asks them before it signs anyone in or sends a link.
"""

from allauth.account import signals
from allauth.account.adapter import get_adapter
from allauth.account.internal.flows.email_verification import send_verification_email_to_address
from allauth.account.internal.flows.reauthentication import reauthenticate_by_password
from allauth.account.models import EmailAddress
from allauth.core import context
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.dispatch import receiver

from core.errors import DomainError
from core.permissions import require

from .models import User


def address_counts(email: str) -> bool:
    """Whether ``email`` is an address some person has proved (a verified address)."""
    return EmailAddress.objects.filter(email__iexact=email.strip(), verified=True).exists()


def may_sign_in_with(email: str) -> bool:
    """Password sign-in by ``email``: refused for an address added to an account and not yet verified (the
    account's verified address signs in). A person who has no verified address at all is let through to
    allauth, which then sends them a verification link instead of signing them in."""
    rows = EmailAddress.objects.filter(email__iexact=email.strip())
    if rows.filter(verified=True).exists():
        return True
    return not rows.filter(user__emailaddress__verified=True).exists()


def reset_may_go_to(user: User, email: str) -> bool:
    """A password reset link goes to a verified address of the user only. The one exception is an invitation
    not yet accepted: the person has never chosen a password, and the link goes to the address they were
    invited at (choosing the password is what proves it)."""
    addresses = EmailAddress.objects.filter(user=user, email__iexact=email.strip())
    if addresses.filter(verified=True).exists():
        return True
    return not user.has_usable_password() and addresses.filter(primary=True).exists()


def may_add_email(user) -> bool:
    """Any signed-in, active person may ask to change their own address."""
    return bool(user.is_authenticated and user.is_active)


def email_add(*, actor: User, email: str, password: str) -> EmailAddress:
    """Add the address ``actor`` wants to change to.

    The password is asked every time, however recent the sign-in: a session alone (a borrowed or stolen one)
    must not be enough to move the account to another mailbox. The new address is used for nothing until its
    owner follows the link sent to it; it then replaces the current address, and User.email changes then. The
    current address is told now, and again when the change happens. An address already proved by another person
    is taken in the same way (nothing tells the actor it is in use) but no link is sent to it, so it never
    counts for this account. It runs in a web request (the page or the API), whose sign-in limits it counts."""
    require(may_add_email(actor), "Sign in to change your e-mail address.")
    if not password:
        raise DomainError("Enter your password to change your e-mail address.", field="password")
    _confirm_password(actor, password)
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError as error:
        raise DomainError("Enter a valid e-mail address.", field="email") from error
    current = EmailAddress.objects.filter(user=actor, verified=True, primary=True).first()
    if current is None:  # nothing proved yet to replace: the pending address is the one to verify first
        raise DomainError("Verify your current address first: follow the link sent to it.", field="email")
    if current.email.lower() == email:
        raise DomainError("This is already your e-mail address.", field="email")
    request = context.request
    with transaction.atomic():
        # One change of address at a time per person: the same address asked twice at once is one address.
        User.objects.select_for_update().filter(pk=actor.pk).first()
        address = EmailAddress.objects.get_new(actor)
        if address is None or address.email.lower() != email:  # the same address asked again keeps its link
            address = EmailAddress.objects.add_new_email(request, actor, email, send_verification=False)
        send_verification_email_to_address(request, address)  # the adapter sends none to an address taken
        get_adapter(request).send_notification_mail(
            "account/email/email_change_requested", actor, {"from_email": current.email, "to_email": email}
        )
    signals.email_added.send(sender=EmailAddress, request=request, user=actor, email_address=address)
    return address


def _confirm_password(actor: User, password: str) -> None:
    """The actor's password, checked as a sign-in is: wrong guesses count towards the sign-in limits."""
    request = context.request
    try:
        confirmed = get_adapter(request).reauthenticate(actor, password)
    except ValidationError as error:  # the sign-in limits hold the address: say so
        raise DomainError(error.messages[0], field="password") from error
    if not confirmed:
        raise DomainError("The password is not correct.", field="password")
    reauthenticate_by_password(request)


@receiver(signals.password_reset, dispatch_uid="accounts.emails.invitation_accepted")
def invitation_accepted(sender, request, user, **kwargs) -> None:
    """Choosing a password from a link e-mailed to the address proves the address. Reset links go only to
    verified addresses, except an invitation's (``reset_may_go_to``): so a person without a verified address
    who has just set a password from a link has accepted their invitation, and their invited address counts."""
    if EmailAddress.objects.filter(user=user, verified=True).exists():
        return
    invited = EmailAddress.objects.filter(user=user, primary=True).first()
    if invited is not None and invited.email.lower() == user.email.lower() and invited.set_verified(commit=True):
        signals.email_confirmed.send(sender=EmailAddress, request=request, email_address=invited)
