"""Security headers every response carries: a Content-Security-Policy with no inline script, and no caching of
anything the portal builds."""

from django.conf import settings
from django.utils.cache import patch_cache_control

DEFAULT_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        # htmx and the admin set a few inline style attributes; no inline script is allowed anywhere.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'self'",
        "object-src 'none'",
    ]
)


class RejectNulMiddleware:
    """A NUL character is never valid in a path or a query parameter (PostgreSQL refuses it in text):
    answer 400 before any view tries to use it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists()
        ):
            from django.http import HttpResponseBadRequest, JsonResponse

            message = "Bad request: a NUL character is not allowed."
            if request.path.startswith("/api/"):  # the API answers in JSON, errors included
                return JsonResponse({"detail": message}, status=400)
            return HttpResponseBadRequest(message)
        return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = getattr(settings, "CONTENT_SECURITY_POLICY", DEFAULT_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        return response


class NoStoreMiddleware:
    """``Cache-Control: no-store`` on every response the portal builds: pages, the API, attachments, exports and
    the calendar feeds (whose token is the key). What one person was shown is never kept by a browser or a proxy
    for the next one, nor shown again from its cache after signing out. Static assets, answered by whitenoise,
    keep their own long-lived caching."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.static_prefix = "/" + settings.STATIC_URL.lstrip("/")

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(self.static_prefix):
            patch_cache_control(response, no_store=True, private=True)
        return response
