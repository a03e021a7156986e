"""The base of every REST view that serves customer-owned rows: scoping lives here, once.

A subclass names its ``queryset`` (whose model has a ``visible_to(user)`` queryset method) and never
overrides ``get_queryset``; doing so is refused when the class is defined. Another account's row is
then a 404, the same as a missing one. A user without a portal role is refused (403) before any lookup.
"""

from rest_framework import viewsets

from .permissions import HasPortalRole


class ScopedViewSetMixin:
    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "get_queryset" in cls.__dict__:
            raise TypeError(f"{cls.__name__} must not override get_queryset; refine it in scope_queryset().")

    def get_permissions(self):
        return [HasPortalRole(), *super().get_permissions()]

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
