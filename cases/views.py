"""Case pages: the support queue (for a customer, their own cases), opening a case, the case page and its
actions, the escalations a TAM must acknowledge, and attachment downloads.

The case page's forms are one action table (``CASE_ACTIONS``) dispatched by ``case_action``: each entry names
its form, the service it calls and the service's own predicate that decides whether the page offers it. The
services decide; a view here checks only that the user is signed in and in the right area."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_POST

from core.actions import PageAction, action_view, offered, perform, perform_form
from core.permissions import require

from . import dashboard, escalations, selectors, services
from .forms import (
    AnsweredForm,
    CaseOpenForm,
    ContactForm,
    EscalateForm,
    NoteForm,
    QueueFilterForm,
    ReplyForm,
    StatusForm,
)
from .models import OPEN_STATUSES, Attachment, Case, CaseEntry, Escalation

QUEUE_PAGE_SIZE = 50
RECENT_CLOSED = 50
RECENTLY_ACKNOWLEDGED = dt.timedelta(days=7)
NO_ROLE = "Your user has no role in the portal yet. Ask an administrator."


def get_case_for(user, pk) -> Case:
    """The case, or 404 when it is missing or not the user's to see."""
    cases = Case.objects.visible_to(user).select_related("account", "contact", "assignee", "opened_by")
    return get_object_or_404(cases, pk=pk)


# --- Lists ----------------------------------------------------------------------------------------


