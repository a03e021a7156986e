"""Case pages: the support queue (for a customer, their own cases), opening a case, the case page and its
actions, the escalations a TAM must acknowledge, and attachment downloads."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_POST

from accounts.errors import DomainError
from accounts.page_actions import add_domain_error

from . import dashboard, selectors, services
from .forms import (
    AnsweredForm,
    CaseOpenForm,
    ContactForm,
    EscalateForm,
    NoteForm,
    QueueFilterForm,
    ReplyForm,
    StaffReplyForm,
    StatusForm,
)
from .models import OPEN_STATUSES, Attachment, Case, CaseEntry, Channel, ContactKind, Escalation

QUEUE_PAGE_SIZE = 50
RECENT_CLOSED = 50
RECENTLY_ACKNOWLEDGED = dt.timedelta(days=7)


def get_case_for(user, pk) -> Case:
    """The case, or 404 when it is missing or not the user's to see."""
    cases = Case.objects.visible_to(user).select_related("account", "contact", "assignee", "opened_by")
    return get_object_or_404(cases, pk=pk)


def _staff_only(user, what: str = "This") -> None:
    if not user.is_vendor_staff:
        raise PermissionDenied(f"{what} is for vendor staff.")


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
    if not request.user.is_customer_user:
        raise PermissionDenied("Your user has no role in the portal yet. Ask an administrator.")
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
    if not user.is_tam_level:
        raise PermissionDenied("Escalations are for TAMs and TAM-level resources.")
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
    if not (user.is_vendor_staff or user.is_customer_user):
        raise PermissionDenied("Your user has no role in the portal yet. Ask an administrator.")
    initial = {"account": request.GET.get("account")}
    form = CaseOpenForm(request.POST or None, request.FILES or None, actor=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.case_open(
                actor=user,
                account=data["account"] if user.is_vendor_staff else user.account,
                contact=data.get("contact"),
                subject=data["subject"],
                description=data["description"],
                channel=data.get("channel", Channel.PORTAL),
                severity=data["severity"],
                attachments=data["attachments"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, f"Case {case.reference} opened.")
            return redirect("cases:detail", case.pk)
    return render(request, "cases/case_new.html", {"form": form})


# --- The case page --------------------------------------------------------------------------------


def _detail_context(request, case: Case, **forms) -> dict:
    user = request.user
    staff = user.is_vendor_staff
    now = timezone.now()
    milestones = case.milestones.select_related("target")
    if not staff:
        # Customers follow the case's own promises; the clocks of calls and escalations are internal.
        milestones = milestones.filter(escalation__isnull=True, contact__isnull=True)
    open_escalation = case.escalations.open().select_related("escalated_to").first() if staff else None
    received = timezone.localtime(now).replace(second=0, microsecond=0)
    return {
        "case": case,
        "is_staff_view": staff,
        "entries": case.entries.for_viewer(user).select_related("author").prefetch_related("attachments"),
        "clocks": [(m, selectors.milestone_countdown(m, now)) for m in milestones],
        "open_escalation": open_escalation,
        "can_escalate": staff and case.is_open and open_escalation is None,
        "contacts": _contact_rows(case, forms.get("answered_form")) if staff else [],
        "reply_form": forms.get("reply_form") or (StaffReplyForm() if request.user.is_vendor_staff else ReplyForm()),
        "note_form": forms.get("note_form") or NoteForm(),
        "status_form": forms.get("status_form") or StatusForm(case=case),
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
    """The case page again, with the form that failed showing why (status 200, as after any form)."""
    return render(request, "cases/case_detail.html", _detail_context(request, case, **forms))


@login_required
@require_GET
def case_detail(request, pk):
    return _detail_page(request, get_case_for(request.user, pk))


@login_required
@require_POST
def case_reply_view(request, pk):
    case = get_case_for(request.user, pk)
    form = (StaffReplyForm if request.user.is_vendor_staff else ReplyForm)(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.case_reply(
                actor=request.user,
                case=case,
                body=form.cleaned_data["body"],
                attachments=form.cleaned_data["attachments"],
                channel=form.cleaned_data.get("channel") or "portal",
                from_customer=form.cleaned_data.get("from_customer", False),
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "Reply posted.")
            return redirect("cases:detail", case.pk)
    return _detail_page(request, case, reply_form=form)


@login_required
@require_POST
def case_note_view(request, pk):
    case = get_case_for(request.user, pk)
    _staff_only(request.user, "Writing internal notes")
    form = NoteForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.case_note(
                actor=request.user,
                case=case,
                body=form.cleaned_data["body"],
                attachments=form.cleaned_data["attachments"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "Internal note added.")
            return redirect("cases:detail", case.pk)
    return _detail_page(request, case, note_form=form)


@login_required
@require_POST
def case_status_view(request, pk):
    case = get_case_for(request.user, pk)
    form = StatusForm(request.POST, case=case)
    if form.is_valid():
        try:
            case = services.case_set_status(actor=request.user, case=case, status=form.cleaned_data["status"])
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, f"The case is now {case.get_status_display().lower()}.")
            return redirect("cases:detail", case.pk)
    return _detail_page(request, case, status_form=form)


@login_required
@require_POST
def case_escalate_view(request, pk):
    case = get_case_for(request.user, pk)
    _staff_only(request.user, "Escalating a case")
    form = EscalateForm(request.POST)
    if form.is_valid():
        try:
            escalation = services.case_escalate(actor=request.user, case=case, reason=form.cleaned_data["reason"])
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, f"Escalated to {escalation.escalated_to.display_name}, who must acknowledge it.")
            return redirect("cases:detail", case.pk)
    return _detail_page(request, case, escalate_form=form)


@login_required
@require_POST
def contact_log_view(request, pk):
    """Log a call, voicemail or e-mail on the case; with a ``contact`` field, mark that one answered."""
    case = get_case_for(request.user, pk)
    _staff_only(request.user, "Logging calls and messages")
    if "contact" in request.POST:
        return _contact_answered(request, case)
    form = ContactForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.contact_log(
                actor=request.user,
                case=case,
                kind=data["kind"],
                received_at=data["received_at"],
                answered_at=data["answered_at"],
                notes=data["notes"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, f"{ContactKind(data['kind']).label} logged.")
            return redirect("cases:detail", case.pk)
    return _detail_page(request, case, contact_form=form)


def _contact_answered(request, case: Case):
    form = AnsweredForm(request.POST, case=case)
    if not form.is_valid():
        if "contact" in form.errors:
            raise Http404  # not a contact of this case
        return _detail_page(request, case, answered_form=form)
    try:
        services.contact_answered(
            actor=request.user, contact=form.cleaned_data["contact"], answered_at=form.cleaned_data["answered_at"]
        )
    except DomainError as error:
        add_domain_error(form, error)
        return _detail_page(request, case, answered_form=form)
    messages.success(request, "Recorded as answered.")
    return redirect("cases:detail", case.pk)


@login_required
@require_POST
def escalation_acknowledge_view(request, pk):
    escalation = get_object_or_404(Escalation.objects.visible_to(request.user).select_related("case"), pk=pk)
    if not request.user.is_tam_level:
        raise PermissionDenied("Only a TAM or TAM-level resource acknowledges an escalation.")
    try:
        services.escalation_acknowledge(actor=request.user, escalation=escalation)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"You acknowledged the escalation of {escalation.case.reference}.")
    return redirect("cases:detail", escalation.case_id)


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
