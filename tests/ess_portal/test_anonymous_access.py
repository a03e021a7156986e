"""Every URL that is not public refuses anonymous visitors: pages redirect to sign-in, the API says 401/403.

The routes are read from the URL configuration, so a new page is covered the day it is added.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

# Pages a person must reach before signing in (allauth's sign-in and password-reset flow).
PUBLIC_NAMES = {
    "healthz",
    "account_login",
    "account_signup",
    "account_reset_password",
    "account_reset_password_done",
    "account_reset_password_from_key",
    "account_reset_password_from_key_done",
    "account_confirm_email",
    "account_email_verification_sent",
    "account_inactive",
    "account_logout",
    "mfa_authenticate",
    "mfa_trust",
    "account_confirm_login_code",
    "account_request_login_code",
    "account_confirm_password_reset_code",
    "account_login_by_passkey",
    "account_signup_by_passkey",
    "mfa_signup_webauthn",
    # A private calendar feed: its unguessable token is the key (tests/maintenance/test_feeds.py).
    "calendar-feed",
}
SAMPLE_ARGS = {
    "int": "1",
    "slug": "sample",
    "str": "sample",
    "path": "sample",
    "uuid": "00000000-0000-0000-0000-000000000001",
}


def _walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), f"{namespace}{entry.name}" if entry.name else None


def _concrete(route: str) -> str:
    # Regex routes (the admin's, the API router's): fill named groups, then drop the regex syntax.
    route = re.sub(r"\(\?P<format>[^)]*\)", "json", route)
    route = re.sub(r"\(\?P<(\w+)>[^)]*\)", "1", route)
    route = re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLE_ARGS.get(m.group(1) or "str", "sample"), route)
    route = route.replace("\\.", ".").replace("/?", "/").replace("^", "").replace("$", "")
    return "/" + route.replace("\\", "")


ROUTES = sorted({(_concrete(route), name) for route, name in _walk(get_resolver().url_patterns)})
PROTECTED = [(path, name) for path, name in ROUTES if name not in PUBLIC_NAMES]


def test_the_route_list_is_read_from_the_urlconf():
    names = {name for _, name in ROUTES}
    assert {"home", "healthz", "account_login", "accounts:invite", "admin:index", "api:me"} <= names
    assert len(PROTECTED) > 20


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "name"), PROTECTED, ids=[f"{n}:{p}" for p, n in PROTECTED])
def test_anonymous_is_sent_to_sign_in(client, path, name):
    response = client.get(path)
    if path.startswith("/api/"):
        assert response.status_code in (401, 403), f"{path} answered {response.status_code}"
    else:
        # The configuration site hops through its own login URL, which itself requires sign-in.
        for _ in range(2):
            assert response.status_code == 302, f"{path} answered {response.status_code}"
            if response["Location"].startswith("/accounts/login/"):
                break
            response = client.get(response["Location"])
        assert response["Location"].startswith("/accounts/login/"), response["Location"]


@pytest.mark.django_db
def test_an_unknown_feed_token_is_a_404(client):
    assert client.get("/feeds/not-a-real-token.ics").status_code == 404


@pytest.mark.django_db
def test_public_pages_really_are_reachable(client):
    assert client.get("/accounts/login/").status_code == 200
    assert client.get("/accounts/password/reset/").status_code == 200
    assert client.get("/healthz").status_code == 200


@pytest.mark.django_db
def test_there_is_no_open_sign_up(client):
    response = client.post(
        "/accounts/signup/", {"email": "intruder@example.com", "password1": "x" * 16, "password2": "x" * 16}
    )
    from accounts.models import User

    assert not User.objects.filter(email="intruder@example.com").exists()
    assert b"closed" in response.content.lower() or response.status_code in (302, 403)
