"""Pages for releases, release previews and proactive reviews. Views parse, call a service, respond."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounts.errors import DomainError
from accounts.models import Account
from accounts.page_actions import FormInvalid, add_domain_error, page_action, valid
from accounts.quarters import vendor_today

from . import selectors, services
from .forms import (
    AccountModulesForm,
    DeclineForm,
    FindingForm,
    InventoryRowForm,
    InventoryUploadForm,
    PreviewForm,
    PreviewHoldForm,
    RecommendationForm,
    RecommendationStatusForm,
    ReleaseForm,
    ReleaseItemForm,
    ReviewDetailsForm,
    ScheduleForm,
)
from .models import (
    PRIORITY_ORDER,
    AccountModules,
    Finding,
    InventoryRow,
    PreviewSession,
    PreviewStatus,
    ProactiveReview,
    Recommendation,
    Release,
    ReleaseItem,
    ReleaseKind,
    ReviewStatus,
)

LEVEL_ORDER = {"critical": 0, "error": 1, "warning": 2, "info": 3}


def _by_priority(recommendations) -> list[Recommendation]:
    return sorted(recommendations, key=lambda r: (PRIORITY_ORDER[r.priority], r.pk))


def get_release_for(user, pk) -> Release:
    """The release, or 404 when missing or a draft the user may not see."""
    return get_object_or_404(Release.objects.visible_to(user), pk=pk)


def get_preview_for(user, pk) -> PreviewSession:
    """The preview, or 404 when missing or another account's."""
    previews = PreviewSession.objects.visible_to(user).select_related("release", "account", "tam", "declined_by")
    return get_object_or_404(previews, pk=pk)


def get_review_for(user, pk) -> ProactiveReview:
    """The review, or 404 when missing, another account's, or (for a customer) not yet published."""
    reviews = ProactiveReview.objects.visible_to(user).select_related("account", "tam", "published_by")
    return get_object_or_404(reviews, pk=pk)


def _staff_only(user, what="This page"):
    if not user.is_vendor_staff:
        raise PermissionDenied(f"{what} is for vendor staff.")


def _tam_only(user, what: str):
    if not user.acts_as_tam:
        raise PermissionDenied(f"{what} is for TAMs.")


def _all_accounts(request) -> bool:
    return request.GET.get("show") == "all" or not request.user.is_tam_level


# --- Releases -------------------------------------------------------------------------------------


@login_required
@require_GET
def release_list(request):
    user = request.user
    releases = list(Release.objects.visible_to(user).annotate(item_count=Count("items")).by_version())
    previews = {}
    if user.is_customer_user:
        previews = {
            p.release_id: p
            for p in PreviewSession.objects.visible_to(user).filter(release__in=[r.pk for r in releases])
        }
    rows = [(release, previews.get(release.pk)) for release in releases]
    return render(request, "reviews/releases.html", {"rows": rows})


@login_required
def release_create(request):
    _staff_only(request.user, "Adding a release")
    form = ReleaseForm(request.POST) if request.method == "POST" else ReleaseForm()
    if form.is_bound and form.is_valid():
        try:
            release = services.release_create(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, f"{release} added{'' if release.published else ' as a draft'}.")
            return redirect("reviews:release", release.pk)
    return render(request, "reviews/release_form.html", {"form": form})


def _release_context(request, release, **forms) -> dict:
    user = request.user
    items = list(release.items.all())
    context = {"release": release, "items": items, **forms}
    if user.is_vendor_staff:
        context.setdefault(
            "edit_form",
            ReleaseForm(
                initial={
                    "product": release.product,
                    "version": release.version,
                    "kind": release.kind,
                    "planned_date": release.planned_date,
                    "actual_date": release.actual_date,
                    "notes": release.notes,
                    "published": release.published,
                }
            ),
        )
        context.setdefault("item_form", ReleaseItemForm())
        context["previews"] = release.previews.select_related("account", "tam").order_by("account__name")
        if release.kind == ReleaseKind.PATCH:
            context["to_plan"] = [
                pair.account
                for pair in selectors.previews_to_plan(user, all_accounts=True)
                if pair.release.pk == release.pk
            ]
    else:
        context["my_preview"] = (
            PreviewSession.objects.visible_to(user).filter(release=release).select_related("tam").first()
        )
    return context


@login_required
@require_GET
def release_detail(request, pk):
    release = get_release_for(request.user, pk)
    return render(request, "reviews/release_detail.html", _release_context(request, release))


