"""Side channels never carry another account's data: e-mails (with their calendar attachments), the private
calendar feeds, case attachments, the review report's history chart, and every filter and search a customer
can reach.

Two Enterprise accounts share a TAM (Bianca is Acme's backup and Globex's primary), the case most likely to
mix them up. Each account does the same things, so both receive every kind of message; then every message,
feed and answer is read for the other account's names, subjects, descriptions and calendar UIDs. The quarterly
value reports (their pages, PDF and API) are read the same way in ``tests/value_reports``; the one CSV export, the
renewals, is the administrators' alone.
"""

import datetime as dt
import re
import zoneinfo

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import get_resolver

from accounts.quarters import Quarter
from accounts.roles import Role
from accounts.services import absence_record, contract_create, coverage_assign, user_set_roles
from cases.services import case_escalate, case_note, case_open, case_reply
from core.outbox import outbox_deliver
from maintenance.credits import quarter_roll_over
from maintenance.models import CalendarFeed
from maintenance.notifications import event_uid
from maintenance.reminders import reminders_send
from maintenance.services import event_accept_proposal, event_book, event_cancel, event_confirm, event_propose
from reviews import services as reviews
from reviews.models import ProactiveReview, ReviewStatus
from reviews.notifications import preview_uid
from tests.cases import test_search as staff_search
from tests.factories import UserFactory, customer_user, tier
from tests.value_reports import test_pages as value_report_pages

from .test_isolation_matrix import _walk

DENVER = zoneinfo.ZoneInfo("America/Denver")
MONDAY = dt.datetime(2026, 5, 4, 10, tzinfo=DENVER)


def at(day: int, hour: int) -> dt.datetime:
    return dt.datetime(2026, 5, day, hour, tzinfo=DENVER)


class Tenant:
    """One account's people and what identifies its data."""

    def __init__(self, account, customers):
        self.account = account
        self.customers = customers
        self.markers: set[str] = {account.name, *(user.email for user in customers)}

    def mark(self, *texts: str) -> None:
        self.markers.update(text for text in texts if text)


