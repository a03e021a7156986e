"""The case pages: the queue, opening a case, the case page and its actions, escalations, attachments."""

import datetime as dt
import re
import zoneinfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases.models import Attachment, Case, CaseEntry, CaseStatus, ContactLog, Escalation, Milestone
from cases.selectors import countdown
from cases.services import (
    case_assign,
    case_escalate,
    case_note,
    case_open,
    case_reply,
    case_set_status,
    contact_log,
)

DENVER = zoneinfo.ZoneInfo("America/Denver")
NOW = dt.datetime(2026, 12, 14, 12, 0, tzinfo=DENVER)  # a Monday, inside support hours

pytestmark = pytest.mark.time_machine(NOW, tick=False)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def open_case(account, actor, *, at=NOW, severity=3, subject="Scanner stuck", **kwargs):
    return case_open(
        actor=actor,
        account=account,
        subject=subject,
        description="Batch 42 hangs",
        channel=kwargs.pop("channel", "portal"),
        severity=severity,
        at=at,
        **kwargs,
    )


def upload(name="log.txt", content=b"trace", content_type="text/plain"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def detail(case):
    return reverse("cases:detail", args=[case.pk])


def html(response) -> str:
    return response.content.decode()


# --- The queue ------------------------------------------------------------------------------------


def test_staff_see_the_queue_with_priority_badge_and_time_to_breach(client_for, ess, standard, alice, bob, support):
    acme_case = open_case(ess, alice, severity=2, at=NOW - dt.timedelta(minutes=40))  # first response in 2 h
    globex_case = open_case(standard, bob, subject="Labels misprinted")
    case_assign(actor=support, case=acme_case, assignee=support)
    page = html(client_for(support).get(reverse("cases:list")))
    assert acme_case.reference in page and globex_case.reference in page
    assert "Acme Manufacturing" in page and "Globex Logistics" in page
    assert page.count("ESS priority") == 1
    assert "due in 1 h 20 min" in page
    assert "Sam Support" in page
    assert 'hx-trigger="every 30s"' in page


def test_the_queue_orders_by_time_to_breach_with_ess_first_at_equal_urgency(
    client_for, ess, standard, alice, bob, support
):
    later = open_case(ess, alice, severity=4, subject="Later")  # first response in 8 business hours
    standard_same = open_case(standard, bob, severity=1, subject="Standard same")  # 2 h
    ess_same = open_case(ess, alice, severity=2, subject="ESS same")  # 2 h
    soonest = open_case(standard, bob, severity=1, subject="Soonest", at=NOW - dt.timedelta(hours=1))  # 1 h left
    closed = open_case(ess, alice, severity=1, subject="Done already")
    case_set_status(actor=support, case=closed, status="resolved")
    page = html(client_for(support).get(reverse("cases:list")))
    order = [page.index(case.reference) for case in (soonest, ess_same, standard_same, later)]
    assert order == sorted(order)
    assert closed.reference not in page


def test_the_queue_takes_a_fixed_number_of_queries(
    client_for, ess, standard, alice, bob, support, tam, django_assert_num_queries, django_assert_max_num_queries
):
    def add_cases(count):
        for n in range(count):
            case = open_case(ess if n % 2 else standard, alice if n % 2 else bob, severity=n % 4 + 1)
            if n % 3 == 0:
                case_assign(actor=support, case=case, assignee=tam)
            if n % 5 == 0:
                contact_log(actor=support, case=case, kind="phone", received_at=NOW - dt.timedelta(minutes=5))

    client = client_for(support)
    add_cases(10)
    client.get(reverse("cases:list"))
    # The session and the user with their roles, then the page: count, rows, phone figures, accounts to filter by.
    with django_assert_max_num_queries(12) as first:
        response = client.get(reverse("cases:list"))
    assert html(response).count("CASE-") == 10
    add_cases(50)
    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get(reverse("cases:list"))
    assert html(response).count("CASE-") == 50
    assert "Page 1 of 2" in html(response)
    assert html(client.get(reverse("cases:list") + "?page=2")).count("CASE-") == 10


def test_the_queue_filters_by_status_severity_account_and_assignee(client_for, ess, standard, alice, bob, support):
    waiting = open_case(ess, alice, subject="Waiting one")
    case_set_status(actor=support, case=waiting, status="waiting")
    critical = open_case(standard, bob, severity=1, subject="Critical one")
    mine = open_case(ess, alice, subject="Mine one")
    case_assign(actor=support, case=mine, assignee=support)
    client = client_for(support)

    def shown(query):
        page = html(client.get(reverse("cases:list") + query))
        return {case.subject for case in (waiting, critical, mine) if case.reference in page}

    assert shown("?status=waiting") == {"Waiting one"}
    assert shown("?severity=1") == {"Critical one"}
    assert shown("?account=globex") == {"Critical one"}
    assert shown("?mine=on") == {"Mine one"}
    assert shown("?severity=banana&account=nope") == {"Waiting one", "Critical one", "Mine one"}


def test_htmx_refreshes_only_the_queue_partial(client_for, ess, alice, support):
    case = open_case(ess, alice)
    response = client_for(support).get(reverse("cases:list") + "?severity=3", HTTP_HX_REQUEST="true")
    body = html(response)
    assert response.status_code == 200
    assert "<html" not in body and 'id="queue"' in body and case.reference in body
    assert 'hx-get="/cases/?severity=3"' in body
    assert "HX-Request" in response["Vary"]


def test_the_queue_shows_todays_calls_and_the_share_answered_in_two_minutes(client_for, ess, alice, support):
    case = open_case(ess, alice)
    contact_log(
        actor=support,
        case=case,
        kind="phone",
        received_at=NOW - dt.timedelta(hours=2),
        answered_at=NOW - dt.timedelta(hours=2) + dt.timedelta(seconds=70),
    )
    contact_log(
        actor=support,
        case=case,
        kind="phone",
        received_at=NOW - dt.timedelta(hours=1),
        answered_at=NOW - dt.timedelta(minutes=55),
    )
    contact_log(actor=support, case=case, kind="phone", received_at=NOW - dt.timedelta(days=1))
    contact_log(actor=support, case=case, kind="email", received_at=NOW - dt.timedelta(minutes=30))
    page = html(client_for(support).get(reverse("cases:list")))
    assert re.search(r"<strong>2</strong> calls to support logged today · <strong>50 %</strong>", page)


def test_customers_see_their_own_cases_open_first_and_an_open_button(client_for, ess, standard, alice, bob, support):
    mine = open_case(ess, alice, subject="Our open case")
    done = open_case(ess, alice, subject="Our solved case")
    case_set_status(actor=support, case=done, status="resolved")
    theirs = open_case(standard, bob, subject="Globex case")
    page = html(client_for(alice).get(reverse("cases:list")))
    assert mine.reference in page and done.reference in page
    assert page.index(mine.reference) < page.index(done.reference)
    assert theirs.reference not in page and "Globex" not in page
    assert "Open a case" in page and "ESS priority" not in page


# --- Opening a case -------------------------------------------------------------------------------


def test_a_customer_opens_a_case_for_their_account_with_attachments(client_for, ess, alice):
    client = client_for(alice)
    assert client.get(reverse("cases:new")).status_code == 200
    response = client.post(
        reverse("cases:new"),
        {
            "subject": "Printer offline",
            "description": "Since 9 am",
            "severity": "2",
            "attachments": [upload("trace.log"), upload("screen.png", b"\x89PNG", "image/png")],
            "account": "globex",  # not a field for customers: ignored
            "channel": "phone",
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == detail(case)
    assert (case.account, case.contact, case.channel, case.severity) == (ess, alice, "portal", 2)
    assert not case.on_behalf
    assert sorted(case.attachments.values_list("name", flat=True)) == ["screen.png", "trace.log"]


def test_support_open_a_phone_case_on_the_customers_behalf(client_for, ess, alice, support):
    client = client_for(support)
    form = html(client.get(reverse("cases:new") + "?account=acme"))
    assert "Alice" in form and 'value="acme" selected' in form
    response = client.post(
        reverse("cases:new"),
        {"account": "acme", "contact": alice.pk, "channel": "phone", "severity": "1", "subject": "Line down"},
    )
    case = Case.objects.get()
    assert response.status_code == 302
    assert (case.on_behalf, case.opened_by, case.contact, case.channel) == (True, support, alice, "phone")
    page = html(client.get(detail(case)))
    assert "opened on behalf of the customer by Sam Support" in page
    assert "opened on behalf of the customer by Sam Support" in html(client_for(alice).get(detail(case)))


def test_staff_cannot_pick_a_contact_of_another_account(client_for, ess, standard, bob, support):
    response = client_for(support).post(
        reverse("cases:new"),
        {"account": "acme", "contact": bob.pk, "channel": "phone", "severity": "3", "subject": "Wrong contact"},
    )
    assert response.status_code == 200
    assert "The contact must be a user of this account." in html(response)
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"subject": "  "}, "Give the case a subject."),
        ({"attachments": [upload("setup.exe", b"MZ", "application/octet-stream")]}, "attach files of these types"),
        (
            {"attachments": [upload("big.log", b"x" * (10 * 1024 * 1024 + 1))]},
            "“big.log” is larger than 10 MB.",
        ),
        ({"severity": "9"}, "Severity runs from 1 (critical) to 4 (low)."),
    ],
    ids=["empty subject", "exe", "oversize", "severity"],
)
def test_bad_input_explains_itself_and_saves_nothing(client_for, ess, alice, fields, message):
    data = {"subject": "Printer offline", "description": "Since 9 am", "severity": "3", **fields}
    response = client_for(alice).post(reverse("cases:new"), data)
    assert response.status_code == 200
    assert message in html(response)
    assert 'role="alert"' in html(response)
    assert not Case.objects.exists() and not Attachment.objects.exists() and not CaseEntry.objects.exists()