RELEASE_ACTIONS = {"edit", "publish", "item", "item-remove"}


@login_required
@require_POST
def release_action(request, pk, action):
    release = get_release_for(request.user, pk)
    if action not in RELEASE_ACTIONS:
        raise Http404
    _staff_only(request.user, "Changing a release")
    user, forms = request.user, {}

    def run():
        if action == "edit":
            data = valid(forms.setdefault("edit_form", ReleaseForm(request.POST)))
            services.release_update(actor=user, release=release, **data)
            messages.success(request, "Release saved.")
        elif action == "publish":
            services.release_publish(actor=user, release=release)
            messages.success(request, f"{release} is published.")
        elif action == "item":
            data = valid(forms.setdefault("item_form", ReleaseItemForm(request.POST)))
            services.release_item_add(actor=user, release=release, **data)
            messages.success(request, "Item added.")
        else:
            item = get_object_or_404(ReleaseItem, pk=_pk(request, "item"), release=release)
            services.release_item_remove(actor=user, item=item)
            messages.success(request, "Item removed.")

    def again():
        release.refresh_from_db()
        return render(request, "reviews/release_detail.html", _release_context(request, release, **forms))

    return page_action(request, run, forms=forms, done=reverse("reviews:release", args=[release.pk]), again=again)


# --- Release previews -----------------------------------------------------------------------------


@login_required
@require_GET
def preview_list(request):
    user = request.user
    everyone = _all_accounts(request)
    previews = selectors.previews_for(user, all_accounts=everyone).prefetch_related("items")
    now = timezone.now()
    planned = [p for p in previews if p.status == PreviewStatus.PLANNED]
    context = {
        "to_plan": selectors.previews_to_plan(user, all_accounts=everyone) if user.is_vendor_staff else [],
        "upcoming": [p for p in planned if p.scheduled_at >= now],
        "to_record": [p for p in planned if p.scheduled_at < now],
        "past": [p for p in previews if p.status != PreviewStatus.PLANNED][::-1],
        "mine": not everyone,
    }
    return render(request, "reviews/previews.html", context)


def _plan_context(release, account, form) -> dict:
    modules = AccountModules.objects.filter(account=account).first()
    return {
        "release": release,
        "account": account,
        "form": form,
        "modules_form": AccountModulesForm(initial={"modules": modules.modules if modules else ""}),
        "acting_note": "The TAM acting at the chosen time coordinates it, unless you tick the box below.",
    }


@login_required
def preview_plan(request, release_pk, account):
    _tam_only(request.user, "Planning a preview")
    release = get_release_for(request.user, release_pk)
    account = get_object_or_404(Account.objects.visible_to(request.user), slug=account)
    existing = PreviewSession.objects.filter(release=release, account=account).first()
    if existing is not None:
        return redirect("reviews:preview", existing.pk)
    if request.method != "POST":
        suggested = [str(item.pk) for item in selectors.suggested_items(release, account)]
        form = PreviewForm(release=release, initial={"items": suggested, "duration_minutes": "60"})
        return render(request, "reviews/preview_plan.html", _plan_context(release, account, form))
    form = PreviewForm(request.POST, release=release)
    if form.is_valid():
        data = form.cleaned_data
        try:
            preview = services.preview_plan(
                actor=request.user,
                release=release,
                account=account,
                scheduled_at=data["scheduled_at"],
                duration_minutes=data["duration_minutes"],
                items=form.chosen_items(),
                uses_replica=data["uses_replica"],
                attendees=data["attendees"],
                notes=data["notes"],
                coordinate_myself=data["coordinate_myself"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, f"Preview planned; {account.name}'s users have the invitation.")
            return redirect("reviews:preview", preview.pk)
    return render(request, "reviews/preview_plan.html", _plan_context(release, account, form))


@login_required
@require_POST
def account_modules(request, account):
    _tam_only(request.user, "Recording modules")
    account = get_object_or_404(Account.objects.visible_to(request.user), slug=account)
    form = AccountModulesForm(request.POST)
    if form.is_valid():
        try:
            services.account_modules_set(actor=request.user, account=account, modules=form.cleaned_data["modules"])
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"Modules of {account.name} saved.")
    back = request.POST.get("next", "")
    return redirect(back if back.startswith("/reviews/") else "reviews:previews")


