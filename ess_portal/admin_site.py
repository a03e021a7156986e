"""The configuration site (/config/): Django's admin, entered through the portal's own sign-in, with a fresh
password required before any change. The privileged services ask for it themselves on every route
(core.authentication); the site asks too, for the changes that are not a domain's (the job schedules)."""

from functools import wraps

from django.contrib import admin

from core.authentication import recently_authenticated
from core.errors import ReauthenticationRequired


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
