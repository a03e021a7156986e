"""Re-authentication is a property of the action, not of the page: every privileged service asks for a password
entered within the window (``core.authentication.privileged``), whatever route reaches it.

- The privileged services are exactly the expected ones: a new one cannot be forgotten here.
- Every route that reaches one (pages, the API, the configuration site: read from the URL resolver and the API
  router, and from the code of the views, API and admin modules) is in ``ROUTES``: driven with a session whose
  password is 20 minutes old, it answers the password prompt (pages) or 403 ``reauthentication_required`` (API)
  and changes nothing; with a password just entered, the same request makes the change. The configuration site
  asks for the password of any change itself; its routes are driven with that check switched off too, so what
  answers is the service.
- A page holds the change while the password is asked, then carries it out.
"""

import ast
import importlib
import inspect
import json
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import get_resolver

from accounts.models import Account, BusinessCalendar, Contract, Holiday, TamAssignment, Tier, User
from accounts.quarters import vendor_today
from accounts.roles import Role
from cases.models import SlaPolicy
from core.authentication import PRIVILEGED
from core.models import Limits
from core.service_admin import ServiceAdminMixin
from integrations.models import ApiToken, WebhookEndpoint
from maintenance.ledger import credit_adjust
from maintenance.models import CreditEntry
from tests.conftest import signed_in_with_password
from tests.factories import PASSWORD, support_hours_calendar

from .page_forms import admin_form_values, form_values
from .test_isolation_matrix import _walk, accepted_methods

EXPECTED = {
    "accounts.people.user_invite",
    "accounts.people.user_set_roles",
    "accounts.people.user_update",
    "accounts.configuration.tier_save",
    "accounts.configuration.account_save",
    "accounts.configuration.calendar_save",
    "accounts.configuration.calendar_set_hours",
    "accounts.configuration.calendar_set_holidays",
    "accounts.configuration.calendar_add_holiday",
    "accounts.configuration.calendar_remove_holiday",
    "accounts.configuration.calendar_import_holidays",
    "accounts.configuration.coverage_assign",
    "accounts.configuration.limits_save",
    "accounts.contracts.contract_create",
    "accounts.contracts.contract_end",
    "accounts.contracts.contract_cancel",
    "accounts.contracts.contract_change_tier",
    "accounts.renewals.contract_renew",
    "accounts.renewals.contract_set_renewal_terms",
    "cases.policies.policy_save",
    "maintenance.ledger.credit_adjust",
    "integrations.tokens.token_create",
    "integrations.tokens.service_token_create",
    "integrations.webhooks.endpoint_register",
    "integrations.webhooks.endpoint_update",
}
WRITES = ("POST", "PUT", "PATCH", "DELETE")


def _project_modules():
    root = Path(settings.BASE_DIR).resolve()
    for config in apps.get_app_configs():
        if Path(config.path).resolve().parent != root:
            continue
        yield config.module
        for info in pkgutil.walk_packages(config.module.__path__, prefix=f"{config.name}."):
            if not {"migrations", "management", "settings", "wsgi", "asgi"} & set(info.name.split(".")):
                yield importlib.import_module(info.name)


MODULES = list(_project_modules())  # importing them all registers every privileged service


# --- Where the code reaches a privileged service -------------------------------------------------------------


def _is_route_module(name: str) -> bool:
    last = name.rsplit(".", 1)[-1]
    return last in ("views", "api", "admin") or last.endswith(("_views", "_api", "_admin"))


def callers() -> dict[str, set[str]]:
    """Each function, method or class body of a views, API or admin module that names a privileged service, as
    ``module.function``, ``module.Class.method`` or ``module.Class.<body>``, with the services it names."""
    names = {key.rsplit(".", 1)[1] for key in PRIVILEGED}
    found: dict[str, set[str]] = {}

    def visit(node, where: str) -> None:
        for child in ast.walk(node):
            named = (
                child.id if isinstance(child, ast.Name) else child.attr if isinstance(child, ast.Attribute) else None
            )
            if named in names:
                found.setdefault(where, set()).add(named)

    for module in MODULES:
        if not _is_route_module(module.__name__):
            continue
        tree = ast.parse(inspect.getsource(module))
        for node in tree.body:
            table = _action_table(node)
            if table is not None:  # a page's action table: each action answers its own route
                for key, entry in table.items():
                    visit(entry, f"{module.__name__}.{node.targets[0].id}[{key}]")
            elif isinstance(node, ast.FunctionDef):
                visit(node, f"{module.__name__}.{node.name}")
            elif isinstance(node, ast.ClassDef):
                for part in node.body:
                    if isinstance(part, ast.FunctionDef):
                        visit(part, f"{module.__name__}.{node.name}.{part.name}")
                    else:
                        visit(part, f"{module.__name__}.{node.name}.<body>")
            elif not isinstance(node, ast.Import | ast.ImportFrom):
                visit(node, f"{module.__name__}.<module>")
    return found