def _preview_context(request, preview, **forms) -> dict:
    items = list(preview.items.all())
    context = {"preview": preview, "items": items, "is_staff_view": request.user.is_vendor_staff, **forms}
    if preview.is_planned:
        context.setdefault("decline_form", DeclineForm())
        if request.user.is_vendor_staff:
            context.setdefault(
                "edit_form",
                PreviewForm(
                    release=preview.release,
                    initial={
                        "scheduled_at": timezone.localtime(preview.scheduled_at),
                        "duration_minutes": str(preview.duration_minutes),
                        "items": [str(item.pk) for item in items],
                        "uses_replica": preview.uses_replica,
                        "attendees": preview.attendees,
                        "notes": preview.notes,
                    },
                ),
            )
            context.setdefault("hold_form", PreviewHoldForm(initial={"notes": preview.notes}))
            context["started"] = preview.scheduled_at <= timezone.now()
    return context


@login_required
@require_GET
def preview_detail(request, pk):
    preview = get_preview_for(request.user, pk)
    return render(request, "reviews/preview_detail.html", _preview_context(request, preview))


PREVIEW_ACTIONS = {"update", "hold", "decline"}


@login_required
@require_POST
def preview_action(request, pk, action):
    preview = get_preview_for(request.user, pk)
    if action not in PREVIEW_ACTIONS:
        raise Http404
    user, forms = request.user, {}
    if action != "decline":
        _tam_only(user, "Changing a preview")

    def run():
        if action == "update":
            form = forms.setdefault("edit_form", PreviewForm(request.POST, release=preview.release))
            data = valid(form)
            services.preview_update(
                actor=user,
                preview=preview,
                scheduled_at=data["scheduled_at"],
                duration_minutes=data["duration_minutes"],
                items=form.chosen_items(),
                uses_replica=data["uses_replica"],
                attendees=data["attendees"],
                notes=data["notes"],
                coordinate_myself=data["coordinate_myself"],
            )
            messages.success(request, "Preview saved.")
        elif action == "hold":
            data = valid(forms.setdefault("hold_form", PreviewHoldForm(request.POST)))
            services.preview_hold(actor=user, preview=preview, notes=data["notes"])
            messages.success(request, "Preview recorded as held.")
        else:
            data = valid(forms.setdefault("decline_form", DeclineForm(request.POST)))
            services.preview_decline(actor=user, preview=preview, reason=data["reason"])
            messages.success(request, "Preview declined; everyone invited has the cancellation.")

    def again():
        preview.refresh_from_db()
        return render(request, "reviews/preview_detail.html", _preview_context(request, preview, **forms))

    return page_action(request, run, forms=forms, done=reverse("reviews:preview", args=[preview.pk]), again=again)


# --- Proactive reviews ----------------------------------------------------------------------------


@login_required
@require_GET
def review_list(request):
    user = request.user
    if not user.is_vendor_staff:
        reviews = ProactiveReview.objects.visible_to(user).select_related("tam").order_by("-quarter_start")
        return render(request, "reviews/reviews_customer.html", {"reviews": reviews})
    everyone = _all_accounts(request)
    today = vendor_today()
    context = {"groups": selectors.reviews_to_do(user, today=today, all_accounts=everyone), "mine": not everyone}
    context["today"] = today
    return render(request, "reviews/reviews.html", context)


def _review_context(request, review, **forms) -> dict:
    return {
        "review": review,
        "today": vendor_today(),
        "findings": review.findings.all(),
        "inventory": review.inventory.all(),
        "recommendations": _by_priority(review.recommendations.all()),
        "editable": review.status != ReviewStatus.PUBLISHED,
        "started": review.scheduled_at is not None and review.scheduled_at <= timezone.now(),
        "schedule_form": forms.get("schedule_form")
        or ScheduleForm(
            initial={"scheduled_at": timezone.localtime(review.scheduled_at) if review.scheduled_at else None}
        ),
        "details_form": forms.get("details_form")
        or ReviewDetailsForm(initial={"summary": review.summary, "monitoring_tools": review.monitoring_tools}),
        "finding_form": forms.get("finding_form") or FindingForm(),
        "row_form": forms.get("row_form") or InventoryRowForm(),
        "upload_form": forms.get("upload_form") or InventoryUploadForm(),
        "recommendation_form": forms.get("recommendation_form") or RecommendationForm(),
        "status_choices": RecommendationStatusForm.base_fields["status"].choices,
    }


