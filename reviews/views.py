"""Pages for releases, release previews and proactive reviews. Views parse, call a service, respond.

Each page's posted actions are a table (``core.actions.PageAction``): the form that parses the input, the service
that decides, and the service's rule, which offers the action on the page and is asked before the form is read
(a user the service would refuse gets its 403, whatever they posted).
"""

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Account
from accounts.quarters import vendor_today
from core.actions import PageAction, action_view, offered, perform_form

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
    RecommendationStatus,
    Release,
    ReleaseItem,
    ReleaseKind,
    ReviewStatus,
)
from .states import REVIEW_STATES

LEVEL_ORDER = {"critical": 0, "error": 1, "warning": 2, "info": 3}


def _by_priority(recommendations) -> list[Recommendation]:
    return sorted(recommendations, key=lambda r: (PRIORITY_ORDER[r.priority], r.pk))


def get_release_for(user, pk) -> Release:
    """The release, or 404 when missing or a draft the user may not see."""
    return get_object_or_404(Release.objects.visible_to(user), pk=pk)


def get_preview_for(user, pk) -> PreviewSession:
    """The preview, or 404 when missing or another account's."""
    previews = PreviewSession.objects.visible_to(user).select_related("release", "account", "tam", "declined_by")
    return get_object_or_404(previews.prefetch_related("items"), pk=pk)


def get_review_for(user, pk) -> ProactiveReview:
    """The review, or 404 when missing, another account's, or (for a customer) not yet published."""
    reviews = ProactiveReview.objects.visible_to(user).select_related("account", "tam", "published_by")
    return get_object_or_404(reviews, pk=pk)


def _posted(request, model, field: str = "id", **scope):
    """The row whose id was posted in ``field``, within ``scope``; 404 for anything but ASCII digits of a
    sensible length (``"²".isdigit()`` is true, but not a number) and for a row out of scope."""
    value = request.POST.get(field, "")
    if not (value.isascii() and value.isdigit() and len(value) < 19):
        raise Http404
    return get_object_or_404(model, pk=int(value), **scope)


def _calls(service, *, on: str, may, **kwargs) -> PageAction:
    """An action calling ``service(actor=<the user>, <on>=<the page's row>, **<its form's data>)``."""

    def run(request, row, data):
        return service(actor=request.user, **{on: row}, **data)

    return PageAction(run=run, may=may, **kwargs)


def _calls_on_posted(service, model, noun: str, *, within: str, field: str = "id", may, **kwargs) -> PageAction:
    """An action calling ``service(actor=<the user>, <noun>=<the row of ``model`` posted in ``field``>)``, a row
    of the page's own (``<within>=<the page's row>``)."""

    def run(request, row, data):
        return service(actor=request.user, **{noun: _posted(request, model, field, **{within: row})})

    return PageAction(run=run, may=may, **kwargs)


def _actions_page(fetch, table: dict[str, PageAction], context, template: str, url_name: str):
    """The view that runs a table's actions on the row of a page (``fetch(user, pk)``, 404 when not theirs): back
    to that page (``url_name``) on success, or the page again (``context(request, row, **forms)``) with a refused
    form."""
    return action_view(
        table,
        fetch=lambda request, pk: fetch(request.user, pk),
        page=lambda request, row, forms: render(request, template, context(request, row, **forms)),
        back=lambda row, outcome: reverse(url_name, args=[row.pk]),
    )


def _offer(user, target, table, forms: dict, *, now_possible=lambda name: True) -> dict[str, bool]:
    """Which of the table's actions the page offers (by name with underscores: templates cannot read dashes):
    those the rules allow the user and the target's state allows now; and the one whose form came back refused,
    so that its form shows why."""
    allowed = offered(user, target, table)
    return {
        name.replace("-", "_"): (allowed[name] and now_possible(name)) or action.form_key in forms
        for name, action in table.items()
    }


def _all_accounts(request) -> bool:
    return request.GET.get("show") == "all" or not request.user.is_tam_level


# --- Releases -------------------------------------------------------------------------------------

_on_release = functools.partial(_calls, on="release", may=services.may_manage_releases)
RELEASE_ACTIONS = {
    "edit": _on_release(services.release_update, form=ReleaseForm, form_key="edit_form", done="Release saved."),
    "publish": _on_release(services.release_publish, done=lambda release: f"{release} is published."),
    "item": _on_release(services.release_item_add, form=ReleaseItemForm, form_key="item_form", done="Item added."),
    "item-remove": _calls_on_posted(
        services.release_item_remove,
        ReleaseItem,
        "item",
        within="release",
        field="item",
        may=services.may_manage_releases,
        done="Item removed.",
    ),
}


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
    may_add = services.may_manage_releases(user)
    return render(request, "reviews/releases.html", {"rows": rows, "may_add": may_add})


@login_required
def release_create(request):
    services.may_manage_releases.require(request.user)
    if request.method != "POST":
        return render(request, "reviews/release_form.html", {"form": ReleaseForm()})
    form = ReleaseForm(request.POST)
    release, refused = perform_form(request, form, lambda data: services.release_create(actor=request.user, **data))
    if refused is not None:
        return render(request, "reviews/release_form.html", {"form": refused})
    messages.success(request, f"{release} added{'' if release.published else ' as a draft'}.")
    return redirect("reviews:release", release.pk)


