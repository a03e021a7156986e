"""Signed-in sessions for the load generators, as a browser holds them after signing in, and an API token of the
busiest account's customer (read scope), as a script holds it."""

import secrets

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.middleware.csrf import _get_new_csrf_string

from accounts.models import User
from bench.names import BUSIEST_ACCOUNT
from cases.models import Case
from integrations.tokens import token_create


def signed_in(emails: list[str]) -> dict:
    """A signed-in session per user (cookie values), a CSRF token, and the busiest account's number of cases."""
    cookies = {}
    for email in emails:
        user = User.objects.get(email=email)
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        cookies[email] = store.session_key
    busiest = Case.objects.filter(account__slug=BUSIEST_ACCOUNT).count()
    customer = User.objects.filter(account__slug=BUSIEST_ACCOUNT, email__in=emails).first()
    token = None
    if customer is not None:
        # A name of its own per run: the database is reused from run to run on the same day.
        name = f"Benchmark {secrets.token_hex(4)}"
        _, token = token_create(actor=None, user=customer, name=name, scopes=["read"], days=1)
    return {"sessions": cookies, "csrf": _get_new_csrf_string(), "busiest_cases": busiest, "token": token}
