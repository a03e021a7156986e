"""The isolation matrix, generated from the URL configuration and the API router.

Every route, every action of a route that takes one, every method it accepts × four actors:

- the owner: the role that legitimately acts there for Acme (Acme's customer user on customer routes, Acme's
  TAM on TAM routes, support staff on staff routes, an admin on admin routes): allowed (2xx, a redirect that is
  not to the sign-in page, or a 400 when an empty form or body is refused);
- the next role down for the same account (a user of Acme who holds no role, under a customer; Acme's customer,
  under support staff; support staff, under a TAM; a TAM, under an admin): 403, or 404 where the portal
  hides the object from them, or their own view (``OWN``) where the page answers everyone with what is theirs;
  each route says which;
- Globex's customer user: on a URL naming one of Acme's objects, exactly what a missing object gets (never a
  success); anywhere, not a word of Acme's data;
- an anonymous visitor: sent to sign in (pages) or 401/403 (the API).

``ACCESS`` classifies the portal's routes; the configuration site (``config/``) is classified as a whole (its
own staff check guards every view). A meta-test fails when a route, an action or a method is not classified,
or a classification names a route that is gone.
"""

import datetime as dt
import re
import uuid
from collections import Counter
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.contrib import admin
from django.db import transaction
from django.http import HttpResponseServerError
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.models import User
from integrations.models import ApiToken, Scope
from integrations.views import ENDPOINT_ACTIONS, MESSAGE_ACTIONS
from maintenance.views import ACTIONS as EVENT_ACTIONS
from reviews.views import PREVIEW_ACTIONS, RELEASE_ACTIONS, REVIEW_ACTIONS
from tests.conftest import signed_in_with_password
from tests.figures import record
from value_reports.views import MAIL_ACTIONS

from .world import MISSING, PERSONAS, committed_world

# What names nothing, where an id is not a number: a slug, or a UUID (an API token's).
MISSING_KEYS = {"account": "no-such-account", "api_token": str(uuid.UUID(int=MISSING))}
OWN = "own view"  # answered with the user's own data (an empty list, a redirect to their own page)
PUBLIC = "public"  # reachable before signing in
SELF = "self"  # any signed-in user, about themselves (profile, password, the API's own description)
TOKEN = "token"  # the private calendar feed: the unguessable token in the URL is the key


@dataclass(frozen=True)
class Access:
    owner: str  # customer, support, tam, admin; or SELF, PUBLIC, TOKEN
    lower: int | str  # what the next role down gets: 403, 404 or OWN
    obj: str | None = None  # the kind of Acme's object the URL's primary key names
    post: tuple[tuple[str, str], ...] = ()  # form fields to send: (field, kind of object whose id it is)
    owner_gets: int | None = None  # a route whose legitimate answer is not a success


LOWER = {"customer": "roleless", "support": "customer", "tam": "support", "admin": "tam", SELF: "roleless"}
LOWER[PUBLIC] = LOWER[TOKEN] = "roleless"
# Vendor-wide objects: every signed-in user with a role reads them, so another tenant's read is no leak.
VENDOR_WIDE = {"release", "unplanned_release", "release_item", "tier", "calendar"}
# URL keyword -> the kind of object it names when the route itself does not say.
KWARG_KIND = {
    "slug": "account",
    "account": "account",
    "release_pk": "unplanned_release",
    "finding_id": "finding",
    "row_id": "inventory_row",
    "recommendation_id": "recommendation",
    "item_id": "release_item",
    "tier_pk": "tier",
}
# Routes whose last segment is an action, and the actions their view takes.
ACTION_ROUTES = {
    "maintenance:event-action": EVENT_ACTIONS,
    "integrations:endpoint-action": ENDPOINT_ACTIONS,
    "integrations:message-action": MESSAGE_ACTIONS,
    "reviews:review-action": REVIEW_ACTIONS,
    "reviews:release-action": RELEASE_ACTIONS,
    "reviews:preview-action": PREVIEW_ACTIONS,
    "value_reports:mail-choice": MAIL_ACTIONS,
}


def _public(*names):
    return {name: Access(PUBLIC, OWN) for name in names}


def _self(*names):
    return {name: Access(SELF, OWN) for name in names}


