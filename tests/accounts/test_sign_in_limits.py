"""Sign-in limits: guessing is slowed down per IP address and per e-mail address, but a guesser cannot lock the
owner out: from another IP the owner signs in as usual, and when the address itself is held (guessing spread
over many IPs) the owner signs in with a code e-mailed to their verified address. The owner is told once per
hold, not once per attempt."""

import datetime as dt
import re

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core import mail
from django.core.cache import cache
from django.test import Client

from core.outbox import outbox_deliver

NOW = dt.datetime(2026, 11, 3, 15, 0, tzinfo=dt.UTC)
WRONG = "wrong-password-x"
FROM_HERE = "Too many failed sign-in attempts from here"
FOR_ADDRESS = "Too many failed sign-in attempts for this address"
NOT_CORRECT = "are not correct"

pytestmark = pytest.mark.time_machine(NOW, tick=False)


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


def sign_in(client, email, password, ip="203.0.113.7"):
    return client.post("/accounts/login/", {"login": email, "password": password}, REMOTE_ADDR=ip)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def held_notices(user) -> list:
    outbox_deliver()
    return [
        m for m in mail.outbox if m.to == [user.email] and m.subject == "Failed sign-ins to your ESS Portal account"
    ]


def test_guessing_from_one_place_holds_that_place_and_not_the_owner(client, alice, password):
    for _ in range(5):
        assert NOT_CORRECT in sign_in(client, alice.email, WRONG).content.decode()
    blocked = sign_in(client, alice.email, password)
    assert FROM_HERE in blocked.content.decode()
    assert not signed_in(client)

    owner = Client()
    sign_in(owner, alice.email, password, ip="198.51.100.20")
    assert signed_in(owner)


def test_the_owner_is_told_once_per_hold_not_once_per_attempt(client, alice, time_machine):
    for _ in range(12):
        sign_in(client, alice.email, WRONG)
    [notice] = held_notices(alice)
    assert "203.0.113.7" in notice.body
    assert "/accounts/login/code/" in notice.body
    assert "From anywhere else you sign in as usual" in notice.body

    time_machine.shift(dt.timedelta(minutes=6))  # the hold has passed: a new one is a new notice
    for _ in range(7):
        sign_in(client, alice.email, WRONG)
    assert len(held_notices(alice)) == 2


def test_guessing_spread_over_many_places_holds_the_address_but_the_owner_signs_in_with_a_code(alice, password):
    for n in range(20):
        sign_in(Client(), alice.email, WRONG, ip=f"192.0.2.{n}")
    held = Client()
    response = sign_in(held, alice.email, password, ip="198.51.100.20")
    assert FOR_ADDRESS in response.content.decode()
    assert "sign in with a code" in response.content.decode().lower()
    assert not signed_in(held)
    [notice] = held_notices(alice)
    assert "wherever it is tried from" in notice.body
    mail.outbox.clear()

    owner = Client()
    owner.post("/accounts/login/code/", {"email": alice.email}, REMOTE_ADDR="198.51.100.20")
    owner.post("/accounts/login/code/confirm/", {"code": code_from_mail(alice.email)}, REMOTE_ADDR="198.51.100.20")
    assert signed_in(owner)


def code_from_mail(email: str) -> str:
    outbox_deliver()
    [code_mail] = [m for m in mail.outbox if m.to == [email] and "Sign-In Code" in m.subject]
    return re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", code_mail.body, re.MULTILINE).group(1)


def test_a_sign_in_code_still_asks_staff_for_their_authenticator(client, tam):
    """The code proves the mailbox, not the second factor: staff with an authenticator app are asked for it."""
    TOTP.activate(tam, generate_totp_secret())
    client.post("/accounts/login/code/", {"email": tam.email})
    response = client.post("/accounts/login/code/confirm/", {"code": code_from_mail(tam.email)})
    assert response["Location"].startswith("/accounts/2fa/authenticate/")
    assert not signed_in(client)


def test_failed_sign_ins_from_one_address_are_limited_across_accounts(client, ess, tam, support, alice, password):
    """Ten failures a minute per IP address, whichever accounts they try; nobody is e-mailed for addresses
    that have no account."""
    for n in range(10):
        assert NOT_CORRECT in sign_in(client, f"nobody{n}@example.com", "x" * 14).content.decode()
    blocked = sign_in(client, alice.email, password)
    assert not signed_in(client)
    assert FROM_HERE in blocked.content.decode()
    outbox_deliver()
    assert mail.outbox == []


def test_a_successful_sign_in_does_not_count_towards_the_limits(alice, password):
    for _ in range(8):
        client = Client()
        sign_in(client, alice.email, password)
        assert signed_in(client)


def test_a_new_session_at_sign_in_and_none_after_sign_out(client, alice, password):
    client.get("/accounts/login/")
    before = client.cookies["sessionid"].value if "sessionid" in client.cookies else None
    sign_in(client, alice.email, password)
    after = client.cookies["sessionid"].value
    assert after and after != before
    client.post("/accounts/logout/")
    assert not signed_in(client)
    assert client.get("/").status_code == 302


def test_the_old_session_is_dead_after_sign_out(client, alice, password):
    sign_in(client, alice.email, password)
    stolen = client.cookies["sessionid"].value
    client.post("/accounts/logout/")
    client.cookies["sessionid"] = stolen
    assert client.get("/").status_code == 302


@pytest.mark.parametrize(
    ("new_password", "message"),
    [("short-pass1", "at least 12 characters"), ("password1234", "too common"), ("839201749302", "entirely numeric")],
)
def test_passwords_are_twelve_characters_and_not_common(client_for, alice, password, new_password, message):
    client = client_for(alice)
    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": password, "password1": new_password, "password2": new_password},
    )
    assert message in response.content.decode()
    alice.refresh_from_db()
    assert alice.check_password(password)
