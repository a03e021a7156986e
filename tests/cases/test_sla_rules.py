"""The SLA rules, on every entry point that reaches them (the service, the case page, the API, the chaser job):

- the TAM's reply meets the TAM-reply clock whatever path it takes;
- due means due: met at the due time is met, and the chaser agrees; a late first run breaches without warning;
  each warning, breach and re-escalation happens once, also with two chasers at once;
- priority belongs to the tier: a Standard case escalates under the Standard policy's targets and never sorts as
  priority.
"""

import datetime as dt
import io
import zoneinfo

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from accounts.configuration import tier_save
from accounts.contracts import contract_create, contract_end
from accounts.models import Contract, TamAbsence, Tier
from accounts.roles import Role
from cases.chaser import sla_chase
from cases.models import Escalation, Milestone, SlaTarget
from cases.reports import compliance
from cases.services import (
    case_escalate,
    case_note,
    case_open,
    case_reply,
    contact_answered,
    contact_log,
)
from cases.tasks import chase_sla
from core.models import OutboxMessage
from tests.factories import UserFactory
from tests.races import at_once

DENVER = zoneinfo.ZoneInfo("America/Denver")
UTC = dt.UTC
MONDAY_9 = dt.datetime(2026, 12, 14, 9, 0, tzinfo=DENVER)
PATHS = ["service", "page", "api"]


def open_case(account, actor, *, at, severity=3):
    return case_open(
        actor=actor,
        account=account,
        subject="Scanner stuck",
        description="",
        channel="portal",
        severity=severity,
        at=at,
    )


def reply(path: str, client_for, actor, case, body="Called you back about your message."):
    """A public reply by ``actor``, now, through ``path``."""
    if path == "service":
        case_reply(actor=actor, case=case, body=body)
    elif path == "page":
        assert client_for(actor).post(reverse("cases:reply", args=[case.pk]), {"body": body}).status_code == 302
    else:
        response = client_for(actor).post(
            f"/api/v1/cases/{case.pk}/reply/", {"body": body}, content_type="application/json"
        )
        assert response.status_code == 201, response.content


def note(path: str, client_for, actor, case, body="Left a message for the TAM."):
    if path == "service":
        case_note(actor=actor, case=case, body=body)
    elif path == "page":
        assert client_for(actor).post(reverse("cases:note", args=[case.pk]), {"body": body}).status_code == 302
    else:
        response = client_for(actor).post(
            f"/api/v1/cases/{case.pk}/note/", {"body": body}, content_type="application/json"
        )
        assert response.status_code == 201


def escalate(path: str, client_for, actor, case) -> Escalation:
    if path == "service":
        return case_escalate(actor=actor, case=case, reason="Down")
    if path == "page":
        assert client_for(actor).post(reverse("cases:escalate", args=[case.pk]), {"reason": "Down"}).status_code == 302
    else:
        response = client_for(actor).post(
            f"/api/v1/cases/{case.pk}/escalate/", {"reason": "Down"}, content_type="application/json"
        )
        assert response.status_code == 201, response.content
    return Escalation.objects.get(case=case)


def chase(how: str, now: dt.datetime, time_machine=None) -> None:
    """One run of the chaser at ``now``: the function, the Celery task (at that clock), or the command."""
    if how == "service":
        sla_chase(now=now)
    elif how == "task":
        time_machine.move_to(now, tick=False)
        chase_sla.delay()
    else:
        call_command("chase_sla", now=now.isoformat(), stdout=io.StringIO())


def outbox(word: str) -> list[str]:
    return list(OutboxMessage.objects.filter(subject__contains=word).values_list("subject", flat=True))


def tam_reply_clock(case) -> Milestone:
    return Milestone.objects.get(case=case, meet_event="tam_replied")


# --- 8. The TAM's reply meets the TAM-reply clock whatever path it takes ------------------------------------