ACCESS: dict[str, Access] = {
    **_public("healthz"),
    "calendar-feed": Access(TOKEN, 404, "feed"),
    # Sign-in, sign-up (closed) and password reset: before signing in.
    **_public(
        "account_login",
        "account_logout",
        "account_inactive",
        "account_signup",
        "account_email_verification_sent",
        "account_reset_password",
        "account_reset_password_done",
        "account_reset_password_from_key",
        "account_reset_password_from_key_done",
        "account_confirm_email",
        "account_confirm_login_code",
        "account_request_login_code",
        "mfa_authenticate",
    ),
    # One's own sign-in settings.
    **_self(
        "accounts:profile",
        "account_reauthenticate",
        "account_email",
        "account_change_password",
        "account_set_password",
        "mfa_index",
        "mfa_reauthenticate",
        "mfa_activate_totp",
        "mfa_generate_recovery_codes",
        "usersessions_list",
        "api:me",
        "api:me-emails",
        "api:api-root",
        "api-schema",
        "api-docs",
    ),
    # About one's authenticator app: nothing to show (404) until one is set up.
    **{
        name: Access(SELF, 404, owner_gets=404)
        for name in ("mfa_deactivate_totp", "mfa_view_recovery_codes", "mfa_download_recovery_codes")
    },
    # --- Pages ---
    "home": Access("customer", 403),
    "job-status": Access("support", 403),
    "accounts:invite": Access("tam", 403),
    "accounts:absences": Access("tam", 403),
    "accounts:absence-edit": Access("tam", 403, "absence"),
    "accounts:absence-cancel": Access("tam", 403, "absence"),
    "customers:list": Access("support", 403),
    # A customer reads their own account on their home page; the staff page is not theirs to find.
    "customers:detail": Access("support", 404, "account"),
    # The maintenance pages are about the user's own account: one without a role has none (404).
    "maintenance:overview": Access("customer", 404),
    "maintenance:book": Access("customer", 404),
    "maintenance:check-slot": Access("customer", 404),
    "maintenance:events": Access("support", OWN),  # a customer is sent to their own maintenance page
    "maintenance:event": Access("customer", 404, "event"),
    "maintenance:event-action/accept": Access("customer", 404, "event"),
    "maintenance:event-action/cancel": Access("customer", 404, "event"),
    "maintenance:event-action/confirm": Access("tam", 403, "event"),
    "maintenance:event-action/propose": Access("tam", 403, "event"),
    "maintenance:event-action/complete": Access("tam", 403, "event"),
    "maintenance:event-action/no-show": Access("tam", 403, "event"),
    "maintenance:feed": Access("customer", 403),
    "cases:list": Access("customer", 403),
    "cases:new": Access("customer", 403),
    "cases:escalations": Access("tam", 403),
    "cases:compliance": Access("support", 403),
    "cases:detail": Access("customer", 404, "case"),
    "cases:reply": Access("customer", 404, "case"),
    "cases:status": Access("customer", 404, "case"),
    "cases:note": Access("support", 403, "case"),
    "cases:escalate": Access("support", 403, "case"),
    "cases:log-contact": Access("support", 403, "case"),
    "cases:acknowledge": Access("tam", 403, "escalation"),
    "cases:attachment": Access("customer", 404, "attachment"),
    "intake:triage": Access("support", 403),
    "intake:item": Access("support", 403, "triage_item"),
    "intake:assign": Access("support", 403, "triage_item"),
    "intake:discard": Access("support", 403, "triage_item"),
    "intake:original": Access("support", 403, "triage_item"),
    "reviews:reviews": Access("customer", OWN),  # an empty list for a user without a role
    "reviews:review": Access("support", 404, "review"),  # a customer never sees a review before it is published
    "reviews:report": Access("customer", 404, "published_review"),
    **{f"reviews:review-action/{action}": Access("tam", 403, "review") for action in REVIEW_ACTIONS},
    "reviews:review-action/finding-remove": Access("tam", 403, "review", (("id", "finding"),)),
    "reviews:review-action/inventory-row-remove": Access("tam", 403, "review", (("id", "inventory_row"),)),
    "reviews:review-action/recommendation-status": Access(
        "tam", 403, "review", (("id", "recommendation"), ("status", "=accepted"))
    ),
    "reviews:releases": Access("customer", OWN),  # published releases are for everyone signed in
    "reviews:release-create": Access("support", 403),
    "reviews:release": Access("customer", OWN, "release"),
    **{f"reviews:release-action/{action}": Access("support", 403, "release") for action in RELEASE_ACTIONS},
    "reviews:release-action/item-remove": Access("support", 403, "release", (("item", "release_item"),)),
    "reviews:previews": Access("customer", OWN),  # an empty list for a user without a role
    "reviews:preview-plan": Access("tam", 403),
    "reviews:account-modules": Access("tam", 403),
    "reviews:preview": Access("customer", 404, "preview"),
    "reviews:preview-action/decline": Access("customer", 404, "preview"),
    "reviews:preview-action/update": Access("tam", 403, "preview"),
    "reviews:preview-action/hold": Access("tam", 403, "preview"),
    # Value reports: a customer's own account's, a TAM's accounts', an admin's all; anyone else is told (403).
    "value_reports:list": Access("customer", 403),
    "value_reports:detail": Access("customer", 404, "value_report"),
    "value_reports:pdf": Access("customer", 404, "value_report"),
    "value_reports:mail-choice/subscription": Access("customer", 403),
    # Renewals are the administrators'; who gets an account's reminders is also its own users' to say.
    "renewals:list": Access("admin", 403),
    "renewals:export": Access("admin", 403),
    "renewals:contract": Access("admin", 403, "contract"),
    "renewals:renew": Access("admin", 403, "contract"),
    "renewals:terms": Access("admin", 403, "contract"),
    "renewals:notices": Access("customer", 404, "account"),
    # --- API: a user without a role is refused by the scoped base class (403) before any lookup ---
    "api:account-list": Access("customer", 403),
    "api:account-detail": Access("customer", 403, "account"),
    "api:account-ledger": Access("customer", 403, "account"),
    "api:event-list": Access("customer", 403),
    "api:event-detail": Access("customer", 403, "event"),
    "api:event-accept": Access("customer", 403, "event"),
    "api:event-cancel": Access("customer", 403, "event"),
    "api:event-confirm": Access("tam", 403, "event"),
    "api:event-propose": Access("tam", 403, "event"),
    "api:event-complete": Access("tam", 403, "event"),
    "api:event-no-show": Access("tam", 403, "event"),
    "api:case-list": Access("customer", 403),
    "api:case-detail": Access("customer", 403, "case"),
    "api:case-milestones": Access("customer", 403, "case"),
    "api:case-timeline": Access("customer", 403, "case"),
    "api:case-reply": Access("customer", 403, "case"),
    "api:case-status": Access("customer", 403, "case"),
    "api:case-note": Access("support", 403, "case"),
    "api:case-escalate": Access("support", 403, "case"),
    "api:case-contacts": Access("support", 403, "case"),
    "api:case-answered": Access("support", 403, "case"),
    "api:escalation-list": Access("support", 403),
    "api:escalation-detail": Access("support", 403, "escalation"),
    "api:escalation-acknowledge": Access("tam", 403, "escalation"),
    "api:triage-list": Access("support", 403),
    "api:triage-detail": Access("support", 403, "triage_item"),
    "api:triage-assign": Access("support", 403, "triage_item"),
    "api:triage-discard": Access("support", 403, "triage_item"),
    "api:release-list GET": Access("customer", 403),
    "api:release-list POST": Access("support", 403),
    "api:release-detail GET": Access("customer", 403, "release"),
    "api:release-detail PATCH": Access("support", 403, "release"),
    "api:release-items": Access("support", 403, "release"),
    "api:release-publish": Access("support", 403, "release"),
    "api:release-remove-item": Access("support", 403, "release"),
    "api:preview-list GET": Access("customer", 403),
    "api:preview-list POST": Access("tam", 403),
    "api:preview-detail GET": Access("customer", 403, "preview"),
    "api:preview-detail PATCH": Access("tam", 403, "preview"),
    "api:preview-decline": Access("customer", 403, "preview"),
    "api:preview-hold": Access("tam", 403, "preview"),
    "api:review-list": Access("customer", 403),
    "api:review-detail GET": Access("customer", 403, "published_review"),
    "api:review-detail PATCH": Access("tam", 403, "review"),
    "api:review-findings": Access("tam", 403, "review"),
    "api:review-remove-finding": Access("tam", 403, "review"),
    "api:review-hold": Access("tam", 403, "review"),
    "api:review-inventory": Access("tam", 403, "review"),
    "api:review-inventory-rows": Access("tam", 403, "review"),
    "api:review-remove-inventory-row": Access("tam", 403, "review"),
    "api:review-recommendations": Access("tam", 403, "review"),
    "api:review-recommendation-status": Access("tam", 403, "review"),
    "api:review-publish": Access("tam", 403, "review"),
    "api:contract-list GET": Access("customer", 403),
    "api:contract-list POST": Access("admin", 403),
    "api:contract-detail": Access("customer", 403, "contract"),
    "api:contract-end": Access("admin", 403, "contract"),
    "api:contract-cancel": Access("admin", 403, "contract"),
    "api:tier-list": Access("customer", 403),
    "api:tier-detail": Access("customer", 403, "tier"),
    "api:calendar-list": Access("customer", 403),
    "api:calendar-detail": Access("customer", 403, "calendar"),
    "api:absence-list GET": Access("customer", 403),
    "api:absence-list POST": Access("tam", 403),
    "api:absence-detail GET": Access("customer", 403, "absence"),
    **{f"api:absence-detail {method}": Access("tam", 403, "absence") for method in ("PUT", "PATCH", "DELETE")},
    "api:invitation-list": Access("tam", 403),
    "api:audit-event-list": Access("admin", 403),
    "api:audit-event-detail": Access("admin", 403, "audit_event"),
    # --- Integrations: one's own API tokens; service tokens and webhooks are the admins' ---
    "integrations:index": Access("admin", 403),
    "integrations:tokens GET": Access(SELF, OWN),
    "integrations:tokens POST": Access("customer", 403),  # a user without a role makes no token
    "integrations:token-revoke": Access("customer", 404, "api_token"),
    "integrations:service-new": Access("admin", 403),
    "integrations:endpoint-new": Access("admin", 403),
    "integrations:endpoint": Access("admin", 403, "webhook_endpoint"),
    "integrations:endpoint-change": Access("admin", 403, "webhook_endpoint"),
    **{f"integrations:endpoint-action/{a}": Access("admin", 403, "webhook_endpoint") for a in ENDPOINT_ACTIONS},
    "integrations:message": Access("admin", 403, "webhook_message"),
    "integrations:message-action/redeliver": Access("admin", 403, "webhook_message"),
    "api:api-token-list": Access("customer", 403),
    "api:api-token-detail": Access("customer", 403, "api_token"),
    "api:api-token-service": Access("admin", 403),
    "api:webhook-endpoint-list": Access("admin", 403),
    "api:webhook-endpoint-detail": Access("admin", 403, "webhook_endpoint"),
    "api:webhook-endpoint-enable": Access("admin", 403, "webhook_endpoint"),
    "api:webhook-endpoint-disable": Access("admin", 403, "webhook_endpoint"),
    "api:webhook-delivery-list": Access("admin", 403),
    "api:webhook-delivery-detail": Access("admin", 403, "webhook_message"),
    "api:webhook-delivery-redeliver": Access("admin", 403, "webhook_message"),
    "api:call-list": Access("support", 403),  # the phone system (a staff service) posts its events here
    "api:call-detail": Access("support", 403, "phone_call"),
    "api:value-report-list": Access("customer", 403),
    "api:value-report-detail": Access("customer", 403, "value_report"),
    "api:value-report-subscription": Access("customer", 403),
    "api:renewal-list": Access("admin", 403),
    "api:renewal-renew": Access("admin", 403, "contract"),
    "api:renewal-terms": Access("admin", 403, "contract"),
    "api:renewal-notices": Access("customer", 403, "account"),
    # The notice periods and limits: everyone signed in reads the rules applied to them; admins change them.
    "api:limits GET": Access(SELF, OWN),
    "api:limits PATCH": Access("admin", 403),
    # Staff search, and the booking page's suggested slots (about the user's own account, like the slot check).
    "cases:search": Access("support", 403),
    "maintenance:suggested-slots": Access("customer", 404),
    # The portal's configuration pages: the administrators' alone, the next role down (a TAM) told 403.
    **{
        f"config:{name}": Access("admin", 403)
        for name in [
            "index",
            "tiers",
            "tier-new",
            "limits",
            "calendars",
            "calendar-new",
            "calendar-preview",
            "people",
            "accounts",
            "account-new",
        ]
    },
    **{
        f"config:{name}": Access("admin", 403, "calendar")
        for name in [
            "calendar",
            "calendar-details",
            "calendar-hours",
            "holiday-add",
            "holiday-remove",
            "holidays-import",
        ]
    },
    "config:tier": Access("admin", 403, "tier"),
    **{f"config:{name}": Access("admin", 403, "person") for name in ("person", "person-roles")},
    **{f"config:{name}": Access("admin", 403, "person") for name in ("person-details", "person-access")},
    **{
        f"config:{name}": Access("admin", 403, "account")
        for name in ("account", "account-details", "account-tams", "contract-new", "change-tier")
    },
    **{f"config:{name}": Access("admin", 403, "contract") for name in ("contract-end", "contract-cancel")},
    **{f"sla_config:{name}": Access("admin", 403) for name in ("policies", "example")},
    "sla_config:policy": Access("admin", 403, "tier"),
}

