"""Mail in, rule by rule, with messages the tests write themselves: who may open or post into what, the TAM's
direct address and its clock, threading, machines' mail, triage, and what a message carries."""

import datetime as dt

import pytest
from allauth.account.models import EmailAddress
from django.core import mail as sent_mail
from django.db import OperationalError
from django.urls import reverse

from cases.models import Attachment, Case, CaseEntry, CaseStatus, Channel, ContactKind, ContactLog, MeetEvent
from cases.services import case_open, case_reply, case_set_status
from core.models import OutboxMessage
from core.outbox import outbox_deliver, tam_address, thread_reference
from intake.models import InboundMail, MailOutcome, TriageItem
from intake.services import mail_ingest
from tests.factories import UserFactory, customer_user

from .conftest import SUPPORT, pipe, written

NOW = dt.datetime(2026, 3, 10, 16, 0, tzinfo=dt.UTC)  # a Tuesday, 10:00 in Denver: support hours
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW, tick=False)]


def _case_with_staff_reply(alice, tam) -> tuple[Case, OutboxMessage]:
    """Alice's case, answered by the TAM on the page: the mail she gets carries the thread's name."""
    case = case_open(actor=alice, account=None, subject="Posting fails", description="It fails.", severity=3)
    case_reply(actor=tam, case=case, body="Which version do you run?")
    return case, OutboxMessage.objects.filter(to=alice.email).latest("id")


# --- Who a message is from, and where it goes --------------------------------------------------------------------


def test_a_known_contact_to_the_support_address_opens_a_case_on_their_account_by_email(alice):
    result = mail_ingest(written(sender="Alice <ALICE@Acme.Example>"))
    case = Case.objects.get()
    assert (result.outcome, result.case_id) == (MailOutcome.CASE, case.pk)
    assert (case.account, case.contact, case.channel, case.opened_by, case.on_behalf) == (
        alice.account,
        alice,
        Channel.EMAIL,
        alice,
        False,
    )
    assert case.subject == "The report screen is slow"
    assert case.entries.get().body.startswith("Since this morning")


def test_an_address_not_proved_yet_is_not_a_known_contact(acme):
    newcomer = customer_user(acme, email="carol@acme.example")
    EmailAddress.objects.filter(user=newcomer).update(verified=False)
    result = mail_ingest(written(sender="carol@acme.example"))
    assert result.outcome == MailOutcome.TRIAGE and not Case.objects.exists()
    assert TriageItem.objects.get().reason == "The sender is not a known contact."


def test_an_unknown_sender_waits_in_triage_and_nobody_is_answered(alice):
    result = mail_ingest(written(sender="stranger@elsewhere.example", subject="Do you know Acme?"))
    item = TriageItem.objects.get()
    assert (result.outcome, result.triage_id, item.summary) == (MailOutcome.TRIAGE, item.pk, "Do you know Acme?")
    assert item.mail.original and not Case.objects.exists() and not OutboxMessage.objects.exists()


def test_a_message_without_a_sender_waits_in_triage():
    raw = b"To: help@ess.example\r\nSubject: who am I\r\nMessage-ID: <nobody@mail.test>\r\n\r\nNo From here.\r\n"
    assert mail_ingest(raw).outcome == MailOutcome.TRIAGE
    assert TriageItem.objects.get().reason == "The message names no sender."


def test_staff_writing_about_no_case_goes_to_triage(support):
    assert mail_ingest(written(sender=support.email)).outcome == MailOutcome.TRIAGE
    assert not Case.objects.exists()


# --- The TAM's direct address -------------------------------------------------------------------------------------


