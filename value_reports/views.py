"""The value report pages: the list (with a customer's mail choices), a report, and its PDF."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.models import Account
from accounts.renewals import account_set_renewal_notices, may_set_renewal_notices
from core.actions import PageAction, perform

from . import services
from .display import report_context
from .forms import RenewalNoticesForm, SubscriptionForm
from .generation import pdf_filename
from .models import ReportSubscription, ValueReport
from .pdf import report_pdf

MAIL_ACTIONS = {
    "subscription": PageAction(
        form=SubscriptionForm,
        form_key="subscription_form",
        run=lambda request, user, data: services.report_subscription_set(actor=user, subscribed=data["subscribed"]),
        done=lambda subscribed: (
            "You will receive the value report by e-mail each quarter."
            if subscribed
            else "You will no longer receive the value report by e-mail."
        ),
        may=lambda user, target: services.may_subscribe(user),
    ),
}


def _list_page(request, forms=None):
    user = request.user
    services.require_may_read_reports(user)
    reports = ValueReport.objects.visible_to(user).select_related("account").order_by("-quarter_start", "account__name")
    context = {"reports": reports[:200]}
    if user.is_customer_user:
        context["subscription_form"] = SubscriptionForm(
            initial={"subscribed": ReportSubscription.objects.filter(user=user).exists()}
        )
        context["notices_form"] = RenewalNoticesForm(initial={"to_contacts": user.account.renewal_notices_to_contacts})
        context["may_set_notices"] = may_set_renewal_notices(user, user.account)
    return render(request, "value_reports/reports.html", {**context, **(forms or {})})


@login_required
def report_list(request):
    return _list_page(request)


@login_required
@require_POST
def mail_choice(request, action):
    """A person's own mail choice (the value report by e-mail)."""
    back = reverse("value_reports:list")
    return perform(
        request, request.user, MAIL_ACTIONS, action, page=lambda forms: _list_page(request, forms), success_url=back
    )


NOTICE_ACTIONS = {
    "notices": PageAction(
        form=RenewalNoticesForm,
        form_key="notices_form",
        run=lambda request, account, data: account_set_renewal_notices(
            actor=request.user, account=account, to_contacts=data["to_contacts"]
        ),
        done=lambda account: (
            "The account's users will get the renewal reminders."
            if account.renewal_notices_to_contacts
            else "The account's users will not get the renewal reminders."
        ),
        may=may_set_renewal_notices,
    ),
}


@login_required
@require_POST
def renewal_notices(request, slug):
    """Whether an account's users get its renewal reminders: its own users (from their reports page) or an
    administrator (from the renewals page)."""
    account = get_object_or_404(Account.objects.visible_to(request.user), slug=slug)
    back = reverse("renewals:list" if request.user.is_portal_admin else "value_reports:list")
    return perform(
        request, account, NOTICE_ACTIONS, "notices", page=lambda forms: _list_page(request, forms), success_url=back
    )


@login_required
def report_detail(request, pk):
    report = services.report_for(request.user, pk)
    return render(request, "value_reports/report.html", report_context(report))


@login_required
def report_download(request, pk):
    report = services.report_for(request.user, pk)
    response = HttpResponse(report_pdf(report, zone=request.user.time_zone), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{pdf_filename(report)}"'
    return response
