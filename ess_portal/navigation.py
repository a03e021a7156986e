from django.urls import reverse


def _entry(label, url, current):
    return {"label": label, "url": url, "current": current == url or (url != "/" and current.startswith(url))}


def navigation(request):
    """The role-aware navigation: each role sees only the places it may go. Daily work in the bar; the
    person's own settings and the occasional tools in the menu under their name."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "menu_items": []}
    items = [("Home", reverse("home")), ("Cases", reverse("cases:list"))]
    if user.is_tam_level:
        items.append(("Escalations", reverse("cases:escalations")))
    if user.is_vendor_staff:
        items.append(("Accounts", reverse("customers:list")))
        items.append(("Maintenance", reverse("maintenance:events")))
    elif user.is_customer_user:
        items.append(("Maintenance", reverse("maintenance:overview")))
    items.append(("Reviews", reverse("reviews:reviews")))
    items.append(("Releases", reverse("reviews:releases")))
    menu = [("Profile", reverse("accounts:profile"))]
    if user.is_tam_level or user.is_portal_admin:
        menu.append(("Absences", reverse("accounts:absences")))
    if user.is_vendor_staff:
        menu.append(("SLA report", reverse("cases:compliance")))
    if user.is_portal_admin or user.is_tam:
        menu.append(("Invite a user", reverse("accounts:invite")))
    if user.is_portal_admin:
        menu.append(("Configuration", reverse("admin:index")))
    if user.is_vendor_staff:
        menu.append(("API", reverse("api-docs")))
    current = request.path
    return {
        "nav_items": [_entry(label, url, current) for label, url in items],
        "menu_items": [_entry(label, url, current) for label, url in menu],
    }
