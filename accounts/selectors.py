"""Read models that pages in several places need (the customer home, the account page)."""

import datetime as dt
from dataclasses import dataclass

from django.http import Http404

from .coverage import Coverage, coverage_at
from .models import Account, Contract, TamAbsence, TamAssignment


def account_for(user, slug: str | None = None) -> Account:
    """The account a request is about: a customer user's own (whatever ``slug`` says), or for vendor staff the
    account they named. 404 when there is none or the user may not see it, the same for both."""
    if user.is_authenticated and user.is_customer_user:
        return user.account
    if not slug or not user.is_authenticated or not user.is_vendor_staff:
        raise Http404
    account = Account.objects.visible_to(user).filter(slug=slug).first()
    if account is None:
        raise Http404
    return account


def contract_in_force(account: Account, day: dt.date) -> Contract | None:
    """The account's contract on ``day`` (with its tier), or None."""
    return Contract.objects.in_force(on=day).filter(account=account).select_related("tier__support_calendar").first()


@dataclass
class AbsenceNotice:
    absence: TamAbsence
    covering: object | None

    def __getattr__(self, name):
        return getattr(self.absence, name)


@dataclass
class AccountCoverage:
    now: Coverage | None
    absences: list[AbsenceNotice]


def account_coverage(account: Account, now: dt.datetime, *, limit: int = 5) -> AccountCoverage:
    """Who covers the account now, and the coming absences of its TAMs with who covers then (a fixed number of
    queries, whatever the number of absences)."""
    assignment = TamAssignment.objects.current().filter(account=account).first()
    absences = []
    if assignment is not None:
        absences = list(
            TamAbsence.objects.not_over(now)
            .filter(tam_id__in=[assignment.primary_id, assignment.backup_id])
            .select_related("tam")[:limit]
        )
    covers = coverage_at(account, [now, *(max(absence.starts_at, now) for absence in absences)])
    notices = []
    for absence in absences:
        then = covers[max(absence.starts_at, now)]
        notices.append(AbsenceNotice(absence, then.acting if then else None))
    return AccountCoverage(covers[now], notices)
