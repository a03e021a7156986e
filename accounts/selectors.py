"""Read models that pages in several places need (the customer home, the account page)."""

import datetime as dt
from dataclasses import dataclass

from .coverage import Coverage, NoTamAvailable, coverage
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
    """Who covers the account now, and the coming absences of its TAMs with who covers then."""
    try:
        current = coverage(account, now)
    except NoTamAvailable:
        current = None
    assignment = TamAssignment.objects.current().filter(account=account).first()
    notices = []
    if assignment is not None:
        absences = (
            TamAbsence.objects.not_over(now)
            .filter(tam_id__in=[assignment.primary_id, assignment.backup_id])
            .select_related("tam")[:limit]
        )
        for absence in absences:
            try:
                covering = coverage(account, max(absence.starts_at, now)).acting
            except NoTamAvailable:
                covering = None
            notices.append(AbsenceNotice(absence, covering))
    return AccountCoverage(current, notices)
