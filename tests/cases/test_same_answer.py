"""One authority per rule: every write of a case reached from both the case pages and the API gives the same
answer, because the service gives it. Each row drives one input through the page form and through the API, each
on a world of its own, and expects the same outcome (done, refused with 403, or refused with the same messages)
and, when done, the same effect."""

import datetime as dt
import zoneinfo
from collections import Counter
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
from django.contrib import messages
from django.contrib.messages import get_messages
from django.db import transaction
from django.urls import reverse

from cases.models import Case
from cases.services import (
    case_escalate,
    case_open,
    case_set_status,
    contact_log,
    escalation_acknowledge,
)
from tests.factories import UserFactory

DENVER = zoneinfo.ZoneInfo("America/Denver")
NOW = dt.datetime(2026, 12, 14, 10, 0, tzinfo=DENVER)  # a Monday, inside support hours

pytestmark = pytest.mark.time_machine(NOW, tick=False)

FORM_KEYS = ("form", "reply_form", "note_form", "status_form", "escalate_form", "contact_form", "answered_form")


@dataclass(frozen=True)
class Answer:
    outcome: str  # "done", "refused" (403) or "invalid" (the form shows why; the API answers 400)
    messages: frozenset[str] = field(default_factory=frozenset)


def done() -> Answer:
    return Answer("done")


def refused(message: str) -> Answer:
    return Answer("refused", frozenset({message}))


def invalid(*texts: str) -> Answer:
    return Answer("invalid", frozenset(texts))


# --- The worlds a row starts from ---------------------------------------------------------------------------


def _case(w, **kwargs):
    values = {"actor": w.alice, "account": w.ess, "subject": "Scanner stuck", "description": "Batch 42"}
    return case_open(**{**values, "severity": 3, "channel": "portal", **kwargs})


def nothing(w):
    return {}


def a_case(w):
    return {"case": _case(w)}


def a_case_staff_opened_without_contact(w):
    return {"case": _case(w, actor=w.support, channel="phone")}


def a_resolved_case(w):
    case = _case(w)
    case_set_status(actor=w.support, case=case, status="resolved")
    return {"case": case}


def a_closed_case(w):
    case = a_resolved_case(w)["case"]
    case_set_status(actor=w.alice, case=case, status="closed")
    return {"case": case}


def an_escalated_case(w):
    case = _case(w)
    return {"case": case, "escalation": case_escalate(actor=w.support, case=case, reason="Down")}


def an_acknowledged_escalation(w):
    world = an_escalated_case(w)
    escalation_acknowledge(actor=w.tam, escalation=world["escalation"])
    return world


def a_standard_case(w):
    return {"case": _case(w, actor=w.bob, account=w.standard)}


# --- The two paths ------------------------------------------------------------------------------------------


def _page_url(action: str, world: dict) -> str:
    if action == "open":
        return reverse("cases:new")
    if action == "acknowledge":
        return reverse("cases:acknowledge", args=[world["escalation"].pk])
    return reverse(f"cases:{action}", args=[world["case"].pk])


def _api_url(action: str, world: dict) -> str:
    if action == "open":
        return "/api/v1/cases/"
    if action == "acknowledge":
        return f"/api/v1/escalations/{world['escalation'].pk}/acknowledge/"
    return f"/api/v1/cases/{world['case'].pk}/{action}/"


def _page_data(data: dict, w) -> dict:
    out = {}
    for name, value in data.items():
        if name == "contact":
            value = getattr(w, value).pk
        if value is True:
            value = "on"
        out[name] = value
    return out


def _api_data(data: dict, w) -> dict:
    return {name: getattr(w, value).email if name == "contact" else value for name, value in data.items()}


def page_answer(client, url: str, data: dict) -> Answer:
    response = client.post(url, data)
    if response.status_code == 403:
        return refused(response.context["message"])
    if response.status_code == 302:
        errors = {m.message for m in get_messages(response.wsgi_request) if m.level == messages.ERROR}
        return invalid(*errors) if errors else done()
    assert response.status_code == 200, response.status_code
    texts = set()
    for key in FORM_KEYS:
        form = response.context.get(key)
        if form is not None and form.is_bound:
            texts |= {text for field_texts in form.errors.values() for text in field_texts}
    return invalid(*texts)


def api_answer(client, url: str, data: dict) -> Answer:
    response = client.post(url, data, content_type="application/json")
    if response.status_code in (200, 201):
        return done()
    body = response.json()
    if response.status_code == 403:
        return refused(body["detail"])
    assert response.status_code == 400, (response.status_code, body)
    return invalid(*(text for texts in body.values() for text in (texts if isinstance(texts, list) else [texts])))


