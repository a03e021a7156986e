"""Customer accounts for administrators: the list, a new account, and one account's page with its name, address and
calendar, its TAMs, and its contracts (create, end, cancel, change tier from a date). Renewal terms and renewing
are on the renewals page each contract links to."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from core.actions import PageAction, perform, perform_form, perform_form_on_page

from .. import services
from ..contracts import require_may_manage_contracts
from ..models import Account, Contract, TamAssignment
from ..quarters import vendor_today
from ..renewals import state_of, with_renewal
from .forms import AccountForm, ChangeTierForm, ContractEndForm, ContractForm, TamsForm
from .views import require_configuration_area

PAGE_SIZE = 50


@login_required
@require_GET
def account_list(request):
    require_configuration_area(request.user)
    accounts = Account.objects.select_related("calendar").with_coverage(vendor_today())
    accounts = accounts.annotate(contract_count=Count("contracts", filter=Q(contracts__status="active")))
    words = request.GET.get("q", "").strip()
    if words:
        accounts = accounts.filter(Q(name__icontains=words) | Q(slug__icontains=words))
    page = Paginator(accounts.order_by("name"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "config/accounts.html", {"page": page, "q": words})


@login_required
def account_new(request):
    require_configuration_area(request.user)
    form = AccountForm(request.POST or None)
    if request.method == "POST":
        account, form = perform_form(request, form, lambda data: services.account_save(actor=request.user, **data))
        if account is not None:
            messages.success(request, f"{account.name} created. Assign its TAMs and give it a contract.")
            return redirect("config:account", account.slug)
    return render(request, "config/account_new.html", {"form": form})


def _account(request, slug) -> Account:
    require_configuration_area(request.user)
    return get_object_or_404(Account.objects.select_related("calendar"), slug=slug)


def _account_page(request, account: Account, forms: dict | None = None):
    forms = forms or {}
    today = vendor_today()
    contracts = with_renewal(account.contracts.select_related("tier")).order_by("-start_date")
    rows = []
    for contract in contracts:
        contract.state = state_of(contract, today) if contract.status == "active" else "cancelled"
        end_form = forms.get(f"end_{contract.pk}") or ContractEndForm(
            initial={"end_date": contract.end_date}, auto_id=f"contract-{contract.pk}-%s"
        )
        rows.append({"contract": contract, "end_form": end_form})
    current = TamAssignment.objects.current().filter(account=account).first()
    context = {
        "account": account,
        "rows": rows,
        "assignments": TamAssignment.objects.filter(account=account).select_related("primary", "backup"),
        "details_form": AccountForm(
            initial={"name": account.name, "slug": account.slug, "calendar": account.calendar_id}
        ),
        "tams_form": TamsForm(initial={"primary": current.primary_id, "backup": current.backup_id} if current else {}),
        "contract_form": ContractForm(initial={"start_date": today}),
        "change_tier_form": ChangeTierForm(initial={"from_date": today}),
        "may_manage_contracts": services.may_manage_contracts(request.user),
        **{name: form for name, form in forms.items() if not name.startswith("end_")},
    }
    return render(request, "config/account.html", context)


@login_required
@require_GET
def account_detail(request, slug):
    return _account_page(request, _account(request, slug))


@login_required
@require_POST
def account_details(request, slug):
    account = _account(request, slug)

    def page(forms):
        account.refresh_from_db()
        return _account_page(request, account, forms)

    return perform_form_on_page(
        request,
        AccountForm(request.POST),
        lambda data: services.account_save(actor=request.user, account=account, **data),
        page=page,
        form_key="details_form",
        done=lambda saved: f"{saved.name} saved.",
        success_url=lambda saved: reverse("config:account", args=[saved.slug]),
    )


@login_required
@require_POST
def account_tams(request, slug):
    account = _account(request, slug)
    return perform_form_on_page(
        request,
        TamsForm(request.POST),
        lambda data: services.coverage_assign(actor=request.user, account=account, **data),
        page=lambda forms: _account_page(request, account, forms),
        form_key="tams_form",
        done=lambda saved: f"{saved.primary} is the primary TAM of {account.name}, {saved.backup} the backup.",
        success_url=reverse("config:account", args=[slug]),
    )


@login_required
@require_POST
def contract_new(request, slug):
    require_may_manage_contracts(request.user)
    account = _account(request, slug)
    return perform_form_on_page(
        request,
        ContractForm(request.POST),
        lambda data: services.contract_create(actor=request.user, account=account, **data),
        page=lambda forms: _account_page(request, account, forms),
        form_key="contract_form",
        done=lambda saved: f"Contract saved: {saved}.",
        success_url=reverse("config:account", args=[slug]),
    )


@login_required
@require_POST
def contract_change_tier(request, slug):
    """Move the account to another tier from a date: the contract in force ends the day before, a new one starts."""
    require_may_manage_contracts(request.user)
    account = _account(request, slug)
    return perform_form_on_page(
        request,
        ChangeTierForm(request.POST),
        lambda data: services.contract_change_tier(actor=request.user, account=account, **data),
        page=lambda forms: _account_page(request, account, forms),
        form_key="change_tier_form",
        done=lambda saved: f"{account.name} moves to {saved.tier} from {saved.start_date:%b %-d, %Y}.",
        success_url=reverse("config:account", args=[slug]),
    )


def _contract(request, pk) -> Contract:
    require_may_manage_contracts(request.user)
    require_configuration_area(request.user)
    return get_object_or_404(Contract.objects.select_related("account", "tier"), pk=pk)


@login_required
@require_POST
def contract_end(request, pk):
    contract = _contract(request, pk)
    saved, form = perform_form(
        request,
        ContractEndForm(request.POST, auto_id=f"contract-{contract.pk}-%s"),
        lambda data: services.contract_end(actor=request.user, contract=contract, end_date=data["end_date"]),
    )
    if saved is None:
        return _account_page(request, contract.account, {f"end_{contract.pk}": form})
    messages.success(request, f"Contract ends on {saved.end_date:%b %-d, %Y}.")
    return redirect("config:account", contract.account.slug)


@login_required
@require_POST
def contract_cancel(request, pk):
    """Withdraw a contract entered in error (it no longer counts on any day; the history is kept)."""
    contract = _contract(request, pk)
    back = reverse("config:account", args=[contract.account.slug])
    actions = {
        "cancel": PageAction(
            run=lambda request, contract, data: services.contract_cancel(actor=request.user, contract=contract),
            done="Contract cancelled: it no longer counts on any day.",
        )
    }
    return perform(request, contract, actions, "cancel", page=lambda forms: redirect(back), success_url=back)