@login_required
@require_GET
def case_list(request):
    user = request.user
    if not user.is_vendor_staff:
        return _customer_list(request)
    form = QueueFilterForm(request.GET, actor=user)
    form.is_valid()  # a filter that does not parse is left out, and the page says so
    filters = form.cleaned_data
    queue = selectors.support_queue(
        user,
        status=filters.get("status"),
        severity=filters.get("severity"),
        account=filters.get("account"),
        assignee=user if filters.get("mine") else None,
    )
    page = Paginator(queue, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    rows = [(case, selectors.queue_countdown(case, now)) for case in page]
    zone = timezone.get_current_timezone()  # the viewer's: "today" is their day
    phone = dashboard.phone_stats(timezone.localdate(now, zone), zone)
    context = {"form": form, "page": page, "rows": rows, "phone": phone}
    template = "cases/partials/queue.html" if request.htmx else "cases/queue.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _customer_list(request):
    require(request.user.is_customer_user, NO_ROLE)
    cases = Case.objects.visible_to(request.user)
    return render(
        request,
        "cases/customer_list.html",
        {
            "open_cases": cases.filter(status__in=OPEN_STATUSES).order_by("-created_at"),
            "closed_cases": cases.exclude(status__in=OPEN_STATUSES).order_by("-updated_at")[:RECENT_CLOSED],
        },
    )


@login_required
@require_GET
def escalation_list(request):
    user = request.user
    require(user.is_tam_level, "Escalations are for TAMs and TAM-level resources.")
    now = timezone.now()
    waiting = dashboard.escalations_waiting_for(user)
    acknowledged = (
        Escalation.objects.filter(Q(escalated_to=user) | Q(acknowledged_by=user))
        .filter(acknowledged_at__gte=now - RECENTLY_ACKNOWLEDGED)
        .select_related("case__account", "acknowledged_by")
        .order_by("-acknowledged_at")[:20]
    )
    return render(
        request,
        "cases/escalations.html",
        {
            "waiting": [(e, selectors.escalation_countdown(e, now)) for e in waiting],
            "acknowledged": acknowledged,
        },
    )


# --- Opening a case -------------------------------------------------------------------------------


@login_required
def case_new(request):
    user = request.user
    require(user.is_vendor_staff or user.is_customer_user, NO_ROLE)
    form = CaseOpenForm(
        request.POST or None, request.FILES or None, actor=user, initial={"account": request.GET.get("account")}
    )
    if request.method == "POST":
        case, form = perform_form(
            request,
            form,
            lambda data: services.case_open(
                actor=user,
                account=data.get("account"),
                contact=data.get("contact"),
                subject=data["subject"],
                description=data["description"],
                channel=data.get("channel", ""),
                severity=data["severity"],
                attachments=data["attachments"],
            ),
        )
        if case is not None:
            messages.success(request, f"Case {case.reference} opened.")
            return redirect("cases:detail", case.pk)
    return render(request, "cases/case_new.html", {"form": form})


# --- The case page --------------------------------------------------------------------------------


def _reply(request, case, data):
    return services.case_reply(
        actor=request.user,
        case=case,
        body=data["body"],
        channel=data["channel"],
        attachments=data["attachments"],
        from_customer=data["from_customer"],
    )


def _note(request, case, data):
    return services.case_note(actor=request.user, case=case, body=data["body"], attachments=data["attachments"])


def _status(request, case, data):
    return services.case_set_status(actor=request.user, case=case, status=data["status"])


def _escalate(request, case, data):
    return escalations.case_escalate(actor=request.user, case=case, reason=data["reason"])


def _log_contact(request, case, data):
    return services.contact_log(
        actor=request.user,
        case=case,
        kind=data["kind"],
        received_at=data["received_at"],
        answered_at=data["answered_at"],
        notes=data["notes"],
    )


def _answered(request, case, data):
    return services.contact_answered(actor=request.user, contact=data["contact"], answered_at=data["answered_at"])


CASE_ACTIONS = {
    "reply": PageAction(
        form=ReplyForm,
        form_key="reply_form",
        form_kwargs=lambda request, case: {"staff": request.user.is_vendor_staff},
        run=_reply,
        done="Reply posted.",
        may=services.may_reply,
    ),
    "note": PageAction(
        form=NoteForm, form_key="note_form", run=_note, done="Internal note added.", may=services.may_note
    ),
    "status": PageAction(
        form=StatusForm,
        form_key="status_form",
        form_kwargs=lambda request, case: {"offered": services.status_choices(request.user, case)},
        run=_status,
        done=lambda case: f"The case is now {case.get_status_display().lower()}.",
        may=services.may_change_status,
    ),
    "escalate": PageAction(
        form=EscalateForm,
        form_key="escalate_form",
        run=_escalate,
        done=lambda escalation: f"Escalated to {escalation.escalated_to.display_name}, who must acknowledge it.",
        may=escalations.may_escalate,
    ),
    "contact": PageAction(
        form=ContactForm,
        form_key="contact_form",
        run=_log_contact,
        done=lambda contact: f"{contact.get_kind_display()} logged.",
        may=services.may_log_contact,
    ),
    "answered": PageAction(
        form=AnsweredForm,
        form_key="answered_form",
        form_kwargs=lambda request, case: {"case": case},
        run=_answered,
        done="Recorded as answered.",
        may=services.may_record_answer,
    ),
}


def _detail_context(request, case: Case, **forms) -> dict:
    user = request.user
    staff = user.is_vendor_staff
    now = timezone.now()
    milestones = case.milestones.select_related("target")
    if not staff:
        # Customers follow the case's own promises; the clocks of calls and escalations are internal.
        milestones = milestones.customer_facing()
    open_escalation = case.escalations.open().select_related("escalated_to").first() if staff else None
    received = timezone.localtime(now).replace(second=0, microsecond=0)
    actions = offered(user, case, CASE_ACTIONS)
    facts = selectors.case_facts(case, now)
    return {
        "case": case,
        "tier": facts.tier,
        "coverage": facts.coverage,
        "system_kinds": selectors.SYSTEM_ENTRY_KINDS,
        "is_staff_view": staff,
        "offered": actions,
        "entries": case.entries.for_viewer(user).select_related("author").prefetch_related("attachments"),
        "clocks": [(m, selectors.milestone_countdown(m, now)) for m in milestones],
        "open_escalation": open_escalation,
        "may_acknowledge": open_escalation is not None and escalations.may_acknowledge(user, open_escalation),
        "can_escalate": actions["escalate"] and case.is_open and open_escalation is None,
        "status_choices": services.status_choices(user, case),
        "contacts": _contact_rows(case, forms.get("answered_form")) if actions["contact"] else [],
        "answered_form": forms.get("answered_form"),
        "reply_form": forms.get("reply_form") or ReplyForm(staff=staff),
        "note_form": forms.get("note_form") or NoteForm(),
        "status_form": forms.get("status_form") or StatusForm(offered=services.status_choices(user, case)),
        "escalate_form": forms.get("escalate_form") or EscalateForm(),
        "contact_form": forms.get("contact_form") or ContactForm(initial={"received_at": received}),
    }


def _contact_rows(case: Case, answered_form) -> list:
    """Each logged contact, with a form to mark it answered while it is not (the one just posted, if any)."""
    rows = []
    for contact in case.contacts.select_related("logged_by", "tam"):
        form = None
        if answered_form is not None and answered_form.cleaned_data.get("contact") == contact:
            form = answered_form
        elif contact.answered_at is None:
            form = AnsweredForm(case=case, initial={"contact": contact.pk})
        rows.append((contact, form))
    return rows


def _detail_page(request, case: Case, **forms):
    """The case page again, with the form that failed showing why (status 200, as after any form). Marking
    answered a contact that is not this case's is a 404, like any other object that is not there."""
    answered = forms.get("answered_form")
    if answered is not None and "contact" in answered.errors:
        raise Http404
    return render(request, "cases/case_detail.html", _detail_context(request, case, **forms))


@login_required
@require_GET
def case_detail(request, pk):
    return _detail_page(request, get_case_for(request.user, pk))


@login_required
@require_POST
def case_action(request, pk, action: str):
    """One of the case page's actions (``CASE_ACTIONS``). The calls URL takes two: logging a call, or, with the
    ``contact`` it names, marking that one answered."""
    case = get_case_for(request.user, pk)
    if action == "contact" and "contact" in request.POST:
        action = "answered"
    return perform(
        request,
        case,
        CASE_ACTIONS,
        action,
        page=lambda forms: _detail_page(request, case, **forms),
        success_url=reverse("cases:detail", args=[case.pk]),
    )


ESCALATION_ACTIONS = {
    "acknowledge": PageAction(
        run=lambda request, escalation, data: escalations.escalation_acknowledge(
            actor=request.user, escalation=escalation
        ),
        done=lambda escalation: f"You acknowledged the escalation of {escalation.case.reference}.",
        may=escalations.may_acknowledge,
    )
}


def _escalation(request, pk) -> Escalation:
    return get_object_or_404(Escalation.objects.visible_to(request.user).select_related("case"), pk=pk)


escalation_action = action_view(
    ESCALATION_ACTIONS,
    fetch=_escalation,
    page=lambda request, escalation, forms: redirect("cases:detail", escalation.case_id),
    back=lambda escalation, outcome: reverse("cases:detail", args=[escalation.case_id]),
)


# --- Attachments ----------------------------------------------------------------------------------


@login_required
@require_GET
def attachment_download(request, pk):
    """The file, to those who may see its case and the timeline line it belongs to; 404 for everyone else."""
    user = request.user
    attachments = Attachment.objects.select_related("entry", "case")
    attachment = get_object_or_404(attachments.filter(case__in=Case.objects.visible_to(user).values("pk")), pk=pk)
    if not CaseEntry.objects.for_viewer(user).filter(pk=attachment.entry_id).exists():
        raise Http404
    try:
        stream = attachment.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    content_type = attachment.content_type or "application/octet-stream"
    return FileResponse(stream, as_attachment=True, filename=attachment.name, content_type=content_type)
