"""The renewals pages (administrators): contracts ending soon with what is at stake, a CSV of the same list, and
one contract's renewal (renew it, set its terms). The services decide; the pages offer what their predicates
allow."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.models import Contract
from accounts.quarters import vendor_today
from accounts.renewals import (
    contract_renew,
    contract_set_renewal_terms,
    may_manage_renewals,
    require_may_manage_renewals,
    state_of,
    with_renewal,
)
from core.actions import perform_form

from .forms import RenewalFilterForm, RenewalNoticesForm, RenewForm, TermsForm
from .renewals import renewal_rows, renewals_csv


def _rows(request):
    require_may_manage_renewals(request.user)
    filters = RenewalFilterForm(request.GET or None)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    rows = renewal_rows(
        today=vendor_today(),
        days=chosen.get("days") or 90,
        state=chosen.get("state") or "",
        tier=chosen.get("tier"),
        tam=chosen.get("tam"),
    )
    return filters, rows


@login_required
def renewals(request):
    filters, rows = _rows(request)
    query = request.GET.urlencode()
    return render(request, "value_reports/renewals.html", {"filters": filters, "rows": rows, "query": query})


@login_required
def renewals_export(request):
    _filters, rows = _rows(request)
    response = HttpResponse(renewals_csv(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="renewals-{vendor_today():%Y-%m-%d}.csv"'
    return response


def _contract(request, pk) -> Contract:
    """The contract named (404 when missing or not visible), for a person the renewal services let act on it: their
    own question first, so whatever is posted a refusal is theirs (as ``asks_service`` does in the API)."""
    require_may_manage_renewals(request.user)
    return get_object_or_404(
        with_renewal(Contract.objects.visible_to(request.user)).select_related("account", "tier"), pk=pk
    )


def _contract_page(request, contract, forms=None):
    terms = {name: getattr(contract, name) for name in ("renews_automatically", "notice_days", "renewal_term_months")}
    context = {
        "contract": contract,
        "state": state_of(contract),
        "renew_form": RenewForm(),
        "terms_form": TermsForm(initial=terms),
        "notices_form": RenewalNoticesForm(initial={"to_contacts": contract.account.renewal_notices_to_contacts}),
        "may_renew": may_manage_renewals(request.user),
        **(forms or {}),
    }
    return render(request, "value_reports/renewal_contract.html", context)


@login_required
def renewal_contract(request, pk):
    return _contract_page(request, _contract(request, pk))


@login_required
@require_POST
def renewal_renew(request, pk):
    """Renew the contract (the service says who may and what the renewal is)."""
    contract = _contract(request, pk)
    renewal, form = perform_form(
        request,
        RenewForm(request.POST),
        lambda data: contract_renew(
            actor=request.user, contract=contract, tier=data["tier"], end_date=data["end_date"]
        ),
    )
    if renewal is None:
        return _contract_page(request, contract, {"renew_form": form})
    messages.success(request, f"Renewed: {renewal}.")
    return redirect("renewals:contract", contract.pk)


@login_required
@require_POST
def renewal_terms(request, pk):
    contract = _contract(request, pk)
    saved, form = perform_form(
        request,
        TermsForm(request.POST),
        lambda data: contract_set_renewal_terms(actor=request.user, contract=contract, **data),
    )
    if saved is None:
        return _contract_page(request, contract, {"terms_form": form})
    messages.success(request, "Renewal terms saved.")
    return redirect("renewals:contract", contract.pk)
