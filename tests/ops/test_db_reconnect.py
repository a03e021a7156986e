"""The web keeps its database connection between requests (CONN_MAX_AGE) and checks it before reuse
(CONN_HEALTH_CHECKS), so a PostgreSQL restart costs no failed request.

A restart terminates every client's backend; the test does the same to the web's own backend with
``pg_terminate_backend`` from a separate connection (the shared server itself is never restarted). Requests go
through the real WSGI entry point, as gunicorn calls it: Django's test client switches the per-request
connection handling off, so it could not show this.
"""

from wsgiref.util import setup_testing_defaults

import pytest
from django.db import connection
from django.test import Client

from ess_portal.wsgi import application

from .postgres import query, server_connection, wait_until_gone


def wsgi_get(path: str, cookie: str) -> tuple[int, bytes]:
    environ: dict = {}
    setup_testing_defaults(environ)
    environ.update(REQUEST_METHOD="GET", PATH_INFO=path, HTTP_COOKIE=cookie, HTTP_ACCEPT="application/json")
    status = []
    response = application(environ, lambda line, headers, exc_info=None: status.append(line))
    try:
        body = b"".join(response)
    finally:
        response.close()  # request_finished: Django decides here whether the connection is kept
    return int(status[0].split()[0]), body


def web_backend_pid() -> int:
    assert connection.connection is not None, "the connection was not kept after the request (CONN_MAX_AGE)"
    return connection.connection.get_backend_pid()


def terminate(pid: int) -> None:
    """What a server restart does to a client: its backend ends, the client's socket is left dangling."""
    admin = server_connection()
    try:
        assert query(admin, "SELECT pg_terminate_backend(%s)", [pid]) == [(True,)]
        wait_until_gone(admin, [pid])
    finally:
        admin.close()


@pytest.fixture
def signed_in(alice) -> str:
    client = Client()
    client.force_login(alice, backend="django.contrib.auth.backends.ModelBackend")
    return f"sessionid={client.cookies['sessionid'].value}"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_request_after_the_servers_side_of_the_connection_died_succeeds(signed_in, settings, monkeypatch):
    # The real server settings (base.py), not a test override.
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] > 0
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
    connection.close()

    status, body = wsgi_get("/api/v1/me/", signed_in)
    assert status == 200 and b"alice@acme.example" in body
    killed = web_backend_pid()
    assert wsgi_get("/api/v1/me/", signed_in)[0] == 200
    assert web_backend_pid() == killed  # one persistent connection, reused

    terminate(killed)

    status, body = wsgi_get("/api/v1/me/", signed_in)
    assert status == 200 and b"alice@acme.example" in body
    assert web_backend_pid() != killed

    # The control: with the check off, the same steps cost a failed request, so the above is its doing.
    connection.close()
    monkeypatch.setitem(connection.settings_dict, "CONN_HEALTH_CHECKS", False)
    assert wsgi_get("/api/v1/me/", signed_in)[0] == 200
    terminate(web_backend_pid())
    assert wsgi_get("/api/v1/me/", signed_in)[0] == 500
    # Django drops a connection that raised, so the request after is served again.
    assert wsgi_get("/api/v1/me/", signed_in)[0] == 200
    connection.close()
