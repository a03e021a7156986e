"""Live secrets are never readable in the admin: the stored copy of a mail that carries a set-password link, a
reset link, a verification link or a sign-in code never holds it. The link or code is kept apart only until the
server accepts the message (or the message is given up), then forgotten; the recipient gets it in full, and
the outbox admin shows the stored body with the placeholder. Through every route that sends one."""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client

from accounts.roles import Role
from core.models import OutboxMessage
from core.outbox import outbox_add, outbox_deliver

RESET_LINK = re.compile(r"/accounts/password/reset/key/[0-9a-z]+-[0-9A-Za-z]+-[0-9a-f]+/")
CONFIRM_LINK = re.compile(r"/accounts/confirm-email/[-:\w]+/")
CODE = re.compile(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", re.MULTILINE)


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


def invite_on_page(people):
    people["client_for"](people["admin_user"]).post(
        "/people/invite/", {"email": "dora@acme.example", "role": Role.CUSTOMER.value, "account": people["acme"].pk}
    )
    return "dora@acme.example", RESET_LINK


def invite_through_api(people):
    people["client_for"](people["admin_user"]).post(
        "/api/v1/invitations/",
        {"email": "dora@acme.example", "role": Role.CUSTOMER.value, "account": people["acme"].pk},
        content_type="application/json",
    )
    return "dora@acme.example", RESET_LINK


def password_reset(people):
    Client().post("/accounts/password/reset/", {"email": people["alice"].email})
    return people["alice"].email, RESET_LINK


def address_verification(people):
    people["client_for"](people["alice"]).post(
        "/accounts/email/", {"action_add": "", "email": "alice.new@mailbox.example", "password": people["password"]}
    )
    return "alice.new@mailbox.example", CONFIRM_LINK


def address_verification_through_api(people):
    people["client_for"](people["alice"]).post(
        "/api/v1/me/emails/",
        {"email": "alice.new@mailbox.example", "password": people["password"]},
        content_type="application/json",
    )
    return "alice.new@mailbox.example", CONFIRM_LINK


def sign_in_code(people):
    Client().post("/accounts/login/code/", {"email": people["alice"].email})
    return people["alice"].email, CODE


ROUTES = [invite_on_page, invite_through_api, password_reset, address_verification, address_verification_through_api]
ROUTES.append(sign_in_code)


@pytest.fixture
def people(client_for, admin_user, alice, acme, password):
    return {"client_for": client_for, "admin_user": admin_user, "alice": alice, "acme": acme, "password": password}


@pytest.mark.parametrize("route", ROUTES, ids=[route.__name__ for route in ROUTES])
def test_the_stored_copy_never_holds_the_secret_and_the_recipient_gets_it(route, people, client_for, admin_user):
    to, secret = route(people)
    [stored] = OutboxMessage.objects.filter(to=to).exclude(subject__contains="about to change")
    assert not secret.search(stored.body), stored.body
    assert "[withheld 1: sent to the recipient only]" in stored.body
    assert stored.secrets  # kept apart until the server has it

    outbox_deliver()
    [sent] = [m for m in mail.outbox if m.to == [to] and "about to change" not in m.subject]
    assert secret.search(sent.body)
    stored.refresh_from_db()
    assert stored.state == "sent" and stored.secrets == []
    assert not secret.search(stored.body)

    admin = client_for(admin_user)
    for page in ("/config/core/outboxmessage/", f"/config/core/outboxmessage/{stored.pk}/change/"):
        html = admin.get(page).content.decode()
        assert not secret.search(html)
    assert "withheld 1" in admin.get(f"/config/core/outboxmessage/{stored.pk}/change/").content.decode()


def test_a_message_given_up_forgets_its_secret_too(db, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    link = "https://portal.example/accounts/password/reset/key/1-abc-def/"
    message = outbox_add(to="not an address", subject="Invitation", body=f"Choose: {link}", secrets=[link])
    outbox_deliver()
    message.refresh_from_db()
    assert message.state == "failed" and message.secrets == [] and link not in message.body


def test_a_secret_inside_another_is_withheld_whole(db):
    """allauth hands both a reset link and the key inside it: the link goes as one placeholder."""
    link = "https://portal.example/accounts/password/reset/key/1-abc-def/"
    message = outbox_add(to="a@example.com", subject="Reset", body=f"Go to {link}\n", secrets=["abc-def", link])
    assert message.body == "Go to [withheld 1: sent to the recipient only]\n"
    assert [value for _, value in message.secrets] == [link]