@pytest.fixture
def tenants(ess, globex, alice, bob, tam, backup_tam, admin_user, time_machine):
    """Acme and Globex, both Enterprise, sharing Bianca; each books, is confirmed, reminded, opens cases, gets
    replies, a preview invitation, Bianca's absence notice; Acme also gets a published review and a cancellation."""
    time_machine.move_to(MONDAY, tick=False)
    gina = UserFactory(email="gina@ess.example", first_name="Gina", roles=[Role.TAM])
    coverage_assign(
        actor=None, account=globex, primary=backup_tam, backup=gina, at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    )
    contract_create(actor=None, account=globex, tier=tier("Enterprise"), start_date=dt.date(2026, 1, 1))
    quarter_roll_over(as_of=MONDAY.date(), since=Quarter(2026, 1))  # two credits each: Q1's and Q2's
    acme = Tenant(ess, [alice, customer_user(ess, email="carol@acme.example", first_name="Carol")])
    glob = Tenant(globex, [bob, customer_user(globex, email="gus@globex.example", first_name="Gus")])

    # Maintenance: both book, Acme is confirmed, Globex gets another time and accepts it, both are reminded.
    acme_event = event_book(
        actor=alice,
        account=ess,
        scope="maintenance_release",
        description="Acme capture servers: apply 10.2.1",
        starts_at=at(23, 10),
        duration=dt.timedelta(hours=2),
    )
    globex_event = event_book(
        actor=bob,
        account=globex,
        scope="maintenance_release",
        description="Globex scanners: apply 10.2.1",
        starts_at=at(23, 13),
        duration=dt.timedelta(hours=1),
    )
    event_confirm(actor=tam, event=acme_event)
    event_propose(actor=backup_tam, event=globex_event, starts_at=at(30, 13), duration=dt.timedelta(hours=1))
    event_accept_proposal(actor=bob, event=globex_event)
    dropped = event_book(
        actor=alice,
        account=ess,
        scope="maintenance_release",
        description="Acme archive move, dropped",
        starts_at=at(30, 9),
        duration=dt.timedelta(hours=1),
    )
    event_cancel(actor=alice, event=dropped, on_behalf_of="customer", reason="Not needed")
    reminders_send(now=at(21, 11))
    reminders_send(now=at(28, 14))
    for tenant, events in ((acme, [acme_event, dropped]), (glob, [globex_event])):
        for event in events:
            tenant.mark(event.description, event_uid(event))

    # Cases opened for them by support, answered, one escalated and noted internally.
    support = UserFactory(email="sam@ess.example", roles=[Role.SUPPORT])
    for tenant, subject in ((acme, "Acme invoices stuck in capture"), (glob, "Globex scanner profile gone")):
        case = case_open(
            actor=support,
            account=tenant.account,
            contact=tenant.customers[0],
            subject=subject,
            description="Phoned in",
            channel="phone",
            severity=2,
        )
        case_reply(actor=support, case=case, body=f"We are looking at {subject.lower()}.")
        tenant.mark(subject, case.reference)
        tenant.case = case
    case_note(actor=support, case=acme.case, body="Acme's service password expired (internal)")
    case_escalate(actor=support, case=acme.case, reason="Production down")

    # Bianca's absence: both accounts' customers are told, each about their own coverage.
    absence_record(actor=backup_tam, tam=backup_tam, starts_at=at(11, 8), ends_at=at(12, 18), note="Training")

    # Previews of the patch release for both; Globex declines its own.
    release = reviews.release_create(
        actor=admin_user, version="10.2.1", kind="patch", planned_date=dt.date(2026, 5, 26), published=True
    )
    reviews.release_item_add(actor=admin_user, release=release, kind="fix", title="GP posting", modules="GP")
    for tenant, planner, when in ((acme, tam, at(13, 10)), (glob, backup_tam, at(14, 10))):
        preview = reviews.preview_plan(actor=planner, release=release, account=tenant.account, scheduled_at=when)
        tenant.mark(preview_uid(preview))
        tenant.preview = preview
    reviews.preview_decline(actor=bob, preview=glob.preview, reason="Month end")

    # Acme's review of the quarter is published to Acme.
    review = ProactiveReview.objects.create(
        account=ess,
        quarter_start=dt.date(2026, 4, 1),
        due_date=dt.date(2026, 6, 30),
        tam=tam,
        status=ReviewStatus.HELD,
        scheduled_at=at(1, 10),
        held_at=at(1, 12),
    )
    reviews.finding_add(actor=tam, review=review, source="Event log", level="error", count=4, summary="Acme disk full")
    reviews.inventory_set_row(actor=tam, review=review, extension="acmetif", file_count=10, bytes=1000)
    reviews.review_publish(actor=tam, review=review)
    acme.mark("Acme disk full", "acmetif")
    acme.review = review
    return acme, glob


def _readable(message) -> str:
    parts = [message.subject, message.body, *message.to]
    for attachment in message.attachments:
        content = attachment[1] if isinstance(attachment, tuple) else attachment.get_payload(decode=True)
        parts.append(content.decode(errors="replace") if isinstance(content, bytes) else str(content))
    return "\n".join(parts)


def test_no_email_carries_another_accounts_data(tenants):
    acme, glob = tenants
    mail.outbox.clear()
    outbox_deliver()
    received: dict[str, list[str]] = {}
    leaks = []
    for message in mail.outbox:
        for tenant, other in ((acme, glob), (glob, acme)):
            if not set(message.to) & {user.email for user in tenant.customers}:
                continue
            text = _readable(message)
            received.setdefault(tenant.account.slug, []).append(message.subject)
            leaks += [(message.to, message.subject, marker) for marker in other.markers if marker in text]
    assert not leaks, leaks
    # Not vacuous: both accounts' customers got every kind of message, calendar invitations included.
    for slug, kinds in {
        "acme": ["Confirmed", "Reminder", "Cancelled", "We opened a case", "absence", "preview", "review"],
        "globex": ["proposes another time", "Confirmed", "Reminder", "We opened a case", "absence", "preview"],
    }.items():
        subjects = "\n".join(received.get(slug, []))
        assert all(kind.lower() in subjects.lower() for kind in kinds), (slug, received.get(slug))
    invites = [m for m in mail.outbox if any(a[0].endswith(".ics") for a in m.attachments)]
    assert {to for m in invites for to in m.to} >= {"alice@acme.example", "bob@globex.example"}