# --- The case page --------------------------------------------------------------------------------


@pytest.fixture
def busy_case(ess, alice, support, tam):
    """An Acme case with a public reply carrying a file, an internal note with a file, a logged call and an
    escalation: public and staff-only lines side by side."""
    case = open_case(ess, alice, at=NOW - dt.timedelta(hours=1))
    case_reply(actor=support, case=case, body="We are looking at it", attachments=[upload("public.txt")])
    case_note(actor=support, case=case, body="Secret: customer DB is corrupt", attachments=[upload("internal.txt")])
    contact_log(actor=support, case=case, kind="phone", received_at=NOW - dt.timedelta(minutes=30), notes="Angry call")
    case_escalate(actor=support, case=case, reason="Production down")
    return case


def test_staff_read_the_whole_timeline_and_every_clock(client_for, busy_case, support):
    page = html(client_for(support).get(detail(busy_case)))
    for text in (
        "We are looking at it",
        "Secret: customer DB is corrupt",
        "Clock started",
        "Escalated to Terry Tamsin",
    ):
        assert text in page
    assert "Phone call to support received" in page and "Angry call" in page
    assert "Escalation acknowledged" in page and "Phone answered" in page  # the clocks' names
    assert "public.txt" in page and "internal.txt" in page
    assert "Internal note" in page and "Log a call, voicemail or e-mail" in page


