"""The maintenance pages parse, call a service and render. Who may do what is the services' answer: each page
offers an action through the service's own predicate, and a refusal is the service's (403, or its message on the
form). Posted actions go through one table per page (``core.actions``)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Account
from accounts.quarters import vendor_today
from accounts.selectors import account_for, contract_in_force
from core.actions import PageAction, offered, perform, perform_form
from core.models import Limits

from . import booking, feeds, lifecycle, slots
from .forms import BookingForm, CancelForm, CompleteForm, NoShowForm, ProposeForm, SlotForm
from .ledger import account_balance, next_grant_date
from .models import CreditEntry, EventStatus, MaintenanceEvent, OnBehalfOf
from .notifications import feed
from .selectors import credit_history_chart

SLOT_FIELDS = ("scope", "starts_at", "duration", "critical", "critical_justification")


def _account(request) -> Account:
    """The account a page is about: a customer's own, or the one a staff member picked (?account=slug)."""
    return account_for(request.user, request.GET.get("account") or request.POST.get("account"))


def get_event_for(user, pk) -> MaintenanceEvent:
    """The event, or 404 when missing or not the user's to see."""
    events = MaintenanceEvent.objects.visible_to(user).select_related("account", "performing_tam", "requested_by")
    return get_object_or_404(events, pk=pk)


def _overview_context(request, account: Account, form=None) -> dict:
    today = vendor_today()
    contract = contract_in_force(account, today)
    events = list(
        MaintenanceEvent.objects.filter(account=account).select_related("performing_tam").order_by("-starts_at")
    )
    now = timezone.now()
    return {
        "account": account,
        "contract": contract,
        "has_events": bool(contract and contract.tier.events_per_quarter),
        "may_book": booking.may_book(request.user, account),
        "balance": account_balance(account),
        "next_grant": next_grant_date(account, today),
        "ledger": CreditEntry.objects.filter(account=account)
        .select_related("event", "actor")
        .order_by("-created_at", "-id")[:50],
        "upcoming": [e for e in reversed(events) if e.ends_at >= now and e.is_open],
        "past": [e for e in events if not (e.ends_at >= now and e.is_open)],
        "form": form or BookingForm(),
        "chart": credit_history_chart(account, bank_cap=contract.tier.bank_cap if contract else None),
        "earliest": now + Limits.current().event_notice,
    }


@login_required
@require_GET
def overview(request):
    if request.user.is_vendor_staff and not request.GET.get("account"):
        return redirect("maintenance:events")
    account = _account(request)
    return render(request, "maintenance/overview.html", _overview_context(request, account))


def _book(request, account: Account, data: dict) -> MaintenanceEvent:
    return booking.event_book(
        actor=request.user,
        account=account,
        scope=data["scope"],
        description=data["description"],
        starts_at=data["starts_at"],
        duration=data["duration"],
        critical=data["critical"],
        critical_justification=data["critical_justification"],
    )


@login_required
@require_POST
def book(request):
    account = _account(request)
    booking.authorize_booking(actor=request.user, account=account)  # before the form is read, as in the API
    event, form = perform_form(request, BookingForm(request.POST), lambda data: _book(request, account, data))
    if event is None:
        return render(request, "maintenance/overview.html", _overview_context(request, account, form))
    messages.success(request, "Event requested. Your TAM will confirm it or propose another time.")
    return redirect("maintenance:event", event.pk)


@login_required
@require_GET
def check_slot_view(request):
    """As the booking form is filled in, the page says whether the booking would be accepted (an htmx partial):
    the form's own parsing, then ``slot_problems``, the rule ``event_book`` applies (403 first for someone who may
    not book for the account at all)."""
    account = _account(request)
    booking.authorize_booking(actor=request.user, account=account)
    if not request.GET.get("starts_at"):
        return render(request, "maintenance/partials/slot_check.html", {"pending": True})
    form = BookingForm(request.GET)
    form.is_valid()
    problems = [message for name in SLOT_FIELDS for message in form.errors.get(name, [])]
    if not problems:
        data = form.cleaned_data
        refusals = booking.slot_problems(
            actor=request.user,
            account=account,
            scope=data["scope"],
            starts_at=data["starts_at"],
            duration=data["duration"],
            critical=data["critical"],
            justification=data["critical_justification"],
        )
        problems = [message for refusal in refusals for texts in refusal.errors.values() for message in texts]
    return render(request, "maintenance/partials/slot_check.html", {"problems": problems})


@login_required
@require_GET
def suggested_slots_view(request):
    """Chips of free slots for the duration picked (an htmx partial): starts in the reader's zone that the booking
    rule accepts (``slots.suggested_slots``); a click puts one in the form, where a typed time works as well."""
    account = _account(request)
    booking.authorize_booking(actor=request.user, account=account)
    field = SlotForm.base_fields["duration"]
    try:
        duration = field.clean(request.GET.get("duration") or field.initial)
    except ValidationError:
        duration = field.clean(field.initial)
    earliest = timezone.now() + Limits.current().event_notice
    found = slots.suggested_slots(
        actor=request.user, account=account, duration=duration, earliest=earliest, zone=timezone.get_current_timezone()
    )
    return render(request, "maintenance/partials/slot_suggestions.html", {"slots": found, "duration": duration})


