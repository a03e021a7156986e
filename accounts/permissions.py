from rest_framework.permissions import SAFE_METHODS, BasePermission


class IsPortalAdminOrReadOnly(BasePermission):
    """Anyone signed in reads (within their scope); only portal admins write.

    On a single row the check waits for the scoped lookup, so another account's row is a 404 (as for a
    missing one) before it is ever a 403.
    """

    message = "Only administrators may change this."

    def has_permission(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return False
        if request.method in SAFE_METHODS or getattr(view, "detail", False):
            return True
        return request.user.is_portal_admin

    def has_object_permission(self, request, view, obj):
        return request.method in SAFE_METHODS or request.user.is_portal_admin


class IsAbsenceManagerOrReadOnly(BasePermission):
    """Anyone signed in reads absences in their scope; TAMs, TAM-level resources and admins record them."""

    message = "Only TAMs and admins manage absences."

    def has_permission(self, request, view):
        user = request.user
        if not user or not user.is_authenticated:
            return False
        return request.method in SAFE_METHODS or user.acts_as_tam


class HasPortalRole(BasePermission):
    """Signed in and holding a portal role: a customer user of an account, or vendor staff."""

    message = "Your user has no role in the portal yet. Ask an administrator."

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and (user.is_customer_user or user.is_vendor_staff))


class IsTamOrReadOnly(BasePermission):
    """Anyone signed in reads (within their scope); TAMs, TAM-level resources and admins write. Actions named
    in the view's ``customer_actions`` are open to customers too (the service checks whose row it is)."""

    message = "Only TAMs do this."

    def has_permission(self, request, view):
        user = request.user
        if not user or not user.is_authenticated:
            return False
        if request.method in SAFE_METHODS or getattr(view, "action", None) in getattr(view, "customer_actions", ()):
            return True
        return user.acts_as_tam


class IsVendorStaff(BasePermission):
    message = "Only vendor staff may do this."

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.is_vendor_staff)