# The configuration site: every view sits behind the admin site's own staff check, so the whole of it is one
# class. Its catch-all answers 404 to an admin by design, as does "view on site" (no model has a public page).
CONFIG_SITE = Access("admin", 403, "config_object")
CONFIG_NOT_FOUND = Access("admin", 403, "config_object", owner_gets=404)
CONFIG_METHODS = {
    "admin:jsi18n": ["GET"],
    "admin:autocomplete": ["GET"],
    "admin:password_change_done": ["GET"],
    "admin:logout": ["POST"],
}
# The configuration site's search: every account whose name starts with "Ac", for a contract's account field.
CONFIG_QUERY = {"admin:autocomplete": "?app_label=accounts&model_name=contract&field_name=account&term=Ac"}


# --- The routes, read from the URL resolver ------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    route: str  # the pattern, as the resolver spells it
    name: str  # the URL name (or, for an unnamed pattern, the pattern itself)
    action: str  # the action in the URL, if the route takes one
    method: str
    json: bool = True  # an API view that reads JSON

    @property
    def key(self) -> str:
        return f"{self.name}/{self.action}" if self.action else self.name

    @property
    def is_config(self) -> bool:
        return self.route.startswith("config/")


def _walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            yield route, f"{namespace}{entry.name}" if entry.name else route, entry.callback


