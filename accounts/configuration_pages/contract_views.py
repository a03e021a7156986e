"""Customer accounts for administrators: the list, a new account, and one account's page with its name, address and
calendar, its TAMs, and its contracts (create, end, cancel, change tier from a date). Renewal terms and renewing
are on the renewals page each contract links to."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from core.actions import PageAction, action_view, perform_form

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


# What one account's page can change, each by one account or contract service.
ACCOUNT_ACTIONS = {
    "details": PageAction(
        form=AccountForm,
        form_key="details_form",
        run=lambda request, account, data: services.account_save(actor=request.user, account=account, **data),
        done=lambda saved: f"{saved.name} saved.",
    ),
    "tams": PageAction(
        form=TamsForm,
        form_key="tams_form",
        run=lambda request, account, data: services.coverage_assign(actor=request.user, account=account, **data),
        done=lambda saved: f"{saved.primary} is the primary TAM of {saved.account.name}, {saved.backup} the backup.",
    ),
}

# Its contracts: the routes refuse with the contract services' own message before anything else.
ACCOUNT_CONTRACT_ACTIONS = {
    "contract-new": PageAction(
        form=ContractForm,
        form_key="contract_form",
        run=lambda request, account, data: services.contract_create(actor=request.user, account=account, **data),
        done=lambda saved: f"Contract saved: {saved}.",
    ),
    # Move the account to another tier from a date: the contract in force ends the day before, a new one starts.
    "change-tier": PageAction(
        form=ChangeTierForm,
        form_key="change_tier_form",
        run=lambda request, account, data: services.contract_change_tier(actor=request.user, account=account, **data),
        done=lambda saved: f"{saved.account.name} moves to {saved.tier} from {saved.start_date:%b %-d, %Y}.",
    ),
}

CONTRACT_ACTIONS = {
    "end": PageAction(
        form=ContractEndForm,
        form_key="end_form",
        form_kwargs=lambda request, contract: {"auto_id": f"contract-{contract.pk}-%s"},
        run=lambda request, contract, data: services.contract_end(
            actor=request.user, contract=contract, end_date=data["end_date"]
        ),
        done=lambda saved: f"Contract ends on {saved.end_date:%b %-d, %Y}.",
    ),
    # Withdraw a contract entered in error (it no longer counts on any day; the history is kept).
    "cancel": PageAction(
        run=lambda request, contract, data: services.contract_cancel(actor=request.user, contract=contract),
        done="Contract cancelled: it no longer counts on any day.",
    ),
}


def _refreshed_account_page(request, account: Account, forms: dict):
    account.refresh_from_db()  # a refused rename shows the name still saved
    return _account_page(request, account, forms)


def _account_for_contracts(request, slug) -> Account:
    require_may_manage_contracts(request.user)
    return _account(request, slug)


def _contract(request, pk) -> Contract:
    require_may_manage_contracts(request.user)
    require_configuration_area(request.user)
    return get_object_or_404(Contract.objects.select_related("account", "tier"), pk=pk)


account_action = action_view(
    ACCOUNT_ACTIONS,
    fetch=lambda request, slug: _account(request, slug),
    page=_refreshed_account_page,
    # a renamed slug moves the page
    back=lambda account, outcome: reverse(
        "config:account", args=[outcome.slug if isinstance(outcome, Account) else account.slug]
    ),
)

account_contract_action = action_view(
    ACCOUNT_CONTRACT_ACTIONS,
    fetch=_account_for_contracts,
    page=_account_page,
    back=lambda account, outcome: reverse("config:account", args=[account.slug]),
)

contract_action = action_view(
    CONTRACT_ACTIONS,
    fetch=_contract,
    page=lambda request, contract, forms: _account_page(
        request, contract.account, {f"end_{contract.pk}": forms["end_form"]}
    ),
    back=lambda contract, outcome: reverse("config:account", args=[contract.account.slug]),
)
