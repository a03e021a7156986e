"""People, absences and the staff's account pages. The services decide who may do what (``may_*``); a page asks
the same predicates to decide what it offers, and shows a service's refusal on its form."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.actions import PageAction, perform, perform_form
from core.permissions import require

from . import services
from .absences import require_may_manage_absences_of, require_may_record_absences
from .coverage import accounts_covered_by
from .forms import AbsenceForm, InviteForm, ProfileForm
from .models import Account, TamAbsence, TamAssignment, User
from .people import require_may_invite
from .quarters import vendor_today
from .roles import Role
from .selectors import account_coverage, account_for

STAFF_AREA = "This page is for vendor staff."


@login_required
def invite(request):
    user = request.user
    require_may_invite(user)
    offered = {"roles": services.invitable_roles(user), "accounts": Account.objects.managed_by(user)}
    form = InviteForm(request.POST or None, actor=user, **offered)
    if request.method == "POST":
        invited, form = perform_form(
            request,
            form,
            lambda data: services.user_invite(actor=user, **{**data, "role": Role(data["role"])}),
        )
        if invited is not None:
            messages.success(request, f"Invitation sent to {invited.email}.")
            return redirect("accounts:invite")
    return render(request, "accounts/invite.html", {"form": form})


@login_required
def profile(request):
    user = request.user
    initial = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "time_zone": user.time_zone,
        "phone": user.phone.as_international if user.phone else "",
    }
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST":
        saved, form = perform_form(request, form, lambda data: services.user_update_profile(actor=user, **data))
        if saved is not None:
            messages.success(request, "Profile saved.")
            return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form})


@login_required
def account_list(request):
    """Staff: customer accounts. A TAM starts with the accounts they own or currently cover."""
    require(request.user.is_vendor_staff, STAFF_AREA)
    show_all = request.GET.get("show") == "all" or not request.user.is_tam_level
    now = timezone.now()
    accounts = Account.objects.visible_to(request.user)
    covered_ids = {a.pk for a in accounts_covered_by(request.user, now)} if request.user.is_tam_level else set()
    if not show_all:
        owned = accounts.owned_by(request.user).values("pk")
        accounts = accounts.filter(Q(pk__in=covered_ids) | Q(pk__in=owned))
    accounts = accounts.select_related("calendar").with_coverage(vendor_today(now)).order_by("name")
    return render(
        request,
        "accounts/account_list.html",
        {"accounts": accounts, "covered_ids": covered_ids, "show_all": show_all},
    )


@login_required
def account_detail(request, slug):
    if not request.user.is_vendor_staff:
        raise Http404  # customers read their account on their home page
    now = timezone.now()
    account = account_for(request.user, slug)
    account = Account.objects.select_related("calendar").with_coverage(vendor_today(now)).get(pk=account.pk)
    covered = account_coverage(account, now)
    return render(
        request,
        "accounts/account_detail.html",
        {
            "account": account,
            "coverage": covered.now,
            "absences": covered.absences,
            "contracts": account.contracts.select_related("tier").order_by("-start_date"),
            "assignments": TamAssignment.objects.filter(account=account).select_related("primary", "backup"),
            "contacts": account.users.filter(is_active=True).order_by("last_name", "first_name"),
        },
    )


# --- Absences -------------------------------------------------------------------------------------


def _absence_times(data: dict) -> dict:
    return {"starts_at": data["starts_at"], "ends_at": data["ends_at"], "note": data["note"]}


ABSENCE_ACTIONS = {
    "update": PageAction(
        form=AbsenceForm,
        form_key="form",
        form_kwargs=lambda request, absence: {"editing": True},
        run=lambda request, absence, data: services.absence_update(
            actor=request.user, absence=absence, **_absence_times(data)
        ),
        done="Absence changed. Your customers have been told.",
        may=services.may_manage_absence,
    ),
    "cancel": PageAction(
        run=lambda request, absence, data: services.absence_cancel(actor=request.user, absence=absence),
        done="Absence cancelled. Your customers have been told.",
        may=services.may_manage_absence,
    ),
}


def _absence_for(user, pk, *, verb: str) -> TamAbsence:
    """An absence the user may see (404 otherwise, as for a missing one) and may ``verb`` (403 otherwise)."""
    absence = get_object_or_404(TamAbsence.objects.visible_to(user).select_related("tam"), pk=pk)
    require_may_manage_absences_of(user, absence.tam, verb=verb)
    return absence


def _absence_tams_offered(user):
    """The people whose absences the page offers ``user`` to record: anyone TAM-level, for an admin."""
    if not user.is_portal_admin:
        return None
    return User.objects.filter(groups__name__in=[Role.TAM.value, Role.TAM_LEVEL.value], is_active=True).distinct()


@login_required
def absence_list(request):
    user = request.user
    require_may_record_absences(user)
    form = AbsenceForm(request.POST or None, offer_tams=_absence_tams_offered(user))
    if request.method == "POST":
        recorded, form = perform_form(
            request,
            form,
            lambda data: services.absence_record(actor=user, tam=data["tam"] or user, **_absence_times(data)),
        )
        if recorded is not None:
            messages.success(request, "Absence recorded. Your customers have been told who covers.")
            return redirect("accounts:absences")
    absences = TamAbsence.objects.managed_by(user).not_over(timezone.now()).select_related("tam")
    return render(request, "accounts/absences.html", {"form": form, "absences": absences})


@login_required
def absence_edit(request, pk):
    absence = _absence_for(request.user, pk, verb="change")

    def page(forms):
        return render(request, "accounts/absence_edit.html", {"absence": absence, **forms})

    if request.method == "POST":
        return perform(request, absence, ABSENCE_ACTIONS, "update", page=page, success_url=reverse("accounts:absences"))
    initial = {"starts_at": absence.starts_at, "ends_at": absence.ends_at, "note": absence.note}
    return page({"form": AbsenceForm(initial=initial, editing=True)})


@login_required
@require_POST
def absence_cancel(request, pk):
    absence = _absence_for(request.user, pk, verb="cancel")
    back = reverse("accounts:absences")
    return perform(request, absence, ABSENCE_ACTIONS, "cancel", page=lambda forms: redirect(back), success_url=back)