def test_customers_never_see_internal_lines(client_for, busy_case, alice):
    response = client_for(alice).get(detail(busy_case))
    page = html(response)
    assert response.status_code == 200
    assert "We are looking at it" in page and "public.txt" in page
    for hidden in (
        "Secret",
        "internal.txt",
        "Clock started",
        "Escalated to",
        "Production down",
        "Escalation acknowledged",
        "Phone answered",
        "Angry call",
        "Phone call to support",
        "Add note",
        "Escalate to the TAM",
        "staff only",
    ):
        assert hidden not in page, hidden
    assert "First response, severity 3" in page  # the case's own promises, with due time and state


def test_due_times_show_in_the_viewers_zone(client_for, ess, alice):
    alice.time_zone = "Europe/Berlin"
    alice.save()
    case = open_case(ess, alice, at=dt.datetime(2026, 12, 7, 9, 0, tzinfo=DENVER))  # 4 business hours: 13:00 Denver
    page = html(client_for(alice).get(detail(case)))
    assert "Mon Dec 7, 21:00" in page  # 13:00 in Denver is 21:00 in Berlin
    assert "breached" in page


def test_a_running_clock_counts_down(client_for, ess, alice, support):
    case = open_case(ess, alice, severity=1, at=NOW - dt.timedelta(minutes=25))  # first response in 1 h
    assert "due in 35 min" in html(client_for(support).get(detail(case)))


