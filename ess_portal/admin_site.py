"""The configuration site (/config/): Django's admin, entered through the portal's own sign-in, with a fresh
password required before any change."""

import time
from functools import wraps

from allauth.account.internal.flows.login import get_authentication_records
from allauth.core.exceptions import ReauthenticationRequired
from django.conf import settings
from django.contrib import admin


def recently_authenticated(request) -> bool:
    """Signed in, or asked again for a password, within the re-authentication window."""
    records = get_authentication_records(request, request.user)
    latest = max((record.get("at", 0) for record in records), default=0)
    return time.time() - latest < settings.ACCOUNT_REAUTHENTICATION_TIMEOUT


class ConfigurationSite(admin.AdminSite):
    site_header = "ESS Portal configuration"
    site_title = "ESS Portal"
    index_title = "Configuration"

    def login(self, request, extra_context=None):
        # One way in: the admin's own login page would bypass MFA and the sign-in rate limits.
        from .views import configuration_login

        return configuration_login(request, extra_context)

    def admin_view(self, view, cacheable=False):
        """Every change made here (roles, tiers, calendars, SLA policies, contracts...) is sensitive: a POST
        from a session whose password is older than the window is held while the portal asks for the
        password again, then carried out."""
        inner = super().admin_view(view, cacheable)
        if view == self.logout:
            return inner

        @wraps(inner)
        def guarded(request, *args, **kwargs):
            # Only those the site lets in are asked: anyone else is refused (403) without a password prompt.
            if request.method == "POST" and self.has_permission(request) and not recently_authenticated(request):
                raise ReauthenticationRequired()
            return inner(request, *args, **kwargs)

        return guarded
