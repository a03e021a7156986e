"""Generated requests against every operation of the OpenAPI schema, in process.

1. Every operation, FUZZ_EXAMPLES generated cases each (default 100, plus the schema's boundary cases), each case
   sent as every role (Acme's customer, support staff, Acme's TAM, an admin) and anonymously: no server error,
   every documented response conforms to the schema (body, content type, headers), and the anonymous request is
   refused (401/403) wherever the URL exists: no operation ignores authentication.
2. Globex's customer with Acme's ids in the path (and Acme's account and contact in the body): no success, with a
   session and with a personal API token alike. Acme's customer's token is one more actor of part 1.

Run time: all roles share one generated case, so the inputs are generated once per case, not once per role; the
shrinking phase is off (a failure is reported as found); sessions are kept in the cache (see ``world``).
"""

import datetime as dt
import json
import os
import re
import time
from collections import Counter

import pytest
import schemathesis
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.db import transaction
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client, override_settings
from django.urls import Resolver404, resolve
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import content_type_conformance, not_a_server_error
from schemathesis.specs.openapi.checks import response_headers_conformance, response_schema_conformance
from werkzeug.test import Client as WsgiClient

from accounts.models import User
from tests.figures import record

from .test_isolation_matrix import ROWS
from .world import PERSONAS, committed_world

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "100"))
ROLES = ("customer", "support", "tam", "admin")
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance, response_headers_conformance]
# Operations anyone signed in may call whatever their role: none is open without signing in.
PUBLIC_OPERATIONS: set[str] = set()
FUZZ = {
    "max_examples": EXAMPLES,
    "deadline": None,
    "suppress_health_check": list(HealthCheck),
    "database": None,
    "derandomize": True,
    "phases": [Phase.explicit, Phase.generate],
}

TOKEN = "customer's token"  # Acme's customer user again, with a personal API token instead of a session
STATUSES: dict[str, Counter] = {role: Counter() for role in (*ROLES, TOKEN, "anonymous", "outsider")}
STARTED: list[float] = []
FINDINGS: Counter = Counter()
CROSS: Counter = Counter()
CROSS_OPERATIONS: set[str] = set()

schema = schemathesis.openapi.from_dict(
    json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True), default=str))
)
schema.app = WSGIHandler()


def _minutes() -> str:
    return f"{(time.monotonic() - STARTED[0]) / 60:.1f} min since the module started" if STARTED else ""


def teardown_module():
    for role, statuses in STATUSES.items():
        if role == "outsider" or not statuses:
            continue
        print(f"\nAPI fuzzing as {role}: {sum(statuses.values())} requests, {dict(sorted(statuses.items()))}")
    total = sum(sum(STATUSES[role].values()) for role in (*ROLES, TOKEN, "anonymous"))
    if total:
        per_role = ", ".join(f"{role} {sum(STATUSES[role].values())}" for role in (*ROLES, TOKEN, "anonymous"))
        record(
            "fuzz",
            f"fuzz: {len(list(schema.get_all_operations()))} operations × {EXAMPLES} generated cases (and the boundary "
            f"cases) × 4 roles, a customer's API token and anonymous, {total} requests "
            f"({per_role}), "
            + ", ".join(f"{FINDINGS[kind]} {kind}" for kind in ("server errors", "schema violations"))
            + f", {FINDINGS['let through anonymously']} requests let through anonymously, {_minutes()}",
        )
    if CROSS["requests"]:
        record(
            "fuzz-cross",
            f"fuzz-cross: Globex's customer with Acme's ids, {CROSS['requests']} requests on {len(CROSS_OPERATIONS)} "
            f"operations, {CROSS['successes']} successful reads or writes of Acme's objects, {_minutes()}",
        )


