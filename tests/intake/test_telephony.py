"""The phone system's call events, through its API endpoint with a service token (telephony scope): a known
contact's call logged on the account (and on the linked case, whose phone-answer clock runs from the phone
system's times), a contact's voicemail opening a voicemail case with the TAM-reply clock, unknown callers in
triage; the same records whatever the order, lateness or repetition of the events; the phone-answer target per
account in the SLA report."""

import datetime as dt
import json
import random

import pytest
from django.db import transaction
from django.test import Client

from accounts.roles import Role
from cases.models import Case, CaseEntry, Channel, ContactLog, Milestone, StartEvent
from cases.services import case_open
from intake.models import PhoneCall, TriageItem
from integrations.tokens import service_token_create
from tests.factories import customer_user

NOW = dt.datetime(2026, 5, 4, 16, 0, tzinfo=dt.UTC)  # a Monday, 10:00 in Denver
pytestmark = pytest.mark.time_machine(NOW, tick=False)
MIN = dt.timedelta(minutes=1)


def at(minutes_before: float) -> str:
    return (NOW - dt.timedelta(minutes=minutes_before)).isoformat()


@pytest.fixture
def phone_system(db):
    """The phone system: a service user with the support role, its token limited to the telephony scope."""
    _, value = service_token_create(actor=None, name="Phone system", role=Role.SUPPORT.value, scopes=["telephony"])
    return Client(HTTP_AUTHORIZATION=f"Bearer {value}")


@pytest.fixture
def people(ess, standard, alice, bob, support):
    alice.phone = "+13035550100"
    alice.save()
    bob.phone = "+13035550177"
    bob.save()
    carol = customer_user(ess, email="carol@acme.example", first_name="Carol", phone="+13035550177")
    linked = case_open(actor=alice, account=ess, subject="Scanner stuck", description="Batch 42", severity=2)
    return {"alice": alice, "bob": bob, "carol": carol, "linked": linked, "support": support}


def send(client: Client, event: dict):
    return client.post("/api/v1/calls/", json.dumps(event), content_type="application/json")


def events(linked: Case) -> list[dict]:
    """Five calls, each told in several events: what the phone system would send over an hour."""
    answered = {"call_id": "c-answered", "caller": "(303) 555-0100", "line": "support", "received_at": at(50)}
    voicemail = {"call_id": "c-voicemail", "caller": "303-555-0100", "line": "tam-terry", "received_at": at(40)}
    stranger = {"call_id": "c-stranger", "caller": "+1 201-555-0123", "line": "support", "received_at": at(30)}
    late = {"call_id": "c-late", "caller": "+13035550100", "line": "support", "received_at": at(20)}
    shared = {"call_id": "c-shared", "caller": "+13035550177", "line": "support", "received_at": at(10)}
    return [
        answered,
        {**answered, "answered_at": at(49), "answered_by": "support@ess.example", "case": linked.reference},
        {**answered, "answered_at": at(49), "ended_at": at(45), "case": linked.reference},
        voicemail,
        {**voicemail, "ended_at": at(39), "voicemail_url": "https://pbx.example/rec/vm-1.wav"},
        {**voicemail, "transcript": "Hi Terry, the scanner is stuck again, please call me back."},
        stranger,
        {**stranger, "voicemail_url": "https://pbx.example/rec/vm-2.wav", "ended_at": at(29)},
        {**stranger, "transcript": "This is Dan from Initech about a quote."},
        late,
        {**late, "answered_at": at(16), "ended_at": at(12)},
        shared,
        {**shared, "ended_at": at(9)},
    ]


def records() -> dict:
    """Everything the calls left behind, told apart by content (ids differ between runs)."""

    def when(moment):
        return moment.isoformat() if moment else None

    calls = PhoneCall.objects.select_related("contact", "account", "case", "triage_item", "answered_by")
    return {
        "calls": sorted(
            (
                c.call_id,
                c.outcome,
                when(c.answered_at),
                when(c.ended_at),
                c.contact.email if c.contact else None,
                c.account.slug if c.account else None,
                c.case.subject if c.case else None,
                c.answered_by.email if c.answered_by else None,
                c.transcript,
                c.transcript_filed,
            )
            for c in calls
        ),
        "contacts": sorted(
            (log.kind, when(log.received_at), when(log.answered_at), log.case.subject)
            for log in ContactLog.objects.select_related("case")
        ),
        "clocks": sorted(
            (m.name, m.case.subject, when(m.started_at), when(m.met_at), m.contact_id is not None)
            for m in Milestone.objects.select_related("case")
        ),
        "cases": sorted((c.subject, c.channel, c.contact.email if c.contact else None) for c in Case.objects.all()),
        "entries": sorted((e.case.subject, e.kind, e.public, e.body) for e in CaseEntry.objects.select_related("case")),
        "triage": sorted(
            (t.channel, t.sender, t.summary, t.body, t.reason, t.status) for t in TriageItem.objects.all()
        ),
    }


def replay(client: Client, batch: list[dict]) -> dict:
    with transaction.atomic():
        for event in batch:
            answer = send(client, event)
            assert answer.status_code == 200, answer.content.decode()
        result = records()
        transaction.set_rollback(True)
    return result


def test_events_replayed_shuffled_and_twice_give_the_same_records(people, phone_system):
    told = events(people["linked"])
    in_order = replay(phone_system, told)
    for seed in range(3):
        again = told * 2
        random.Random(seed).shuffle(again)
        assert replay(phone_system, again) == in_order, f"shuffle {seed}"
    assert len(in_order["calls"]) == 5


