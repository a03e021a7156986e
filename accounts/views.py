from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from .coverage import accounts_covered_by
from .errors import DomainError
from .forms import AbsenceForm, InviteForm, ProfileForm
from .models import Account, TamAbsence, TamAssignment
from .page_actions import add_domain_error
from .quarters import vendor_today
from .roles import Role
from .selectors import account_coverage
from .services import absence_cancel as cancel_absence
from .services import absence_record, absence_update, user_invite, user_update_profile


def _staff_only(user):
    if not user.is_vendor_staff:
        raise PermissionDenied("This page is for vendor staff.")


def _absence_managers_only(user):
    if not user.acts_as_tam:
        raise PermissionDenied("Only TAMs, TAM-level resources and admins record absences.")


def get_account_for(user, slug) -> Account:
    """The account, or 404 when it is missing or not the user's to see."""
    return get_object_or_404(Account.objects.visible_to(user), slug=slug)


def get_absence_for_manager(user, pk) -> TamAbsence:
    """An absence the user may change (their own; an admin's any), else 404."""
    absences = TamAbsence.objects.select_related("tam")
    if not user.is_portal_admin:
        absences = absences.filter(tam=user)
    return get_object_or_404(absences, pk=pk)


@login_required
def invite(request):
    if not (request.user.is_portal_admin or request.user.is_tam):
        raise PermissionDenied("Only admins and TAMs invite users.")
    form = InviteForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            user = user_invite(
                actor=request.user,
                email=form.cleaned_data["email"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                role=Role(form.cleaned_data["role"]),
                account=form.cleaned_data["account"],
            )
        except DomainError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, f"Invitation sent to {user.email}.")
            return redirect("accounts:invite")
    return render(request, "accounts/invite.html", {"form": form})


@login_required
def profile(request):
    user = request.user
    initial = {"first_name": user.first_name, "last_name": user.last_name, "time_zone": user.time_zone}
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            user_update_profile(actor=user, **form.cleaned_data)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, "Profile saved.")
            return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form})


@login_required
def account_list(request):
    """Staff: customer accounts. A TAM starts with the accounts they own or currently cover."""
    _staff_only(request.user)
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
    account = get_account_for(request.user, slug)
    if not request.user.is_vendor_staff:
        raise Http404  # customers read their account on their home page
    now = timezone.now()
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


@login_required
def absence_list(request):
    _absence_managers_only(request.user)
    form = AbsenceForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            absence_record(
                actor=request.user,
                tam=form.cleaned_data.get("tam") or request.user,
                starts_at=form.cleaned_data["starts_at"],
                ends_at=form.cleaned_data["ends_at"],
                note=form.cleaned_data["note"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "Absence recorded. Your customers have been told who covers.")
            return redirect("accounts:absences")
    absences = TamAbsence.objects.scheduled().not_over(timezone.now()).select_related("tam")
    if not request.user.is_portal_admin:
        absences = absences.filter(tam=request.user)
    return render(request, "accounts/absences.html", {"form": form, "absences": absences})


@login_required
def absence_edit(request, pk):
    _absence_managers_only(request.user)
    absence = get_absence_for_manager(request.user, pk)
    initial = {"starts_at": absence.starts_at, "ends_at": absence.ends_at, "note": absence.note}
    form = AbsenceForm(request.POST or None, initial=initial, actor=request.user, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            absence_update(actor=request.user, absence=absence, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "Absence changed. Your customers have been told.")
            return redirect("accounts:absences")
    return render(request, "accounts/absence_edit.html", {"form": form, "absence": absence})


@login_required
@require_POST
def absence_cancel(request, pk):
    _absence_managers_only(request.user)
    absence = get_absence_for_manager(request.user, pk)
    try:
        cancel_absence(actor=request.user, absence=absence)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Absence cancelled. Your customers have been told.")
    return redirect("accounts:absences")