@pytest.fixture(scope="module", autouse=True)
def _keep_the_test_connection():
    """The raw WSGI handler closes database connections at the end of each request, which would end the
    test's transaction; Django's test client switches that off the same way."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    STARTED.append(time.monotonic())
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    # Sessions live in the (process-local) cache here: where a session is stored changes nothing the API does,
    # and the database's read and write of it on every request were 40 % of the run's time.
    with override_settings(SESSION_ENGINE="django.contrib.sessions.backends.cache"):
        schema.app.load_middleware()  # the session middleware picks its store when it is built
        yield from committed_world(django_db_blocker, tmp_path_factory)
    schema.app.load_middleware()


def _credentials(email: str) -> tuple[dict, dict]:
    client = Client()
    client.force_login(User.objects.get(email=email), backend="django.contrib.auth.backends.ModelBackend")
    token = _get_new_csrf_string()
    return {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value, "csrftoken": token}, {
        "X-CSRFToken": token
    }


def _token(email: str) -> tuple[dict, dict]:
    from integrations.models import ApiToken, Scope

    scopes = [Scope.READ, Scope.WRITE, Scope.WEBHOOKS]
    user = User.objects.get(email=email)
    _, value = ApiToken.objects.create(user=user, expiry=dt.timedelta(days=1), name="fuzz", scopes=scopes)
    return {}, {"Authorization": f"Bearer {value}"}


@pytest.fixture
def credentials(world, db):
    """Sessions of every role; a personal API token of Acme's and of Globex's customer user."""
    sessions = {role: _credentials(PERSONAS[role]) for role in (*ROLES, "outsider")}
    return {**sessions, TOKEN: _token(PERSONAS["customer"]), "outsider's token": _token(PERSONAS["outsider"])}


def _generated(case) -> tuple[dict, dict]:
    return dict(case.cookies or {}), dict(case.headers or {})


def _call(case, generated: tuple[dict, dict], cookies=None, headers=None):
    """One request whose writes are undone, so every role meets the same world. Each call starts from the
    generated cookies (a case keeps those of the last call it was sent with) and gets a client of its own (a
    shared one keeps the session cookie a response renews, and the next caller would send it). A signed-in
    caller sends its own credentials: the Authorization header the schema's token scheme makes schemathesis generate
    goes with the anonymous call only (where a made-up token must be refused)."""
    generated_cookies, generated_headers = generated
    case.cookies = dict(generated_cookies)
    signed_in = bool(cookies or headers)
    case.headers = {k: v for k, v in generated_headers.items() if not (signed_in and k.lower() == "authorization")}
    with transaction.atomic():
        response = case.call(session=WsgiClient(schema.app), cookies=cookies or {}, headers=headers or {})
        transaction.set_rollback(True)
    return response


def _routes(case) -> bool:
    """Whether the generated path reaches a view at all (a path parameter with a slash in it does not)."""
    try:
        resolve(case.formatted_path)
    except Resolver404:
        return False
    return True


@pytest.mark.django_db
@schema.parametrize()
@hypothesis_settings(**FUZZ)
def test_every_operation_as_every_role(case, credentials):
    generated = _generated(case)
    for role in (*ROLES, TOKEN):
        cookies, headers = credentials[role]
        response = _call(case, generated, cookies, headers)
        STATUSES[role][response.status_code] += 1
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except Exception:
            FINDINGS["server errors" if response.status_code >= 500 else "schema violations"] += 1
            raise
        if case.path == "/api/v1/me/" and case.method == "GET" and not case.query:
            email = PERSONAS["customer" if role == TOKEN else role]
            assert response.json()["email"] == email, "the request was not signed in as intended"
    response = _call(case, generated)
    STATUSES["anonymous"][response.status_code] += 1
    documented = case.method.upper() == case.operation.method.upper()  # not a probe with an unsupported method
    if documented and f"{case.method} {case.path}" not in PUBLIC_OPERATIONS and _routes(case):
        # Refused before anything is read: 401/403, or 400 when the URL carries a NUL (refused for everyone).
        refused = response.status_code in (401, 403) or (response.status_code == 400 and "NUL" in response.text)
        FINDINGS["let through anonymously"] += not refused
        assert refused, f"{case.method} {case.formatted_path} ignores auth: {response.status_code}"


def test_every_api_route_is_an_operation_of_the_schema():
    """What the schema leaves out is never fuzzed: every route and method of the API is in it."""
    documented = {(method.upper(), path) for path, item in schema.raw_schema["paths"].items() for method in item}
    routed = set()
    for row in ROWS:
        if row.route.startswith("api/v1/") and row.name != "api:api-root":
            path = "/" + re.sub(
                r"<(?:\w+:)?(\w+)>", lambda m: "{id}" if m.group(1) == "pk" else f"{{{m.group(1)}}}", row.route
            )
            routed.add((row.method, path))
    assert routed - documented == set(), f"API routes missing from the schema (never fuzzed): {routed - documented}"
    assert len(routed) > 60 and len(documented) > 60


# --- Customer A (Globex) with customer B's (Acme's) ids ----------------------------------------------------------

# Path prefix -> the kind of Acme object its {id} names; vendor-wide resources (releases, tiers, calendars) are
# not any account's, so they are left out.
ACME_RESOURCES = {
    "/api/v1/accounts/": "account",
    "/api/v1/events/": "event",
    "/api/v1/cases/": "case",
    "/api/v1/escalations/": "escalation",
    "/api/v1/previews/": "preview",
    "/api/v1/reviews/": "review",
    "/api/v1/contracts/": "contract",
    "/api/v1/absences/": "absence",
}
SUB_RESOURCES = {"finding_id": "finding", "row_id": "inventory_row", "recommendation_id": "recommendation"}
cross_schema = schema.include(path_regex="|".join(f"^{prefix}" for prefix in ACME_RESOURCES))


def _acme_path(case, ids: dict) -> dict:
    kind = next(kind for prefix, kind in ACME_RESOURCES.items() if case.path.startswith(prefix))
    values = {}
    for name in case.path_parameters:
        if name in SUB_RESOURCES:
            values[name] = ids[SUB_RESOURCES[name]]
        elif kind == "review" and case.method == "GET":
            values[name] = ids["published_review"]  # the one Acme's own customer could read
        else:
            values[name] = ids[kind]
    return values


def _acme_body(case, ids: dict):
    """A body that names Acme's account and its customer, wherever the operation takes them."""
    if not isinstance(case.body, dict):
        return case.body
    body = dict(case.body)
    if "account" in body:
        body["account"] = ids["account"] if case.path.startswith("/api/v1/events/") else ids["account_pk"]
    if "contact" in body:
        body["contact"] = ids["users"]["customer"]
    if "tam" in body:
        body["tam"] = ids["users"]["tam"]
    return body