def _release_context(request, release, **forms) -> dict:
    user = request.user
    previews = PreviewSession.objects.visible_to(user).filter(release=release).select_related("account", "tam")
    context = {
        "release": release,
        "items": list(release.items.all()),
        "offer": _offer(user, release, RELEASE_ACTIONS, forms),
        "edit_form": ReleaseForm(initial=services.release_values(release)),
        "item_form": ReleaseItemForm(),
        **forms,
    }
    if user.is_vendor_staff:
        context["previews"] = previews.order_by("account__name")
        if release.kind == ReleaseKind.PATCH:
            to_plan = selectors.previews_to_plan(user, all_accounts=True)
            context["to_plan"] = [pair.account for pair in to_plan if pair.release.pk == release.pk]
    else:
        context["my_preview"] = previews.first()
    return context


@login_required
@require_GET
def release_detail(request, pk):
    release = get_release_for(request.user, pk)
    return render(request, "reviews/release_detail.html", _release_context(request, release))


release_action = _actions_page(
    get_release_for, RELEASE_ACTIONS, _release_context, "reviews/release_detail.html", "reviews:release"
)


# --- Release previews -----------------------------------------------------------------------------

_on_preview = functools.partial(_calls, on="preview")
PREVIEW_ACTIONS = {
    "update": _on_preview(
        services.preview_update,
        may=services.may_change_preview,
        form=PreviewForm,
        form_key="edit_form",
        form_kwargs=lambda request, preview: {"release": preview.release},
        done="Preview saved.",
    ),
    "hold": _on_preview(
        services.preview_hold,
        may=services.may_hold_preview,
        form=PreviewHoldForm,
        form_key="hold_form",
        done="Preview recorded as held.",
    ),
    "decline": _on_preview(
        services.preview_decline,
        may=services.may_decline_preview,
        form=DeclineForm,
        form_key="decline_form",
        done="Preview declined; everyone invited has the cancellation.",
    ),
}


@login_required
@require_GET
def preview_list(request):
    user = request.user
    everyone = _all_accounts(request)
    previews = selectors.previews_for(user, all_accounts=everyone).prefetch_related("items")
    now = timezone.now()
    planned = [p for p in previews if p.status == PreviewStatus.PLANNED]
    may_plan = services.may_plan_preview(user)
    context = {
        "may_plan": may_plan,
        "to_plan": selectors.previews_to_plan(user, all_accounts=everyone) if may_plan else [],
        "upcoming": [p for p in planned if p.scheduled_at >= now],
        "to_record": [p for p in planned if p.scheduled_at < now],
        "past": [p for p in previews if p.status != PreviewStatus.PLANNED][::-1],
        "mine": not everyone,
    }
    return render(request, "reviews/previews.html", context)


def _plan_page(request, release, account, form):
    modules = AccountModules.objects.filter(account=account).first()
    context = {
        "release": release,
        "account": account,
        "form": form,
        "modules_form": AccountModulesForm(initial={"modules": modules.modules if modules else ""}),
        "acting_note": "The TAM acting at the chosen time coordinates it, unless you tick the box below.",
    }
    return render(request, "reviews/preview_plan.html", context)


@login_required
def preview_plan(request, release_pk, account):
    release = get_release_for(request.user, release_pk)
    account = get_object_or_404(Account.objects.visible_to(request.user), slug=account)
    services.may_plan_preview.require(request.user, account)
    existing = PreviewSession.objects.filter(release=release, account=account).first()
    if existing is not None:
        return redirect("reviews:preview", existing.pk)
    if request.method != "POST":
        suggested = [item.pk for item in selectors.suggested_items(release, account)]
        return _plan_page(request, release, account, PreviewForm(release=release, initial={"items": suggested}))

    def plan(data):
        return services.preview_plan(actor=request.user, release=release, account=account, **data)

    preview, refused = perform_form(request, PreviewForm(request.POST, release=release), plan)
    if refused is not None:
        return _plan_page(request, release, account, refused)
    messages.success(request, f"Preview planned; {account.name}'s users have the invitation.")
    return redirect("reviews:preview", preview.pk)


@login_required
@require_POST
def account_modules(request, account):
    account = get_object_or_404(Account.objects.visible_to(request.user), slug=account)
    services.may_record_modules.require(request.user, account)

    def record(data):
        return services.account_modules_set(actor=request.user, account=account, **data)

    _, refused = perform_form(request, AccountModulesForm(request.POST), record)
    if refused is not None:
        messages.error(request, " ".join(text for errors in refused.errors.values() for text in errors))
    else:
        messages.success(request, f"Modules of {account.name} saved.")
    back = request.POST.get("next", "")
    return redirect(back if back.startswith("/reviews/") else "reviews:previews")