@login_required
@require_GET
def review_detail(request, pk):
    review = get_review_for(request.user, pk)
    if not request.user.is_vendor_staff:
        return redirect("reviews:report", review.pk)
    return render(request, "reviews/review_edit.html", _review_context(request, review))


REVIEW_ACTIONS = {
    "schedule",
    "details",
    "finding",
    "finding-remove",
    "inventory-row",
    "inventory-row-remove",
    "inventory-upload",
    "recommendation",
    "recommendation-status",
    "hold",
    "publish",
}
FORMS = {
    "schedule": ("schedule_form", ScheduleForm),
    "details": ("details_form", ReviewDetailsForm),
    "finding": ("finding_form", FindingForm),
    "inventory-row": ("row_form", InventoryRowForm),
    "recommendation": ("recommendation_form", RecommendationForm),
}


def _perform(request, review, action: str, data: dict) -> str:
    """Call the service for one action; returns the message to show."""
    user = request.user
    if action == "schedule":
        services.review_schedule(actor=user, review=review, scheduled_at=data["scheduled_at"])
        return "Session scheduled."
    if action == "details":
        services.review_update(actor=user, review=review, **data)
        return "Summary and monitoring tools saved."
    if action == "finding":
        services.finding_add(actor=user, review=review, **data)
        return "Finding added."
    if action == "finding-remove":
        services.finding_remove(actor=user, finding=get_object_or_404(Finding, pk=_pk(request), review=review))
        return "Finding removed."
    if action == "inventory-row":
        services.inventory_set_row(actor=user, review=review, **data)
        return "Inventory row saved."
    if action == "inventory-row-remove":
        services.inventory_remove_row(actor=user, row=get_object_or_404(InventoryRow, pk=_pk(request), review=review))
        return "Inventory row removed."
    if action == "recommendation":
        services.recommendation_add(actor=user, review=review, **data)
        return "Recommendation added."
    if action == "recommendation-status":
        recommendation = get_object_or_404(Recommendation, pk=_pk(request), review=review)
        services.recommendation_set_status(
            actor=user, recommendation=recommendation, status=request.POST.get("status", "")
        )
        return "Recommendation updated."
    if action == "hold":
        services.review_hold(actor=user, review=review)
        return "Session recorded as held."
    services.review_publish(actor=user, review=review)
    return f"Published: {review.account.name}'s users can read the report."


def _pk(request, field: str = "id") -> int:
    """A posted object id: ASCII digits only (``"²".isdigit()`` is true, but not a number)."""
    value = request.POST.get(field, "")
    if not (value.isascii() and value.isdigit() and len(value) < 19):
        raise Http404
    return int(value)


@login_required
@require_POST
def review_action(request, pk, action):
    review = get_review_for(request.user, pk)
    if action not in REVIEW_ACTIONS:
        raise Http404
    _tam_only(request.user, "Changing a review")
    forms = {}

    def run():
        if action == "inventory-upload":
            form = forms["upload_form"] = InventoryUploadForm(request.POST, request.FILES)
            valid(form)
            try:
                rows = services.inventory_import_csv(
                    actor=request.user, review=review, upload=form.cleaned_data["file"]
                )
            except services.InventoryFileRefused as refused:
                for line in [refused.message, *refused.lines]:
                    form.add_error(None, line)
                raise FormInvalid from refused
            messages.success(request, f"Inventory imported: {len(rows)} file type{'s' if len(rows) != 1 else ''}.")
        else:
            data = {}
            if action in FORMS:
                name, form_class = FORMS[action]
                data = valid(forms.setdefault(name, form_class(request.POST)))
            messages.success(request, _perform(request, review, action, data))

    def again():
        review.refresh_from_db()
        return render(request, "reviews/review_edit.html", _review_context(request, review, **forms))

    return page_action(request, run, forms=forms, done=reverse("reviews:review", args=[review.pk]), again=again)


@login_required
@require_GET
def review_report(request, pk):
    """The customer's report: findings, recommendations and the repository volume across its quarters."""
    review = get_review_for(request.user, pk)
    history = selectors.volume_history(selectors.report_history(review))
    return render(
        request,
        "reviews/report.html",
        {
            "review": review,
            "history": history,
            "findings": sorted(review.findings.all(), key=lambda f: (LEVEL_ORDER[f.level], -f.count, f.pk)),
            "recommendations": _by_priority(review.recommendations.all()),
        },
    )
