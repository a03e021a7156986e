"""What each role's home shows, asked of each app's selectors. Every home takes a fixed number of queries
whatever the number of accounts, cases or events."""

import datetime as dt

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from accounts.coverage import accounts_covered_by
from accounts.models import Account, BusinessCalendar, TamAbsence, Tier
from accounts.quarters import Quarter, vendor_today, vendor_zone
from accounts.selectors import account_coverage
from cases import dashboard as cases_dashboard
from cases.models import SlaPolicy
from cases.reports import quarter_compliance
from maintenance import selectors as maintenance
from reviews import selectors as reviews

from .models import JobStatus

BENEFITS = [
    ("email_phone_support", "Support by e-mail, phone and remote screen sharing, Mon–Fri 06:00–18:00 Mountain"),
    ("software_updates", "Software updates: release notes and downloads"),
    ("assigned_tam", "An assigned Technical Account Manager and a backup TAM"),
    ("events_per_quarter", "Evening or weekend planned maintenance events each quarter"),
    ("release_previews", "Release previews before patch releases"),
    ("proactive_reviews_per_quarter", "Quarterly proactive system reviews"),
    ("priority_support", "Priority support: first in the queue, fast escalation to your TAM"),
    ("store_discount_percent", "Discount on store orders"),
]


def benefit_rows(tier: Tier | None) -> list[dict]:
    rows = []
    for field, label in BENEFITS:
        value = getattr(tier, field, None) if tier else None
        rows.append({"label": label, "included": bool(value), "value": value})
    return rows


def support_hours_lines(calendar: BusinessCalendar | None, viewer_zone) -> list[str]:
    """The open intervals, as the calendar states them, with the viewer's own time next to them."""
    if calendar is None:
        return []
    lines = []
    today = vendor_today()
    monday = today - dt.timedelta(days=today.weekday())
    calendar_zone = calendar.schedule().tz
    for interval in calendar.intervals.all():
        day = monday + dt.timedelta(days=interval.weekday)
        opens = dt.datetime.combine(day, interval.opens, tzinfo=calendar_zone)
        closes_day = day + dt.timedelta(days=1) if interval.closes == dt.time(0) else day
        closes = dt.datetime.combine(closes_day, interval.closes, tzinfo=calendar_zone)
        local_open, local_close = opens.astimezone(viewer_zone), closes.astimezone(viewer_zone)
        lines.append(
            f"{interval.get_weekday_display()} {opens:%H:%M}–{closes:%H:%M} {calendar.time_zone}"
            + (
                f" (your time: {local_open:%a %H:%M}–{local_close:%H:%M})"
                if local_open.utcoffset() != opens.utcoffset()
                else ""
            )
        )
    return lines


def customer_home(user) -> dict:
    now = timezone.now()
    account = Account.objects.select_related("calendar").with_coverage(vendor_today(now)).get(pk=user.account_id)
    tier = account.tier_today
    covered = account_coverage(account, now)
    calendar = account.support_calendar()
    context = {
        "account": account,
        "tier": tier,
        "benefits": benefit_rows(tier),
        "coverage": covered.now,
        "absences": covered.absences,
        "support_hours": support_hours_lines(calendar, timezone.get_current_timezone()),
        "cases": cases_dashboard.open_cases_of(account),
    }
    if tier and tier.events_per_quarter:
        context["maintenance"] = maintenance.account_summary(account)
    if tier and (tier.release_previews or tier.proactive_reviews_per_quarter):
        context["next_preview"] = reviews.next_preview(account)
        context["latest_review"] = reviews.latest_published_review(account)
    return context


# A key no real URL contains, made of digits so that it passes both the slug and the int path converters.
_LINK_KEY = "80808080808080808"


def _links(name: str, keys) -> dict:
    """``reverse(name, args=[key])`` for every key at the cost of one reverse: a dashboard links hundreds of rows,
    and reversing each one was a third of the time spent rendering them."""
    pattern = reverse(name, args=[_LINK_KEY])
    return {key: pattern.replace(_LINK_KEY, str(key)) for key in keys}


