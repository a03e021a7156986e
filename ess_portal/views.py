"""Pages that combine apps: the role homes, and the health check."""

import logging

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.roles import Role

from . import homes
from .job_health import broker_reachable, job_service_problem

logger = logging.getLogger(__name__)

HOME_TEMPLATES = {
    Role.ADMIN: "home/admin.html",
    Role.TAM: "home/tam.html",
    Role.TAM_LEVEL: "home/support.html",
    Role.SUPPORT: "home/support.html",
    Role.CUSTOMER: "home/customer.html",
}


def configuration_login(request, extra_context=None):
    """Stands in for the admin's login page: everyone signs in through the portal (MFA, rate limits)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.GET.get("next") or reverse("admin:index"), reverse("account_login"))
    if request.user.is_staff and request.user.is_active:
        return redirect("admin:index")
    raise PermissionDenied("The configuration site is for administrators.")


@login_required
def home(request):
    role = request.user.primary_role
    if role is None or (role == Role.CUSTOMER and request.user.account_id is None):
        raise PermissionDenied("Your user has no role in the portal yet. Ask an administrator.")
    build = {
        Role.ADMIN: homes.admin_overview,
        Role.TAM: homes.tam_dashboard,
        Role.TAM_LEVEL: homes.support_home,
        Role.SUPPORT: homes.support_home,
        Role.CUSTOMER: homes.customer_home,
    }[role]
    return render(request, HOME_TEMPLATES[role], {"role": role, **build(request.user)})


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone()[0] == 1
    except Exception:
        logger.exception("health check: database unreachable")
        return False


@never_cache
@require_GET
def healthz(request):
    database = _database_ok()
    broker_kind, broker = broker_reachable()
    healthy = database and broker
    body = {
        "status": "ok" if healthy else "unavailable",
        "database": "ok" if database else "unavailable",
        "broker": {"kind": broker_kind, "status": "ok" if broker else "unavailable"},
    }
    return JsonResponse(body, status=200 if healthy else 503)


@never_cache
@require_GET
@login_required
def job_status(request):
    """The banner staff see while background jobs are on hold; empty when all is well. Loaded by each page
    after it is shown, and every minute, so it appears and clears without a reload."""
    if not request.user.is_vendor_staff:
        raise PermissionDenied("Only vendor staff see the job service's status.")
    return render(request, "includes/job_status.html", {"problem": job_service_problem()})
