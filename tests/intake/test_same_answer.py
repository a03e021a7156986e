"""One authority per rule: every write of the triage list (assign to an account, discard) gives the same answer on
the triage page and in the API, because the service gives it. Each row drives one input through the page form
and through the API, each on a world of its own rolled back afterwards, and expects the same outcome (done,
refused with 403 and the same words, or refused with the same messages) and, when done, the same effect."""

import datetime as dt
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.contrib import messages
from django.contrib.messages import get_messages
from django.db import transaction
from django.urls import reverse

from cases.models import Case
from intake.models import TriageItem
from intake.services import mail_ingest, triage_discard
from tests.cases.test_same_answer import Answer, api_answer, done, invalid, refused

from .conftest import written

NOW = dt.datetime(2026, 3, 10, 16, 0, tzinfo=dt.UTC)
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW, tick=False)]
STAFF_ONLY = "Only vendor staff sort the triage list."


def an_unknown_senders_mail(w):
    mail_ingest(written(sender="carol@acme.example", subject="Invoice question", body="Is the invoice right?"))
    return TriageItem.objects.get()


def a_discarded_item(w):
    item = an_unknown_senders_mail(w)
    return triage_discard(actor=w.support, item=item, note="spam")


@dataclass(frozen=True)
class Row:
    name: str
    actor: str
    action: str
    setup: object
    data: dict
    expected: Answer


ROWS = [
    Row("support assigns", "support", "assign", an_unknown_senders_mail, {"account": "acme", "severity": 2}, done()),
    Row("a TAM assigns, default severity", "tam", "assign", an_unknown_senders_mail, {"account": "acme"}, done()),
    Row(
        "no account",
        "support",
        "assign",
        an_unknown_senders_mail,
        {"account": ""},
        invalid("Choose the account it belongs to."),
    ),
    Row(
        "an account that does not exist",
        "support",
        "assign",
        an_unknown_senders_mail,
        {"account": "nobody-here"},
        invalid("Choose the account it belongs to."),
    ),
    Row(
        "a severity out of range",
        "support",
        "assign",
        an_unknown_senders_mail,
        {"account": "acme", "severity": 9},
        invalid("Severity runs from 1 (critical) to 4 (low)."),
    ),
    Row(
        "already discarded",
        "support",
        "assign",
        a_discarded_item,
        {"account": "acme"},
        invalid("This item was already discarded."),
    ),
    Row("a customer assigns", "alice", "assign", an_unknown_senders_mail, {"account": "acme"}, refused(STAFF_ONLY)),
    Row("support discards", "support", "discard", an_unknown_senders_mail, {"note": "Spam"}, done()),
    Row("discard twice", "support", "discard", a_discarded_item, {}, invalid("This item was already discarded.")),
    Row("a customer discards", "bob", "discard", an_unknown_senders_mail, {}, refused(STAFF_ONLY)),
]


def page_answer(client, url: str, data: dict) -> Answer:
    response = client.post(url, data)
    if response.status_code == 403:
        return refused(response.context["message"])
    if response.status_code == 302:
        errors = {m.message for m in get_messages(response.wsgi_request) if m.level == messages.ERROR}
        return invalid(*errors) if errors else done()
    assert response.status_code == 200, response.status_code
    texts = set()
    for key in ("assign_form", "discard_form"):
        form = response.context.get(key)
        if form is not None and form.is_bound:
            texts |= {text for field_texts in form.errors.values() for text in field_texts}
    return invalid(*texts)


def effect() -> list:
    """What the write left: the items' state and the cases they opened, without ids or times."""
    items = [(i.status, i.account_id, i.note, i.decided_by_id) for i in TriageItem.objects.order_by("pk")]
    cases = [
        (c.account_id, c.subject, c.severity, c.channel, c.on_behalf, c.opened_by_id, c.contact_id)
        for c in Case.objects.order_by("pk")
    ]
    return [items, cases]


def run(path: str, row: Row, w, client_for) -> tuple[Answer, list]:
    with transaction.atomic():
        item = row.setup(w)
        client = client_for(getattr(w, row.actor))
        if path == "page":
            answer = page_answer(client, reverse(f"intake:{row.action}", args=[item.pk]), row.data)
        else:
            answer = api_answer(client, f"/api/v1/triage/{item.pk}/{row.action}/", row.data)
        left = effect()
        transaction.set_rollback(True)
    return answer, left


@pytest.fixture
def w(acme, alice, bob, support, tam):
    return SimpleNamespace(acme=acme, alice=alice, bob=bob, support=support, tam=tam)


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.name)
def test_the_page_and_the_api_answer_alike(row, w, client_for, settings, tmp_path):
    page, page_effect = run("page", row, w, client_for)
    api, api_effect = run("api", row, w, client_for)
    assert page == row.expected
    assert api == row.expected
    assert page_effect == api_effect


def test_customers_cannot_read_the_triage_list_on_the_page_or_the_api(w, client_for):
    an_unknown_senders_mail(w)
    client = client_for(w.alice)
    page = client.get(reverse("intake:triage"))
    api = client.get("/api/v1/triage/")
    assert (page.status_code, api.status_code) == (403, 403)
    assert page.context["message"] == api.json()["detail"] == STAFF_ONLY