def test_mail_to_a_tams_direct_address_starts_the_tam_reply_clock_and_tells_the_acting_tam(ess, alice, tam):
    mail_ingest(written(sender=alice.email, to=tam_address(tam.pk)))
    case = Case.objects.get()
    contact = ContactLog.objects.get(case=case)
    assert (contact.kind, contact.tam, contact.received_at) == (ContactKind.EMAIL, tam, NOW)
    clock = case.milestones.get(meet_event=MeetEvent.TAM_REPLIED)
    assert clock.met_at is None and clock.due_at == NOW + dt.timedelta(hours=2)
    told = OutboxMessage.objects.get(to=tam.email)
    assert case.reference in told.subject and told.headers["References"] == thread_reference("case", case.pk)


def test_the_tams_reply_by_mail_meets_the_tam_reply_clock_like_a_page_reply(ess, alice, tam, time_machine):
    mail_ingest(written(sender=alice.email, to=tam_address(tam.pk)))
    case = Case.objects.get()
    told = OutboxMessage.objects.get(to=tam.email)
    time_machine.move_to(NOW + dt.timedelta(minutes=30))
    reply = written(
        sender=tam.email,
        subject=f"Re: {told.subject}",
        body="Restart the report service, please.\n\nOn Tue, Alice wrote:\n> Since this morning it is slow.",
        headers={"In-Reply-To": told.message_id},
    )

    result = mail_ingest(reply)

    entry = CaseEntry.objects.get(pk=result.entry_id)
    assert (entry.case, entry.author, entry.public, entry.channel) == (case, tam, True, Channel.EMAIL)
    assert entry.body == "Restart the report service, please."  # the quoted history is not posted
    clock = case.milestones.get(meet_event=MeetEvent.TAM_REPLIED)
    assert clock.met_at == NOW + dt.timedelta(minutes=30)
    assert case.milestones.get(meet_event=MeetEvent.FIRST_RESPONSE).met_at == NOW + dt.timedelta(minutes=30)
    assert OutboxMessage.objects.filter(to=alice.email, subject__contains=case.reference).exists()


def test_a_direct_address_of_nobody_who_is_a_tam_is_the_support_address(alice, support):
    mail_ingest(written(sender=alice.email, to=tam_address(support.pk)))
    assert Case.objects.count() == 1 and not ContactLog.objects.exists()


# --- Threading ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["in-reply-to", "references", "thread-name", "subject-tag", "hash-tag"])
def test_a_reply_threads_into_its_case_as_a_public_customer_entry(how, alice, tam):
    case, notification = _case_with_staff_reply(alice, tam)
    headers, subject = {}, "Re: your question"
    if how == "in-reply-to":
        headers["In-Reply-To"] = notification.message_id
    elif how == "references":
        headers["References"] = f"<older@mail.test> {notification.message_id}"
    elif how == "thread-name":
        headers["References"] = notification.headers["References"]
    elif how == "subject-tag":
        subject = f"Re: [{case.reference}] Posting fails"
    else:
        subject = f"Re: [#{case.pk}] Posting fails"

    result = mail_ingest(written(sender=alice.email, subject=subject, body="Version 12.", headers=headers))

    entry = CaseEntry.objects.get(pk=result.entry_id)
    assert (result.outcome, entry.case, entry.author, entry.public, entry.channel) == (
        MailOutcome.ENTRY,
        case,
        alice,
        True,
        Channel.EMAIL,
    )
    assert Case.objects.count() == 1


def test_a_second_message_answering_the_customers_own_first_one_joins_its_case(alice):
    first = written(sender=alice.email, message_id="<first@mail.test>")
    mail_ingest(first)
    mail_ingest(written(sender=alice.email, body="Forgot the file.", headers={"In-Reply-To": "<first@mail.test>"}))
    assert Case.objects.count() == 1 and Case.objects.get().entries.count() == 2


