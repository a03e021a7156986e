"""Staff search: one box for a case number, a subject, an account or a contact (the box in every staff page's
header). Three queries whatever is found; what a person may see is ``visible_to``'s answer, as everywhere."""

import re
from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.models import Account, User
from core.permissions import require

from .models import Case

LIMIT = 20
# "CASE-000042", "case 42", "#42" or "42" name a case by its number.
CASE_NUMBER = re.compile(r"^(?:case[-\s]*|#)?0*(\d{1,9})$", re.IGNORECASE)


@dataclass
class SearchResults:
    query: str
    cases: list[Case] = field(default_factory=list)
    accounts: list[Account] = field(default_factory=list)
    contacts: list[User] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.cases or self.accounts or self.contacts)


def search(user, query: str, *, limit: int = LIMIT) -> SearchResults:
    """Cases whose number, subject, account or contact matches, newest first; accounts by name or slug; customer
    contacts by name or address. Only what ``user`` may see."""
    query = " ".join((query or "").split())[:100]
    results = SearchResults(query)
    if len(query) < 2 and not query.isdigit():
        return results
    number = CASE_NUMBER.match(query)
    matches = Q(subject__icontains=query) | Q(account__name__icontains=query) | _person(query, "contact__")
    if number:
        matches |= Q(pk=int(number.group(1)))
    results.cases = list(
        Case.objects.visible_to(user)
        .filter(matches)
        .select_related("account", "contact")
        .order_by("-created_at", "-pk")[:limit]
    )
    if number:  # the case named by its number leads
        results.cases.sort(key=lambda case: case.pk != int(number.group(1)))
    results.accounts = list(
        Account.objects.visible_to(user)
        .filter(Q(name__icontains=query) | Q(slug__icontains=query))
        .order_by("name")[:limit]
    )
    accounts = Account.objects.visible_to(user).values("pk")
    results.contacts = list(
        User.objects.filter(_person(query), account__in=accounts, is_active=True)
        .select_related("account")
        .order_by("first_name", "last_name", "email")[:limit]
    )
    return results


def _person(query: str, prefix: str = "") -> Q:
    """A person by first or last name, "first last", or e-mail address."""
    found = Q()
    for name in ("first_name", "last_name", "email"):
        found |= Q(**{f"{prefix}{name}__icontains": query})
    first, _, last = query.partition(" ")
    if last:
        found |= Q(**{f"{prefix}first_name__icontains": first, f"{prefix}last_name__icontains": last})
    return found


@login_required
@require_GET
def search_page(request):
    require(request.user.is_vendor_staff, "Search is for vendor staff.")
    query = request.GET.get("q", "")
    return render(request, "cases/search.html", {"results": search(request.user, query), "search_query": query.strip()})