def _action_table(node) -> dict[str, ast.AST] | None:
    """``NAME = {"action": PageAction(...), ...}`` at a module's top (an entry may be a helper's call that makes the
    ``PageAction``): each action's entry by its name."""
    if not (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)):
        return None
    if not isinstance(node.value, ast.Dict) or not node.value.keys:
        return None
    if not all(isinstance(key, ast.Constant) and isinstance(key.value, str) for key in node.value.keys):
        return None
    if not all(isinstance(value, ast.Call) for value in node.value.values):  # PageAction(...), or a helper making one
        return None
    return {key.value: value for key, value in zip(node.value.keys, node.value.values, strict=True)}


def _action_handlers(view) -> set[str]:
    """An action view (``core.actions.action_view``) is answered by its entry of the page's table (every entry,
    for a route that names the action in its path), and by the module's functions an entry names
    (``run=_import_holidays``)."""
    for module in MODULES:
        for name, value in vars(module).items():
            if value is view.action_table:
                tree = ast.parse(inspect.getsource(module))
                functions = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
                table = next(
                    _action_table(node)
                    for node in tree.body
                    if _action_table(node) is not None and node.targets[0].id == name
                )
                keys = list(table) if view.action_name is None else [view.action_name]
                named = {child.id for key in keys for child in ast.walk(table[key]) if isinstance(child, ast.Name)}
                return {f"{module.__name__}.{name}[{key}]" for key in keys} | {
                    f"{module.__name__}.{function}" for function in named & functions
                }
    raise LookupError(f"the action table of {view} is in no module")


def _qualified(thing) -> str:
    return f"{thing.__module__}.{thing.__qualname__}"


def route_handlers(callback, method: str) -> set[str]:
    """The code that answers ``method`` on a route: a view function, a viewset's action and its hook, or a
    configuration page's view (with ``perform`` for its add and change pages, its class body for its actions)."""
    cls = getattr(callback, "cls", None)
    if cls is not None and cls.__qualname__.endswith("WrappedAPIView"):  # an @api_view function
        return {f"{cls.__module__}.{cls.__name__}"}
    if getattr(callback, "cls", None) is not None and getattr(callback, "actions", None):
        action = callback.actions.get(method.lower())
        if action is None:
            return set()
        cls, hook = _qualified(callback.cls), {"partial_update": "update"}.get(action, action)
        return {f"{cls}.{action}", f"{cls}.perform_{hook}"}
    model_admin = getattr(callback, "model_admin", None)
    if getattr(callback, "action_table", None) is not None:
        return _action_handlers(callback)
    view = callback
    while hasattr(view, "__wrapped__"):
        view = view.__wrapped__
    if model_admin is None and getattr(view, "__self__", None) is not None:
        model_admin = view.__self__
    if model_admin is not None:
        cls = _qualified(type(model_admin))
        handlers = {f"{cls}.{view.__name__}"}
        if view.__name__ in ("add_view", "change_view") and isinstance(model_admin, ServiceAdminMixin):
            handlers.add(f"{cls}.perform")
        if view.__name__ == "changelist_view":
            handlers.add(f"{cls}.<body>")  # the admin actions it runs
        return handlers
    return {_qualified(view)}


def routes() -> dict[tuple[str, str], set[str]]:
    """(URL name, method) -> the privileged services the code answering it names, for every write that does."""
    named = callers()
    reached = {}
    for route, name, callback in _walk(get_resolver().url_patterns):
        for method in set(WRITES) & set(accepted_methods(route, name, callback)):
            services = set().union(*(named.get(handler, set()) for handler in route_handlers(callback, method)))
            if services:
                reached[(name, method)] = services
    return reached


# --- The table -------------------------------------------------------------------------------------------------


