"""SLA compliance: targets met on time or breached, per target, tier and month (months in the vendor zone)."""

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.db.models import Count, DurationField, ExpressionWrapper, F, Max, Q, Window
from django.db.models.functions import RowNumber, TruncMonth
from django.shortcuts import render

from accounts.quarters import Quarter, vendor_today, vendor_zone
from core.charts import Chart, bar_chart
from core.permissions import require

from .models import Case, Milestone


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


def compliance_chart(months: list[dict]) -> Chart:
    """The share met on time per month as bars on a 0-100 % scale, its text alternative and its numbers."""
    chart = bar_chart(
        [(m["month"].strftime("%b %y"), m["percent"], f"{m['met']} met, {m['breached']} breached") for m in months],
        title="SLA targets met on time, per month",
        y_label="share met on time",
    )
    decided = [m for m in months if m["percent"] is not None]
    if decided:
        best, worst = max(decided, key=lambda m: m["percent"]), min(decided, key=lambda m: m["percent"])
        share = f"{len(decided)} month{'s' * (len(decided) != 1)}"
        if best["percent"] == worst["percent"]:
            spread = f"{best['percent']:g} % each month."
        else:
            low, high = (
                f"{worst['percent']:g} % ({worst['month']:%b %Y})",
                f"{best['percent']:g} % ({best['month']:%b %Y})",
            )
            spread = f"from {low} to {high}."
        chart.summary = f"Share of SLA targets met on time in {share}: {spread}"
    else:
        chart.summary = "No SLA targets decided yet in this period."
    chart.heads = ("Month", "Met on time", "Breached", "Met %")
    chart.rows = [
        (
            f"{m['month']:%b %Y}",
            str(m["met"]),
            str(m["breached"]),
            "–" if m["percent"] is None else f"{m['percent']:g} %",
        )
        for m in months
    ]
    return chart


def quarter_compliance(today: dt.date | None = None) -> float | None:
    """The share of decided milestones met on time this quarter (for the admin overview)."""
    quarter = Quarter.of(today or vendor_today())
    rows = compliance(quarter.start, quarter.end)
    met = sum(r.met for r in rows)
    decided = sum(r.decided for r in rows)
    return round(100 * met / decided, 1) if decided else None


@login_required
def compliance_report(request):
    require(request.user.is_vendor_staff, "The SLA report is for vendor staff.")
    today = vendor_today()
    since = Quarter.of(today).previous().previous().previous().start
    rows = compliance(since, today)
    months = monthly_totals(rows)
    chart = compliance_chart(months)
    return render(request, "cases/compliance.html", {"rows": rows, "chart": chart, "since": since, "today": today})


def account_quarter_figures(account_ids: list[int], first: dt.datetime, last: dt.datetime) -> dict[int, dict]:
    """Per account, over [first, last): each SLA target's clocks started then (met on time; breached, or met late;
    still running; the worst response and the middle one or two of the responses, from the clock's start to the
    meeting event, in seconds of wall time, so that their median is the median of all), and the cases opened then
    by severity and by channel. Three queries, whatever the number of accounts or cases, each grouped by the
    database."""
    figures = {pk: {"targets": {}, "by_severity": {}, "by_channel": {}, "opened": 0} for pk in account_ids}
    clocks = Milestone.objects.filter(case__account_id__in=account_ids, started_at__gte=first, started_at__lt=last)
    late = Q(breached_at__isnull=False) | Q(met_at__gt=F("due_at"))
    response = ExpressionWrapper(F("met_at") - F("started_at"), output_field=DurationField())
    totals = (
        clocks.values("case__account_id", "name")
        .annotate(
            met=Count("id", filter=Q(met_at__isnull=False) & ~late),
            breached=Count("id", filter=late),
            running=Count("id", filter=Q(met_at__isnull=True, breached_at__isnull=True)),
            worst=Max(response),
        )
        .order_by("name")
    )
    for row in totals:
        worst = row["worst"]
        figures[row["case__account_id"]]["targets"][row["name"]] = {
            "met": row["met"],
            "breached": row["breached"],
            "running": row["running"],
            "worst": None if worst is None else worst.total_seconds(),
            "middle": [],
        }
    group = [F("case__account_id"), F("name")]
    ranked = clocks.filter(met_at__isnull=False).annotate(
        response=response,
        position=Window(RowNumber(), partition_by=group, order_by=response.asc()),
        responses=Window(Count("id"), partition_by=group),
    )
    # The middle one of an odd count, the middle two of an even one (integer division in SQL).
    middle = ranked.filter(position__gte=(F("responses") + 1) / 2, position__lte=F("responses") / 2 + 1)
    for account_id, name, seconds in middle.values_list("case__account_id", "name", "response"):
        figures[account_id]["targets"][name]["middle"].append(seconds.total_seconds())
    opened = (
        Case.objects.filter(account_id__in=account_ids, created_at__gte=first, created_at__lt=last)
        .values("account_id", "severity", "channel")
        .annotate(count=Count("id"))
        .order_by()
    )
    for row in opened:
        account = figures[row["account_id"]]
        account["opened"] += row["count"]
        for key, value in (("by_severity", str(row["severity"])), ("by_channel", row["channel"])):
            account[key][value] = account[key].get(value, 0) + row["count"]
    return figures


def open_case_counts(account_ids: list[int]) -> dict[int, int]:
    """Open cases per account (one query); accounts without any are left out."""
    rows = Case.objects.filter(account_id__in=account_ids).open().values("account_id").annotate(n=Count("id"))
    return {row["account_id"]: row["n"] for row in rows.order_by()}


def compliance_by_account(account_ids: list[int], since: dt.date, until: dt.date) -> dict[int, float | None]:
    """The share of decided clocks met on time per account, of those started from ``since`` to ``until`` (vendor
    days), as ``compliance`` counts them; one query."""
    zone = vendor_zone()
    start = dt.datetime.combine(since, dt.time(0), tzinfo=zone)
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
    on_time = Q(met_at__isnull=False, breached_at__isnull=True, met_at__lte=F("due_at"))
    late = Q(breached_at__isnull=False) | Q(met_at__gt=F("due_at"))
    rows = (
        Milestone.objects.filter(case__account_id__in=account_ids, started_at__gte=start, started_at__lt=end)
        .values("case__account_id")
        .annotate(met=Count("id", filter=on_time), breached=Count("id", filter=late))
        .order_by()
    )
    return {
        row["case__account_id"]: round(100 * row["met"] / (row["met"] + row["breached"]), 1)
        if row["met"] + row["breached"]
        else None
        for row in rows
    }
