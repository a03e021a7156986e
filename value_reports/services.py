"""Who may read a value report, and the one write of this app: a customer user asking for the report by e-mail.

Renewals (renewing, renewal terms, who gets the reminders) are contracts' business: ``accounts.renewals``."""

from django.db import transaction
from django.http import Http404

from accounts.models import User
from core.permissions import require

from .models import ReportSubscription, ValueReport

REPORTS_REFUSED = "The value reports are for the account's own users, its TAMs and administrators."
SUBSCRIPTION_REFUSED = "Only a customer's own users receive its value report by e-mail."


def may_read_reports(user: User) -> bool:
    """Customer users (their account's), TAMs (the accounts they own) and administrators (all) read reports."""
    return user.is_authenticated and (user.is_customer_user or user.is_tam or user.is_portal_admin)


def require_may_read_reports(user: User) -> None:
    require(may_read_reports(user), REPORTS_REFUSED)


def report_for(user: User, pk: int) -> ValueReport:
    """A report the user may read: 404 for one that is missing or not theirs alike."""
    report = ValueReport.objects.visible_to(user).select_related("account").filter(pk=pk).first()
    if report is None:
        raise Http404
    return report


def may_subscribe(user: User) -> bool:
    return user.is_authenticated and user.is_customer_user


def report_subscription_set(*, actor: User, subscribed: bool) -> bool:
    """A customer user asks for (or stops) their account's value report by e-mail each quarter, with its PDF.
    Only customer users: staff read the reports in the portal. Returns whether they now receive it."""
    require(may_subscribe(actor), SUBSCRIPTION_REFUSED)
    with transaction.atomic():
        if subscribed:
            ReportSubscription.objects.get_or_create(user=actor)
        else:
            ReportSubscription.objects.filter(user=actor).delete()
    return subscribed