def test_an_absence_notice_tells_each_account_only_its_own_coverage(tenants):
    mail.outbox.clear()
    outbox_deliver()
    notices = [m for m in mail.outbox if "absence" in m.subject.lower()]
    to_acme = [m for m in notices if m.to[0].endswith("@acme.example")]
    to_globex = [m for m in notices if m.to[0].endswith("@globex.example")]
    assert to_acme and to_globex
    assert all("Acme Manufacturing" in m.body and "Globex" not in m.body for m in to_acme)
    assert all("Globex Logistics" in m.body and "Acme" not in m.body for m in to_globex)


def _feed_of(client_for, user) -> bytes:
    client = client_for(user)
    client.post("/maintenance/feed/")
    feed = CalendarFeed.objects.filter(revoked_at__isnull=True, created_by=user).get()
    return client.get(f"/feeds/{feed.token}.ics").content


def test_calendar_feeds_carry_their_own_events_only(client_for, tenants, alice, bob, tam, backup_tam):
    acme, glob = tenants
    feeds = {
        "alice": (_feed_of(client_for, alice).decode(), acme, glob),
        "bob": (_feed_of(client_for, bob).decode(), glob, acme),
    }
    for name, (body, own, other) in feeds.items():
        uids = set(re.findall(r"UID:(\S+)", body))
        assert uids, f"{name}'s feed is empty"
        assert uids <= own.markers, (name, uids - own.markers)
        assert not [marker for marker in other.markers if marker in body], name
    # A TAM's feed: the events they perform, whichever account (staff see both), nothing else.
    terry = _feed_of(client_for, tam).decode()
    assert "Acme capture servers" in terry and "Globex scanners" not in terry
    bianca = _feed_of(client_for, backup_tam).decode()
    assert "Globex scanners" in bianca and "Acme capture servers" not in bianca


def test_a_feed_stops_when_its_maker_moves_to_another_account(client, client_for, tenants, alice, globex):
    client_for(alice).post("/maintenance/feed/")
    feed = CalendarFeed.objects.get(created_by=alice, revoked_at__isnull=True)
    assert client.get(f"/feeds/{feed.token}.ics").status_code == 200
    user_set_roles(actor=None, user=alice, roles={Role.CUSTOMER}, account=globex)
    assert client.get(f"/feeds/{feed.token}.ics").status_code == 404


def test_attachments_reach_only_those_who_may_read_their_line(client_for, tenants, alice, bob, settings, tmp_path):
    acme, _ = tenants
    settings.MEDIA_ROOT = tmp_path
    case = acme.case
    case_reply(
        actor=alice,
        case=case,
        body="the log",
        attachments=[SimpleUploadedFile("acme-capture.log", b"acme capture log", "text/plain")],
    )
    support = case.opened_by
    case_note(
        actor=support,
        case=case,
        body="trace",
        attachments=[SimpleUploadedFile("acme-trace.log", b"acme internal trace", "text/plain")],
    )
    public, internal = (case.attachments.get(name=name) for name in ("acme-capture.log", "acme-trace.log"))
    answers = {
        (who.email, attachment.name): client_for(who).get(f"/cases/attachments/{attachment.pk}/")
        for who in (alice, bob, support)
        for attachment in (public, internal)
    }
    assert b"".join(answers[(alice.email, "acme-capture.log")].streaming_content) == b"acme capture log"
    assert answers[(alice.email, "acme-trace.log")].status_code == 404  # an internal note's file
    assert answers[(bob.email, "acme-capture.log")].status_code == 404
    assert answers[(bob.email, "acme-trace.log")].status_code == 404
    assert answers[(support.email, "acme-trace.log")].status_code == 200
    # The customer's timeline (page and API) names neither the internal note nor its file.
    for url in (f"/cases/{case.pk}/", f"/api/v1/cases/{case.pk}/timeline/"):
        body = client_for(alice).get(url).content.decode()
        assert "acme-trace.log" not in body and "service password expired" not in body, url


