"""The configuration pages' home, tiers and their benefits, and the notice periods and limits."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from core.actions import perform_form
from core.models import Limits
from core.permissions import require

from .. import services
from ..configuration import CONFIGURATION_ADMIN_ONLY, LIMIT_FIELDS
from ..durations import notice_words
from ..models import ENTERPRISE_BENEFITS, EVERY_TIER_BENEFITS, TIER_FIELDS, Account, BusinessCalendar, Tier, User
from .forms import LimitsForm, TierForm


def require_configuration_area(user) -> None:
    """The configuration pages answer only those the configuration services let change it (403 for anyone else,
    before anything is read)."""
    require(services.may_configure(user), CONFIGURATION_ADMIN_ONLY)


@login_required
@require_GET
def index(request):
    require_configuration_area(request.user)
    counts = {
        "tiers": Tier.objects.count(),
        "calendars": BusinessCalendar.objects.count(),
        "accounts": Account.objects.count(),
        "people": User.objects.filter(is_active=True).count(),
    }
    return render(request, "config/index.html", {"counts": counts, "limits": Limits.current()})


# --- Tiers ---------------------------------------------------------------------------------------------------


def _benefit_rows(tiers: list[Tier]) -> list[dict]:
    """The FAQ's table: one row per benefit, one column per tier."""
    rows = []
    for name in EVERY_TIER_BENEFITS + ENTERPRISE_BENEFITS:
        field = Tier._meta.get_field(name)
        rows.append({"label": field.verbose_name.capitalize(), "values": [getattr(tier, name) for tier in tiers]})
    return rows


@login_required
@require_GET
def tier_list(request):
    require_configuration_area(request.user)
    tiers = list(Tier.objects.select_related("support_calendar").order_by("name"))
    return render(request, "config/tiers.html", {"tiers": tiers, "rows": _benefit_rows(tiers)})


@login_required
def tier_edit(request, pk=None):
    """A new tier, or one tier's benefits; saved through ``tier_save``."""
    require_configuration_area(request.user)
    tier = get_object_or_404(Tier, pk=pk) if pk is not None else None
    initial = {name: getattr(tier, name) for name in TIER_FIELDS} if tier else {}
    form = TierForm(request.POST or None, initial=initial)
    if request.method == "POST":
        saved, form = perform_form(
            request, form, lambda data: services.tier_save(actor=request.user, tier=tier, values=data)
        )
        if saved is not None:
            messages.success(request, f"{saved.name} saved.")
            return redirect("config:tiers")
    groups = [("", ["name", "support_calendar"]), ("Every tier", EVERY_TIER_BENEFITS)]
    groups.append(("Enterprise benefits", ENTERPRISE_BENEFITS))
    return render(
        request,
        "config/tier_edit.html",
        {"tier": tier, "form": form, "groups": [(title, [form[name] for name in names]) for title, names in groups]},
    )


# --- Notice periods and limits ---------------------------------------------------------------------------------


@login_required
def limits(request):
    """The notice a maintenance event needs, free cancellation, event lengths, renewal reminders."""
    require_configuration_area(request.user)
    current = Limits.current()
    form = LimitsForm(request.POST or None, initial={name: getattr(current, name) for name in LIMIT_FIELDS})
    if request.method == "POST":
        saved, form = perform_form(request, form, lambda data: services.limits_save(actor=request.user, values=data))
        if saved is not None:
            messages.success(request, "Notice periods and limits saved. They apply from now on.")
            return redirect("config:limits")
    return render(
        request,
        "config/limits.html",
        {"form": form, "limits": current, "notice": notice_words(current.event_notice_days)},
    )
