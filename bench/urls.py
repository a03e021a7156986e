"""The portal's URLs plus the baseline of the API benchmark; mounted only by ``ess_portal.settings.bench``."""

from django.urls import path
from rest_framework.decorators import api_view
from rest_framework.response import Response

from ess_portal.urls import handler403, handler404, handler500
from ess_portal.urls import urlpatterns as portal_urlpatterns

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]


@api_view(["GET"])
def hello(request):
    """The cheapest authenticated JSON answer the API stack gives: the same middleware, session, DRF
    authentication and permission as every API view, no query of its own and no serializer."""
    return Response({"hello": "world"})


urlpatterns = [path("bench/hello/", hello, name="bench-hello"), *portal_urlpatterns]
