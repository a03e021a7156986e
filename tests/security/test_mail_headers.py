"""No header injection: whatever a person types that ends up in a mail header (a case subject, their own name)
reaches the mail server as one line of that header, through every route, and adds no header or recipient.
Every message also says it is automatic and carries its outbox row's Message-ID.

A real SMTP server receives the mail, so the headers checked are the ones on the wire."""

import datetime as dt
import re

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.utils import timezone

from accounts.roles import Role
from core.models import OutboxMessage
from core.outbox import one_line, outbox_deliver
from tests.smtp import smtp_server

INJECTED = "Printer down\r\nBcc: evil@attacker.example\r\n\r\nFake body"
FOLDED = "Printer down Bcc: evil@attacker.example Fake body"
MESSAGE_ID = re.compile(r"^<outbox-[0-9a-f-]{36}@localhost>$")


@pytest.fixture
def smtp(settings):
    with smtp_server(settings) as server:
        server.start()
        yield server


def _only_the_intended_recipient(server, address: str):
    outbox_deliver()
    assert all(m.recipients == [address] for m in server.received), [m.recipients for m in server.received]
    assert not [m for m in server.received if "evil@attacker.example" in m.recipients]
    [received] = server.to(address)
    assert "Bcc" not in received.message and received.message.get_all("Subject") is not None
    assert len(received.message.get_all("Subject")) == 1
    return received


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("a\r\nb", "a b"),
        ("a\nb", "a b"),
        ("a\rb", "a b"),
        ("a\x00b", "a b"),
        ("a\tb", "a b"),
        ("a\u2028b", "a b"),
        ("a\x85b", "a b"),
        ("a \r\n\t b", "a b"),
        ("\r\na\r\n", "a"),
    ],
)
def test_one_line_turns_every_line_break_and_control_character_into_one_space(text, folded):
    assert one_line(text) == folded


def test_the_outbox_folds_what_callers_pass_before_it_is_stored(db):
    from core.outbox import outbox_add

    message = outbox_add(
        to=" alice@acme.example\r\n",
        subject=INJECTED,
        body="line one\nline two",
        attachments=[("report\r\nX-Evil: 1.txt", b"x", "text/plain\r\nX-Evil: 1")],
    )
    assert message.to == "alice@acme.example"
    assert message.subject == FOLDED
    assert message.body == "line one\nline two"  # bodies keep their lines
    assert message.attachments[0]["filename"] == "report X-Evil: 1.txt"
    assert message.attachments[0]["mimetype"] == "text/plain X-Evil: 1"


def _case(alice, subject, contact):
    fields = {"channel": "email", "description": "Logged from a call", "severity": 3}
    return {"account": alice.account.slug, "contact": contact, "subject": subject, **fields}


def _open_on_behalf_page(client, alice, subject):
    return client.post("/cases/new/", _case(alice, subject, contact=alice.pk))


def _open_on_behalf_api(client, alice, subject):
    return client.post("/api/v1/cases/", _case(alice, subject, contact=alice.email), content_type="application/json")


@pytest.mark.parametrize("route", [_open_on_behalf_page, _open_on_behalf_api], ids=["page", "api"])
def test_a_case_subject_reaches_the_mail_as_one_line_of_the_subject(smtp, client_for, support, alice, ess, route):
    response = route(client_for(support), alice, INJECTED)
    assert response.status_code in (201, 302), response.content[:500]
    received = _only_the_intended_recipient(smtp, alice.email)
    assert FOLDED in received.message["Subject"]
    assert "Fake body" not in received.body.splitlines()[0]


def _open_as_customer_page(client, alice, subject):
    return client.post("/cases/new/", {"subject": subject, "description": "It is down", "severity": 3})


def _open_as_customer_api(client, alice, subject):
    body = {"subject": subject, "description": "It is down", "severity": 3}
    return client.post("/api/v1/cases/", body, content_type="application/json")


def _answered(support):
    """Staff answer the case the customer opened: the reply's mail carries the case's subject."""
    from cases.models import Case
    from cases.services import case_reply

    case_reply(actor=support, case=Case.objects.get(), body="We are on it.")


