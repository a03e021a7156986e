"""People and their roles: the list (with filters), and one person's page where an administrator changes their roles
and account, their name and time zone, or deactivates them. Invitations have their own page (``accounts:invite``)."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from core.actions import PageAction, action_view
from core.permissions import require
from core.wording import zone_words

from .. import services
from ..models import User
from ..people import PEOPLE_ADMIN_ONLY
from ..roles import Role
from .forms import PeopleFilterForm, PersonAccessForm, PersonDetailsForm, PersonRolesForm

PAGE_SIZE = 50


def require_people_area(user) -> None:
    require(services.may_manage_people(user), PEOPLE_ADMIN_ONLY)


def _filtered(filters: PeopleFilterForm):
    people = User.objects.select_related("account").prefetch_related("groups")
    chosen = filters.cleaned_data if filters.is_valid() else {}
    if not chosen.get("inactive"):
        people = people.filter(is_active=True)
    if chosen.get("role") == "none":
        people = people.filter(groups__isnull=True)
    elif chosen.get("role"):
        people = people.filter(groups__name=chosen["role"])
    if chosen.get("q"):
        words = chosen["q"].strip()
        people = people.filter(
            Q(email__icontains=words)
            | Q(first_name__icontains=words)
            | Q(last_name__icontains=words)
            | Q(account__name__icontains=words)
        )
    return people.order_by("last_name", "first_name", "email")


@login_required
@require_GET
def people_list(request):
    require_people_area(request.user)
    filters = PeopleFilterForm(request.GET or None)
    page = Paginator(_filtered(filters), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "config/people.html",
        {"filters": filters, "page": page, "query": query.urlencode(), "may_invite": services.may_invite(request.user)},
    )


def _person(request, pk) -> User:
    require_people_area(request.user)
    return get_object_or_404(User.objects.select_related("account"), pk=pk)


def _person_page(request, person: User, forms: dict | None = None):
    roles = [group.name for group in person.groups.all()]
    details = {"first_name": person.first_name, "last_name": person.last_name, "time_zone": person.time_zone}
    context = {
        "person": person,
        "roles": [Role(name).label for name in roles if name in Role.values],
        "zone": zone_words(person.time_zone),
        "invited": not person.has_usable_password(),
        "roles_form": PersonRolesForm(initial={"roles": roles, "account": person.account}),
        "details_form": PersonDetailsForm(initial=details),
        **(forms or {}),
    }
    return render(request, "config/person.html", context)


def _set_access(request, person: User, data: dict) -> User:
    """Deactivate a person (they can no longer sign in; what they did stays theirs) or reactivate them."""
    return services.user_update(
        actor=request.user,
        user=person,
        first_name=person.first_name,
        last_name=person.last_name,
        time_zone=person.time_zone,
        is_active=data["active"],
    )


# What one person's page can change, each by one people service.
PERSON_ACTIONS = {
    "roles": PageAction(
        form=PersonRolesForm,
        form_key="roles_form",
        run=lambda request, person, data: services.user_set_roles(
            actor=request.user, user=person, roles={Role(role) for role in data["roles"]}, account=data["account"]
        ),
        done=lambda saved: f"Roles of {saved} saved.",
    ),
    "details": PageAction(
        form=PersonDetailsForm,
        form_key="details_form",
        run=lambda request, person, data: services.user_update(
            actor=request.user, user=person, is_active=person.is_active, **data
        ),
        done=lambda saved: f"{saved} saved.",
    ),
    "access": PageAction(
        form=PersonAccessForm,
        form_key="access_form",
        run=_set_access,
        done=lambda saved: f"{saved} can sign in again." if saved.is_active else f"{saved} is deactivated.",
    ),
}


@login_required
@require_GET
def person_detail(request, pk):
    return _person_page(request, _person(request, pk))


person_action = action_view(
    PERSON_ACTIONS,
    fetch=lambda request, pk: _person(request, pk),
    page=_person_page,
    back=lambda person, outcome: reverse("config:person", args=[person.pk]),
)