def test_a_customer_of_another_account_naming_a_case_opens_one_on_their_own_and_learns_nothing(alice, bob, tam):
    case, notification = _case_with_staff_reply(alice, tam)
    entries = case.entries.count()
    forged = written(
        sender=bob.email,
        subject=f"Re: [{case.reference}] Posting fails",
        headers={"In-Reply-To": notification.message_id},
    )

    result = mail_ingest(forged)

    assert case.entries.count() == entries
    own = Case.objects.get(pk=result.case_id)
    assert (own.account, own.contact, own.subject) == (bob.account, bob, "Re: Posting fails")
    assert not OutboxMessage.objects.filter(to=bob.email).exists()


def test_an_unknown_sender_naming_a_case_goes_to_triage_and_the_case_is_untouched(alice, tam):
    case, notification = _case_with_staff_reply(alice, tam)
    entries = case.entries.count()
    result = mail_ingest(written(sender="x@evil.example", headers={"In-Reply-To": notification.message_id}))
    assert result.outcome == MailOutcome.TRIAGE and case.entries.count() == entries


def test_a_customers_mail_to_a_closed_case_opens_a_new_one_that_says_which_it_follows(alice, tam):
    case, notification = _case_with_staff_reply(alice, tam)
    case_set_status(actor=tam, case=case, status=CaseStatus.RESOLVED)
    case_set_status(actor=tam, case=case, status=CaseStatus.CLOSED)
    result = mail_ingest(written(sender=alice.email, headers={"In-Reply-To": notification.message_id}))
    new = Case.objects.get(pk=result.case_id)
    assert new != case and f"This follows {case.reference}, which is closed." in new.entries.get().body


# --- Machines' mail ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "auto-replied"},
        {"Auto-Submitted": "auto-generated; owner-email=x@y"},
        {"Precedence": "bulk"},
        {"Precedence": "junk"},
        {"Precedence": "auto_reply"},
        {"X-Autoreply": "yes"},
        {"X-Autorespond": "Out of office"},
        {"Return-Path": "<>"},
        {"Return-Path": "<MAILER-DAEMON@mx.acme.example>"},
    ],
    ids=lambda headers: next(iter(headers.items()))[0] + "=" + next(iter(headers.items()))[1][:12],
)
def test_auto_replies_and_bounces_open_nothing_and_send_nothing_even_in_a_thread(headers, alice, tam):
    case, notification = _case_with_staff_reply(alice, tam)
    entries, outbox = case.entries.count(), OutboxMessage.objects.count()
    result = mail_ingest(written(sender=alice.email, headers={"In-Reply-To": notification.message_id, **headers}))
    assert result.outcome == MailOutcome.AUTOMATIC and result.exit_code == 0
    assert (Case.objects.count(), case.entries.count(), OutboxMessage.objects.count()) == (1, entries, outbox)


def test_a_mailer_daemon_sender_and_a_delivery_report_are_machines(alice):
    assert mail_ingest(written(sender="MAILER-DAEMON@mx.acme.example")).outcome == MailOutcome.AUTOMATIC
    report = (
        b"From: alice@acme.example\r\nTo: help@ess.example\r\nSubject: Delivery report\r\nMessage-ID: <r@m.test>\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n--b\r\n'
        b"Content-Type: text/plain\r\n\r\nNot delivered.\r\n--b--\r\n"
    )
    assert mail_ingest(report).outcome == MailOutcome.AUTOMATIC
    assert not Case.objects.exists() and not TriageItem.objects.exists()


def test_the_portals_own_mail_coming_back_is_dropped(alice, tam):
    _case_with_staff_reply(alice, tam)
    outbox_deliver()
    own = sent_mail.outbox[-1].message().as_bytes()
    assert mail_ingest(own).outcome == MailOutcome.AUTOMATIC


def test_the_same_message_delivered_twice_is_stored_once(alice):
    raw = written(sender=alice.email, message_id="<twice@mail.test>")
    assert mail_ingest(raw).outcome == MailOutcome.CASE
    again = mail_ingest(raw)
    assert (again.outcome, again.exit_code) == ("duplicate", 0)
    assert Case.objects.count() == 1 and InboundMail.objects.count() == 1