def _ending(w) -> Contract:
    """Globex's contract, ending 60 days from today (a renewal continues a contract that ends)."""
    import datetime as dt

    from accounts.quarters import vendor_today

    Contract.objects.filter(pk=w.globex_contract.pk, end_date__isnull=True).update(
        end_date=vendor_today() + dt.timedelta(days=60)
    )
    return w.globex_contract


@dataclass(frozen=True)
class Route:
    url: Callable[[SimpleNamespace], str]
    actor: str  # a persona of the world
    data: Callable[[Client, SimpleNamespace], dict] = lambda client, w: {}
    probe: Callable[[SimpleNamespace], object] = lambda w: None  # what the write changes
    json: bool = False
    admin: bool = False  # the configuration site, which asks for the password itself too
    succeeds: tuple[int, ...] = (302,)
    method: str = "POST"


def _admin_form(url: Callable[[SimpleNamespace], str], **changes):
    return lambda client, w: admin_form_values(
        client, url(w), **{k: v(w) if callable(v) else v for k, v in changes.items()}
    )


def _config(path: str) -> Callable[[SimpleNamespace], str]:
    return lambda w: "/config/" + path.format(w=w)


def _count(model, **match) -> Callable[[SimpleNamespace], int]:
    return lambda w: model.objects.filter(**{k: v(w) if callable(v) else v for k, v in match.items()}).count()


def _field(get, name: str) -> Callable[[SimpleNamespace], object]:
    def probe(w):
        row = get(w)
        row.refresh_from_db()
        return getattr(row, name)

    return probe


def _admin(path: str, probe, **changes) -> Route:
    """A configuration page's form as the page shows it, with ``changes`` (values or functions of the world)."""
    url = _config(path)
    return Route(url=url, actor="admin", data=_admin_form(url, **changes), probe=probe, admin=True)