def accepted_methods(route: str, name: str, callback) -> list[str]:
    """The methods a view answers: the API router's action map, a class-based view's handlers, the list a
    ``require_http_methods`` decorator holds; otherwise a plain view, which takes GET and POST."""
    if getattr(callback, "actions", None):
        allowed = callback.cls.http_method_names
        return sorted(method.upper() for method in callback.actions if method in allowed)
    view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if view_class is not None:
        handlers = [m for m in view_class.http_method_names if m not in ("head", "options") and hasattr(view_class, m)]
        return sorted(method.upper() for method in handlers if method in ("get", "post", "put", "patch", "delete"))
    if name in CONFIG_METHODS:
        return CONFIG_METHODS[name]
    function = callback
    while function is not None:
        code = getattr(function, "__code__", None)
        if code is not None and "request_method_list" in code.co_freevars:
            return sorted(function.__closure__[code.co_freevars.index("request_method_list")].cell_contents)
        if getattr(function, "view_class", None) is not None:
            return accepted_methods(route, name, function)
        function = getattr(function, "__wrapped__", None)
    return ["GET", "POST"]


def takes_json(callback) -> bool:
    """Whether an API view reads JSON (the inventory upload reads a multipart form only)."""
    parsers = getattr(callback, "initkwargs", {}).get("parser_classes")
    return parsers is None or any(parser.media_type == "application/json" for parser in parsers)