@pytest.mark.parametrize("route", [_open_as_customer_page, _open_as_customer_api], ids=["page", "api"])
def test_a_customers_own_subject_reaches_the_mail_as_one_line(smtp, client_for, support, alice, ess, route):
    response = route(client_for(alice), alice, INJECTED)
    assert response.status_code in (201, 302), response.content[:500]
    _answered(support)
    received = _only_the_intended_recipient(smtp, alice.email)
    assert FOLDED in received.message["Subject"]


def test_a_mailed_subject_with_an_encoded_line_break_reaches_the_reply_as_one_line(
    smtp, settings, support, alice, ess, tmp_path
):
    """An RFC 2047 encoded word may carry a line break a mail header itself cannot: decoded, it is folded too."""
    from intake.services import mail_ingest

    settings.INBOUND_EMAIL_ADDRESS, settings.MEDIA_ROOT = "help@ess.example", str(tmp_path)
    raw = (
        b"From: alice@acme.example\r\nTo: help@ess.example\r\nMessage-ID: <crlf-1@mail.test>\r\n"
        b"Subject: =?utf-8?q?Printer_down=0D=0ABcc:_evil@attacker.example=0D=0A=0D=0AFake_body?=\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\nThe printer on floor 2 is down.\r\n"
    )
    assert mail_ingest(raw).outcome == "case"
    _answered(support)
    received = _only_the_intended_recipient(smtp, alice.email)
    assert FOLDED in received.message["Subject"]


def test_a_persons_name_reaches_the_mail_as_one_line_of_the_subject(smtp, client_for, tam, alice, ess):
    client = client_for(tam)
    profile = {"first_name": "Terry\r\nBcc: evil@attacker.example", "last_name": "Tamsin", "time_zone": "UTC"}
    assert client.post("/people/profile/", profile).status_code == 302
    starts = (timezone.now() + dt.timedelta(days=10)).replace(tzinfo=None)
    response = client.post(
        "/people/absences/",
        {"starts_at": f"{starts:%Y-%m-%dT09:00}", "ends_at": f"{starts + dt.timedelta(days=2):%Y-%m-%dT17:00}"},
    )
    assert response.status_code == 302, response.content[:500]
    received = _only_the_intended_recipient(smtp, alice.email)
    assert "Terry Bcc: evil@attacker.example Tamsin" in received.message["Subject"]


def _case_notification(client_for, people):
    _open_on_behalf_page(client_for(people["support"]), people["alice"], "Scanner offline")


def _password_reset(client_for, people):
    Client().post("/accounts/password/reset/", {"email": people["alice"].email})


def _invitation(client_for, people):
    client_for(people["admin_user"]).post(
        "/people/invite/",
        {"email": "new.person@acme.example", "role": Role.CUSTOMER.value, "account": people["alice"].account_id},
    )


@pytest.mark.parametrize(
    "route", [_case_notification, _password_reset, _invitation], ids=["notification", "password-reset", "invitation"]
)
def test_every_message_says_it_is_automatic_and_carries_its_rows_message_id(
    smtp, client_for, support, admin_user, alice, ess, route
):
    route(client_for, {"support": support, "admin_user": admin_user, "alice": alice})
    rows = list(OutboxMessage.objects.all())
    assert rows
    outbox_deliver()
    assert len(smtp.received) == len(rows)
    for received in smtp.received:
        assert received.message["Auto-Submitted"] == "auto-generated"
        assert MESSAGE_ID.match(received.message["Message-ID"])
    assert {m.message["Message-ID"] for m in smtp.received} == {row.message_id for row in rows}


def test_an_address_in_no_verified_state_gets_no_notification(smtp, client_for, support, alice, ess):
    """Notifications go to the verified primary address only (an invitation not yet accepted gets none)."""
    EmailAddress.objects.filter(user=alice).update(verified=False)
    _open_on_behalf_page(client_for(support), alice, "Scanner offline")
    outbox_deliver()
    assert smtp.to(alice.email) == []
