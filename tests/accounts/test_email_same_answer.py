"""The same answer on the page and in the API for every write about one's e-mail address: the same input gives
the same outcome (done, or refused with the same message on the same field, or too many at once) and the same
change, because both only parse and the service (accounts.emails.email_add) decides."""

import pytest
from allauth.account.models import EmailAddress
from django.core.cache import cache

from core.outbox import outbox_deliver

RIGHT = object()  # stands for the signed-in person's own password
DONE = "done"

CASES = [
    # (name, email, password, expected: DONE or {field: [message]})
    ("a new address", "alice.new@mailbox.example", RIGHT, DONE),
    ("the same address again, in capitals", "ALICE.NEW@mailbox.example", RIGHT, DONE),
    (
        "no password",
        "alice.new@mailbox.example",
        "",
        {"password": ["Enter your password to change your e-mail address."]},
    ),
    (
        "a wrong password",
        "alice.new@mailbox.example",
        "not-her-password-1",
        {"password": ["The password is not correct."]},
    ),
    ("no address", "", RIGHT, {"email": ["Enter a valid e-mail address."]}),
    ("not an address", "alice at home", RIGHT, {"email": ["Enter a valid e-mail address."]}),
    (
        "a header in disguise",
        "alice@acme.example\r\nBcc: x@evil.example",
        RIGHT,
        {"email": ["Enter a valid e-mail address."]},
    ),
    ("her own address", "Alice@Acme.example", RIGHT, {"email": ["This is already your e-mail address."]}),
    ("someone else's address", "bob@globex.example", RIGHT, DONE),  # never says it is taken
]


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


def through_page(client, email, password):
    response = client.post("/accounts/email/", {"action_add": "", "email": email, "password": password})
    if response.status_code == 302:
        return DONE
    if response.status_code != 200:
        return response.status_code
    form = response.context["form"]
    return {field: list(messages) for field, messages in form.errors.items()}


def through_api(client, email, password):
    response = client.post(
        "/api/v1/me/emails/", {"email": email, "password": password}, content_type="application/json"
    )
    if response.status_code == 201:
        return DONE
    if response.status_code != 400:
        return response.status_code
    return response.json()


def state(alice):
    outbox_deliver()
    return sorted(EmailAddress.objects.filter(user=alice).values_list("email", "verified", "primary"))


@pytest.mark.parametrize(("name", "email", "typed", "expected"), CASES, ids=[case[0] for case in CASES])
def test_the_page_and_the_api_give_the_same_answer(client_for, alice, bob, password, name, email, typed, expected):
    typed = password if typed is RIGHT else typed
    client = client_for(alice)
    page = through_page(client, email, typed)
    after_page = state(alice)
    EmailAddress.objects.filter(user=alice, verified=False).delete()  # back to where the page started
    cache.clear()
    api = through_api(client, email, typed)
    after_api = state(alice)
    assert page == api == expected
    assert after_page == after_api


def test_too_many_changes_at_once_are_refused_the_same_way(client_for, alice, password):
    client = client_for(alice)
    answers = {"page": [], "api": []}
    for n in range(11):
        answers["page"].append(through_page(client, f"new{n}@mailbox.example", password))
    cache.clear()
    for n in range(11):
        answers["api"].append(through_api(client, f"new{n}@mailbox.example", password))
    assert answers["page"] == answers["api"] == [DONE] * 10 + [429]


def test_signed_out_visitors_are_refused_on_both(client):
    assert client.post("/accounts/email/", {"action_add": "", "email": "x@example.com"}).status_code == 302
    assert client.post("/api/v1/me/emails/", {"email": "x@example.com"}).status_code == 403