def _rows() -> list[Row]:
    rows = []
    for route, name, callback in _walk(get_resolver().url_patterns):
        actions = sorted(ACTION_ROUTES.get(name, [""]))
        for action in actions:
            rows.extend(
                Row(route, name, action, method, takes_json(callback))
                for method in accepted_methods(route, name, callback)
            )
    return rows


ROWS = _rows()
ROUTES = sorted({row.route for row in ROWS})
SECTIONS = sorted({row.route.split("/", 1)[0] for row in ROWS})


def access_of(row: Row) -> Access:
    if row.is_config:
        return CONFIG_NOT_FOUND if row.name in ("admin:view_on_site",) or "(?P<url>" in row.route else CONFIG_SITE
    return ACCESS.get(f"{row.key} {row.method}") or ACCESS[row.key]


def config_permits(row: Row, admin_user, object_pk: str) -> bool:
    """Whether the configuration site lets an admin do what the row does: the ledger, the outbox, the audit trail
    and other history are read-only there, by design, so changing them is refused (403) to admins too."""
    model = _config_model(row)
    if model is None:
        return True
    model_admin = admin.site._registry[model]
    request = RequestFactory().generic(row.method, "/config/")
    request.user = admin_user
    obj = model._default_manager.filter(pk=object_pk).first() if object_pk.isdigit() else None
    view = row.route.rstrip("/").rsplit("/", 1)[-1]
    if view == "add":
        return model_admin.has_add_permission(request)
    if view == "delete":
        return model_admin.has_delete_permission(request, obj)
    if view == "change" and row.method == "POST":
        return model_admin.has_change_permission(request, obj)
    return model_admin.has_view_or_change_permission(request, obj)


# --- Filling URLs ----------------------------------------------------------------------------------------------


def _config_model(row: Row):
    match = re.match(r"config/(\w+)/(\w+)/", row.route)
    if match is None:
        return None
    for model in admin.site._registry:
        if (model._meta.app_label, model._meta.model_name) == match.groups():
            return model
    return None


def _config_object_pk(row: Row, acme_id: int) -> str:
    """Acme's own row where the model has an account, else the first row; a missing id when there is none."""
    model = _config_model(row)
    if model is None:
        return str(MISSING)
    rows = model._default_manager.order_by("pk")
    fields = {f.name for f in model._meta.get_fields()}
    if model._meta.label == "accounts.Account":
        rows = rows.filter(pk=acme_id)
    elif "account" in fields:
        rows = rows.filter(account_id=acme_id) if rows.filter(account_id=acme_id).exists() else rows
    first = rows.first()
    return str(first.pk) if first is not None else str(MISSING)