ROUTES: dict[tuple[str, str], Route] = {
    ("accounts:invite", "POST"): Route(
        url=lambda w: "/people/invite/",
        actor="tam",
        data=lambda c, w: {"email": "carol@acme.example", "role": Role.CUSTOMER.value, "account": w.acme.pk},
        probe=_count(User, email="carol@acme.example"),
    ),
    ("api:invitation-list", "POST"): Route(
        url=lambda w: "/api/v1/invitations/",
        actor="admin",
        data=lambda c, w: {"email": "dan@globex.example", "role": Role.CUSTOMER.value, "account": w.globex.pk},
        probe=_count(User, email="dan@globex.example"),
        json=True,
        succeeds=(201,),
    ),
    ("api:contract-list", "POST"): Route(
        url=lambda w: "/api/v1/contracts/",
        actor="admin",
        data=lambda c, w: {
            "account": w.globex.pk,
            "tier": w.standard.pk,
            "start_date": "2020-01-01",
            "end_date": "2020-12-31",
        },
        probe=_count(Contract, account=lambda w: w.globex),
        json=True,
        succeeds=(201,),
    ),
    ("api:contract-end", "POST"): Route(
        url=lambda w: f"/api/v1/contracts/{w.globex_contract.pk}/end/",
        actor="admin",
        data=lambda c, w: {"end_date": "2099-12-31"},
        probe=_field(lambda w: w.globex_contract, "end_date"),
        json=True,
        succeeds=(200,),
    ),
    ("api:contract-cancel", "POST"): Route(
        url=lambda w: f"/api/v1/contracts/{w.globex_contract.pk}/cancel/",
        actor="admin",
        probe=_field(lambda w: w.globex_contract, "status"),
        json=True,
        succeeds=(200,),
    ),
    ("renewals:renew", "POST"): Route(
        url=lambda w: f"/renewals/contracts/{_ending(w).pk}/renew/",
        actor="admin",
        probe=_count(Contract, account=lambda w: w.globex),
    ),
    ("renewals:terms", "POST"): Route(
        url=lambda w: f"/renewals/contracts/{_ending(w).pk}/terms/",
        actor="admin",
        data=lambda c, w: {"renews_automatically": "on", "notice_days": "45", "renewal_term_months": "12"},
        probe=_field(lambda w: w.globex_contract, "notice_days"),
    ),
    ("api:renewal-renew", "POST"): Route(
        url=lambda w: f"/api/v1/renewals/{_ending(w).pk}/renew/",
        actor="admin",
        probe=_count(Contract, account=lambda w: w.globex),
        json=True,
        succeeds=(201,),
    ),
    ("api:renewal-terms", "POST"): Route(
        url=lambda w: f"/api/v1/renewals/{_ending(w).pk}/terms/",
        actor="admin",
        data=lambda c, w: {"renews_automatically": True, "notice_days": 45, "renewal_term_months": 12},
        probe=_field(lambda w: w.globex_contract, "notice_days"),
        json=True,
        succeeds=(200,),
    ),
    ("admin:accounts_tier_add", "POST"): _admin(
        "accounts/tier/add/",
        _count(Tier, name="Gold plus"),
        name="Gold plus",
        support_calendar=lambda w: w.calendar.pk,
        bank_cap="2",
    ),
    ("admin:accounts_tier_change", "POST"): _admin(
        "accounts/tier/{w.enterprise.pk}/change/",
        _field(lambda w: w.enterprise, "store_discount_percent"),
        store_discount_percent="30",
    ),
    ("admin:accounts_account_add", "POST"): _admin(
        "accounts/account/add/", _count(Account, slug="initech"), name="Initech", slug="initech"
    ),
    ("admin:accounts_account_change", "POST"): _admin(
        "accounts/account/{w.acme.pk}/change/", _field(lambda w: w.acme, "name"), name="Acme Manufacturing Ltd"
    ),
    ("admin:accounts_businesscalendar_add", "POST"): _admin(
        "accounts/businesscalendar/add/",
        _count(BusinessCalendar, name="Night desk"),
        name="Night desk",
        time_zone="Europe/Paris",
        **{"intervals-0-weekday": "0", "intervals-0-opens": "20:00", "intervals-0-closes": "23:00"},
    ),
    ("admin:accounts_businesscalendar_change", "POST"): _admin(
        "accounts/businesscalendar/{w.calendar.pk}/change/",
        _field(lambda w: w.calendar, "description"),
        description="Denver desk",
    ),
    ("admin:accounts_businesscalendar_import_holidays", "POST"): Route(
        url=_config("accounts/businesscalendar/{w.calendar.pk}/import-holidays/"),
        actor="admin",
        data=lambda c, w: {"country": "US", "subdivision": "", "year": "2027", "date": ["2027-12-24"], "confirm": "1"},
        probe=lambda w: w.calendar.holidays.count(),
        admin=True,
    ),
    ("admin:accounts_contract_add", "POST"): _admin(
        "accounts/contract/add/",
        _count(Contract, account=lambda w: w.globex),
        account=lambda w: w.globex.pk,
        tier=lambda w: w.standard.pk,
        start_date="2019-01-01",
        end_date="2019-12-31",
    ),
    ("admin:accounts_contract_change", "POST"): _admin(
        "accounts/contract/{w.globex_contract.pk}/change/",
        _field(lambda w: w.globex_contract, "end_date"),
        end_date="2099-12-31",
    ),
    ("admin:accounts_contract_changelist", "POST"): Route(
        url=_config("accounts/contract/"),
        actor="admin",
        data=lambda c, w: {"action": "contract_cancel_selected", "_selected_action": [w.globex_contract.pk]},
        probe=_field(lambda w: w.globex_contract, "status"),
        admin=True,
    ),
    ("admin:accounts_tamassignment_add", "POST"): _admin(
        "accounts/tamassignment/add/",
        _count(TamAssignment, account=lambda w: w.globex),
        account=lambda w: w.globex.pk,
        primary=lambda w: w.tam.pk,
        backup=lambda w: w.backup_tam.pk,
    ),
    ("admin:accounts_user_add", "POST"): _admin(
        "accounts/user/add/",
        _count(User, email="erin@globex.example"),
        email="erin@globex.example",
        role=Role.CUSTOMER.value,
        account=lambda w: w.globex.pk,
    ),
    ("admin:accounts_user_change", "POST"): _admin(
        "accounts/user/{w.support.pk}/change/",
        lambda w: sorted(w.support.groups.values_list("name", flat=True)),
        groups=lambda w: [str(Group.objects.get(name=Role.ADMIN.value).pk)],
    ),
    ("admin:cases_slapolicy_add", "POST"): _admin(
        "cases/slapolicy/add/", _count(SlaPolicy, tier=lambda w: w.gold), tier=lambda w: w.gold.pk, warn_at_percent="80"
    ),
    ("admin:cases_slapolicy_change", "POST"): _admin(
        "cases/slapolicy/{w.enterprise.sla_policy.pk}/change/",
        _field(lambda w: w.enterprise.sla_policy, "warn_at_percent"),
        warn_at_percent="80",
    ),
    ("admin:maintenance_creditentry_add", "POST"): _admin(
        "maintenance/creditentry/add/",
        _count(CreditEntry, kind="adjustment"),
        account=lambda w: w.acme.pk,
        available_delta="1",
        reason="Goodwill after the outage",
    ),
}
_HOOK = {"name": "Ops bus", "url": "http://127.0.0.1:9/hooks", "event_types": ["case.created"]}
ROUTES |= {
    ("integrations:tokens", "POST"): Route(
        url=lambda w: "/integrations/tokens/",
        actor="tam",
        data=lambda c, w: {"name": "Deploy"},
        probe=_count(ApiToken, name="Deploy"),
        succeeds=(200,),
    ),
    ("api:api-token-list", "POST"): Route(
        url=lambda w: "/api/v1/tokens/",
        actor="tam",
        data=lambda c, w: {"name": "Deploy"},
        probe=_count(ApiToken, name="Deploy"),
        json=True,
        succeeds=(201,),
    ),
    ("integrations:service-new", "POST"): Route(
        url=lambda w: "/integrations/services/new/",
        actor="admin",
        data=lambda c, w: {"name": "Phone system", "role": Role.SUPPORT.value, "scopes": ["telephony"]},
        probe=_count(ApiToken, name="Phone system"),
        succeeds=(200,),
    ),
    ("api:api-token-service", "POST"): Route(
        url=lambda w: "/api/v1/tokens/service/",
        actor="admin",
        data=lambda c, w: {"name": "Phone system", "role": Role.SUPPORT.value, "scopes": ["telephony"]},
        probe=_count(ApiToken, name="Phone system"),
        json=True,
        succeeds=(201,),
    ),
    ("integrations:endpoint-new", "POST"): Route(
        url=lambda w: "/integrations/webhooks/new/",
        actor="admin",
        data=lambda c, w: _HOOK,
        probe=_count(WebhookEndpoint, name="Ops bus"),
    ),
    ("api:webhook-endpoint-list", "POST"): Route(
        url=lambda w: "/api/v1/webhook-endpoints/",
        actor="admin",
        data=lambda c, w: _HOOK,
        probe=_count(WebhookEndpoint, name="Ops bus"),
        json=True,
        succeeds=(201,),
    ),
    ("integrations:endpoint-change", "POST"): Route(
        url=lambda w: f"/integrations/webhooks/{w.endpoint.pk}/change/",
        actor="admin",
        data=lambda c, w: {**_HOOK, "name": "Renamed"},
        probe=_field(lambda w: w.endpoint, "name"),
    ),
    ("api:webhook-endpoint-detail", "PATCH"): Route(
        url=lambda w: f"/api/v1/webhook-endpoints/{w.endpoint.pk}/",
        actor="admin",
        data=lambda c, w: {"name": "Renamed"},
        probe=_field(lambda w: w.endpoint, "name"),
        json=True,
        succeeds=(200,),
        method="PATCH",
    ),
}