def tam_dashboard(user) -> dict:
    now = timezone.now()
    today = vendor_today(now)
    covered_ids = {a.pk for a in accounts_covered_by(user, now)}
    accounts = list(
        Account.objects.filter(Q(pk__in=Account.objects.owned_by(user).values("pk")) | Q(pk__in=covered_ids))
        .with_tier_name(today)
        .order_by("name")
    )
    health = cases_dashboard.case_health(accounts)
    credits = maintenance.balances(accounts)
    week = maintenance.events_between(accounts=accounts, start=now, end=now + dt.timedelta(days=7))
    mine = maintenance.events_between(tam=user, start=now, end=now + dt.timedelta(days=7))
    agenda = sorted({event.pk: event for event in [*week, *mine]}.values(), key=lambda e: e.starts_at)
    upcoming_by_account: dict[int, int] = {}
    for event in agenda:
        upcoming_by_account[event.account_id] = upcoming_by_account.get(event.account_id, 0) + 1
    rows = [
        {
            "account": account,
            "covering": account.pk in covered_ids,
            "cases": health[account.pk],
            "credits": credits[account.pk],
            "events_this_week": upcoming_by_account.get(account.pk, 0),
        }
        for account in accounts
    ]
    previews = reviews.previews_to_plan(user, today=today)
    overdue = list(reviews.overdue_reviews(today=today, user=user).select_related("account"))
    due_reviews = reviews.current_reviews_by_account(accounts, today)
    releases_to_preview: dict[int, list] = {}
    for preview in previews:
        releases_to_preview.setdefault(preview.account.pk, []).append(preview.release)
    account_links = _links("customers:detail", [account.slug for account in accounts])
    review_links = _links("reviews:review", [review.pk for review in due_reviews.values()])
    for row in rows:
        row["url"] = account_links[row["account"].slug]
        row["review"] = due_reviews.get(row["account"].pk)
        row["review_url"] = review_links[row["review"].pk] if row["review"] else None
        row["previews_to_plan"] = releases_to_preview.get(row["account"].pk, [])
    sessions = reviews.sessions_between(user=user, start=now, end=now + dt.timedelta(days=7))
    return {
        "rows": rows,
        "agenda": agenda,
        "sessions": sessions,
        "previews_to_plan": previews,
        "overdue_reviews": overdue,
        "escalations": cases_dashboard.escalations_waiting_for(user),
        "absences": list(TamAbsence.objects.not_over(now).filter(tam=user).order_by("starts_at")),
        "requested_events": maintenance.requested_count_for(user),
    }


def support_home(user) -> dict:
    zone = timezone.get_current_timezone()
    return {"phone": cases_dashboard.phone_stats(timezone.localdate(timezone.now(), zone), zone)}


def _next_run(task: PeriodicTask, now: dt.datetime) -> dt.datetime | None:
    if not task.enabled:
        return None
    try:
        remaining = task.schedule.remaining_estimate(task.last_run_at or now)
    except Exception:  # an unusual schedule type: show nothing rather than fail the page
        return None
    return max(now, now + remaining)


def admin_overview(user) -> dict:
    now = timezone.now()
    statuses = {status.task: status for status in JobStatus.objects.all()}
    jobs = [
        {"task": task, "status": statuses.get(task.task), "next_run": _next_run(task, now)}
        for task in PeriodicTask.objects.select_related("interval", "crontab", "solar", "clocked").exclude(
            task="celery.backend_cleanup"
        )
    ]
    return {
        "overdue_reviews": list(reviews.overdue_reviews().select_related("account", "tam")),
        "events_needing_a_tam": maintenance.events_needing_a_tam(),
        "tiers": Tier.objects.select_related("support_calendar").order_by("name"),
        "calendars": BusinessCalendar.objects.prefetch_related("intervals", "holidays").order_by("name"),
        "policies": SlaPolicy.objects.select_related("tier").prefetch_related("targets").order_by("tier__name"),
        "jobs": jobs,
        "quarter": Quarter.of(vendor_today(now)),
        "sla_compliance": quarter_compliance(),
        "vendor_zone": vendor_zone(),
    }
