"""How a request proves it comes with an API token, and how much one token may ask.

``Authorization: Bearer <token>`` (knox's own ``Token <token>`` is taken too). The token is looked up by its first
characters and compared by its hash (knox), must be in force (an expired token is refused, and kept for its owner
to see), and its user active. The request then acts as that user: every check the user meets applies, the audit
trail names "token <name> of <user>", and it never counts as a recent password (``core.authentication``).
Each token has its own request budget (``API_TOKEN_RATE_LIMIT``).
"""

import datetime as dt

from django.conf import settings
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from knox.auth import TokenAuthentication
from rest_framework import exceptions
from rest_framework.authentication import get_authorization_header
from rest_framework.throttling import SimpleRateThrottle

from .models import ApiToken

PREFIXES = (b"bearer", b"token")
LAST_USED_EVERY = dt.timedelta(minutes=1)  # "last used" is kept to the minute: one write a minute at most


class TokenRejected(exceptions.AuthenticationFailed):
    """A token that does not authenticate (unknown, expired, revoked, its user inactive, or malformed): 401 with
    the scheme to use (``core.api.exception_handler``), where a request with no credentials at all gets 403."""

    www_authenticate = 'Bearer realm="api", error="invalid_token"'


class BearerTokenAuthentication(TokenAuthentication):
    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in PREFIXES:
            return None  # no token: another way of signing in may apply
        if len(parts) != 2:
            raise TokenRejected("Send the token as: Authorization: Bearer <token>.")
        try:
            return self.authenticate_credentials(parts[1])
        except exceptions.AuthenticationFailed as refusal:
            raise TokenRejected(refusal.detail) from refusal

    def authenticate_header(self, request):
        return 'Bearer realm="api"'

    def _cleanup_token(self, auth_token) -> bool:
        """An expired token does not authenticate; it stays listed for its owner (knox would delete it)."""
        return auth_token.expiry is not None and auth_token.expiry <= timezone.now()

    def validate_user(self, auth_token: ApiToken):
        user, token = super().validate_user(auth_token)
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return user, token


class PerTokenRateThrottle(SimpleRateThrottle):
    """Requests per token (``API_TOKEN_RATE_LIMIT``, e.g. ``600/min``); a browser session is not counted here."""

    scope = "token"

    def get_rate(self):
        return settings.API_TOKEN_RATE_LIMIT

    def get_cache_key(self, request, view):
        token = request.auth
        if not isinstance(token, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": token.token_key}


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """The OpenAPI schema names the scheme: HTTP bearer with a portal API token."""

    target_class = "integrations.authentication.BearerTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        scheme = build_bearer_security_scheme_object(header_name="Authorization", token_prefix="Bearer")  # noqa: S106 (the scheme's name)
        return {
            **scheme,
            "description": "A personal or service API token: `Authorization: Bearer ess_…`. Created under Profile → "
            "API tokens (personal) or Integrations (service, by admins), or `manage.py issue_api_token`.",
        }
