"""SLA policies for administrators (``/configuration/sla/``): each tier's targets in words, and one tier's policy page
where its targets are edited, each with a worked example on a sample case that follows the form as it changes.
Saved through ``policy_save``, the service behind the break-glass Django admin too."""

import re

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.configuration import CONFIGURATION_ADMIN_ONLY, may_configure
from accounts.models import BusinessCalendar, Tier
from core.actions import perform_form
from core.permissions import require
from core.wording import span_words

from .models import ClockKind, SlaPolicy, SlaTarget
from .policies import TARGET_FIELDS, policy_save
from .policy_examples import worked_example
from .policy_forms import PolicyForm, TargetForm

_PREFIX = re.compile(r"^targets-\d+$")
EXAMPLE_FIELDS = ("start_event", "duration", "clock", "calendar")  # what a target's worked example depends on


def require_policy_area(user) -> None:
    require(may_configure(user), CONFIGURATION_ADMIN_ONLY)


def target_words(target: SlaTarget) -> str:
    """The target in words: "2 business hours on Support hours", "15 min, wall clock"."""
    if target.clock == ClockKind.BUSINESS:
        return f"{span_words(target.duration, business=True)} on {target.calendar.name}"
    return f"{span_words(target.duration)}, wall clock"


@login_required
@require_GET
def policy_list(request):
    require_policy_area(request.user)
    targets = SlaTarget.objects.select_related("calendar").order_by("start_event", "severity", "name")
    policies = SlaPolicy.objects.prefetch_related(Prefetch("targets", queryset=targets))
    tiers = Tier.objects.prefetch_related(Prefetch("sla_policy", queryset=policies)).order_by("name")
    rows = []
    for tier in tiers:
        policy = getattr(tier, "sla_policy", None)
        targets = [(target, target_words(target)) for target in policy.targets.all()] if policy else []
        rows.append({"tier": tier, "policy": policy, "targets": targets})
    return render(request, "config/sla_policies.html", {"rows": rows})


def _example(values: dict, calendars: dict[str, BusinessCalendar]) -> str:
    """The worked example of one target as typed (raw form values); why there is none when they cannot be read."""
    try:
        duration = TargetForm.base_fields["duration"].clean(values.get("duration"))
    except forms.ValidationError as error:
        return " ".join(error.messages)
    return worked_example(
        start_event=values.get("start_event") or "",
        duration=duration,
        clock=values.get("clock") or "",
        calendar=calendars.get(str(values.get("calendar") or "")),
        now=timezone.now(),
    )


def _raw(form: forms.Form) -> dict:
    return {name: form[name].value() for name in EXAMPLE_FIELDS}


@login_required
def policy_edit(request, tier_pk):
    """One tier's SLA policy (a new one for a tier without): its warning threshold and targets."""
    require_policy_area(request.user)
    tier = get_object_or_404(Tier, pk=tier_pk)
    policy = SlaPolicy.objects.filter(tier=tier).first()
    saved_targets = (
        policy.targets.select_related("calendar").order_by("start_event", "severity", "name") if policy else []
    )
    initial = [{"id": target.pk, **{name: getattr(target, name) for name in TARGET_FIELDS}} for target in saved_targets]
    form = PolicyForm(
        request.POST or None, initial={"warn_at_percent": policy.warn_at_percent if policy else 75}, targets=initial
    )
    if request.method == "POST":
        saved, form = perform_form(
            request,
            form,
            lambda data: policy_save(
                actor=request.user,
                policy=policy,
                tier=tier,
                warn_at_percent=data["warn_at_percent"],
                targets=data["targets"],
            ),
        )
        if saved is not None:
            messages.success(request, f"The SLA policy of {tier.name} is saved. Clocks that start from now follow it.")
            return redirect("sla_config:policy", tier.pk)
    calendars = {str(calendar.pk): calendar for calendar in BusinessCalendar.objects.all()}
    targets = [(target, _example(_raw(target), calendars)) for target in form.targets.forms]
    context = {"tier": tier, "policy": policy, "form": form, "targets": targets, "formset": form.targets}
    return render(request, "config/sla_policy.html", context)


@login_required
@require_GET
def target_example(request):
    """The worked example of one target as it is being edited (an htmx partial)."""
    require_policy_area(request.user)
    prefix = request.GET.get("prefix", "")
    example = ""
    if _PREFIX.match(prefix):
        values = {
            name: request.GET.get(f"{prefix}-{name}") for name in ("start_event", "duration", "clock", "calendar")
        }
        calendar_pk = values["calendar"] or ""
        calendars = (
            {calendar_pk: BusinessCalendar.objects.filter(pk=calendar_pk).first()} if calendar_pk.isdigit() else {}
        )
        example = _example(values, calendars)
    return render(request, "config/partials/target_example.html", {"example": example})