def _page(path: str, **changes):
    """The portal's own configuration page's form as it shows it, with ``changes``."""
    return lambda client, w: form_values(
        client, path.format(w=w), **{k: v(w) if callable(v) else v for k, v in changes.items()}
    )


def _holiday(w, day="2027-01-15", name="Founders' day") -> Holiday:
    return Holiday.objects.get_or_create(calendar=w.calendar, date=day, defaults={"name": name})[0]


def _limits_probe(w):
    return Limits.current().event_notice_days


def _tams_probe(w):
    return TamAssignment.objects.current().filter(account=w.acme).values_list("primary_id", flat=True).first()


# The portal's own configuration pages (/configuration/): each change is asked of the same privileged service.
ROUTES |= {
    ("config:tier-new", "POST"): Route(
        url=lambda w: "/configuration/tiers/new/",
        actor="admin",
        data=_page("/configuration/tiers/new/", name="Gold plus", support_calendar=lambda w: w.calendar.pk),
        probe=_count(Tier, name="Gold plus"),
    ),
    ("config:tier", "POST"): Route(
        url=lambda w: f"/configuration/tiers/{w.enterprise.pk}/",
        actor="admin",
        data=_page("/configuration/tiers/{w.enterprise.pk}/", store_discount_percent="30"),
        probe=_field(lambda w: w.enterprise, "store_discount_percent"),
    ),
    ("config:limits", "POST"): Route(
        url=lambda w: "/configuration/limits/",
        actor="admin",
        data=_page("/configuration/limits/", event_notice_days="21"),
        probe=_limits_probe,
    ),
    ("api:limits", "PATCH"): Route(
        url=lambda w: "/api/v1/limits/",
        actor="admin",
        data=lambda c, w: {"event_notice_days": 21},
        probe=_limits_probe,
        json=True,
        succeeds=(200,),
        method="PATCH",
    ),
    ("config:calendar-new", "POST"): Route(
        url=lambda w: "/configuration/calendars/new/",
        actor="admin",
        data=_page("/configuration/calendars/new/", name="Night desk", time_zone="Europe/Paris"),
        probe=_count(BusinessCalendar, name="Night desk"),
    ),
    ("config:calendar-details", "POST"): Route(
        url=lambda w: f"/configuration/calendars/{w.calendar.pk}/details/",
        actor="admin",
        data=lambda c, w: {"name": w.calendar.name, "time_zone": "America/Denver", "description": "Denver desk"},
        probe=_field(lambda w: w.calendar, "description"),
    ),
    ("config:calendar-hours", "POST"): Route(
        url=lambda w: f"/configuration/calendars/{w.calendar.pk}/hours/",
        actor="admin",
        data=lambda c, w: {"opens_0_0": "07:00", "closes_0_0": "17:00"},
        probe=lambda w: sorted(w.calendar.intervals.values_list("weekday", "opens")),
    ),
    ("config:holiday-add", "POST"): Route(
        url=lambda w: f"/configuration/calendars/{w.calendar.pk}/holidays/",
        actor="admin",
        data=lambda c, w: {"date": "2027-12-24", "name": "Christmas Eve"},
        probe=lambda w: w.calendar.holidays.count(),
    ),
    ("config:holiday-remove", "POST"): Route(
        url=lambda w: f"/configuration/calendars/{w.calendar.pk}/holidays/remove/",
        actor="admin",
        data=lambda c, w: {"date": str(_holiday(w).date)},
        probe=lambda w: w.calendar.holidays.count(),
    ),
    ("config:holidays-import", "POST"): Route(
        url=lambda w: f"/configuration/calendars/{w.calendar.pk}/holidays/import/",
        actor="admin",
        data=lambda c, w: {"country": "US", "subdivision": "", "year": "2027", "date": ["2027-12-24"]},
        probe=lambda w: w.calendar.holidays.count(),
    ),
    ("config:person-roles", "POST"): Route(
        url=lambda w: f"/configuration/people/{w.support.pk}/roles/",
        actor="admin",
        data=lambda c, w: {"roles": [Role.SUPPORT.value, Role.TAM_LEVEL.value], "account": ""},
        probe=lambda w: sorted(w.support.groups.values_list("name", flat=True)),
    ),
    ("config:person-details", "POST"): Route(
        url=lambda w: f"/configuration/people/{w.support.pk}/details/",
        actor="admin",
        data=lambda c, w: {"first_name": "Sam", "last_name": "Supporter", "time_zone": "America/Denver"},
        probe=_field(lambda w: w.support, "last_name"),
    ),
    ("config:person-access", "POST"): Route(
        url=lambda w: f"/configuration/people/{w.support.pk}/access/",
        actor="admin",
        data=lambda c, w: {"active": "0"},
        probe=_field(lambda w: w.support, "is_active"),
    ),
    ("config:account-new", "POST"): Route(
        url=lambda w: "/configuration/accounts/new/",
        actor="admin",
        data=lambda c, w: {"name": "Initech", "slug": "initech", "calendar": ""},
        probe=_count(Account, slug="initech"),
    ),
    ("config:account-details", "POST"): Route(
        url=lambda w: f"/configuration/accounts/{w.acme.slug}/details/",
        actor="admin",
        data=lambda c, w: {"name": "Acme Manufacturing Ltd", "slug": w.acme.slug, "calendar": ""},
        probe=_field(lambda w: w.acme, "name"),
    ),
    ("config:account-tams", "POST"): Route(
        url=lambda w: f"/configuration/accounts/{w.acme.slug}/tams/",
        actor="admin",
        data=lambda c, w: {"primary": w.backup_tam.pk, "backup": w.tam.pk},
        probe=_tams_probe,
    ),
    ("config:contract-new", "POST"): Route(
        url=lambda w: f"/configuration/accounts/{w.globex.slug}/contracts/",
        actor="admin",
        data=lambda c, w: {"tier": w.standard.pk, "start_date": "2019-01-01", "end_date": "2019-12-31"},
        probe=_count(Contract, account=lambda w: w.globex),
    ),
    ("config:change-tier", "POST"): Route(
        url=lambda w: f"/configuration/accounts/{w.acme.slug}/change-tier/",
        actor="admin",
        data=lambda c, w: {"tier": w.standard.pk, "from_date": str(vendor_today())},
        probe=_count(Contract, account=lambda w: w.acme),
    ),
    ("config:contract-end", "POST"): Route(
        url=lambda w: f"/configuration/contracts/{w.globex_contract.pk}/end/",
        actor="admin",
        data=lambda c, w: {"end_date": "2099-12-31"},
        probe=_field(lambda w: w.globex_contract, "end_date"),
    ),
    ("config:contract-cancel", "POST"): Route(
        url=lambda w: f"/configuration/contracts/{w.globex_contract.pk}/cancel/",
        actor="admin",
        probe=_field(lambda w: w.globex_contract, "status"),
    ),
    ("sla_config:policy", "POST"): Route(
        url=lambda w: f"/configuration/sla/{w.enterprise.pk}/",
        actor="admin",
        data=lambda c, w: form_values(
            c, f"/configuration/sla/{w.enterprise.pk}/", form_id="policy-form", warn_at_percent="80"
        ),
        probe=_field(lambda w: w.enterprise.sla_policy, "warn_at_percent"),
    ),
}

