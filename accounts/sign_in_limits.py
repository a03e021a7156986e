"""Failed sign-ins are counted so that guessing is slowed down without locking the owner out.

Three counts, each over a sliding window (``ACCOUNT_RATE_LIMITS``):

- per IP address (``login_failed``, its ``/ip`` rate): one place trying many addresses;
- per IP and e-mail address together (``login_failed``, its ``/key`` rate): one place guessing one person's
  password. That place waits; the owner, signing in from anywhere else, is not held up;
- per e-mail address from every IP (``login_failed_address``): guessing spread over many places. Password
  sign-in for the address then waits everywhere, but the owner still gets in with a sign-in code e-mailed to
  their verified address (allauth's login by code), which no count here touches.

When a count that names an address holds it, the address's owner is told by e-mail, once per hold window
(not once per attempt). A successful sign-in takes its own attempt back out of the counts, as allauth does.
"""

import datetime as dt
import hashlib

from allauth.account import app_settings
from allauth.account.models import EmailAddress
from allauth.core.internal import ratelimit
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from .notifications import email_users

APP = "allauth.account"
FROM_HERE = "Too many failed sign-in attempts from here. Try again later, or sign in with a code sent to your e-mail."
FOR_ADDRESS = (
    "Too many failed sign-in attempts for this address. Sign in with a code sent to your e-mail address instead, "
    "or try your password again later."
)


class SignInHeld(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _rates(action: str) -> list[str]:
    text = app_settings.RATE_LIMITS.get(action) or ""
    return [part.strip() for part in text.split(",") if part.strip()]


def _consume(request, action: str, rate: str, key: str):
    return ratelimit.consume(request, app=APP, action=action, config={action: rate}, key=key)


def count_attempt(request, email: str) -> ratelimit.RateLimitUsage:
    """Count one sign-in attempt for ``email`` from the request's IP; raise ``SignInHeld`` while a count holds.
    The returned usage is rolled back when the attempt succeeds."""
    address = email.strip().lower()
    place = ratelimit.get_ip(request)
    counted = ratelimit.RateLimitUsage(usage=[])
    counts = [
        *(("login_failed", rate, f"{place}/{address}", FROM_HERE) for rate in _rates("login_failed")),
        *(("login_failed_address", rate, address, FOR_ADDRESS) for rate in _rates("login_failed_address")),
    ]
    for action, rate, key, message in counts:
        usage = _consume(request, action, rate, key)
        if not usage:
            parsed = ratelimit.parse_rate(rate)
            if parsed.per == "key" and address:
                _tell_owner(address, place, held_for=parsed.duration, everywhere=action == "login_failed_address")
            raise SignInHeld(message)
        counted.usage.extend(usage.usage)
    return counted


def forget_attempts(request, email: str) -> None:
    """After a password reset through the owner's mailbox, the counts naming the address start again."""
    address = email.strip().lower()
    place = ratelimit.get_ip(request)
    for action, key in (("login_failed", f"{place}/{address}"), ("login_failed_address", address)):
        for rate in _rates(action):
            if ratelimit.parse_rate(rate).per == "key":
                ratelimit.clear(request, app=APP, action=action, config={action: rate}, key=key)


def _tell_owner(address: str, place: str, *, held_for: float, everywhere: bool) -> None:
    """Once per hold: the first refused attempt of a window tells the owner; the others of that window do not."""
    verified = EmailAddress.objects.filter(email__iexact=address, verified=True).select_related("user").first()
    if verified is None or not verified.user.is_active:
        return
    marker = "ess:sign-in-held:" + hashlib.sha256(address.encode()).hexdigest()
    if not cache.add(marker, True, timeout=held_for):
        return
    email_users(
        [verified.user],
        subject="Failed sign-ins to your ESS Portal account",
        template="account/email/sign_in_held.txt",
        context={
            "place": place,
            "everywhere": everywhere,
            "until": timezone.now() + dt.timedelta(seconds=held_for),
            "code_path": reverse("account_request_login_code"),
            "reset_path": reverse("account_reset_password"),
        },
    )