def effect(before: set[int]) -> list:
    """What the write left, without ids, times or the channel (which records the way in: portal or API)."""
    rows = []
    for case in Case.objects.order_by("pk"):
        entries = Counter((e.kind, e.public, e.body) for e in case.entries.all())
        escalations = [(e.escalated_to_id, e.acknowledged_by_id) for e in case.escalations.order_by("pk")]
        milestones = sorted((m.name, m.met_at is not None) for m in case.milestones.all())
        facts = (case.pk in before, case.account_id, case.subject, case.status, case.severity, case.contact_id)
        rows.append((*facts, case.on_behalf, sorted(entries.items()), escalations, milestones))
    return sorted(rows, key=repr)


def run(path: str, row, w, client_for) -> tuple[Answer, list]:
    """One path on a world of its own, rolled back afterwards."""
    with transaction.atomic():
        world = row.setup(w)
        before = set(Case.objects.values_list("pk", flat=True))
        client = client_for(getattr(w, row.actor))
        if path == "page":
            answer = page_answer(client, _page_url(row.action, world), _page_data(row.data, w))
        else:
            answer = api_answer(client, _api_url(row.action, world), _api_data(row.data, w))
        left = effect(before)
        transaction.set_rollback(True)
    return answer, left


@dataclass(frozen=True)
class Row:
    name: str
    actor: str
    action: str
    setup: object
    data: dict
    expected: Answer


ROWS = [
    # Opening a case
    Row("customer opens", "alice", "open", nothing, {"subject": "Printer offline", "severity": 2}, done()),
    Row("customer, no subject", "alice", "open", nothing, {"subject": " "}, invalid("Give the case a subject.")),
    Row(
        "staff, bad channel and severity",
        "support",
        "open",
        nothing,
        {"account": "acme", "subject": "Line down", "channel": "fax", "severity": 9},
        invalid("Choose how the case came in.", "Severity runs from 1 (critical) to 4 (low)."),
    ),
    Row("staff, no account", "support", "open", nothing, {"subject": "x"}, invalid("Choose the customer's account.")),
    Row(
        "staff, another account's contact",
        "support",
        "open",
        nothing,
        {"account": "acme", "contact": "bob", "subject": "x", "channel": "phone"},
        invalid("The contact must be a user of this account."),
    ),
    Row(
        "staff on behalf",
        "support",
        "open",
        nothing,
        {"account": "acme", "contact": "alice", "subject": "Line down", "channel": "phone", "severity": 1},
        done(),
    ),
    Row(
        "no portal role",
        "roleless",
        "open",
        nothing,
        {"subject": "x"},
        refused("Your user has no role in the portal yet. Ask an administrator."),
    ),
    # Replies
    Row("customer replies", "alice", "reply", a_case, {"body": "More detail"}, done()),
    Row("empty reply", "alice", "reply", a_case, {"body": ""}, invalid("Write a reply.")),
    Row(
        "customer claims to record a customer reply",
        "alice",
        "reply",
        a_case,
        {"body": "x", "from_customer": True},
        refused("Only staff record a customer's reply on their behalf."),
    ),
    Row(
        "staff record a reply of nobody",
        "support",
        "reply",
        a_case_staff_opened_without_contact,
        {"body": "x", "from_customer": True, "channel": "email"},
        invalid("The case has no customer contact to record a reply from."),
    ),
    Row(
        "staff record the customer's e-mail",
        "support",
        "reply",
        a_case,
        {"body": "Logs attached", "from_customer": True, "channel": "email"},
        done(),
    ),
    Row(
        "reply on a closed case",
        "alice",
        "reply",
        a_closed_case,
        {"body": "Again"},
        invalid("This case is closed; open a new one."),
    ),
    Row(
        "staff name an unknown channel",
        "support",
        "reply",
        a_case,
        {"body": "x", "channel": "fax"},
        invalid("Choose how the reply came in."),
    ),
    Row("TAM replies", "tam", "reply", a_case, {"body": "On it"}, done()),
    # Internal notes
    Row("staff note", "support", "note", a_case, {"body": "Checked the logs"}, done()),
    Row("customer note", "alice", "note", a_case, {"body": "x"}, refused("Only vendor staff write internal notes.")),
    Row("customer empty note", "alice", "note", a_case, {}, refused("Only vendor staff write internal notes.")),
    Row("empty note", "support", "note", a_case, {"body": "  "}, invalid("Write the note.")),
    # Status
    Row("staff: waiting", "support", "status", a_case, {"status": "waiting"}, done()),
    Row(
        "staff: new to closed",
        "support",
        "status",
        a_case,
        {"status": "closed"},
        invalid("A case that is new cannot become closed."),
    ),
    Row(
        "staff: escalated by status",
        "support",
        "status",
        a_case,
        {"status": "escalated"},
        invalid("Escalate the case to send it to the TAM."),
    ),
    Row("unknown status", "support", "status", a_case, {"status": "banana"}, invalid("Unknown status.")),
    Row("no status", "support", "status", a_case, {"status": ""}, invalid("Choose the new status.")),
    Row(
        "customer: waiting",
        "alice",
        "status",
        a_case,
        {"status": "waiting"},
        invalid("Support staff change the status of a case."),
    ),
    Row("customer closes resolved", "alice", "status", a_resolved_case, {"status": "closed"}, done()),
    Row("customer reopens resolved", "alice", "status", a_resolved_case, {"status": "open"}, done()),
    # Escalation
    Row("staff escalate", "support", "escalate", a_case, {"reason": "Down"}, done()),
    Row("staff escalate a Standard case", "support", "escalate", a_standard_case, {"reason": "Down"}, done()),
    Row("customer escalates", "alice", "escalate", a_case, {}, refused("Only vendor staff escalate cases.")),
    Row(
        "escalated twice",
        "support",
        "escalate",
        an_escalated_case,
        {"reason": "Still down"},
        invalid("This case is already escalated and waiting for acknowledgement."),
    ),
    Row(
        "escalate a resolved case",
        "support",
        "escalate",
        a_resolved_case,
        {},
        invalid("Only an open case can be escalated."),
    ),
    Row("TAM acknowledges", "tam", "acknowledge", an_escalated_case, {}, done()),
    Row("TAM-level acknowledges", "tam_level", "acknowledge", an_escalated_case, {}, done()),
    Row(
        "support acknowledges",
        "support",
        "acknowledge",
        an_escalated_case,
        {},
        refused("Only a TAM or TAM-level resource acknowledges an escalation."),
    ),
    Row(
        "acknowledged twice",
        "tam",
        "acknowledge",
        an_acknowledged_escalation,
        {},
        invalid("This escalation is already acknowledged."),
    ),
]