def test_the_report_chart_shows_the_accounts_own_history(client_for, tenants, alice, bob, tam, globex):
    acme, _ = tenants
    other = ProactiveReview.objects.create(
        account=globex,
        quarter_start=dt.date(2026, 1, 1),
        due_date=dt.date(2026, 3, 31),
        tam=tam,
        status=ReviewStatus.HELD,
        scheduled_at=at(1, 10) - dt.timedelta(days=60),
        held_at=at(1, 10) - dt.timedelta(days=59),
    )
    reviews.inventory_set_row(actor=tam, review=other, extension="globextif", file_count=5, bytes=500)
    reviews.review_publish(actor=tam, review=other)
    page = client_for(alice).get(f"/reviews/{acme.review.pk}/report/").content.decode()
    assert "acmetif" in page and "globextif" not in page
    assert client_for(bob).get(f"/reviews/{acme.review.pk}/report/").status_code == 404


# Every filter or search a customer can reach, with values that name the other account.
FILTERS = [
    "/",
    "/maintenance/?account={other_slug}",
    "/maintenance/check-slot/?account={other_slug}&starts_at=2026-05-23T10:00&duration=60",
    "/cases/?account={other_pk}&status=open",
    "/cases/new/?account={other_pk}",
    "/reviews/",
    "/reviews/previews/?show=all",
    "/reviews/releases/",
    "/api/v1/accounts/?mine=true",
    "/api/v1/events/?status=confirmed",
    "/api/v1/events/?status=requested",
    "/api/v1/cases/?open=true",
    "/api/v1/cases/?status=waiting",
    "/api/v1/previews/?status=planned",
    "/api/v1/previews/?status=declined",
    "/api/v1/reviews/?overdue=true",
    "/api/v1/reviews/?status=published",
    "/api/v1/absences/?current=true",
    "/api/v1/contracts/",
    "/api/v1/calendars/",
    "/config/autocomplete/?app_label=accounts&model_name=contract&field_name=account&term={other_name}",
]


@pytest.mark.parametrize("template", FILTERS)
def test_filters_and_searches_show_nothing_of_another_account(client_for, tenants, alice, bob, template):
    acme, glob = tenants
    for user, other in ((alice, glob), (bob, acme)):
        url = template.format(
            other_slug=other.account.slug, other_pk=other.account.pk, other_name=other.account.name[:3]
        )
        response = client_for(user).get(url, headers={"HX-Request": "true"} if "check-slot" in url else {})
        assert response.status_code < 500, url
        body = response.content.decode(errors="replace")
        assert not [marker for marker in other.markers if marker in body], (user.email, url)
        if url.startswith("/config/"):
            assert response.status_code in (302, 403) and not body.startswith("{"), url


# Routes that send a file, a feed, a search result or a report: each is read by a test above (or, for one's own
# recovery codes, only ever serves the signed-in user's own). A new one fails here until it is.
SIDE_CHANNEL_ROUTES = {
    "calendar-feed": test_calendar_feeds_carry_their_own_events_only,
    "maintenance:feed": test_calendar_feeds_carry_their_own_events_only,
    "cases:attachment": test_attachments_reach_only_those_who_may_read_their_line,
    "reviews:report": test_the_report_chart_shows_the_accounts_own_history,
    "admin:autocomplete": test_filters_and_searches_show_nothing_of_another_account,
    "mfa_download_recovery_codes": None,
    **dict.fromkeys(
        [
            "value_reports:list",
            "value_reports:detail",
            "value_reports:pdf",
            "value_reports:mail-choice",
            "api:value-report-list",
            "api:value-report-detail",
            "api:value-report-subscription",
        ],
        value_report_pages.test_reports_their_pdf_and_the_mail_choice_carry_only_the_accounts_own_figures,
    ),
    "renewals:export": value_report_pages.test_the_renewals_are_the_administrators,
    "cases:search": staff_search.test_customers_are_refused_and_read_nothing,
}
SIDE_CHANNEL = re.compile(r"export|csv|\.ics|feed|search|autocomplete|download|attachment|report|chart|ical", re.I)


def test_every_file_feed_search_and_report_route_is_covered():
    found = {
        name
        for route, name, _ in _walk(get_resolver().url_patterns)
        if SIDE_CHANNEL.search(f"{route} {name}")
        # The configuration site is for admins (the isolation matrix refuses everyone else); its search is here.
        and (not route.startswith("config/") or name == "admin:autocomplete")
    }
    assert found == set(SIDE_CHANNEL_ROUTES), f"cover these side channels: {sorted(found - set(SIDE_CHANNEL_ROUTES))}"
