import datetime as dt
import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounts.errors import DomainError
from accounts.models import Account
from accounts.page_actions import add_domain_error, page_action, valid
from accounts.quarters import vendor_today

from . import services
from .forms import BookingForm, CancelForm, CompleteForm, ProposeForm, SlotForm
from .models import CalendarFeed, CreditEntry, EventStatus, MaintenanceEvent
from .notifications import feed
from .selectors import credit_history_chart


def _account_for(request) -> Account:
    """The account a page is about: a customer's own, or the one a staff member picked (?account=slug)."""
    user = request.user
    if user.is_customer_user:
        return user.account
    slug = request.GET.get("account") or request.POST.get("account")
    if not slug or not user.is_vendor_staff:
        raise Http404
    return get_object_or_404(Account.objects.visible_to(user), slug=slug)


def get_event_for(user, pk) -> MaintenanceEvent:
    """The event, or 404 when missing or not the user's to see."""
    events = MaintenanceEvent.objects.visible_to(user).select_related("account", "performing_tam", "requested_by")
    return get_object_or_404(events, pk=pk)


def _overview_context(request, account: Account, form=None) -> dict:
    today = vendor_today()
    contract = services.contract_on(account, today)
    events = list(
        MaintenanceEvent.objects.filter(account=account).select_related("performing_tam").order_by("-starts_at")
    )
    now = timezone.now()
    return {
        "account": account,
        "contract": contract,
        "has_events": bool(contract and contract.tier.events_per_quarter),
        "balance": services.account_balance(account),
        "next_grant": services.next_grant_date(account, today),
        "ledger": CreditEntry.objects.filter(account=account)
        .select_related("event", "actor")
        .order_by("-created_at", "-id")[:50],
        "upcoming": [e for e in reversed(events) if e.ends_at >= now and e.is_open],
        "past": [e for e in events if not (e.ends_at >= now and e.is_open)],
        "form": form or BookingForm(),
        "chart": credit_history_chart(account),
        "earliest": now + services.NOTICE,
    }


@login_required
@require_GET
def overview(request):
    if request.user.is_vendor_staff and not request.GET.get("account"):
        return redirect("maintenance:events")
    account = _account_for(request)
    return render(request, "maintenance/overview.html", _overview_context(request, account))