def fill(row: Row, access: Access, ids: dict, *, missing: bool) -> tuple[str, bool]:
    """The concrete URL, and whether it names one of Acme's own (not vendor-wide) objects. ``missing`` puts
    ids and slugs that match nothing in place of Acme's."""
    names_acme = False

    def value(kind: str) -> str:
        nonlocal names_acme
        if kind not in VENDOR_WIDE:
            names_acme = True
            if missing:
                return MISSING_KEYS.get(kind, str(MISSING))
        return str(ids[kind])

    def keyword(match) -> str:
        nonlocal names_acme
        kwarg = match.group("name")
        if kwarg == "action":
            return row.action
        if kwarg == "token":
            return str(ids["feed"]) if not missing else "not-a-token"
        if kwarg in ("app_label",):
            return "accounts"
        if kwarg == "url":
            return "no-such-page/"
        if kwarg == "content_type_id":
            from django.contrib.contenttypes.models import ContentType

            return str(ContentType.objects.get(app_label="accounts", model="account").pk)
        if kwarg in ("uidb36", "key"):
            return "sample"
        if row.is_config and kwarg in ("object_id", "id", "pk"):
            names_acme = True
            return str(MISSING) if missing else _config_object_pk(row, ids["account_id"])
        return value(KWARG_KIND.get(kwarg) or access.obj)

    route = re.sub(r"\(\?P<(?P<name>\w+)>[^)]*\)", keyword, row.route)
    route = re.sub(r"<(?:\w+:)?(?P<name>\w+)>", keyword, route)
    route = route.replace("\\.", ".").replace("^", "").replace("$", "")
    return "/" + route + CONFIG_QUERY.get(row.name, ""), names_acme


def post_data(access: Access, ids: dict) -> dict:
    return {name: kind[1:] if kind.startswith("=") else ids[kind] for name, kind in access.post}


# --- Asking --------------------------------------------------------------------------------------------------

ACTORS = ("owner", "lower", "outsider", "anonymous")


def _signed_in(email: str, *, minutes_ago: int) -> Client:
    """A session of ``email`` whose password was entered ``minutes_ago``."""
    user = User.objects.get(email=email)
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    signed_in_with_password(client, user, seconds_ago=minutes_ago * 60)
    return client


def _ask(client: Client, method: str, url: str, data: dict, *, json: bool = True):
    """One request whose writes are undone, so every actor meets the same world. The configuration site's
    redirects within itself (to its index, to its login page) are followed to their answer."""
    session = client.cookies.get(settings.SESSION_COOKIE_NAME)
    with transaction.atomic():
        if method in ("GET", "DELETE"):
            response = client.generic(method, url)
        elif url.startswith("/api/") and json:
            response = client.generic(method, url, "{}", content_type="application/json")
        else:
            response = client.post(url, data)
        for _ in range(3):
            if response.status_code != 302 or not response["Location"].startswith("/config/"):
                break
            response = client.get(response["Location"])
        transaction.set_rollback(True)
    if session is not None:  # a sign-out (the logout routes) must not sign the next request out
        client.cookies[settings.SESSION_COOKIE_NAME] = session.value
    return response


