"""An e-mail address is proven before it counts. Adding one needs the password; until its owner follows the link
sent to it, it is used for nothing: not to sign in (by password or by code), not for a password reset, not for
notifications, and User.email does not change. Following the link makes it the address and tells the old one.
Invited people prove theirs by choosing a password from the invitation.

The attack this closes: someone with a live session (no password) adds their own address, verifies it, then
resets the password through it."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.cache import cache
from django.test import Client

from accounts.roles import Role
from core.models import OutboxMessage
from core.outbox import outbox_deliver

NEW = "alice.new@mailbox.example"
LINK = re.compile(r"https?://\S+/accounts/(?:confirm-email|password/reset/key)/\S+/")


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


def delivered(to: str | None = None) -> list:
    outbox_deliver()
    return [m for m in mail.outbox if to is None or m.to == [to]]


def link_in(message) -> str:
    return LINK.search(message.body).group(0)


def add_address(client, email=NEW, password=None):
    return client.post("/accounts/email/", {"action_add": "", "email": email, "password": password or ""})


def signs_in(email, password) -> bool:
    client = Client()
    client.post("/accounts/login/", {"login": email, "password": password})
    return "_auth_user_id" in client.session


def follow(link: str, client=None) -> None:
    client = client or Client()
    path = link.split("://", 1)[1].split("/", 1)[1]
    response = client.get("/" + path)
    if "confirm-email" in link:
        client.post("/" + path)
    else:  # a set-password link: the key moves into the session, then the new password is posted
        client.post(response["Location"], {"password1": "a-brand-new-secret-9", "password2": "a-brand-new-secret-9"})


@pytest.mark.parametrize("password", ["", "a-wrong-guess-123"])
def test_a_live_session_without_the_password_cannot_add_an_address(client_for, alice, password):
    response = add_address(client_for(alice), password=password)
    assert response.status_code == 200
    expected = "Enter your password" if not password else "The password is not correct."
    assert expected in response.content.decode()
    assert not EmailAddress.objects.filter(email=NEW).exists()
    assert delivered() == []


def test_a_new_address_counts_for_nothing_until_its_owner_follows_the_link(client_for, alice, password, support, ess):
    response = add_address(client_for(alice), password=password)
    assert response.status_code == 302
    pending = EmailAddress.objects.get(email=NEW)
    assert (pending.verified, pending.primary, pending.user) == (False, False, alice)
    alice.refresh_from_db()
    assert alice.email == "alice@acme.example"
    [verification] = delivered(NEW)
    assert "/accounts/confirm-email/" in verification.body
    [told] = delivered(alice.email)
    assert "about to change" in told.subject and NEW in told.body
    mail.outbox.clear()

    assert not signs_in(NEW, password)  # not to sign in by password
    Client().post("/accounts/password/reset/", {"email": NEW})  # nor for a reset
    Client().post("/accounts/login/code/", {"email": NEW})  # nor for a sign-in code
    assert delivered(NEW) == []
    client_for(support).post(  # notifications still go to the address that counts
        "/cases/new/",
        {"account": ess.slug, "contact": alice.pk, "channel": "phone", "subject": "Call", "severity": 3},
    )
    assert [m.to for m in delivered() if "Call" in m.subject] == [[alice.email]]
    assert signs_in(alice.email, password)


def test_following_the_link_makes_it_the_address_and_tells_the_old_one(client_for, alice, password):
    add_address(client_for(alice), password=password)
    [verification] = delivered(NEW)
    mail.outbox.clear()
    follow(link_in(verification))
    alice.refresh_from_db()
    assert alice.email == NEW
    assert list(EmailAddress.objects.filter(user=alice).values_list("email", "verified", "primary")) == [
        (NEW, True, True)
    ]
    [changed] = delivered("alice@acme.example")
    assert NEW in changed.body
    assert signs_in(NEW, password)
    assert not signs_in("alice@acme.example", password)


def test_an_address_proved_by_someone_else_is_taken_the_same_way_but_never_counts(client_for, alice, bob, password):
    client = client_for(alice)
    said = [
        str(m)
        for m in client.get(add_address(client, email=bob.email, password=password)["Location"]).context["messages"]
    ]
    assert said == [f"Confirmation email sent to {bob.email}."]  # word for word what a free address gets
    client.post("/accounts/email/", {"action_send": "", "email": bob.email})  # "send the link again"
    assert delivered(bob.email) == []  # no link goes to Bob, ever
    assert not EmailAddress.objects.filter(user=alice, email=bob.email, verified=True).exists()

    said = [str(m) for m in client.get(add_address(client, password=password)["Location"]).context["messages"]]
    assert said == [f"Confirmation email sent to {NEW}."]


def test_password_reset_goes_to_verified_addresses_only(client, alice, password):
    client.post("/accounts/password/reset/", {"email": alice.email})
    [reset] = delivered(alice.email)
    follow(link_in(reset))
    assert signs_in(alice.email, "a-brand-new-secret-9")

    assert [m.subject for m in delivered(alice.email)][-1] == "[ESS Portal] Password Reset"  # she is told
    EmailAddress.objects.filter(user=alice).update(verified=False)
    mail.outbox.clear()
    Client().post("/accounts/password/reset/", {"email": alice.email})
    assert delivered(alice.email) == []


def test_invited_people_prove_their_address_by_choosing_a_password_from_the_invitation(client_for, admin_user, acme):
    client_for(admin_user).post(
        "/people/invite/", {"email": "dora@acme.example", "role": Role.CUSTOMER.value, "account": acme.pk}
    )
    invited = EmailAddress.objects.get(email="dora@acme.example")
    assert (invited.verified, invited.primary) == (False, True)
    [invitation] = delivered("dora@acme.example")
    mail.outbox.clear()

    # Until then the address gets no notification, and "Forgot your password?" sends the invitation's link again.
    Client().post("/accounts/password/reset/", {"email": "dora@acme.example"})
    [again] = delivered("dora@acme.example")
    assert "/accounts/password/reset/key/" in again.body

    follow(link_in(invitation))
    invited.refresh_from_db()
    assert invited.verified
    assert signs_in("dora@acme.example", "a-brand-new-secret-9")


def test_stored_verification_mail_withholds_its_link(client_for, alice, password):
    add_address(client_for(alice), password=password)
    stored = OutboxMessage.objects.get(to=NEW)
    assert "/accounts/confirm-email/" not in stored.body and "[withheld 1" in stored.body
    [verification] = delivered(NEW)
    assert "/accounts/confirm-email/" in verification.body
    stored.refresh_from_db()
    assert stored.secrets == [] and "/accounts/confirm-email/" not in stored.body