@login_required
@require_POST
def book(request):
    account = _account_for(request)
    form = BookingForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            event = services.event_book(
                actor=request.user,
                account=account,
                scope=data["scope"],
                description=data["description"],
                starts_at=data["starts_at"],
                duration=data["duration"],
                critical=data["critical"],
                critical_justification=data["critical_justification"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "Event requested. Your TAM will confirm it or propose another time.")
            return redirect("maintenance:event", event.pk)
    return render(request, "maintenance/overview.html", _overview_context(request, account, form), status=200)


@login_required
@require_GET
def check_slot_view(request):
    """The booking form asks, as the user picks a time, whether the slot is allowed (an htmx partial)."""
    account = _account_for(request)
    form = SlotForm(request.GET)
    problems = []
    if form.is_valid():
        problems = services.check_slot(
            account=account,
            starts_at=form.cleaned_data["starts_at"],
            duration=form.cleaned_data["duration"],
            critical=request.GET.get("critical") in ("on", "true", "1"),
            justification="(checked on submit)",
        )
    return render(request, "maintenance/partials/slot_check.html", {"form": form, "problems": problems})


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


def _detail_context(request, event, **forms) -> dict:
    return {
        "event": event,
        "terms": services.cancellation_terms(event) if event.is_open else None,
        "propose_form": forms.get("propose_form") or ProposeForm(),
        "complete_form": forms.get("complete_form")
        or CompleteForm(initial={"actual_minutes": int(event.duration.total_seconds() // 60)}),
        "cancel_form": forms.get("cancel_form") or CancelForm(),
        "credit_entries": event.credit_entries.order_by("created_at", "id"),
        "is_staff_view": request.user.is_vendor_staff,
        "started": event.starts_at <= timezone.now(),
    }


@login_required
@require_GET
def event_detail(request, pk):
    event = get_event_for(request.user, pk)
    return render(request, "maintenance/event_detail.html", _detail_context(request, event))


ACTIONS = {"confirm", "propose", "accept", "complete", "cancel", "no-show"}
TAM_ACTIONS = {"confirm", "propose", "complete", "no-show"}


@login_required
@require_POST
def event_action(request, pk, action):
    event = get_event_for(request.user, pk)
    if action not in ACTIONS:
        raise Http404
    user = request.user
    if action in TAM_ACTIONS and not user.acts_as_tam:
        raise PermissionDenied("Only the TAM confirms, reschedules and completes events.")
    forms = {}

    def run():
        if action == "confirm":
            services.event_confirm(actor=user, event=event)
            messages.success(request, "Event confirmed; the customer has the calendar invitation.")
        elif action == "accept":
            services.event_accept_proposal(actor=user, event=event)
            messages.success(request, "You accepted the new time; the event is confirmed.")
        elif action == "propose":
            data = valid(forms.setdefault("propose_form", ProposeForm(request.POST)))
            services.event_propose(
                actor=user, event=event, starts_at=data["starts_at"], duration=data["duration"], note=data["note"]
            )
            messages.success(request, "Another time was proposed to the customer.")
        elif action == "complete":
            data = valid(forms.setdefault("complete_form", CompleteForm(request.POST)))
            services.event_complete(
                actor=user,
                event=event,
                outcome=data["outcome"],
                actual_duration=dt.timedelta(minutes=data["actual_minutes"]),
                notes=data["notes"],
            )
            messages.success(request, "Event completed.")
        else:
            data = valid(forms.setdefault("cancel_form", CancelForm(request.POST)))
            services.event_cancel(actor=user, event=event, reason=data["reason"], no_show=action == "no-show")
            messages.success(request, "No-show recorded." if action == "no-show" else "Event cancelled.")

    def again():
        event.refresh_from_db()
        return render(request, "maintenance/event_detail.html", _detail_context(request, event, **forms))

    return page_action(request, run, forms=forms, done=reverse("maintenance:event", args=[event.pk]), again=again)


@login_required
def feed_settings(request):
    """Create, rotate or revoke one's private calendar feed (a TAM's events, or a customer's account's)."""
    user = request.user
    if not (user.is_tam_level or user.is_customer_user):
        raise PermissionDenied("Calendar feeds are for TAMs and customers.")
    owner = {"tam": user} if user.is_tam_level else {"account_id": user.account_id}
    live = CalendarFeed.objects.filter(revoked_at__isnull=True, **owner).first()
    if request.method == "POST":
        if live is not None:
            live.revoked_at = timezone.now()
            live.save(update_fields=["revoked_at"])
        if request.POST.get("action") != "revoke":
            live = CalendarFeed.objects.create(token=secrets.token_urlsafe(32), created_by=user, **owner)
            messages.success(request, "A new private feed address was made; the old one no longer works.")
        else:
            live = None
            messages.success(request, "The feed is revoked.")
        return redirect("maintenance:feed")
    url = request.build_absolute_uri(reverse("calendar-feed", args=[live.token])) if live else None
    return render(request, "maintenance/feed.html", {"feed_url": url})


@require_GET
def calendar_feed(request, token):
    """The private iCalendar feed; the unguessable token is the key. Unknown or revoked: 404."""
    subscription = get_object_or_404(
        CalendarFeed.objects.select_related("tam", "account", "created_by"), token=token, revoked_at__isnull=True
    )
    creator = subscription.created_by
    # A feed lives only as long as its maker may see what it shows (a person who left loses it).
    if creator is None or not creator.is_active:
        raise Http404
    if subscription.tam_id and not subscription.tam.is_tam_level:
        raise Http404
    if subscription.account_id and creator.account_id != subscription.account_id:
        raise Http404
    events = MaintenanceEvent.objects.exclude(status=EventStatus.CANCELLED).select_related("account", "performing_tam")
    if subscription.tam_id:
        events, name = events.filter(performing_tam=subscription.tam), f"ESS events of {subscription.tam.display_name}"
    else:
        events, name = events.filter(account=subscription.account), f"ESS events of {subscription.account.name}"
    since = timezone.now() - dt.timedelta(days=180)
    body = feed(events.filter(ends_at__gte=since).order_by("starts_at"), name=name)
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")
