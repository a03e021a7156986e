"""The triage page for support staff: what came in and could not be filed by itself, to assign to an account or
discard (its action table calls the triage services, which decide). The staff-area check is the services' own."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from accounts.models import Account
from core.actions import PageAction, action_view, offered

from . import services
from .forms import AssignForm, DiscardForm
from .models import TriageItem, TriageStatus

RECENTLY_DECIDED = 30


def account_named(slug: str | None) -> Account | None:
    """The account a form or a request names by its slug; None for none or an unknown one (the service says)."""
    return Account.objects.filter(slug=slug).first() if slug else None


def _assign(request, item, data):
    return services.triage_assign(
        actor=request.user, item=item, account=account_named(data.get("account")), severity=data.get("severity")
    )


def _discard(request, item, data):
    return services.triage_discard(actor=request.user, item=item, note=data.get("note", ""))


TRIAGE_ACTIONS = {
    "assign": PageAction(
        form=AssignForm,
        form_key="assign_form",
        run=_assign,
        done=lambda case: f"Filed as {case.reference} on {case.account.name}.",
        may=services.may_triage,
    ),
    "discard": PageAction(
        form=DiscardForm, form_key="discard_form", run=_discard, done="Discarded.", may=services.may_triage
    ),
}


def _items():
    return TriageItem.objects.select_related("mail", "account", "case", "decided_by")


@login_required
@require_GET
def triage_list(request):
    services.require_may_triage(request.user)
    items = _items().visible_to(request.user)
    return render(
        request,
        "intake/triage_list.html",
        {
            "waiting": items.waiting().order_by("-received_at", "-id"),
            "decided": items.exclude(status=TriageStatus.WAITING).order_by("-decided_at")[:RECENTLY_DECIDED],
        },
    )


def _item_page(request, item: TriageItem, **forms):
    return render(
        request,
        "intake/triage_item.html",
        {
            "item": item,
            "offered": offered(request.user, item, TRIAGE_ACTIONS),
            "assign_form": forms.get("assign_form") or AssignForm(),
            "discard_form": forms.get("discard_form") or DiscardForm(),
        },
    )


def _item_for(request, pk) -> TriageItem:
    services.require_may_triage(request.user)
    return get_object_or_404(_items().visible_to(request.user), pk=pk)


@login_required
@require_GET
def triage_item(request, pk):
    return _item_page(request, _item_for(request, pk))


triage_action = action_view(
    TRIAGE_ACTIONS,
    fetch=_item_for,
    page=lambda request, item, forms: _item_page(request, item, **forms),
    back=lambda item, outcome: reverse("intake:item", args=[item.pk]),
)


@login_required
@require_GET
def triage_original(request, pk):
    """The message as it was received, to staff."""
    item = _item_for(request, pk)
    if item.mail is None or not item.mail.original:
        raise Http404
    try:
        stream = item.mail.original.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    return FileResponse(stream, as_attachment=True, filename="message.eml", content_type="message/rfc822")