def test_what_each_call_becomes(people, phone_system, tam):
    for event in events(people["linked"]):
        assert send(phone_system, event).status_code == 200
    linked = people["linked"]
    # A known contact's call the agent linked: logged on that case, its phone-answer clock met at the answer.
    log = ContactLog.objects.get(case=linked, kind="phone")
    assert log.received_at == NOW - 50 * MIN and log.answered_at == NOW - 49 * MIN
    clock = Milestone.objects.get(contact=log)
    assert clock.started_at == NOW - 50 * MIN and clock.met_at == NOW - 49 * MIN and clock.breached_at is None
    # A known contact's voicemail: a voicemail case on her behalf, the TAM-reply clock running from its arrival.
    voicemail = PhoneCall.objects.get(call_id="c-voicemail")
    case = voicemail.case
    assert case.channel == Channel.VOICEMAIL and case.contact == people["alice"] and case.on_behalf
    tam_clock = Milestone.objects.get(case=case, contact__kind="voicemail")
    assert tam_clock.started_at == NOW - 40 * MIN and tam_clock.met_at is None
    assert tam_clock.target.start_event == StartEvent.TAM_MESSAGE
    assert CaseEntry.objects.filter(case=case, body__contains="the scanner is stuck again").count() == 1
    # An unknown caller, and a number two accounts' contacts share: triage.
    stranger = TriageItem.objects.get(call__call_id="c-stranger")
    assert stranger.channel == Channel.VOICEMAIL and stranger.sender == "+12015550123"
    assert "Dan from Initech" in stranger.body and stranger.reason == "No contact has this number."
    shared = TriageItem.objects.get(call__call_id="c-shared")
    assert shared.reason == "Contacts of several accounts have this number." and shared.channel == Channel.PHONE
    # A known contact's call without a linked case: on the account, no case opened for it.
    late = PhoneCall.objects.get(call_id="c-late")
    assert late.account.slug == "acme" and late.case is None and late.outcome == "answered"


def test_the_sla_report_shows_phone_answer_compliance_per_account(people, phone_system, client_for, support):
    for event in events(people["linked"]):
        send(phone_system, event)
    page = client_for(support).get("/cases/compliance/").content.decode()
    section = page[page.index('id="phone-heading"') :]
    # Acme: three calls from Alice, one answered in 1 minute, one in 4 (late), one a voicemail.
    assert "answered within 2 minutes" in section
    assert "<td>Acme Manufacturing</td><td>3</td><td>1</td><td>1</td><td>1</td><td>33 %</td>" in section


def test_the_endpoint_needs_the_telephony_scope_and_a_staff_service(people, ess):
    from tests.integrations.conftest import bearer

    _, reader = service_token_create(actor=None, name="Reader", role=Role.SUPPORT.value, scopes=["read", "write"])
    refused = send(bearer(reader), {"call_id": "x", "caller": "+13035550100", "received_at": at(5)})
    assert refused.status_code == 403 and "telephony" in refused.json()["detail"]
    _, customer = service_token_create(
        actor=None, name="Acme PBX", role=Role.CUSTOMER.value, account=ess, scopes=["telephony"]
    )
    refused = send(bearer(customer), {"call_id": "x", "caller": "+13035550100", "received_at": at(5)})
    assert (
        refused.status_code == 403
        and refused.json()["detail"] == "Only the phone system and vendor staff report calls."
    )
    assert not PhoneCall.objects.exists()


def test_an_event_that_contradicts_the_call_is_refused(people, phone_system):
    first = {"call_id": "c-1", "caller": "+13035550100", "received_at": at(10)}
    assert send(phone_system, first).status_code == 200
    moved = send(phone_system, {**first, "received_at": at(11)})
    assert moved.status_code == 400 and "received_at" in moved.json()
    bad = send(phone_system, {"call_id": "c-2", "caller": "+13035550100", "received_at": at(5), "answered_at": at(6)})
    assert bad.status_code == 400 and bad.json()["answered_at"] == [
        "A call is answered after it came in, and not in the future."
    ]
    other = send(phone_system, {**first, "case": "CASE-999999"})
    assert other.status_code == 400 and other.json()["case"] == ["There is no case 999999."]


def test_contacts_give_a_valid_phone_number_on_their_profile(client_for, ess, alice):
    client = client_for(alice)
    form = {"first_name": "Alice", "last_name": "", "time_zone": "America/Denver"}
    refused = client.post("/people/profile/", {**form, "phone": "12345"})
    assert refused.status_code == 200 and refused.context["form"].errors["phone"]
    assert client.post("/people/profile/", {**form, "phone": "(303) 555-0100"}).status_code == 302
    alice.refresh_from_db()
    assert str(alice.phone) == "+13035550100"


def test_a_recording_may_come_as_a_file(people, phone_system, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    recording = SimpleUploadedFile("vm-7790.wav", b"RIFF....WAVEfmt ", content_type="audio/wav")
    answer = phone_system.post(
        "/api/v1/calls/",
        {
            "call_id": "c-file",
            "caller": "+13035550100",
            "line": "tam-terry",
            "received_at": at(3),
            "voicemail_file": recording,
        },
    )
    assert answer.status_code == 200 and answer.json()["outcome"] == "voicemail"
    call = PhoneCall.objects.get(call_id="c-file")
    assert call.voicemail_file.read() == b"RIFF....WAVEfmt " and call.case.channel == Channel.VOICEMAIL
