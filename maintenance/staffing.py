"""The performing TAM follows coverage.

An event is performed by the acting TAM at its start (the primary unless absent, else the backup unless absent,
else the first free TAM-level resource). When an absence is recorded, changed or cancelled, or an account gets
other TAMs, accounts sends ``coverage_changed`` and every open event ahead that it may touch is looked at again:
the new acting TAM gets it (and an invitation), the previous one a cancellation, the customer is told. When the
acting TAM is booked on an overlapping event, or nobody is free, the event is flagged for the admins
(``staffing_problem``), never left silently with an absent TAM; a later change that frees someone clears it.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.coverage import NoTamAvailable, acting_tam
from accounts.models import Account, TamAssignment, User

from .booking import tam_clash
from .models import MaintenanceEvent
from .notifications import notify_performer_changed


@dataclass
class StaffingReport:
    moved: list[MaintenanceEvent] = field(default_factory=list)
    flagged: list[MaintenanceEvent] = field(default_factory=list)
    cleared: list[MaintenanceEvent] = field(default_factory=list)


def _affected(tam: User | None, account: Account | None, now: dt.datetime):
    """Open events ahead that a change of ``tam``'s absences, or of ``account``'s TAMs, may move; and every flagged
    one, which the change may have made staffable."""
    touched = Q(staffing_flagged_at__isnull=False)
    if tam is not None:
        assigned = TamAssignment.objects.filter(Q(primary=tam) | Q(backup=tam)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=now)
        )
        touched |= Q(performing_tam=tam) | Q(account__in=assigned.values("account_id"))
    if account is not None:
        touched |= Q(account=account)
    return (
        MaintenanceEvent.objects.busy()
        .filter(touched, starts_at__gt=now)
        .select_for_update(of=("self",))
        .select_related("account", "performing_tam")
        .order_by("starts_at", "pk")
    )


def _flag(event: MaintenanceEvent, problem: str, now: dt.datetime, report: StaffingReport) -> None:
    if event.staffing_problem == problem:
        return
    event.staffing_problem = problem[:300]
    event.staffing_flagged_at = event.staffing_flagged_at or now
    event.save(update_fields=["staffing_problem", "staffing_flagged_at"])
    report.flagged.append(event)


def _follow(event: MaintenanceEvent, now: dt.datetime, report: StaffingReport) -> None:
    try:
        acting = acting_tam(event.account, event.starts_at)
    except NoTamAvailable:
        _flag(event, "Nobody can perform it: the TAMs and every TAM-level resource are away then.", now, report)
        return
    if acting.pk == event.performing_tam_id:
        if event.staffing_flagged_at is not None:
            event.staffing_problem = event.staffing_flagged_at = None
            event.save(update_fields=["staffing_problem", "staffing_flagged_at"])
            report.cleared.append(event)
        return
    clash = tam_clash(acting, event.starts_at, event.ends_at, exclude_pk=event.pk)
    if clash is not None:
        _flag(
            event,
            f"{acting.display_name}, the acting TAM then, is booked on another event at that time.",
            now,
            report,
        )
        return
    previous = event.performing_tam
    try:
        with transaction.atomic():  # the database refuses a double booking another writer made meanwhile
            event.performing_tam = acting
            event.sequence += 1
            event.staffing_problem = event.staffing_flagged_at = None
            event.save(update_fields=["performing_tam", "sequence", "staffing_problem", "staffing_flagged_at"])
    except IntegrityError:
        event.refresh_from_db()
        _flag(event, f"{acting.display_name}, the acting TAM then, was just booked at that time.", now, report)
        return
    notify_performer_changed(event, previous=previous)
    report.moved.append(event)


def events_follow_coverage(
    *, tam: User | None = None, account: Account | None = None, now: dt.datetime | None = None
) -> StaffingReport:
    """Give every open event ahead that ``tam``'s absences or ``account``'s TAMs touch to the acting TAM at its
    start, or flag it when that TAM is booked then or nobody is free. Runs in the caller's transaction (the change
    of coverage and its consequences commit together); events are locked and taken in order of start."""
    now = now or timezone.now()
    report = StaffingReport()
    with transaction.atomic():
        for event in _affected(tam, account, now):
            _follow(event, now, report)
    return report


def on_coverage_changed(sender, *, tam: User | None = None, account: Account | None = None, **kwargs) -> None:
    events_follow_coverage(tam=tam, account=account)