# Routes whose code names a privileged service but which never run it: refused to everyone, by design.
REFUSED = {
    ("admin:accounts_tamassignment_change", "POST"): "an assignment is history: a new pair is a new row",
    ("admin:maintenance_creditentry_change", "POST"): "the ledger is append-only",
}


@pytest.fixture
def world(ess, standard, admin_user, tam, backup_tam, support):
    enterprise, standard_tier = Tier.objects.get(name="Enterprise"), Tier.objects.get(name="Standard")
    gold = Tier.objects.create(name="Gold", support_calendar=support_hours_calendar())  # without an SLA policy
    return SimpleNamespace(
        acme=ess,
        globex=standard,
        globex_contract=Contract.objects.get(account=standard),
        enterprise=enterprise,
        standard=standard_tier,
        gold=gold,
        calendar=support_hours_calendar(),
        admin=admin_user,
        tam=tam,
        backup_tam=backup_tam,
        support=support,
        endpoint=WebhookEndpoint.objects.create(name="Bus", url="http://127.0.0.1:9/", event_types=["case.created"]),
    )


def _session(user, *, minutes_ago: int) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    signed_in_with_password(client, user, seconds_ago=minutes_ago * 60)
    return client


def _send(client: Client, route: Route, w, data: dict):
    url = route.url(w)
    if route.json:
        return client.generic(route.method, url, json.dumps(data), content_type="application/json")
    return client.post(url, data)