@pytest.fixture
def acme_ids(world, db):
    from accounts.models import Account

    return {**world.ids, "account_pk": Account.objects.get(slug="acme").pk, "markers": world.acme_markers}


@pytest.mark.django_db
@cross_schema.parametrize()
@hypothesis_settings(**FUZZ)
def test_another_accounts_ids_never_succeed(case, credentials, acme_ids):
    if case.path_parameters:
        case.path_parameters = _acme_path(case, acme_ids)
    elif case.method == "POST":
        case.body = _acme_body(case, acme_ids)
    else:
        return  # a list answers with the caller's own rows, which test_isolation_matrix reads for Acme's data
    for who in ("outsider", "outsider's token"):  # a session, then a personal API token
        cookies, headers = credentials[who]
        response = _call(case, _generated(case), cookies, headers)
        leaked = [marker for marker in acme_ids["markers"] if marker in response.text]
        assert not leaked, f"{case.method} {case.formatted_path} as Globex's customer ({who}) shows {leaked}"
        if case.method.upper() != case.operation.method.upper():
            return  # a probe with a method the operation lacks (OPTIONS describes the endpoint, alike for any id)
        CROSS["requests"] += 1
        CROSS_OPERATIONS.add(case.operation.label)
        STATUSES["outsider"][response.status_code] += 1
        if case.path_parameters:
            success = 200 <= response.status_code < 300
        else:  # creating is fine for one's own account: never for Acme's, never naming Acme's customer
            success = 200 <= response.status_code < 300 and (
                "acme" in response.text.lower() or response.json().get("account") in ("acme", acme_ids["account_pk"])
            )
        CROSS["successes"] += success
        assert not success, f"{case.method} {case.formatted_path} as Globex's customer ({who}): {response.status_code}"
        assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.status_code}"
