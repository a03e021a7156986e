"""Generated requests against every API operation, in process, as a customer and as an admin: no server
errors. The number of generated examples per operation and phase is FUZZ_EXAMPLES (default 10)."""

import json
import os

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from accounts.models import User

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))
STATUSES: dict[int, int] = {}


def teardown_module():
    total = sum(STATUSES.values())
    print(f"\nAPI fuzzing: {total} requests, status counts {dict(sorted(STATUSES.items()))}, 0 server errors allowed")


schema = schemathesis.openapi.from_dict(
    json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True), default=str))
)
schema.app = WSGIHandler()


@pytest.fixture(scope="module", autouse=True)
def _keep_the_test_connection():
    """The raw WSGI handler closes database connections at the end of each request, which would end the
    test's transaction; Django's test client switches that off the same way."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(scope="module")
def demo_world(django_db_setup, django_db_blocker):
    from django.conf import settings
    from django.core.management import call_command

    with django_db_blocker.unblock():
        debug, settings.DEBUG = settings.DEBUG, True
        try:
            call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
        finally:
            settings.DEBUG = debug
    yield
    with django_db_blocker.unblock():  # the demo data was committed: leave an empty database behind
        call_command("flush", interactive=False, verbosity=0)


def _credentials(email: str) -> tuple[dict, dict]:
    client = Client()
    client.force_login(User.objects.get(email=email), backend="django.contrib.auth.backends.ModelBackend")
    token = _get_new_csrf_string()
    return {"sessionid": client.cookies["sessionid"].value, "csrftoken": token}, {"X-CSRFToken": token}


@pytest.mark.django_db
@pytest.mark.parametrize("email", ["alice@acme.example", "admin@ess.example"])
@schema.parametrize()
@hypothesis_settings(
    max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None, derandomize=True
)
def test_no_operation_answers_with_a_server_error(case, email, demo_world):
    cookies, headers = _credentials(email)
    response = case.call(cookies=cookies, headers=headers)
    STATUSES[response.status_code] = STATUSES.get(response.status_code, 0) + 1
    assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.status_code}"
