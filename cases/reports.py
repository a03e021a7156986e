"""SLA compliance: targets met on time or breached, per target, tier and month (months in the vendor zone)."""

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Q
from django.db.models.functions import TruncMonth
from django.shortcuts import render

from accounts.quarters import Quarter, vendor_today, vendor_zone

from .models import Milestone


@dataclass
class ComplianceRow:
    month: dt.date
    tier: str
    target: str
    met: int
    breached: int

    @property
    def decided(self) -> int:
        return self.met + self.breached

    @property
    def percent(self) -> float | None:
        return round(100 * self.met / self.decided, 1) if self.decided else None


def compliance(since: dt.date, until: dt.date) -> list[ComplianceRow]:
    """Milestones started in [since, until], met on time vs breached (met late counts as breached), in one query."""
    zone = vendor_zone()
    start = dt.datetime.combine(since, dt.time(0), tzinfo=zone)
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
    on_time = Q(met_at__isnull=False, breached_at__isnull=True, met_at__lte=F("due_at"))
    late = Q(breached_at__isnull=False) | Q(met_at__gt=F("due_at"))
    rows = (
        Milestone.objects.filter(started_at__gte=start, started_at__lt=end)
        .annotate(month=TruncMonth("started_at", tzinfo=zone))
        .values("month", "target__policy__tier__name", "name")
        .annotate(met=Count("id", filter=on_time), breached=Count("id", filter=late))
        .order_by("month", "target__policy__tier__name", "name")
    )
    return [
        ComplianceRow(
            month=row["month"].date() if isinstance(row["month"], dt.datetime) else row["month"],
            tier=row["target__policy__tier__name"],
            target=row["name"],
            met=row["met"],
            breached=row["breached"],
        )
        for row in rows
    ]


def monthly_totals(rows: list[ComplianceRow]) -> list[dict]:
    """Per month: met, breached and the share met, for the chart."""
    months: dict[dt.date, list[int]] = {}
    for row in rows:
        totals = months.setdefault(row.month, [0, 0])
        totals[0] += row.met
        totals[1] += row.breached
    return [
        {
            "month": month,
            "met": met,
            "breached": breached,
            "percent": round(100 * met / (met + breached), 1) if met + breached else None,
        }
        for month, (met, breached) in sorted(months.items())
    ]


def quarter_compliance(today: dt.date | None = None) -> float | None:
    """The share of decided milestones met on time this quarter (for the admin overview)."""
    quarter = Quarter.of(today or vendor_today())
    rows = compliance(quarter.start, quarter.end)
    met = sum(r.met for r in rows)
    decided = sum(r.decided for r in rows)
    return round(100 * met / decided, 1) if decided else None


@login_required
def compliance_report(request):
    if not request.user.is_vendor_staff:
        raise PermissionDenied("The SLA report is for vendor staff.")
    today = vendor_today()
    since = Quarter.of(today).previous().previous().previous().start
    rows = compliance(since, today)
    months = monthly_totals(rows)
    for month in months:
        month["bar"] = int((month["percent"] or 0) * 1.8)  # bars are 180 units tall at 100 %
        month["y"] = 210 - month["bar"]
        month["label_y"] = month["y"] - 6
    return render(request, "cases/compliance.html", {"rows": rows, "months": months, "since": since, "today": today})