def test_an_outsider_gets_404_for_the_case_and_every_action_on_it(client_for, busy_case, bob):
    client = client_for(bob)
    attachment = Attachment.objects.get(name="public.txt")
    entries = CaseEntry.objects.count()
    assert client.get(detail(busy_case)).status_code == 404
    assert client.get(reverse("cases:attachment", args=[attachment.pk])).status_code == 404
    for name, data in [
        ("reply", {"body": "hi"}),
        ("note", {"body": "hi"}),
        ("status", {"status": "closed"}),
        ("escalate", {"reason": "now"}),
        ("log-contact", {"kind": "phone", "received_at": "2026-12-14T11:00"}),
    ]:
        assert client.post(reverse(f"cases:{name}", args=[busy_case.pk]), data).status_code == 404, name
    escalation = Escalation.objects.get()
    assert client.post(reverse("cases:acknowledge", args=[escalation.pk])).status_code == 404
    busy_case.refresh_from_db()
    escalation.refresh_from_db()
    assert CaseEntry.objects.count() == entries
    assert busy_case.status == CaseStatus.ESCALATED and escalation.acknowledged_at is None
    assert client.get(reverse("cases:detail", args=[999999])).status_code == 404


def test_a_customer_cannot_write_internal_notes_escalate_or_log_calls(client_for, ess, alice):
    case = open_case(ess, alice)
    client = client_for(alice)
    entries = CaseEntry.objects.count()
    assert client.post(reverse("cases:note", args=[case.pk]), {"body": "sneaky"}).status_code == 403
    assert client.post(reverse("cases:escalate", args=[case.pk]), {"reason": "now"}).status_code == 403
    log = {"kind": "phone", "received_at": "2026-12-14T11:00"}
    assert client.post(reverse("cases:log-contact", args=[case.pk]), log).status_code == 403
    assert CaseEntry.objects.count() == entries
    assert not Escalation.objects.exists() and not ContactLog.objects.exists()


