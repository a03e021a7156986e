"""The base of every REST view, and the one translation of service refusals into HTTP.

A view serving customer-owned rows names its ``queryset`` (whose model has a ``visible_to(user)`` queryset
method) and never overrides ``get_queryset``; doing so is refused when the class is defined. Another account's
row is then a 404, the same as a missing one. A user without a portal role is refused (403) before any lookup.
Writes call a service; what the service refuses is answered here: ``DomainError`` 400 with its field messages,
``Conflict`` 409, ``NotAllowed`` 403, ``ReauthenticationRequired`` 403 with code ``reauthentication_required``.

A request made with an API token acts as the token's user and is held, besides, to the token's scopes
(``TokenScopes``): reads need ``read``, writes ``write``, and a view may name its own scope (``token_scope``).
"""

from rest_framework import exceptions, status, viewsets
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import Conflict, DomainError, NotAllowed, ReauthenticationRequired
from .permissions import HasPortalRole, TokenScopes


class ScopedViewSetMixin:
    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "get_queryset" in cls.__dict__:
            raise TypeError(f"{cls.__name__} must not override get_queryset; refine it in scope_queryset().")

    def get_permissions(self):
        return [HasPortalRole(), TokenScopes(), *super().get_permissions()]

    def get_queryset(self):
        queryset = self.queryset.all().visible_to(self.request.user)
        return self.scope_queryset(queryset)

    def scope_queryset(self, queryset):
        """Narrow (filters, select_related) after the visibility scope has been applied."""
        return queryset


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class ScopedModelViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    pass


def validated(serializer_class, request, **kwargs) -> dict:
    """The request body as ``serializer_class`` parses it, or a 400 with its field errors."""
    payload = serializer_class(data=request.data, **kwargs)
    payload.is_valid(raise_exception=True)
    return payload.validated_data


def exception_handler(exc, context):
    challenge = getattr(exc, "www_authenticate", None)  # a credential that was sent and refused (an API token)
    if challenge:
        response = drf_exception_handler(exc, context)
        response.status_code = status.HTTP_401_UNAUTHORIZED
        response["WWW-Authenticate"] = challenge
        return response
    if isinstance(exc, ReauthenticationRequired):
        return Response({"detail": exc.message, "code": "reauthentication_required"}, status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, Conflict):
        return Response(exc.errors, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DomainError):
        exc = exceptions.ValidationError(exc.errors)
    elif isinstance(exc, NotAllowed):
        exc = exceptions.PermissionDenied(exc.message)
    return drf_exception_handler(exc, context)