def test_without_a_message_id_the_same_bytes_are_the_same_message(alice):
    raw = b"From: alice@acme.example\r\nTo: help@ess.example\r\nSubject: no id\r\n\r\nSame bytes.\r\n"
    mail_ingest(raw)
    mail_ingest(raw)
    assert Case.objects.count() == 1


# --- What a message carries ---------------------------------------------------------------------------------------


def test_html_only_mail_is_kept_as_text_and_never_runs(alice, client_for):
    html = (
        "<html><head><style>p{color:red}</style><script>alert('head')</script></head><body>"
        "<p>The <b>export</b> fails.</p><img src=x onerror=alert(1)><script>alert('body')</script>"
        "<a href='javascript:alert(2)'>details</a></body></html>"
    )
    mail_ingest(written(sender=alice.email, body="", html=html))
    case = Case.objects.get()
    body = case.entries.get().body
    assert "The export fails." in body and "details" in body
    assert "alert" not in body and "<" not in body
    page = client_for(alice).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "onerror" not in page and "javascript:" not in page and "alert(" not in page


def test_encoded_headers_and_any_charset_are_read(alice):
    raw = (
        b"From: =?iso-8859-1?q?Ren=E9?= <alice@acme.example>\r\nTo: help@ess.example\r\n"
        b"Subject: =?utf-8?b?w4Bwcm9wb3MgZHUgcmFwcG9ydA==?=\r\nMessage-ID: <cs@mail.test>\r\n"
        b"Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
    ) + "Le rapport échoue à l'export.\r\n".encode("iso-8859-1")
    mail_ingest(raw)
    case = Case.objects.get()
    assert case.subject == "Àpropos du rapport"
    assert "Le rapport échoue à l'export." in case.entries.get().body


def test_files_follow_the_upload_rules_and_the_refused_are_named(alice, settings):
    settings.INBOUND_EMAIL_MAX_BYTES = 20 * 1024 * 1024  # a message may be larger than a file may be
    mail_ingest(
        written(
            sender=alice.email,
            attachments=[
                ("trace.log", b"line 1\n", "text/plain"),
                ("setup.exe", b"MZ...", "application/octet-stream"),
                ("huge.pdf", b"%PDF" + b"0" * (11 * 1024 * 1024), "application/pdf"),
            ],
        )
    )
    case = Case.objects.get()
    names = set(Attachment.objects.filter(case=case).values_list("name", flat=True))
    assert names == {"trace.log"}  # the original too is larger than a file may be: it is kept for staff
    assert InboundMail.objects.get().original
    assert case.entries.get().body.endswith("(a type or size the portal does not take): setup.exe, huge.pdf")


def test_the_original_message_is_downloadable_by_those_who_may_see_the_case(alice, bob, client_for):
    raw = written(sender=alice.email, message_id="<orig@mail.test>")
    mail_ingest(raw)
    original = Attachment.objects.get(name="original message.eml")
    url = reverse("cases:attachment", args=[original.pk])
    response = client_for(alice).get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == raw
    assert client_for(bob).get(url).status_code == 404


def test_quoted_history_is_folded_away_on_the_case_page(alice, client_for):
    body = "Still broken.\n\nOn Mon, Mar 9, 2026 at 9:00 AM Support <help@ess.example> wrote:\n> Did the patch help?"
    mail_ingest(written(sender=alice.email, body=body))
    page = client_for(alice).get(reverse("cases:detail", args=[Case.objects.get().pk])).content.decode()
    reply, folded = page.split('<details class="quoted">', 1)
    assert "Still broken." in reply and "Did the patch help?" in folded.split("</details>", 1)[0]


def test_a_mail_without_quoted_history_shows_as_paragraphs_with_its_markup_escaped_once(alice, client_for):
    body = "Can we move next month's event?\n\n<b>Thanks</b> & regards"
    mail_ingest(written(sender=alice.email, body=body))
    page = client_for(alice).get(reverse("cases:detail", args=[Case.objects.get().pk])).content.decode()
    assert "<p>Can we move next month&#x27;s event?</p>" in page
    assert "<p>&lt;b&gt;Thanks&lt;/b&gt; &amp; regards</p>" in page
    assert "&lt;p&gt;" not in page