@pytest.fixture
def voicemail(ess, alice, support, time_machine):
    """A voicemail to the TAM at 09:00 on a Monday; "now" is 09:30."""
    time_machine.move_to(MONDAY_9 + dt.timedelta(minutes=30), tick=False)
    case = open_case(ess, alice, at=MONDAY_9 - dt.timedelta(hours=1))
    contact = contact_log(actor=support, case=case, kind="voicemail", received_at=MONDAY_9)
    assert tam_reply_clock(case).due_at == MONDAY_9 + dt.timedelta(hours=2)
    return case, contact


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize(
    ("author", "meets"),
    [("tam", True), ("backup_tam", True), ("tam_level", True), ("support", False)],
    ids=["acting TAM", "another TAM", "TAM-level resource", "support staff"],
)
def test_a_public_reply_meets_the_tam_reply_clock_when_a_tam_level_resource_writes_it(
    path, author, meets, voicemail, client_for, request
):
    case, contact = voicemail
    reply(path, client_for, request.getfixturevalue(author), case)
    clock = tam_reply_clock(case)
    contact.refresh_from_db()
    replied = MONDAY_9 + dt.timedelta(minutes=30)
    assert (clock.met_at, contact.answered_at) == ((replied, replied) if meets else (None, None))
    assert clock.state == ("met" if meets else "running")


def test_the_acting_tam_meets_it_even_without_the_tam_role_any_more(voicemail, tam, client_for):
    """The acting TAM at the moment of the reply (accounts.coverage) answers for the account."""
    case, _ = voicemail
    tam.groups.set(Group.objects.filter(name=Role.SUPPORT))
    tam.__dict__.pop("roles", None)
    assert tam.is_vendor_staff and not tam.is_tam_level
    reply("api", client_for, tam, case)
    assert tam_reply_clock(case).state == "met"


@pytest.mark.parametrize("path", PATHS)
def test_an_internal_note_never_meets_it(path, voicemail, tam, client_for):
    case, contact = voicemail
    note(path, client_for, tam, case)
    assert tam_reply_clock(case).met_at is None
    contact.refresh_from_db()
    assert contact.answered_at is None


def test_a_customer_reply_recorded_by_the_tam_does_not_meet_it(voicemail, tam):
    case, _ = voicemail
    case_reply(actor=tam, case=case, body="(e-mail) still broken", from_customer=True, channel="email")
    assert tam_reply_clock(case).met_at is None


def test_a_reply_answers_only_the_messages_received_before_it(voicemail, ess, support, tam, time_machine):
    case, first = voicemail
    case_reply(actor=tam, case=case, body="Back to you.")
    time_machine.move_to(MONDAY_9 + dt.timedelta(minutes=50), tick=False)
    later = contact_log(actor=support, case=case, kind="email", received_at=MONDAY_9 + dt.timedelta(minutes=45))
    clocks = {m.contact_id: m for m in Milestone.objects.filter(case=case, meet_event="tam_replied")}
    assert clocks[first.pk].state == "met" and clocks[later.pk].state == "running"


@pytest.mark.parametrize("path", ["service", "page", "api"])
def test_a_call_back_logged_as_an_answer_meets_it(path, voicemail, support, client_for):
    case, contact = voicemail
    called_back = MONDAY_9 + dt.timedelta(minutes=20)
    data = {"contact": contact.pk, "answered_at": "2026-12-14T09:20"}
    if path == "service":
        contact_answered(actor=support, contact=contact, answered_at=called_back)
    elif path == "page":
        assert client_for(support).post(reverse("cases:log-contact", args=[case.pk]), data).status_code == 302
    else:
        response = client_for(support).post(f"/api/v1/cases/{case.pk}/answered/", data, content_type="application/json")
        assert response.status_code == 200, response.content
        assert response.json()["answered_at"] == called_back.isoformat().replace("+00:00", "Z")
    assert tam_reply_clock(case).met_at == called_back


@pytest.mark.parametrize("path", ["page", "api"])
def test_a_message_logged_with_its_answer_is_met(path, ess, alice, support, client_for, time_machine):
    time_machine.move_to(MONDAY_9 + dt.timedelta(minutes=30), tick=False)
    case = open_case(ess, alice, at=MONDAY_9 - dt.timedelta(hours=1))
    data = {"kind": "email", "received_at": "2026-12-14T09:00", "answered_at": "2026-12-14T09:10"}
    client = client_for(support)
    if path == "page":
        assert client.post(reverse("cases:log-contact", args=[case.pk]), data).status_code == 302
    else:
        response = client.post(f"/api/v1/cases/{case.pk}/contacts/", data, content_type="application/json")
        assert response.status_code == 201, response.content
        assert response.json()["kind"] == "email"
    assert tam_reply_clock(case).met_at == MONDAY_9 + dt.timedelta(minutes=10)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"kind": "email"}, "received_at", "Say when it came in."),
        ({"kind": "fax", "received_at": "2026-12-14T09:00"}, "kind", "Choose what was received."),
        (
            {"kind": "email", "received_at": "2026-12-14T09:00", "answered_at": "2026-12-14T08:00"},
            "answered_at",
            "It was answered after it came in.",
        ),
    ],
)
def test_a_contact_the_page_refuses_the_api_refuses_with_the_same_message(
    data, field, message, ess, alice, support, client_for, time_machine
):
    time_machine.move_to(MONDAY_9 + dt.timedelta(minutes=30), tick=False)
    case = open_case(ess, alice, at=MONDAY_9 - dt.timedelta(hours=1))
    client = client_for(support)
    page = client.post(reverse("cases:log-contact", args=[case.pk]), data)
    assert page.status_code == 200 and message in page.content.decode()
    response = client.post(f"/api/v1/cases/{case.pk}/contacts/", data, content_type="application/json")
    assert (response.status_code, response.json()[field]) == (400, [message])
    assert not case.contacts.exists()


