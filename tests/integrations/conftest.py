import pytest
from django.test import Client

from integrations.tokens import service_token_create, token_create

from .receiver import Receiver


@pytest.fixture
def receiver():
    """A receiver on a free loopback port; its secret is set when an endpoint is registered for it."""
    running = Receiver().start()
    yield running
    running.stop()


def bearer(value: str) -> Client:
    """A client that sends only the token (no session)."""
    return Client(HTTP_AUTHORIZATION=f"Bearer {value}")


@pytest.fixture
def token_for():
    """A personal token of ``user`` (made as the system would, by the issue_api_token command) and its client."""

    def make(user, *, scopes=None, days=None, name="script"):
        token, value = token_create(actor=None, user=user, name=name, scopes=scopes, days=days)
        return token, value, bearer(value)

    return make


@pytest.fixture
def service_token():
    def make(*, role, account=None, scopes=("read", "write"), name="Integration"):
        token, value = service_token_create(actor=None, name=name, role=role, account=account, scopes=scopes)
        return token, value, bearer(value)

    return make
