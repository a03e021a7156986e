from django.urls import reverse


def navigation(request):
    """The role-aware main navigation: each role sees only the places it may go."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = [("Home", reverse("home"))]
    items.append(("Cases", reverse("cases:list")))
    if user.is_tam_level:
        items.append(("Escalations", reverse("cases:escalations")))
    if user.is_vendor_staff:
        items.append(("SLA report", reverse("cases:compliance")))
        items.append(("Accounts", reverse("customers:list")))
        items.append(("Maintenance", reverse("maintenance:events")))
    elif user.is_customer_user:
        items.append(("Maintenance", reverse("maintenance:overview")))
    if user.is_tam_level or user.is_portal_admin:
        items.append(("Absences", reverse("accounts:absences")))
    if user.is_portal_admin or user.is_tam:
        items.append(("Invite a user", reverse("accounts:invite")))
    if user.is_portal_admin:
        items.append(("Configuration", reverse("admin:index")))
    if user.is_vendor_staff:
        items.append(("API", reverse("api-docs")))
    items.append(("Profile", reverse("accounts:profile")))
    current = request.path
    return {
        "nav_items": [
            {"label": label, "url": url, "current": current == url or (url != "/" and current.startswith(url))}
            for label, url in items
        ]
    }