def test_customers_neither_log_calls_nor_record_call_backs_through_the_api(voicemail, alice, client_for):
    case, contact = voicemail
    client = client_for(alice)
    body = {"kind": "phone", "received_at": "2026-12-14T09:00"}
    assert client.post(f"/api/v1/cases/{case.pk}/contacts/", body, content_type="application/json").status_code == 403
    body = {"contact": contact.pk}
    assert client.post(f"/api/v1/cases/{case.pk}/answered/", body, content_type="application/json").status_code == 403
    contact.refresh_from_db()
    assert contact.answered_at is None and case.contacts.count() == 1


def test_a_call_back_names_a_contact_of_this_case(voicemail, support, client_for, ess, alice):
    _, contact = voicemail
    other = open_case(ess, alice, at=MONDAY_9 - dt.timedelta(hours=1))
    body = {"contact": contact.pk}
    response = client_for(support).post(f"/api/v1/cases/{other.pk}/answered/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["contact"] == ["Choose a call or message logged on this case."]
    contact.refresh_from_db()
    assert contact.answered_at is None


# --- 9. Due means due -------------------------------------------------------------------------------------------

# A voicemail on the Friday evening before each daylight-saving change in Denver from 2026 to 2028, and on an
# ordinary Monday: the two business hours run out at 07:00 local on the Monday after a change (one hour on
# Friday, one on Monday).
TAM_REPLY_DUE = [
    pytest.param(MONDAY_9, MONDAY_9 + dt.timedelta(hours=2), id="ordinary Monday"),
    pytest.param(
        dt.datetime(2026, 3, 6, 17, 0, tzinfo=DENVER), dt.datetime(2026, 3, 9, 13, 0, tzinfo=UTC), id="spring 2026"
    ),
    pytest.param(
        dt.datetime(2026, 10, 30, 17, 0, tzinfo=DENVER), dt.datetime(2026, 11, 2, 14, 0, tzinfo=UTC), id="fall 2026"
    ),
    pytest.param(
        dt.datetime(2027, 3, 12, 17, 0, tzinfo=DENVER), dt.datetime(2027, 3, 15, 13, 0, tzinfo=UTC), id="spring 2027"
    ),
    pytest.param(
        dt.datetime(2027, 11, 5, 17, 0, tzinfo=DENVER), dt.datetime(2027, 11, 8, 14, 0, tzinfo=UTC), id="fall 2027"
    ),
    pytest.param(
        dt.datetime(2028, 3, 10, 17, 0, tzinfo=DENVER), dt.datetime(2028, 3, 13, 13, 0, tzinfo=UTC), id="spring 2028"
    ),
    pytest.param(
        dt.datetime(2028, 11, 3, 17, 0, tzinfo=DENVER), dt.datetime(2028, 11, 6, 14, 0, tzinfo=UTC), id="fall 2028"
    ),
]


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize(("received", "due"), TAM_REPLY_DUE)
def test_a_tam_reply_at_the_due_time_is_met_and_the_chaser_agrees(
    path, received, due, ess, alice, support, tam, client_for, time_machine
):
    time_machine.move_to(received + dt.timedelta(minutes=5), tick=False)
    case = open_case(ess, alice, at=received - dt.timedelta(minutes=1))
    contact_log(actor=support, case=case, kind="voicemail", received_at=received)
    clock = tam_reply_clock(case)
    assert clock.due_at == due
    time_machine.move_to(due, tick=False)
    reply(path, client_for, tam, case)
    chase("task", due, time_machine)
    clock.refresh_from_db()
    assert (clock.met_at, clock.breached_at, clock.state) == (due, None, "met")
    assert outbox("SLA breached: TAM replies") == []
    rows = {r.target: r for r in compliance(received.date(), due.date())}
    assert (rows["TAM replies to e-mail and voicemail"].met, rows["TAM replies to e-mail and voicemail"].breached) == (
        1,
        0,
    )


@pytest.mark.parametrize("how", ["service", "task", "command"])
def test_at_the_due_instant_nothing_is_breached_and_just_after_it_once(how, ess, alice, support, time_machine):
    time_machine.move_to(MONDAY_9 + dt.timedelta(minutes=1), tick=False)
    case = open_case(ess, alice, at=MONDAY_9 - dt.timedelta(hours=1))
    call = contact_log(actor=support, case=case, kind="phone", received_at=MONDAY_9)
    clock = Milestone.objects.get(contact=call)
    due = MONDAY_9 + dt.timedelta(minutes=2)
    OutboxMessage.objects.all().delete()
    chase(how, due, time_machine)
    clock.refresh_from_db()
    assert clock.breached_at is None and clock.warned_at == due  # warned: not missed yet
    for later in (due + dt.timedelta(seconds=1), due + dt.timedelta(minutes=1)):
        chase(how, later, time_machine)
    clock.refresh_from_db()
    assert clock.breached_at == due
    assert len(outbox("SLA warning: Phone answered")) == 1
    assert len(outbox("SLA breached: Phone answered")) == 1


@pytest.mark.parametrize("path", ["service", "page"])
def test_a_call_answered_at_the_due_time_is_met(path, ess, alice, support, client_for, time_machine):
    time_machine.move_to(MONDAY_9 + dt.timedelta(minutes=10), tick=False)
    case = open_case(ess, alice, at=MONDAY_9 - dt.timedelta(hours=1))
    due = MONDAY_9 + dt.timedelta(minutes=2)
    if path == "service":
        contact_log(actor=support, case=case, kind="phone", received_at=MONDAY_9, answered_at=due)
    else:
        data = {"kind": "phone", "received_at": "2026-12-14T09:00", "answered_at": "2026-12-14T09:02"}
        assert client_for(support).post(reverse("cases:log-contact", args=[case.pk]), data).status_code == 302
    chase("service", due)
    clock = Milestone.objects.get(case=case, meet_event="call_answered")
    assert (clock.due_at, clock.met_at, clock.breached_at, clock.state) == (due, due, None, "met")


def test_an_answer_recorded_after_the_chaser_breached_it_but_timed_on_time_is_met(ess, alice, support, time_machine):
    """Breached only when the due time passed with no meeting event at or before it: a call back logged late,
    with its true time, clears the breach the chaser recorded meanwhile."""
    time_machine.move_to(MONDAY_9 + dt.timedelta(hours=3), tick=False)
    case = open_case(ess, alice, at=MONDAY_9 - dt.timedelta(hours=1))
    message = contact_log(actor=support, case=case, kind="email", received_at=MONDAY_9)
    sla_chase(now=MONDAY_9 + dt.timedelta(hours=2, seconds=1))
    clock = tam_reply_clock(case)
    assert clock.state == "breached"
    contact_answered(actor=support, contact=message, answered_at=MONDAY_9 + dt.timedelta(hours=2))
    clock.refresh_from_db()
    assert (clock.breached_at, clock.state) == (None, "met")
    late = contact_log(actor=support, case=case, kind="voicemail", received_at=MONDAY_9)
    sla_chase(now=MONDAY_9 + dt.timedelta(hours=2, seconds=1))
    contact_answered(actor=support, contact=late, answered_at=MONDAY_9 + dt.timedelta(hours=2, minutes=1))
    assert Milestone.objects.get(contact=late).state == "met late"


@pytest.mark.parametrize("how", ["service", "task", "command"])
def test_a_first_run_after_the_due_time_breaches_once_and_sends_no_warning(how, ess, alice, support, time_machine):
    time_machine.move_to(MONDAY_9, tick=False)
    case = open_case(ess, alice, at=MONDAY_9, severity=1)  # first response within 1 business hour: 10:00
    escalation = case_escalate(actor=support, case=case)  # acknowledged within 15 minutes: 09:15
    OutboxMessage.objects.all().delete()
    back = MONDAY_9 + dt.timedelta(hours=1, minutes=30)
    for _ in range(2):
        chase(how, back, time_machine)
    first, acknowledged = Milestone.objects.get(case=case, meet_event="first_response"), escalation.milestone
    acknowledged.refresh_from_db()
    assert (first.breached_at, acknowledged.breached_at) == (
        MONDAY_9 + dt.timedelta(hours=1),
        escalation.escalated_at + dt.timedelta(minutes=15),
    )
    assert first.warned_at is None and acknowledged.warned_at is None
    assert outbox("SLA warning") == []
    assert len(outbox("SLA breached: First response")) == 1
    assert len(outbox("SLA breached: Escalation acknowledged")) == 1
    assert Escalation.objects.filter(case=case, previous=escalation).count() == 1  # passed on once


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_chasers_at_once_warn_breach_and_pass_on_each_once(ess, alice, support, tam, backup_tam, time_machine):
    UserFactory(first_name="Lee", roles=[Role.TAM_LEVEL])
    time_machine.move_to(MONDAY_9, tick=False)
    soon = [open_case(ess, alice, at=MONDAY_9, severity=1) for _ in range(6)]  # first response due 10:00
    missed = [open_case(ess, alice, at=MONDAY_9 - dt.timedelta(hours=2), severity=1) for _ in range(6)]  # 08:00
    escalations = [case_escalate(actor=support, case=case, at=MONDAY_9 - dt.timedelta(hours=1)) for case in missed]
    OutboxMessage.objects.all().delete()
    at_0950 = MONDAY_9 + dt.timedelta(minutes=50)  # past 75 % of the hour for the first group, past due for the second
    for now in (at_0950, at_0950, at_0950 + dt.timedelta(seconds=1)):
        outcomes = at_once(2, lambda n, now=now: sla_chase(now=now))
        assert not outcomes.errors
    assert len(outbox("SLA warning: First response")) == len(soon)
    assert len(outbox("SLA breached: First response")) == len(missed)
    assert len(outbox("SLA breached: Escalation acknowledged")) == len(missed)
    assert outbox("SLA warning: Escalation acknowledged") == []
    assert Escalation.objects.filter(previous__in=escalations).count() == len(missed)
    assert Milestone.objects.filter(case__in=missed, warned_at__isnull=False).count() == 0
    at_1000 = MONDAY_9 + dt.timedelta(hours=1)
    at_once(2, lambda n: sla_chase(now=at_1000))  # the first group's due instant: met on time is still possible
    assert len(outbox("SLA breached: First response")) == len(missed)


# --- 10. Priority belongs to the tier ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", PATHS)
def test_a_standard_case_escalates_with_no_acknowledgement_clock(
    path, standard, bob, support, tam, tam_level, client_for, time_machine
):
    time_machine.move_to(MONDAY_9, tick=False)
    case = open_case(standard, bob, at=MONDAY_9 - dt.timedelta(minutes=5))
    OutboxMessage.objects.all().delete()
    escalation = escalate(path, client_for, support, case)
    assert escalation.escalated_to.is_tam_level
    assert not Milestone.objects.filter(escalation=escalation).exists()
    (subject,) = outbox("Escalated to you")
    assert "minutes" not in subject and "acknowledge within" not in subject
    chase("task", MONDAY_9 + dt.timedelta(hours=2), time_machine)
    assert Escalation.objects.filter(case=case).count() == 1 and outbox("Escalation acknowledged") == []


def test_the_enterprise_case_gets_the_fifteen_minute_clock(ess, alice, support, time_machine):
    time_machine.move_to(MONDAY_9, tick=False)
    case = open_case(ess, alice, at=MONDAY_9)
    escalation = case_escalate(actor=support, case=case, at=MONDAY_9)
    assert escalation.milestone.due_at == MONDAY_9 + dt.timedelta(minutes=15)
    assert outbox("Escalated to you: acknowledge within 15 minutes")


@pytest.mark.parametrize("path", ["service", "api"])
def test_a_standard_policys_own_acknowledgement_target_runs_across_the_autumn_change(
    path, standard, bob, support, tam, tam_level, client_for, time_machine
):
    """The Standard policy gains a one-hour acknowledgement target. Escalated at 01:30 MDT on Nov 1, 2026, it is
    due an hour of real time later, 01:30 MST (08:30 UTC); the chaser warns at 08:15, breaches after 08:30 and
    passes it on once."""
    standard_policy = Tier.objects.get(name="Standard").sla_policy
    SlaTarget.objects.create(
        policy=standard_policy,
        name="Escalation acknowledged",
        start_event="escalated",
        meet_event="acknowledged",
        duration=dt.timedelta(hours=1),
    )
    escalated_at = dt.datetime(2026, 11, 1, 7, 30, tzinfo=UTC)
    time_machine.move_to(escalated_at, tick=False)
    case = open_case(standard, bob, at=escalated_at - dt.timedelta(minutes=5))
    OutboxMessage.objects.all().delete()
    escalation = escalate(path, client_for, support, case)
    clock = escalation.milestone
    assert clock.due_at == dt.datetime(2026, 11, 1, 8, 30, tzinfo=UTC)
    assert outbox("Escalated to you: acknowledge within 1 hour")
    for minute in range(0, 65):
        chase("task", escalated_at + dt.timedelta(minutes=minute), time_machine)
    clock.refresh_from_db()
    assert clock.warned_at == dt.datetime(2026, 11, 1, 8, 15, tzinfo=UTC)
    assert clock.breached_at == clock.due_at
    assert Escalation.objects.filter(previous=escalation).count() == 1


def test_a_standard_case_never_sorts_as_priority(ess, standard, alice, bob, support, client_for, time_machine):
    """At equal urgency the Enterprise case comes first; a Standard one is never flagged, on the queue page or in
    the API, and a tier without priority support loses the flag."""
    time_machine.move_to(MONDAY_9, tick=False)
    standard_case = open_case(standard, bob, at=MONDAY_9, severity=1)  # first response within 2 business hours
    ess_case = open_case(ess, alice, at=MONDAY_9, severity=2)  # also within 2 business hours
    client = client_for(support)
    page = client.get(reverse("cases:list")).content.decode()
    assert page.index(ess_case.reference) < page.index(standard_case.reference)
    assert page.count("ESS priority") == 1
    rows = client.get("/api/v1/cases/?open=true").json()["results"]
    assert [(r["id"], r["priority"]) for r in rows] == [(ess_case.pk, True), (standard_case.pk, False)]
    tier_save(actor=None, tier=Tier.objects.get(name="Enterprise"), values={"priority_support": False})
    rows = client.get("/api/v1/cases/?open=true").json()["results"]
    assert [(r["id"], r["priority"]) for r in rows] == [(standard_case.pk, False), (ess_case.pk, False)]


def test_priority_follows_the_contract_in_force_each_day(ess, standard, alice, bob, support, client_for, time_machine):
    """The flag is kept on the account: a contract that ends, or one that starts, changes it on its day (the SLA
    job, every minute), and a contract changed by its service changes it at once."""
    time_machine.move_to(MONDAY_9, tick=False)
    ess_case = open_case(ess, alice, at=MONDAY_9, severity=2)
    contract_end(actor=None, contract=Contract.objects.get(account=ess), end_date=MONDAY_9.date())

    def flagged() -> bool:
        rows = client_for(support).get("/api/v1/cases/").json()["results"]  # signed in afresh on each day
        return {r["id"]: r["priority"] for r in rows}[ess_case.pk]

    assert flagged() is True  # in force until the end of its last day
    time_machine.move_to(MONDAY_9 + dt.timedelta(days=1), tick=False)
    chase_sla.delay().get()
    assert flagged() is False  # the day after, the SLA job took the flag off
    chase_sla.delay().get()
    assert flagged() is False  # a second run changes nothing
    contract_create(
        actor=None, account=ess, tier=Tier.objects.get(name="Enterprise"), start_date=MONDAY_9.date() + dt.timedelta(1)
    )
    assert flagged() is True  # the contract service sets it at once


def test_the_absent_tams_escalation_lands_with_the_backup_on_every_path(
    ess, alice, support, tam, backup_tam, client_for, time_machine
):
    time_machine.move_to(MONDAY_9, tick=False)
    TamAbsence.objects.create(
        tam=tam, starts_at=MONDAY_9 - dt.timedelta(days=30), ends_at=MONDAY_9 + dt.timedelta(days=30)
    )
    for path in PATHS:
        case = open_case(ess, alice, at=MONDAY_9)
        assert escalate(path, client_for, support, case).escalated_to == backup_tam
