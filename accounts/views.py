from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render

from .errors import DomainError
from .forms import InviteForm, ProfileForm
from .roles import Role
from .services import user_invite, user_update_profile


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