def _to_sign_in(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def _allowed(response) -> bool:
    return response.status_code < 400 and not _to_sign_in(response)


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


class Matrix:
    """Asks every actor for one row and notes what is not as classified. The owner's session has a password
    entered just now (the configuration site asks for a fresh one before a change); everyone else signed in
    twenty minutes ago, so a page they may not use must refuse them rather than ask for their password."""

    def __init__(self, world, owners: dict, others: dict):
        self.ids = {**world.ids, "account_id": _acme_id()}
        self.markers = world.acme_markers
        self.owners, self.others = owners, others
        self.admin = User.objects.get(email=PERSONAS["admin"])
        self.problems: list[str] = []
        self.requests = 0
        self.cross_tenant_successes = 0
        self.lower_answers: Counter = Counter()

    def ask(self, client: Client, method: str, url: str, data: dict, *, json: bool = True):
        self.requests += 1
        try:
            return _ask(client, method, url, data, json=json)
        except Exception as error:  # the test client re-raises what the view raised: a server error
            self.problems.append(f"{method} {url}: {type(error).__name__}: {error}")
            return HttpResponseServerError()

    def fail(self, row: Row, actor: str, url: str, response, expected: str, method: str = "") -> None:
        where = response.get("Location", "") if response.status_code in (301, 302) else ""
        self.problems.append(
            f"{row.key} {method or row.method} {url} as {actor}: {response.status_code} {where} (expected {expected})"
        )

    def check(self, row: Row) -> None:
        access = access_of(row)
        if access.owner == TOKEN:
            self._check_token_route(row, access)
            return
        url, names_acme = fill(row, access, self.ids, missing=False)
        data = post_data(access, self.ids)
        # The owner.
        owner = self.owners["customer" if access.owner in (SELF, PUBLIC) else access.owner]
        response = self.ask(owner, row.method, url, data, json=row.json)
        expected = access.owner_gets or "allowed"
        if row.is_config and not config_permits(row, self.admin, url.rstrip("/").split("/")[-2]):
            expected = 403
        self._expect(row, "owner", url, response, expected, public=access.owner == PUBLIC)
        # The next role down for the same account.
        response = self.ask(self.others[LOWER[access.owner]], row.method, url, data, json=row.json)
        self.lower_answers[access.lower] += 1
        self._expect(row, "lower role", url, response, access.lower, public=access.owner == PUBLIC)
        # Another tenant's customer, on the real URL and on one that names nothing.
        self._check_outsider(row, access, url, names_acme, data)
        # Anonymous.
        response = self.ask(self.others[None], row.method, url, data, json=row.json)
        if access.owner == PUBLIC:
            if response.status_code >= 500:
                self.fail(row, "anonymous", url, response, "no server error")
        elif url.startswith("/api/"):
            if response.status_code not in (401, 403):
                self.fail(row, "anonymous", url, response, "401 or 403")
        elif not _to_sign_in(response):
            self.fail(row, "anonymous", url, response, "the sign-in page")

    def _expect(self, row: Row, actor: str, url: str, response, expected, *, public: bool) -> None:
        if public:  # a page for anyone: sample keys and codes are refused as they should be, never a 5xx
            ok = response.status_code < 500
        elif expected in ("allowed", OWN):
            # An empty form or body may be refused as incomplete (400); that is the route answering.
            ok = _allowed(response) or (response.status_code == 400 and row.method != "GET")
        else:
            ok = response.status_code == expected
        if not ok:
            self.fail(row, actor, url, response, "their own view" if expected == OWN else str(expected))

    def _check_outsider(self, row: Row, access: Access, url: str, names_acme: bool, data: dict) -> None:
        outsider = self.others["outsider"]
        methods = [row.method] if row.method not in ("GET", "POST") or not names_acme else ["GET", "POST"]
        for method in methods:
            response = self.ask(outsider, method, url, data, json=row.json)
            success = 200 <= response.status_code < 300 or (_allowed(response) and method != "GET")
            leaked = [marker for marker in self.markers if marker in _body(response)]
            if leaked:
                self.cross_tenant_successes += 1
                self.fail(row, "outsider", url, response, f"nothing of Acme's, found {leaked}", method)
            if names_acme:
                absent_url, _ = fill(row, access, self.ids, missing=True)
                absent = self.ask(outsider, method, absent_url, data, json=row.json)
                if success:
                    self.cross_tenant_successes += 1
                    self.fail(row, "outsider", url, response, "no success on Acme's object", method)
                elif response.status_code != absent.status_code:
                    expected = f"the same as a missing object ({absent.status_code})"
                    self.fail(row, "outsider", url, response, expected, method)
            elif access.owner in ("support", "tam", "admin") and access.lower != OWN:
                if success:
                    self.fail(row, "outsider", url, response, "refused: the route is for vendor staff", method)
            elif response.status_code >= 500:
                self.fail(row, "outsider", url, response, "no server error", method)

    def _check_token_route(self, row: Row, access: Access) -> None:
        """The token is the key: with it the feed answers (even without signing in); without it, 404 for all."""
        url, _ = fill(row, access, self.ids, missing=False)
        guessed, _ = fill(row, access, self.ids, missing=True)
        response = self.ask(self.others[None], row.method, url, {})
        if response.status_code != 200:
            self.fail(row, "owner", url, response, "200 with the token")
        for actor, persona in (("lower role", "roleless"), ("outsider", "outsider"), ("anonymous", None)):
            response = self.ask(self.others[persona], row.method, guessed, {})
            if response.status_code != 404:
                self.fail(row, actor, guessed, response, "404 without the token")


def _acme_id() -> int:
    from accounts.models import Account

    return Account.objects.get(slug="acme").pk


# --- The tests -----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    yield from committed_world(django_db_blocker, tmp_path_factory)


@pytest.fixture(scope="module")
def tally():
    """What every section found, summed up for the figure once the module is done."""
    totals = {"sections": set(), "requests": 0, "cross": 0, "lower": Counter()}
    yield totals
    if totals["sections"] == set(SECTIONS):
        rows = len(ROWS)
        lower = ", ".join(f"{count} {answer}" for answer, count in sorted(totals["lower"].items(), key=str))
        record(
            "isolation",
            f"isolation: {len(ROUTES)} routes × 4 actors, {totals['cross']} cross-tenant 2xx "
            f"({rows} route/action/method rows, {totals['requests']} requests; the lower role got {lower})",
        )


@pytest.fixture
def sessions(world, db):
    """Each persona signed in twice: as the owner (password just entered) and as anyone else (a while ago)."""
    owners = {persona: _signed_in(email, minutes_ago=0) for persona, email in PERSONAS.items()}
    others = {persona: _signed_in(email, minutes_ago=20) for persona, email in PERSONAS.items()}
    return owners, {**others, None: Client()}


def test_every_route_action_and_method_is_classified():
    unclassified, stale = [], []
    for row in ROWS:
        try:
            access_of(row)
        except KeyError:
            unclassified.append(f"{row.key} {row.method}")
    used = {row.key for row in ROWS} | {f"{row.key} {row.method}" for row in ROWS}
    stale = [key for key in ACCESS if key not in used]
    unknown_actions = [
        name
        for route, name, _ in _walk(get_resolver().url_patterns)
        if "<str:action>" in route and name not in ACTION_ROUTES
    ]
    assert not unclassified, (
        f"classify these routes in ACCESS (who owns them, what the next role down gets): {unclassified}"
    )
    assert not stale, f"these classifications name routes that are gone: {stale}"
    assert not unknown_actions, f"tell ACTION_ROUTES which actions these routes take: {unknown_actions}"
    assert len(ROUTES) > 150 and {"api", "config", "cases", "reviews", "maintenance"} <= set(SECTIONS)


def test_the_objects_the_matrix_names_exist(world, db):
    missing = [kind for kind, value in world.ids.items() if value is None]
    assert not missing, f"the world has no {missing}"


@pytest.mark.parametrize("section", SECTIONS, ids=[s or "home" for s in SECTIONS])
def test_the_matrix(section, world, sessions, tally):
    matrix = Matrix(world, *sessions)
    for row in ROWS:
        if row.route.split("/", 1)[0] == section:
            matrix.check(row)
    tally["sections"].add(section)
    tally["requests"] += matrix.requests
    tally["cross"] += matrix.cross_tenant_successes
    tally["lower"].update(matrix.lower_answers)
    assert not matrix.problems, "\n".join(matrix.problems)


@pytest.fixture
def token_clients(world, db):
    """Each persona with an API token of every scope instead of a session (the scopes limit what a token does, never
    whose data it reaches); the user without a role holds one made before their role was taken away."""
    clients = {}
    for persona, email in PERSONAS.items():
        user = User.objects.get(email=email)
        scopes = list(Scope)
        _, value = ApiToken.objects.create(user=user, expiry=dt.timedelta(days=1), name="matrix", scopes=scopes)
        clients[persona] = Client(HTTP_AUTHORIZATION=f"Bearer {value}")
    return clients, {**clients, None: Client()}


class TokenMatrix(Matrix):
    """The API asked with tokens: the same answers as with sessions, except that a token is never a recent
    password, so the owner of a privileged write gets 403 ``reauthentication_required`` there (or 400 when the
    empty body is refused before the service is asked): never a success."""

    def __init__(self, *args, privileged: set, **kwargs):
        super().__init__(*args, **kwargs)
        self.privileged = privileged

    def _expect(self, row: Row, actor: str, url: str, response, expected, *, public: bool) -> None:
        if actor == "owner" and (row.name, row.method) in self.privileged:
            asked = response.status_code == 403 and response.json().get("code") == "reauthentication_required"
            if not asked and response.status_code != 400:
                self.fail(row, actor, url, response, "403 reauthentication_required (a token is no password)")
            return
        super()._expect(row, actor, url, response, expected, public=public)


def test_the_api_matrix_with_tokens(world, token_clients):
    from .test_privileged_routes import routes

    matrix = TokenMatrix(world, *token_clients, privileged=set(routes()))
    rows = [row for row in ROWS if row.route.startswith("api/")]
    for row in rows:
        matrix.check(row)
    record(
        "isolation-tokens",
        f"isolation with API tokens: {len({row.route for row in rows})} API routes × 4 actors, "
        f"{matrix.cross_tenant_successes} cross-tenant 2xx ({matrix.requests} requests)",
    )
    assert not matrix.problems, "\n".join(matrix.problems)


def test_lists_never_carry_another_accounts_data(sessions, world):
    """Every page and API list without an object in its URL, as Globex's customer: nothing of Acme's."""
    _, others = sessions
    for row in ROWS:
        if "<" in row.route or "(?P" in row.route or row.method != "GET" or row.is_config:
            continue
        response = others["outsider"].get("/" + row.route)
        if response.status_code == 200 and not getattr(response, "streaming", False):
            body = response.content.decode(errors="replace")
            assert not [marker for marker in world.acme_markers if marker in body], row.name


def test_the_owner_reads_their_own_objects(sessions, world):
    """The matrix's other side, spelled out: the same routes work for the account's own customer, except what
    is internal (an internal note's file)."""
    owners, _ = sessions
    alice, ids = owners["customer"], world.ids
    assert alice.get(f"/cases/{ids['case']}/").status_code == 200
    assert alice.get(f"/api/v1/cases/{ids['case']}/").status_code == 200
    assert alice.get(f"/maintenance/events/{ids['event']}/").status_code == 200
    assert alice.get("/api/v1/accounts/acme/ledger/").status_code == 200
    assert alice.get(f"/reviews/{ids['published_review']}/report/").status_code == 200
    assert alice.get(f"/cases/attachments/{ids['attachment']}/").status_code == 200
    assert alice.get(f"/cases/attachments/{ids['staff_attachment']}/").status_code == 404