@login_required
def event_list(request):
    """Staff: requested and upcoming events; a TAM's own accounts and events first."""
    if not request.user.is_vendor_staff:
        return redirect("maintenance:overview")
    events = MaintenanceEvent.objects.visible_to(request.user).select_related("account", "performing_tam")
    mine = request.GET.get("show") != "all" and request.user.is_tam_level
    if mine:
        events = events.for_tam(request.user)
    now = timezone.now()
    return render(
        request,
        "maintenance/event_list.html",
        {
            "requested": events.filter(status=EventStatus.REQUESTED).order_by("starts_at"),
            "upcoming": events.filter(status=EventStatus.CONFIRMED, ends_at__gte=now).order_by("starts_at"),
            "to_complete": events.filter(status=EventStatus.CONFIRMED, starts_at__lt=now).order_by("starts_at"),
            "mine": mine,
            "accounts": Account.objects.visible_to(request.user).order_by("name")
            if not mine
            else Account.objects.owned_by(request.user).order_by("name"),
        },
    )


EVENT_ACTIONS = {
    "confirm": PageAction(
        run=lambda request, event, data: lifecycle.event_confirm(actor=request.user, event=event),
        done="Event confirmed; the customer has the calendar invitation.",
        may=lifecycle.may_confirm,
    ),
    "propose": PageAction(
        form=ProposeForm,
        form_key="propose_form",
        run=lambda request, event, data: lifecycle.event_propose(
            actor=request.user, event=event, starts_at=data["starts_at"], duration=data["duration"], note=data["note"]
        ),
        done="Another time was proposed to the customer.",
        may=lifecycle.may_propose,
    ),
    "accept": PageAction(
        run=lambda request, event, data: lifecycle.event_accept_proposal(actor=request.user, event=event),
        done="You accepted the new time; the event is confirmed.",
        may=lifecycle.may_accept,
    ),
    "complete": PageAction(
        form=CompleteForm,
        form_key="complete_form",
        form_kwargs=lambda request, event: {"initial": {"actual_duration": int(event.duration.total_seconds() // 60)}},
        run=lambda request, event, data: lifecycle.event_complete(
            actor=request.user,
            event=event,
            outcome=data["outcome"],
            actual_duration=data["actual_duration"],
            notes=data["notes"],
        ),
        done="Event completed.",
        may=lifecycle.may_complete,
    ),
    "cancel": PageAction(
        form=CancelForm,
        form_key="cancel_form",
        form_kwargs=lambda request, event: {"staff": lifecycle.may_cancel_for_vendor(request.user, event)},
        run=lambda request, event, data: lifecycle.event_cancel(
            actor=request.user, event=event, on_behalf_of=data["on_behalf_of"], reason=data["reason"]
        ),
        done="Event cancelled.",
        may=lifecycle.may_cancel,
    ),
    "no-show": PageAction(
        form=NoShowForm,
        form_key="no_show_form",
        run=lambda request, event, data: lifecycle.event_mark_no_show(
            actor=request.user, event=event, reason=data["reason"]
        ),
        done="No-show recorded; the event's credit is used.",
        may=lifecycle.may_mark_no_show,
    ),
}
ACTIONS = EVENT_ACTIONS


def _detail_page(request, event: MaintenanceEvent, forms: dict | None = None):
    forms = forms or {}
    now = timezone.now()
    context = {
        "event": event,
        "refused": bool(forms),
        "offered": {name.replace("-", "_"): may for name, may in offered(request.user, event, EVENT_ACTIONS).items()},
        "credit_entries": event.credit_entries.order_by("created_at", "id"),
        "is_staff_view": request.user.is_vendor_staff,
        "started": event.starts_at <= now,
        "terms": {
            behalf.value: lifecycle.cancellation_terms(event, on_behalf_of=behalf, now=now)
            for behalf in OnBehalfOf
            if event.is_open and (behalf == OnBehalfOf.CUSTOMER or lifecycle.may_cancel_for_vendor(request.user, event))
        },
    }
    for action in EVENT_ACTIONS.values():
        if action.form is not None:
            context[action.form_key] = forms.get(action.form_key) or action.make_form(request, event)
    return render(request, "maintenance/event_detail.html", context)


@login_required
@require_GET
def event_detail(request, pk):
    return _detail_page(request, get_event_for(request.user, pk))


@login_required
@require_POST
def event_action(request, pk, action):
    event = get_event_for(request.user, pk)

    def page(forms):
        event.refresh_from_db()
        return _detail_page(request, event, forms)

    return perform(
        request, event, EVENT_ACTIONS, action, page=page, success_url=reverse("maintenance:event", args=[event.pk])
    )


FEED_ACTIONS = {
    "create": PageAction(
        run=lambda request, user, data: feeds.feed_get_or_create(actor=request.user),
        done="Your private feed is ready: its address is below.",
        may=lambda user, target: feeds.may_have_feed(user),
    ),
    "replace": PageAction(
        run=lambda request, user, data: feeds.feed_replace(actor=request.user),
        done="A new private feed address was made; the old one no longer works.",
        may=lambda user, target: feeds.may_have_feed(user),
    ),
    "revoke": PageAction(
        run=lambda request, user, data: feeds.feed_revoke(actor=request.user),
        done="The feed is revoked.",
        may=lambda user, target: feeds.may_have_feed(user),
    ),
}


@login_required
def feed_settings(request):
    """Make, replace or revoke one's private calendar feed (a TAM's events, or a customer's account's)."""
    if request.method == "POST":
        name = request.POST.get("action") or "create"
        return perform(
            request,
            request.user,
            FEED_ACTIONS,
            name,
            page=lambda forms: redirect("maintenance:feed"),
            success_url=reverse("maintenance:feed"),
        )
    live = feeds.live_feed(actor=request.user)
    url = request.build_absolute_uri(reverse("calendar-feed", args=[live.token])) if live else None
    return render(request, "maintenance/feed.html", {"feed_url": url})


@require_GET
def calendar_feed(request, token):
    """The private iCalendar feed; the unguessable token is the key. Unknown or revoked: 404."""
    events, name = feeds.feed_events(token)
    return HttpResponse(feed(events, name=name), content_type="text/calendar; charset=utf-8")
