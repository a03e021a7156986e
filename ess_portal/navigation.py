from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from accounts.renewals import lapsed_contract, may_manage_renewals
from accounts.services import may_invite, may_record_absences
from intake.services import may_triage
from value_reports.services import may_read_reports


def _entries(pairs, path: str) -> list[dict]:
    """Mark the one entry the page belongs to: the longest link the path starts with (/reviews/releases/
    is under Releases, not Reviews)."""
    matches = [url for _, url in pairs if path == url or (url != "/" and path.startswith(url))]
    best = max(matches, key=len, default=None)
    return [{"label": label, "url": url, "current": url == best} for label, url in pairs]


def navigation(request):
    """The role-aware navigation: each role sees only the places it may go. Daily work in the bar; the
    person's own settings and the occasional tools in the menu under their name."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "menu_items": [], "show_job_status": False}
    items = [("Home", reverse("home")), ("Cases", reverse("cases:list"))]
    if user.is_tam_level:
        items.append(("Escalations", reverse("cases:escalations")))
    if may_triage(user):
        items.append(("Triage", reverse("intake:triage")))
    if user.is_vendor_staff:
        items.append(("Accounts", reverse("customers:list")))
        items.append(("Maintenance", reverse("maintenance:events")))
    elif user.is_customer_user:
        items.append(("Maintenance", reverse("maintenance:overview")))
    items.append(("Reviews", reverse("reviews:reviews")))
    if may_read_reports(user):
        items.append(("Value reports", reverse("value_reports:list")))
    items.append(("Releases", reverse("reviews:releases")))
    menu = [("Profile", reverse("accounts:profile"))]
    if may_record_absences(user):
        menu.append(("Absences", reverse("accounts:absences")))
    if user.is_vendor_staff:
        menu.append(("SLA report", reverse("cases:compliance")))
    if may_manage_renewals(user):
        menu.append(("Renewals", reverse("renewals:list")))
    if may_invite(user):
        menu.append(("Invite a user", reverse("accounts:invite")))
    if user.is_portal_admin:
        menu.append(("Configuration", reverse("config:index")))
        menu.append(("Audit trail", reverse("admin:audit_auditevent_changelist")))
        menu.append(("Integrations", reverse("integrations:index")))
    if user.is_vendor_staff:
        menu.append(("API", reverse("api-docs")))
    return {
        "nav_items": _entries(items, request.path),
        "menu_items": _entries(menu, request.path),
        # A customer whose contract has ended is told on every page (one query, only when a page shows it).
        "lapsed_contract": SimpleLazyObject(lambda: lapsed_contract(user.account_id))
        if user.is_customer_user
        else None,
        # Staff see the job status banner on the portal's pages; the sign-in and security pages stay plain.
        "show_job_status": user.is_vendor_staff and not request.path.startswith("/accounts/"),
    }