@pytest.fixture
def w(ess, standard, alice, bob, support, tam, backup_tam, tam_level):
    roleless = UserFactory(email="nobody@ess.example")
    return SimpleNamespace(**locals())


@pytest.mark.parametrize("row", ROWS, ids=[row.name for row in ROWS])
def test_the_page_and_the_api_give_the_same_answer(row, w, client_for):
    on_page, page_left = run("page", row, w, client_for)
    by_api, api_left = run("api", row, w, client_for)
    assert on_page == row.expected
    assert by_api == row.expected
    assert page_left == api_left


# --- Writes only the case page offers: the page gives the service's answer ------------------------------


@pytest.mark.parametrize(
    ("actor", "data", "expected"),
    [
        ("alice", {}, refused("Only vendor staff log calls and messages.")),
        ("support", {"received_at": "2026-12-14T09:00"}, invalid("Choose what was received.")),
        ("support", {"kind": "voicemail"}, invalid("Say when it came in.")),
        (
            "support",
            {"kind": "phone", "received_at": "2026-12-14T11:00"},
            invalid("A call cannot be received in the future."),
        ),
        (
            "support",
            {"kind": "phone", "received_at": "2026-12-14T09:00", "answered_at": "2026-12-14T08:00"},
            invalid("It was answered after it came in."),
        ),
        ("support", {"kind": "voicemail", "received_at": "2026-12-14T09:00"}, done()),
    ],
)
def test_logging_a_call_on_the_page_gives_the_services_answer(actor, data, expected, w, client_for):
    case = a_case(w)["case"]
    url = reverse("cases:log-contact", args=[case.pk])
    assert page_answer(client_for(getattr(w, actor)), url, data) == expected


def test_marking_a_message_answered_on_the_page_gives_the_services_answer(w, client_for):
    case = a_case(w)["case"]
    message = contact_log(actor=w.support, case=case, kind="email", received_at=NOW - dt.timedelta(hours=1))
    url = reverse("cases:log-contact", args=[case.pk])
    assert page_answer(client_for(w.alice), url, {"contact": message.pk}) == refused(
        "Only vendor staff record answers."
    )
    early = {"contact": message.pk, "answered_at": "2026-12-14T08:00"}
    assert page_answer(client_for(w.support), url, early) == invalid("It was answered after it came in.")
    assert page_answer(client_for(w.support), url, {"contact": message.pk}) == done()
    assert page_answer(client_for(w.support), url, {"contact": message.pk}) == invalid("This was already answered.")


def test_the_page_offers_exactly_what_the_services_allow(w, client_for):
    """The forms on the case page follow the services' own predicates, for each persona."""
    world = an_escalated_case(w)
    url = reverse("cases:detail", args=[world["case"].pk])
    offers = {
        "support": {"Post reply", "Add note", "Change status", "Log it"},
        "tam": {"Post reply", "Add note", "Change status", "Log it", "Acknowledge the escalation"},
        "alice": {"Post reply"},
    }
    buttons = {"Post reply", "Add note", "Change status", "Log it", "Acknowledge the escalation", "Escalate to the TAM"}
    for persona, expected in offers.items():
        page = client_for(getattr(w, persona)).get(url).content.decode()
        assert {b for b in buttons if f">{b}</button>" in page} == expected, persona
