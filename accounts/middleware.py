from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone


class UserTimezoneMiddleware:
    """Show every time in the signed-in user's own zone; storage stays UTC."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.time_zone:
            timezone.activate(user.time_zone)
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class StaffMfaRequiredMiddleware:
    """With ESS_REQUIRE_STAFF_MFA on, staff roles must enrol an authenticator app before anything else."""

    EXEMPT_PREFIXES = ("/accounts/", "/static/", "/healthz")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.ESS_REQUIRE_STAFF_MFA and self._must_enrol(request):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": "Two-factor authentication must be set up before using the API."}, status=403
                )
            if request.headers.get("HX-Request"):
                # A fragment fetched in place (the job status banner) is refused, not redirected: following the
                # redirect would swap the enrolment page into the fragment and start a second enrolment.
                return HttpResponse(status=403)
            messages.warning(
                request, "Your role requires two-factor authentication. Set up an authenticator app to continue."
            )
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)

    def _must_enrol(self, request) -> bool:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_vendor_staff:
            return False
        if request.path.startswith(self.EXEMPT_PREFIXES):
            return False
        return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