def test_a_staff_only_attachment_is_404_for_the_customer(client_for, busy_case, alice, support):
    internal = Attachment.objects.get(name="internal.txt")
    public = Attachment.objects.get(name="public.txt")
    assert client_for(alice).get(reverse("cases:attachment", args=[internal.pk])).status_code == 404
    response = client_for(alice).get(reverse("cases:attachment", args=[public.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment") and "public.txt" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == b"trace"
    assert client_for(support).get(reverse("cases:attachment", args=[internal.pk])).status_code == 200


def test_replies_from_both_sides(client_for, ess, alice, support):
    case = open_case(ess, alice, severity=2)
    response = client_for(alice).post(
        reverse("cases:reply", args=[case.pk]), {"body": "More detail", "attachments": [upload("more.log")]}
    )
    assert response.status_code == 302 and response["Location"] == detail(case)
    assert case.entries.filter(body="More detail", public=True, author=alice).exists()
    assert Attachment.objects.filter(name="more.log", entry__body="More detail").exists()
    client_for(support).post(reverse("cases:reply", args=[case.pk]), {"body": "On it"})
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN
    assert Milestone.objects.get(case=case, meet_event="first_response").met_at is not None


def test_a_bad_reply_is_shown_again_with_the_reason(client_for, ess, alice):
    case = open_case(ess, alice)
    client = client_for(alice)
    entries = CaseEntry.objects.count()
    empty = client.post(reverse("cases:reply", args=[case.pk]), {"body": ""})
    assert empty.status_code == 200 and "Write a reply." in html(empty)
    exe = client.post(reverse("cases:reply", args=[case.pk]), {"body": "see file", "attachments": [upload("x.exe")]})
    assert exe.status_code == 200 and "attach files of these types only" in html(exe)
    assert CaseEntry.objects.count() == entries and not Attachment.objects.exists()


def test_staff_write_internal_notes(client_for, ess, alice, support):
    case = open_case(ess, alice)
    response = client_for(support).post(reverse("cases:note", args=[case.pk]), {"body": "Checked the logs"})
    assert response.status_code == 302
    assert case.entries.get(kind="note").public is False


def test_staff_move_the_status_along_allowed_paths_only(client_for, ess, alice, support):
    case = open_case(ess, alice)
    client = client_for(support)
    page = html(client.get(detail(case)))
    options = re.findall(r'<option value="(\w+)"', page.split('id="status-heading"')[1].split("</form>")[0])
    assert options == ["open", "waiting", "resolved"]
    assert client.post(reverse("cases:status", args=[case.pk]), {"status": "waiting"}).status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.WAITING
    refused = client.post(reverse("cases:status", args=[case.pk]), {"status": "closed"})
    assert refused.status_code == 200 and "cannot become closed" in html(refused)
    escalate = client.post(reverse("cases:status", args=[case.pk]), {"status": "escalated"})
    assert "Escalate the case to send it to the TAM." in html(escalate)
    nonsense = client.post(reverse("cases:status", args=[case.pk]), {"status": "banana"})
    assert nonsense.status_code == 200
    case.refresh_from_db()
    assert case.status == CaseStatus.WAITING


def test_a_customer_closes_or_reopens_only_a_resolved_case(client_for, ess, alice, support):
    case = open_case(ess, alice)
    client = client_for(alice)
    assert "Close the case" not in html(client.get(detail(case)))
    refused = client.post(reverse("cases:status", args=[case.pk]), {"status": "waiting"})
    assert refused.status_code == 200 and "Support staff change the status of a case." in html(refused)
    case_set_status(actor=support, case=case, status="resolved")
    assert "Close the case" in html(client.get(detail(case)))
    assert client.post(reverse("cases:status", args=[case.pk]), {"status": "closed"}).status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED


def test_support_escalate_once_and_the_tam_acknowledges(client_for, ess, alice, support, tam):
    case = open_case(ess, alice)
    client = client_for(support)
    response = client.post(reverse("cases:escalate", args=[case.pk]), {"reason": "Line down"})
    assert response.status_code == 302
    escalation = Escalation.objects.get()
    assert escalation.escalated_to == tam and escalation.reason == "Line down"
    page = html(client.get(detail(case)))
    assert "Escalated to Terry Tamsin" in page and "Escalate to the TAM" not in page
    again = client.post(reverse("cases:escalate", args=[case.pk]), {"reason": "Still down"})
    assert again.status_code == 200 and "already escalated" in html(again)
    assert Escalation.objects.count() == 1

    tam_client = client_for(tam)
    listing = html(tam_client.get(reverse("cases:escalations")))
    assert case.reference in listing and "due in 15 min" in listing
    done = tam_client.post(reverse("cases:acknowledge", args=[escalation.pk]))
    assert done.status_code == 302 and done["Location"] == detail(case)
    escalation.refresh_from_db()
    assert escalation.acknowledged_by == tam
    assert Milestone.objects.get(escalation=escalation).state == "met"
    listing = html(tam_client.get(reverse("cases:escalations")))
    assert "Nothing is waiting for you." in listing and case.reference in listing  # now among the acknowledged
    twice = tam_client.post(reverse("cases:acknowledge", args=[escalation.pk]), follow=True)
    assert "already acknowledged" in html(twice)


def test_only_tam_level_users_see_and_acknowledge_escalations(client_for, ess, alice, support, tam_level):
    case = open_case(ess, alice)
    escalation = case_escalate(actor=support, case=case)
    assert client_for(support).get(reverse("cases:escalations")).status_code == 403
    assert client_for(support).post(reverse("cases:acknowledge", args=[escalation.pk])).status_code == 403
    assert client_for(alice).get(reverse("cases:escalations")).status_code == 403
    assert client_for(alice).post(reverse("cases:acknowledge", args=[escalation.pk])).status_code == 404
    assert client_for(tam_level).get(reverse("cases:escalations")).status_code == 200
    # Any TAM-level resource may acknowledge, from the case page.
    assert "Acknowledge the escalation" in html(client_for(tam_level).get(detail(case)))
    assert client_for(tam_level).post(reverse("cases:acknowledge", args=[escalation.pk])).status_code == 302
    escalation.refresh_from_db()
    assert escalation.acknowledged_by == tam_level


def test_staff_log_a_call_in_their_own_zone_and_mark_a_voicemail_answered(client_for, ess, alice, support):
    support.time_zone = "Europe/Berlin"
    support.save()
    case = open_case(ess, alice)
    client = client_for(support)
    url = reverse("cases:log-contact", args=[case.pk])
    response = client.post(
        url, {"kind": "phone", "received_at": "2026-12-14T19:50", "answered_at": "2026-12-14T19:51", "notes": "Line"}
    )
    assert response.status_code == 302
    call = ContactLog.objects.get(kind="phone")
    assert call.received_at == dt.datetime(2026, 12, 14, 11, 50, tzinfo=DENVER)  # 19:50 in Berlin
    assert Milestone.objects.get(contact=call).state == "met"

    client.post(url, {"kind": "voicemail", "received_at": "2026-12-14T19:30"})
    voicemail = ContactLog.objects.get(kind="voicemail")
    page = html(client.get(detail(case)))
    assert "Mark answered" in page and f'id="id_answered_{voicemail.pk}_answered_at"' in page
    assert client.post(url, {"contact": voicemail.pk, "answered_at": ""}).status_code == 302
    voicemail.refresh_from_db()
    assert voicemail.answered_at == NOW
    again = client.post(url, {"contact": voicemail.pk})
    assert again.status_code == 200 and "This was already answered." in html(again)


def test_bad_contact_input_is_refused_with_a_reason(client_for, ess, alice, support):
    case = open_case(ess, alice)
    other = open_case(ess, alice, subject="Other")
    other_call = contact_log(actor=support, case=other, kind="phone", received_at=NOW)
    client = client_for(support)
    url = reverse("cases:log-contact", args=[case.pk])
    future = client.post(url, {"kind": "phone", "received_at": "2026-12-14T15:00"})
    assert future.status_code == 200 and "A call cannot be received in the future." in html(future)
    early = client.post(url, {"kind": "phone", "received_at": "2026-12-14T11:00", "answered_at": "2026-12-14T10:00"})
    assert early.status_code == 200 and "It was answered after it came in." in html(early)
    garbled = client.post(url, {"kind": "fax", "received_at": "yesterday"})
    assert garbled.status_code == 200 and "Enter a valid date/time." in html(garbled)
    unknown = client.post(url, {"kind": "fax", "received_at": "2026-12-14T11:00"})
    assert unknown.status_code == 200 and "Choose what was received." in html(unknown)
    assert client.post(url, {"contact": other_call.pk}).status_code == 404
    assert client.post(url, {"contact": "abc"}).status_code == 404
    assert ContactLog.objects.filter(case=case).count() == 0


def test_mutations_are_post_only(client_for, ess, alice, support):
    case = open_case(ess, alice)
    client = client_for(support)
    for name in ("reply", "note", "status", "escalate", "log-contact"):
        assert client.get(reverse(f"cases:{name}", args=[case.pk])).status_code == 405


@pytest.mark.parametrize(
    ("due_in", "kwargs", "label"),
    [
        (dt.timedelta(hours=1, minutes=20), {}, "due in 1 h 20 min"),
        (dt.timedelta(minutes=34, seconds=10), {}, "due in 35 min"),
        (dt.timedelta(days=2, hours=3), {}, "due in 2 days 3 h"),
        (-dt.timedelta(minutes=1), {}, "breached"),
        (dt.timedelta(hours=1), {"breached": True}, "breached"),
        (None, {"paused": True}, "paused"),
    ],
)
def test_countdown_labels(due_in, kwargs, label):
    due_at = NOW + due_in if due_in is not None else None
    assert countdown(due_at, NOW, **kwargs).label == label


def test_the_case_page_takes_a_fixed_number_of_queries(
    client_for, busy_case, support, django_assert_num_queries, django_assert_max_num_queries
):
    client = client_for(support)
    client.get(detail(busy_case))
    # The facts panel (the account's tier, who covers it now) is three of them: tests/perf/test_query_counts.py.
    with django_assert_max_num_queries(15) as first:
        client.get(detail(busy_case))
    for n in range(5):
        case_reply(actor=support, case=busy_case, body=f"Update {n}", attachments=[upload(f"u{n}.txt")])
        case_note(actor=support, case=busy_case, body=f"Note {n}", attachments=[upload(f"n{n}.txt")])
        contact_log(actor=support, case=busy_case, kind="voicemail", received_at=NOW - dt.timedelta(minutes=n))
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(detail(busy_case))


def test_staff_record_a_customers_emailed_reply_on_the_case_page(client_for, ess, alice, support):
    from cases.models import CaseStatus
    from cases.services import case_open, case_set_status

    case = case_open(actor=alice, account=ess, subject="Logs", description="", channel="portal", severity=3)
    case_set_status(actor=support, case=case, status="waiting")
    response = client_for(support).post(
        f"/cases/{case.pk}/reply/",
        {"body": "Attached are the logs (sent by e-mail)", "from_customer": "on", "channel": "email"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN
    entry = case.entries.filter(kind="reply").last()
    assert (entry.author, entry.channel) == (alice, "email")


def test_a_far_future_call_time_is_refused_not_a_500(client_for, ess, alice, support):
    from cases.services import case_open

    case = case_open(actor=alice, account=ess, subject="x", description="", channel="portal", severity=3)
    response = client_for(support).post(
        f"/cases/{case.pk}/contacts/", {"kind": "phone", "received_at": "9999-12-31T23:00"}
    )
    assert response.status_code == 200
    assert case.contacts.count() == 0