# --- The pipe's exit status ------------------------------------------------------------------------------------------


def test_the_pipe_exits_0_for_every_readable_message_and_65_for_what_is_not_one(alice, monkeypatch):
    assert pipe(written(sender=alice.email), monkeypatch)[0] == 0
    assert pipe(written(sender="unknown@nowhere.example"), monkeypatch)[0] == 0
    assert pipe(b"", monkeypatch)[0] == 65
    assert pipe(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), monkeypatch)[0] == 65
    assert pipe(b"From: a@b.example\r\nTo: help@ess.example\r\n" + bytes(100), monkeypatch)[0] == 65
    assert InboundMail.objects.count() == 2


def test_with_the_database_unavailable_the_pipe_exits_75_and_keeps_nothing(alice, monkeypatch):
    def unavailable(*args, **kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr("intake.services._claim", unavailable)
    code, said = pipe(written(sender=alice.email), monkeypatch)
    assert code == 75 and said.startswith("retry")
    assert not Case.objects.exists()


def test_with_the_storage_unavailable_the_pipe_exits_75_and_keeps_nothing(monkeypatch):
    def unavailable(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("intake.services._keep_original", unavailable)
    assert pipe(written(sender="stranger@nowhere.example"), monkeypatch)[0] == 75
    assert not InboundMail.objects.exists() and not TriageItem.objects.exists()


def test_anything_unforeseen_is_never_a_traceback(monkeypatch, capsys):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("intake.services.spool", broken)
    code, _ = pipe(written(sender="a@b.example"), monkeypatch)
    assert code == 75 and "Traceback" not in capsys.readouterr().err


def test_a_message_the_portal_fails_to_file_waits_in_triage_with_the_reason(alice, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug in threading")

    monkeypatch.setattr("intake.services.threaded_case", broken)
    result = mail_ingest(written(sender=alice.email))
    assert result.outcome == MailOutcome.TRIAGE and not Case.objects.exists()
    assert TriageItem.objects.get().reason == "It could not be filed by itself (RuntimeError)."


# --- Outgoing mail, and the addresses customers see -----------------------------------------------------------------


def test_case_mail_names_its_thread_and_leads_replies_back_and_says_a_machine_sent_it(alice, tam):
    case, _ = _case_with_staff_reply(alice, tam)
    outbox_deliver()
    message = sent_mail.outbox[-1].message()
    assert message["References"] == thread_reference("case", case.pk)
    assert message["Reply-To"] == SUPPORT
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Message-ID"].startswith("<outbox-")


def test_customers_see_their_tams_direct_address_on_the_portal_and_the_api(ess, alice, tam, backup_tam, client_for):
    client = client_for(alice)
    home = client.get(reverse("home")).content.decode()
    assert tam_address(tam.pk) in home and tam_address(backup_tam.pk) in home
    accounts = client.get("/api/v1/accounts/").json()["results"]
    assert accounts[0]["primary_tam"]["direct_email"] == tam_address(tam.pk) == f"help+tam-{tam.pk}@ess.example"
    assert accounts[0]["backup_tam"]["direct_email"] == tam_address(backup_tam.pk)


def test_staff_replies_need_a_proved_address_too(alice, tam):
    case, notification = _case_with_staff_reply(alice, tam)
    impostor = UserFactory(email="new.tam@ess.example")
    EmailAddress.objects.filter(user=impostor).update(verified=False)
    result = mail_ingest(written(sender=impostor.email, headers={"In-Reply-To": notification.message_id}))
    assert result.outcome == MailOutcome.TRIAGE and case.entries.filter(author=impostor).count() == 0
