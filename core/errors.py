"""The exceptions a service raises when it refuses, and nothing else.

- ``DomainError``: the input breaks a rule. It carries a user-facing message per field (``field=None`` is the
  form as a whole). A page shows the messages on its form; the API answers 400 with the same messages.
- ``NotAllowed``: the acting user may not do this at all. A page answers 403; the API answers 403.
- ``ReauthenticationRequired``: the action is privileged and the user's password is older than the window.
  A page asks for the password and then carries the change out; the API answers 403 saying so.
- ``Conflict``: two requests created the same unique thing at once and this one lost; the API answers 409,
  a page shows the message on its form.
"""

from allauth.core.exceptions import ReauthenticationRequired as AllauthReauthenticationRequired
from django.core.exceptions import PermissionDenied

NON_FIELD = "non_field_errors"


class DomainError(Exception):
    def __init__(self, message: str = "", *, field: str | None = None, errors: dict[str, list[str]] | None = None):
        if errors is None:
            errors = {field or NON_FIELD: [message]}
        self.errors = errors
        self.message = message or next(iter(next(iter(errors.values()))), "")
        self.field = field if field is not None else next(iter(errors)) if len(errors) == 1 else None
        if self.field == NON_FIELD:
            self.field = None
        super().__init__(self.message)


class Conflict(DomainError):
    """A unique thing was created by a concurrent request first."""


class NotAllowed(PermissionDenied):
    """The acting user may not do this (403 everywhere). Django and DRF both answer 403 for it."""

    def __init__(self, message: str = "You do not have permission to do this."):
        super().__init__(message)
        self.message = message


class ReauthenticationRequired(NotAllowed, AllauthReauthenticationRequired):
    """allauth's middleware turns it, on a page, into the password prompt that then replays the request."""

    def __init__(self, message: str = "Confirm your password to make this change; it was entered too long ago."):
        super().__init__(message)