def _preview_context(request, preview, **forms) -> dict:
    offer = _offer(request.user, preview, PREVIEW_ACTIONS, forms, now_possible=lambda name: preview.is_planned)
    context = {
        "preview": preview,
        "items": list(preview.items.all()),
        "offer": offer,
        "started": preview.scheduled_at <= timezone.now(),
        "decline_form": DeclineForm(),
        "hold_form": PreviewHoldForm(initial={"notes": preview.notes}),
    }
    context.update(forms)
    if offer["update"] and "edit_form" not in forms:
        context["edit_form"] = PreviewForm(release=preview.release, initial=services.preview_values(preview))
    return context


@login_required
@require_GET
def preview_detail(request, pk):
    preview = get_preview_for(request.user, pk)
    return render(request, "reviews/preview_detail.html", _preview_context(request, preview))


preview_action = _actions_page(
    get_preview_for, PREVIEW_ACTIONS, _preview_context, "reviews/preview_detail.html", "reviews:preview"
)


# --- Proactive reviews ----------------------------------------------------------------------------

_on_review = functools.partial(_calls, on="review", may=services.may_work_on_review)
_on_part = functools.partial(_calls_on_posted, within="review", may=services.may_work_on_review)
REVIEW_ACTIONS = {
    "schedule": _on_review(
        services.review_schedule, form=ScheduleForm, form_key="schedule_form", done="Session scheduled."
    ),
    "details": _on_review(
        services.review_update,
        form=ReviewDetailsForm,
        form_key="details_form",
        done="Summary and monitoring tools saved.",
    ),
    "finding": _on_review(services.finding_add, form=FindingForm, form_key="finding_form", done="Finding added."),
    "finding-remove": _on_part(services.finding_remove, Finding, "finding", done="Finding removed."),
    "inventory-row": _on_review(
        services.inventory_set_row, form=InventoryRowForm, form_key="row_form", done="Inventory row saved."
    ),
    "inventory-row-remove": _on_part(services.inventory_remove_row, InventoryRow, "row", done="Inventory row removed."),
    "inventory-upload": _on_review(
        services.inventory_import_csv,
        form=InventoryUploadForm,
        form_key="upload_form",
        done=lambda rows: f"Inventory imported: {len(rows)} file type{'s' if len(rows) != 1 else ''}.",
    ),
    "recommendation": _on_review(
        services.recommendation_add,
        form=RecommendationForm,
        form_key="recommendation_form",
        done="Recommendation added.",
    ),
    "recommendation-status": PageAction(  # a choice in the recommendation's row: a refusal is a message
        run=lambda request, review, data: services.recommendation_set_status(
            actor=request.user,
            recommendation=_posted(request, Recommendation, review=review),
            status=request.POST.get("status", ""),
        ),
        done="Recommendation updated.",
        may=services.may_work_on_review,
    ),
    "hold": _on_review(services.review_hold, done="Session recorded as held."),
    "publish": _on_review(
        services.review_publish, done=lambda review: f"Published: {review.account.name}'s users can read the report."
    ),
}
# The actions that change the report, offered until it is published; and those that move the review's status.
REPORT_EDITS = {"details", "finding", "finding-remove", "inventory-row", "inventory-row-remove", "inventory-upload"}
REVIEW_MOVES = {"schedule": ReviewStatus.SCHEDULED, "hold": ReviewStatus.HELD, "publish": ReviewStatus.PUBLISHED}


def _review_offer(user, review, forms) -> dict[str, bool]:
    def now_possible(name: str) -> bool:
        if name in REPORT_EDITS or name == "recommendation":
            return services.review_is_editable(review)
        if name in REVIEW_MOVES:
            return REVIEW_STATES.allows(review.status, REVIEW_MOVES[name])
        return True

    return _offer(user, review, REVIEW_ACTIONS, forms, now_possible=now_possible)


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
    scheduled = timezone.localtime(review.scheduled_at) if review.scheduled_at else None
    return {
        "review": review,
        "today": vendor_today(),
        "findings": review.findings.all(),
        "inventory": review.inventory.all(),
        "recommendations": _by_priority(review.recommendations.all()),
        "offer": _review_offer(request.user, review, forms),
        "started": review.scheduled_at is not None and review.scheduled_at <= timezone.now(),
        "schedule_form": ScheduleForm(initial={"scheduled_at": scheduled}),
        "details_form": ReviewDetailsForm(
            initial={"summary": review.summary, "monitoring_tools": review.monitoring_tools}
        ),
        "finding_form": FindingForm(),
        "row_form": InventoryRowForm(),
        "upload_form": InventoryUploadForm(),
        "recommendation_form": RecommendationForm(),
        "status_choices": RecommendationStatus.choices,
        **forms,
    }


@login_required
@require_GET
def review_detail(request, pk):
    review = get_review_for(request.user, pk)
    if not request.user.is_vendor_staff:
        return redirect("reviews:report", review.pk)
    return render(request, "reviews/review_edit.html", _review_context(request, review))


review_action = _actions_page(
    get_review_for, REVIEW_ACTIONS, _review_context, "reviews/review_edit.html", "reviews:review"
)


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
