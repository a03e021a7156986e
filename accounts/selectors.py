"""Read models that pages in several places need (the customer home, the account page)."""

import datetime as dt
from dataclasses import dataclass

from .coverage import Coverage, coverage_at
from .models import Account, TamAbsence, TamAssignment


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