def _asks_for_the_password(response, route: Route, w) -> bool:
    if route.json:
        return response.status_code == 403 and response.json().get("code") == "reauthentication_required"
    return response.status_code == 302 and response["Location"].startswith("/accounts/reauthenticate/?next=")


# --- The tests -------------------------------------------------------------------------------------------------


def test_the_privileged_services_are_the_expected_ones():
    assert set(PRIVILEGED) == EXPECTED, (
        "a privileged service was added or dropped: list it in EXPECTED, and its routes in ROUTES"
    )


def test_every_route_that_reaches_a_privileged_service_is_in_the_table():
    reached = routes()
    missing = sorted(set(reached) - set(ROUTES) - set(REFUSED))
    stale = sorted((set(ROUTES) | set(REFUSED)) - set(reached))
    assert not missing, f"drive these routes in ROUTES (or say in REFUSED why they never run it): {missing}"
    assert not stale, f"these rows name routes that no longer reach a privileged service: {stale}"
    assert set().union(*reached.values()) >= {"user_invite", "contract_create", "tier_save", "credit_adjust"}


def test_no_privileged_service_is_named_outside_a_route():
    """A helper of a views, API or admin module that calls a privileged service is a route the table cannot see:
    call the service from the route's own handler."""
    reached_handlers = set()
    for route, name, callback in _walk(get_resolver().url_patterns):
        for method in set(WRITES) & set(accepted_methods(route, name, callback)):
            reached_handlers |= route_handlers(callback, method)
    hidden = sorted(set(callers()) - reached_handlers)
    assert not hidden, f"these name a privileged service but answer no route's write: {hidden}"


@pytest.mark.parametrize("key", sorted(ROUTES), ids=[f"{name} {method}" for name, method in sorted(ROUTES)])
def test_a_stale_password_is_asked_for_and_nothing_changes(key, world, monkeypatch):
    route = ROUTES[key]
    actor = getattr(world, route.actor)
    data = route.data(_session(actor, minutes_ago=0), world)
    before = route.probe(world)
    stale = _session(actor, minutes_ago=20)
    assert _asks_for_the_password(_send(stale, route, world, data), route, world)
    assert route.probe(world) == before
    if route.admin:  # without the configuration site's own check, the service asks
        monkeypatch.setattr("ess_portal.admin_site.recently_authenticated", lambda request: True)
        assert _asks_for_the_password(_send(stale, route, world, data), route, world)
        assert route.probe(world) == before


@pytest.mark.parametrize("key", sorted(ROUTES), ids=[f"{name} {method}" for name, method in sorted(ROUTES)])
def test_a_recent_password_makes_the_change(key, world, django_capture_on_commit_callbacks):
    route = ROUTES[key]
    fresh = _session(getattr(world, route.actor), minutes_ago=0)
    data = route.data(fresh, world)
    before = route.probe(world)
    response = _send(fresh, route, world, data)
    assert response.status_code in route.succeeds, response.content.decode()[:2000]
    assert not _asks_for_the_password(response, route, world)
    assert route.probe(world) != before


REFUSED_URLS = {
    ("admin:accounts_tamassignment_change", "POST"): lambda w: TamAssignment.objects.get(account=w.acme).pk,
    ("admin:maintenance_creditentry_change", "POST"): lambda w: (
        credit_adjust(actor=w.admin, account=w.acme, amount=1, reason="Goodwill").pk
    ),
}


@pytest.mark.parametrize("key", sorted(REFUSED), ids=[f"{name} {method}" for name, method in sorted(REFUSED)])
def test_the_refused_routes_are_refused_to_an_admin(key, world):
    name, _ = key
    app_label, model_name = name.removeprefix("admin:").removesuffix("_change").split("_", 1)
    url = f"/config/{app_label}/{model_name}/{REFUSED_URLS[key](world)}/change/"
    assert _session(world.admin, minutes_ago=0).post(url, {}).status_code == 403


def test_a_page_holds_the_change_while_the_password_is_asked_then_makes_it(world, django_capture_on_commit_callbacks):
    stale = _session(world.tam, minutes_ago=20)
    data = {"email": "fay@acme.example", "role": Role.CUSTOMER.value, "account": world.acme.pk}
    held = stale.post("/people/invite/", data)
    assert held.status_code == 302 and held["Location"] == "/accounts/reauthenticate/?next=%2Fpeople%2Finvite%2F"
    assert not User.objects.filter(email="fay@acme.example").exists()
    wrong = stale.post(held["Location"], {"password": "not the password"})
    assert wrong.status_code == 200 and not User.objects.filter(email="fay@acme.example").exists()
    with django_capture_on_commit_callbacks(execute=True):
        done = stale.post(held["Location"], {"password": PASSWORD})
    assert done.status_code == 302 and done["Location"] == "/people/invite/"
    assert User.objects.get(email="fay@acme.example").account == world.acme


def test_the_api_says_why_and_changes_nothing(world):
    stale = _session(world.admin, minutes_ago=20)
    response = stale.post(f"/api/v1/contracts/{world.globex_contract.pk}/cancel/")
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Confirm your password to make this change; it was entered too long ago.",
        "code": "reauthentication_required",
    }
    world.globex_contract.refresh_from_db()
    assert world.globex_contract.status == "active"
