"""SQL queries per request for every role home, the support queue (page and htmx partial), the case page and
every API list, with 10 and with 1,000 rows of everything they list: the counts must be identical, and each
stays within the ceiling written in ``CEILINGS`` below (the measured count: a new query shows up here).

The API lists are taken from the router, so a new list endpoint is measured as soon as it is registered (and
``test_every_api_list_is_in_the_table`` fails until its count is written down). The counts measured are
written to ``test-artifacts/query-counts.json``.
"""

import datetime as dt
import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import (
    Account,
    BusinessCalendar,
    Contract,
    Holiday,
    OpenInterval,
    TamAbsence,
    TamAssignment,
    Tier,
    User,
)
from cases.models import Attachment, Case, CaseEntry, ContactLog, Escalation, Milestone, SlaPolicy, SlaTarget
from ess_portal.schedules import install_default_schedules
from ess_portal.urls import router
from intake.models import PhoneCall, TriageItem, TriageStatus
from integrations.models import ApiToken, WebhookEndpoint, WebhookMessage
from maintenance.models import CreditEntry, MaintenanceEvent
from reviews.models import (
    Finding,
    InventoryRow,
    PreviewSession,
    ProactiveReview,
    Recommendation,
    Release,
    ReleaseItem,
)
from tests.factories import tier
from tests.figures import record
from value_reports.models import ValueReport

NOW = dt.datetime(2026, 5, 4, 16, 0, tzinfo=dt.UTC)  # a Monday, 10:00 in Denver, in Q2 2026
FEW, MANY = 10, 1_000
ARTIFACT = Path(__file__).resolve().parents[2] / "test-artifacts" / "query-counts.json"

# Queries per request, as measured (the same on SQLite and PostgreSQL, at 10 and at 1,000 rows). Six of each are
# the request's own: the session, the user, their roles, and the session renewed (savepoint, update, release).
# A count over its ceiling is a regression; a count under it means the ceiling should come down to the new figure.
CEILINGS = {
    # Customer pages: + the contract that ended, when it has (the banner of a lapsed account), one query.
    "home: customer": 21,
    "home: TAM (the TAM dashboard)": 24,
    "home: support": 8,
    "home: TAM-level resource": 8,
    "home: admin": 17,  # + the maintenance events that need a TAM
    "cases: support queue": 11,
    "cases: support queue, htmx partial": 10,
    "cases: customer's case list": 10,
    # The case page: + the account's tier and who covers it now (contract, assignment, absences), three queries.
    "cases: case page, staff": 15,
    "cases: case page, customer": 14,
    "api: account-list, staff": 10,
    "api: account-list, customer": 10,
    "api: event-list, staff": 8,
    "api: event-list, customer": 8,
    "api: case-list, staff": 9,
    "api: case-list, customer": 9,
    "api: escalation-list, staff": 8,
    "api: release-list, staff": 9,
    "api: release-list, customer": 9,
    "api: preview-list, staff": 9,
    "api: preview-list, customer": 9,
    "api: review-list, staff": 11,
    "api: review-list, customer": 11,
    "api: contract-list, staff": 8,
    "api: contract-list, customer": 8,
    "api: tier-list, staff": 8,
    "api: tier-list, customer": 8,
    "api: calendar-list, staff": 10,
    "api: calendar-list, customer": 10,
    "api: absence-list, staff": 8,
    "api: absence-list, customer": 8,
    "api: audit-event-list, staff": 7,
    "api: value-report-list, staff": 8,
    "api: value-report-list, customer": 8,
    "api: renewal-list, staff": 7,
    "api: api-token-list, staff": 8,
    "api: api-token-list, customer": 8,
    "api: webhook-endpoint-list, staff": 8,
    "api: webhook-delivery-list, staff": 8,
    "api: call-list, staff": 8,
    "api: triage-list, staff": 8,
}


def api_list_routes() -> list[str]:
    """Every list the router serves: each viewset's ``list`` and its GET actions on the collection."""
    names = []
    for _prefix, viewset, basename in router.registry:
        if hasattr(viewset, "list"):
            names.append(f"{basename}-list")
        for action in viewset.get_extra_actions():
            if not action.detail and "get" in action.mapping:
                names.append(f"{basename}-{action.url_name}")
    return names


# --- The data: every kind of row a page or list shows, in bulk ---------------------------------------------


def _quarter_back(quarters: int) -> tuple[dt.date, dt.date]:
    """The start and last day of the quarter ``quarters`` before Q1 2026."""
    index = 2026 * 4 - quarters
    start = dt.date(index // 4, index % 4 * 3 + 1, 1)
    following = index + 1
    return start, dt.date(following // 4, following % 4 * 3 + 1, 1) - dt.timedelta(days=1)


@dataclass
class World:
    """The personas' accounts and people, plus rows added in bulk: ``rows`` of each kind, half of them Acme's
    (so Alice's own lists grow too) and half spread over one Enterprise account each."""

    acme: Account
    alice: object
    tam: object
    backup_tam: object
    support: object
    busy_case: Case
    rows: int = 0
    accounts: list = field(default_factory=list)

    def owner(self, i: int) -> Account:
        return self.acme if i % 2 == 0 else self.accounts[i]

    def grow(self, total: int) -> None:
        start, self.rows = self.rows, total
        indexes = range(start, total)
        enterprise = tier("Enterprise")
        self._accounts(indexes, enterprise)
        self._configuration(indexes)
        self._cases(indexes, enterprise)
        self._busy_case(indexes)
        self._maintenance(indexes)
        self._releases_and_previews(indexes)
        self._reviews(indexes)
        self._absences(indexes)
        self._value_reports(indexes)
        self._integrations(indexes)

    def _accounts(self, indexes, enterprise):
        new = Account.objects.bulk_create(Account(name=f"Perf {i:04d}", slug=f"perf-{i:04d}") for i in indexes)
        self.accounts.extend(new)
        TamAssignment.objects.bulk_create(
            TamAssignment(account=a, primary=self.tam, backup=self.backup_tam, valid_from=NOW - dt.timedelta(days=400))
            for a in new
        )
        Contract.objects.bulk_create(Contract(account=a, tier=enterprise, start_date=dt.date(2026, 1, 1)) for a in new)
        CreditEntry.objects.bulk_create(
            CreditEntry(account=a, kind="grant", available_delta=1, quarter_start=dt.date(2026, 4, 1), created_at=NOW)
            for a in new
        )

    def _configuration(self, indexes):
        calendars = BusinessCalendar.objects.bulk_create(
            BusinessCalendar(name=f"Perf calendar {i:04d}", time_zone="America/Denver") for i in indexes
        )
        OpenInterval.objects.bulk_create(
            OpenInterval(calendar=c, weekday=day, opens=dt.time(8), closes=dt.time(17))
            for c in calendars
            for day in range(5)
        )
        Holiday.objects.bulk_create(
            Holiday(calendar=c, date=dt.date(2026, 12, 25), name="Christmas") for c in calendars
        )
        tiers = Tier.objects.bulk_create(
            Tier(name=f"Perf tier {i:04d}", support_calendar=c) for i, c in zip(indexes, calendars, strict=True)
        )
        policies = SlaPolicy.objects.bulk_create(SlaPolicy(tier=t) for t in tiers)
        SlaTarget.objects.bulk_create(
            SlaTarget(
                policy=p,
                name="First response",
                start_event="case_opened",
                meet_event="first_response",
                duration=dt.timedelta(hours=4),
            )
            for p in policies
        )

    def _cases(self, indexes, enterprise):
        targets = SlaTarget.objects.filter(policy__tier=enterprise)
        first_response = {t.severity: t for t in targets.filter(meet_event="first_response")}
        acknowledged = targets.get(meet_event="acknowledged")
        statuses = ["new", "open", "waiting", "escalated"]
        cases = Case.objects.bulk_create(
            Case(
                account=self.owner(i),
                contact=self.alice if i % 2 == 0 else None,
                subject=f"Case {i:04d}",
                channel="portal",
                severity=i % 4 + 1,
                status=statuses[i % 4],
                assignee=self.support if i % 3 == 0 else None,
                opened_by=self.alice if i % 2 == 0 else self.support,
                created_at=NOW - dt.timedelta(minutes=i + 1),
            )
            for i in indexes
        )
        milestones = []
        for i, case in zip(indexes, cases, strict=True):
            target = first_response[case.severity]
            due = NOW + dt.timedelta(hours=i % 5 - 1)
            milestones.append(
                Milestone(
                    case=case,
                    target=target,
                    name=target.name,
                    meet_event=target.meet_event,
                    duration=target.duration,
                    clock=target.clock,
                    calendar_id=target.calendar_id,
                    started_at=case.created_at,
                    due_at=due,
                    warn_at=due - dt.timedelta(minutes=30),
                    paused_at=NOW - dt.timedelta(minutes=5) if case.status == "waiting" else None,
                    breached_at=due if due < NOW else None,
                )
            )
        Milestone.objects.bulk_create(milestones)
        CaseEntry.objects.bulk_create(
            CaseEntry(
                case=case,
                kind="reply",
                author=case.opened_by,
                channel="portal",
                body=f"What happened in case {i:04d}",
                created_at=case.created_at,
            )
            for i, case in zip(indexes, cases, strict=True)
        )
        escalations = Escalation.objects.bulk_create(
            Escalation(
                case=case,
                escalated_to=self.tam,
                escalated_by=self.support,
                escalated_at=case.created_at,
                acknowledged_at=None if i % 2 == 0 else NOW - dt.timedelta(minutes=1),
                acknowledged_by=None if i % 2 == 0 else self.tam,
            )
            for i, case in zip(indexes, cases, strict=True)
        )
        Milestone.objects.bulk_create(
            Milestone(
                case=escalation.case,
                escalation=escalation,
                target=acknowledged,
                name=acknowledged.name,
                meet_event=acknowledged.meet_event,
                duration=acknowledged.duration,
                clock=acknowledged.clock,
                started_at=escalation.escalated_at,
                due_at=escalation.escalated_at + acknowledged.duration,
                warn_at=escalation.escalated_at + acknowledged.duration / 2,
                met_at=escalation.acknowledged_at,
            )
            for escalation in escalations
        )

    def _busy_case(self, indexes):
        """One case with a timeline of ``rows`` entries (public replies and internal notes), each with a file,
        and ``rows`` logged calls with their clocks."""
        case, enterprise = self.busy_case, tier("Enterprise")
        entries = CaseEntry.objects.bulk_create(
            CaseEntry(
                case=case,
                kind="reply" if i % 2 == 0 else "note",
                public=i % 2 == 0,
                author=self.support if i % 2 else self.alice,
                channel="portal",
                body=f"Entry {i:04d}",
                created_at=NOW - dt.timedelta(hours=2) + dt.timedelta(seconds=i),
            )
            for i in indexes
        )
        Attachment.objects.bulk_create(
            Attachment(
                case=case,
                entry=entry,
                file=f"cases/{case.pk}/perf/{i:04d}.txt",
                name=f"log-{i:04d}.txt",
                size=100,
                content_type="text/plain",
                uploaded_by=entry.author,
                created_at=entry.created_at,
            )
            for i, entry in zip(indexes, entries, strict=True)
        )
        received = [NOW - dt.timedelta(minutes=90) + dt.timedelta(seconds=i) for i in indexes]
        calls = ContactLog.objects.bulk_create(
            ContactLog(
                case=case,
                kind="phone",
                received_at=at,
                answered_at=at + dt.timedelta(minutes=1) if i % 2 else None,
                tam=self.tam,
                logged_by=self.support,
            )
            for i, at in zip(indexes, received, strict=True)
        )
        answered = SlaTarget.objects.get(policy__tier=enterprise, meet_event="call_answered")
        Milestone.objects.bulk_create(
            Milestone(
                case=case,
                contact=call,
                target=answered,
                name=answered.name,
                meet_event=answered.meet_event,
                duration=answered.duration,
                clock=answered.clock,
                started_at=call.received_at,
                due_at=call.received_at + answered.duration,
                warn_at=call.received_at + answered.duration / 2,
                met_at=call.answered_at,
            )
            for call in calls
        )

    def _maintenance(self, indexes):
        """Events a TAM never has twice at once (the database holds that), over the coming weeks."""
        MaintenanceEvent.objects.bulk_create(
            MaintenanceEvent(
                account=self.owner(i),
                requested_by=self.alice if i % 2 == 0 else self.tam,
                performing_tam=self.tam,
                scope="maintenance_release",
                description=f"Event {i:04d}",
                starts_at=NOW + dt.timedelta(days=1, hours=2 * i),
                ends_at=NOW + dt.timedelta(days=1, hours=2 * i + 1),
                status="requested" if i % 2 else "confirmed",
            )
            for i in indexes
        )

    def _releases_and_previews(self, indexes):
        """Releases of the past (drafts among them) with their items, and a preview of each."""
        releases = Release.objects.bulk_create(
            Release(
                version=f"9.{i}.0",
                major=9,
                minor=i,
                patch=0,
                kind="patch" if i % 2 == 0 else "minor",
                planned_date=NOW.date() - dt.timedelta(days=i + 1),
                actual_date=NOW.date() - dt.timedelta(days=i + 1),
                published=i % 5 != 4,
                notes=f"Release {i:04d}",
            )
            for i in indexes
        )
        items = ReleaseItem.objects.bulk_create(
            ReleaseItem(release=release, kind=kind, title=f"{kind} of {release.version}", modules="Capture")
            for release in releases
            for kind in ("feature", "fix")
        )
        previews = PreviewSession.objects.bulk_create(
            PreviewSession(
                release=release,
                account=self.owner(i),
                tam=self.tam,
                created_by=self.tam,
                scheduled_at=NOW + dt.timedelta(days=2, hours=i),
            )
            for i, release in zip(indexes, releases, strict=True)
        )
        PreviewSession.items.through.objects.bulk_create(
            PreviewSession.items.through(previewsession=preview, releaseitem=item)
            for preview, item in zip(previews, items[::2], strict=True)
        )

    def _reviews(self, indexes):
        """Acme's published reviews of past quarters, and an overdue review of each other account."""
        reviews = []
        for i in indexes:
            if i % 2 == 0:
                start, due = _quarter_back(i // 2 + 1)
                reviews.append(
                    ProactiveReview(
                        account=self.acme,
                        quarter_start=start,
                        due_date=due,
                        tam=self.tam,
                        status="published",
                        published_at=NOW - dt.timedelta(days=i),
                        published_by=self.tam,
                    )
                )
            else:
                reviews.append(
                    ProactiveReview(
                        account=self.accounts[i],
                        quarter_start=dt.date(2026, 1, 1),
                        due_date=dt.date(2026, 3, 31),
                        tam=self.tam,
                        status="due" if i % 4 == 1 else "scheduled",
                        scheduled_at=None if i % 4 == 1 else NOW + dt.timedelta(days=3, hours=i),
                    )
                )
        reviews = ProactiveReview.objects.bulk_create(reviews)
        Finding.objects.bulk_create(
            Finding(review=r, source="Application event log", level="warning", summary="Slow capture") for r in reviews
        )
        InventoryRow.objects.bulk_create(
            InventoryRow(review=r, extension="pdf", file_count=10, bytes=1_000) for r in reviews
        )
        Recommendation.objects.bulk_create(
            Recommendation(review=r, text="Archive old batches", priority="medium") for r in reviews
        )

    def _value_reports(self, indexes):
        """A value report per row, each of its own account and quarter (Acme's reach back a quarter per row)."""
        ValueReport.objects.bulk_create(
            ValueReport(
                account=self.owner(i),
                quarter_start=_quarter_back(i + 1)[0],
                tier_name="Enterprise",
                figures={"headline": {}},
                generated_at=NOW,
                run=uuid.uuid4(),
            )
            for i in indexes
        )

    def _absences(self, indexes):
        """The TAM's coming absences, a day each, never overlapping (the database holds that)."""
        TamAbsence.objects.bulk_create(
            TamAbsence(
                tam=self.tam,
                starts_at=NOW + dt.timedelta(days=3 + 2 * i),
                ends_at=NOW + dt.timedelta(days=4 + 2 * i),
                note=f"Away {i:04d}",
            )
            for i in indexes
        )

    def _integrations(self, indexes):
        """API tokens (half the admin's, half Alice's), webhook endpoints and a delivery for each, phone calls,
        triage items (every third assigned to an account, with who decided)."""
        admin = User.objects.filter(groups__name="Admin").first()
        ApiToken.objects.bulk_create(
            ApiToken(
                digest=f"{i:0128d}",
                token_key=f"perf{i:011d}",
                user=admin if i % 2 else self.alice,
                name=f"Perf {i:04d}",
                scopes=["read"],
            )
            for i in indexes
        )
        hooks = WebhookEndpoint.objects.bulk_create(
            WebhookEndpoint(name=f"Perf {i:04d}", url="https://hooks.example/x", event_types=["case.created"])
            for i in indexes
        )
        WebhookMessage.objects.bulk_create(
            WebhookMessage(
                endpoint=hook,
                webhook_id=f"msg_perf{i:06d}",
                event_type="case.created",
                account_id=self.acme.pk,
                object_key=f"case:{i}",
                body="{}",
            )
            for i, hook in zip(indexes, hooks, strict=True)
        )
        PhoneCall.objects.bulk_create(
            PhoneCall(
                call_id=f"perf-{i:04d}",
                caller="+13035550100",
                line="support",
                received_at=NOW - dt.timedelta(minutes=i),
                answered_at=NOW - dt.timedelta(minutes=i) + dt.timedelta(seconds=30),
                account=self.owner(i),
                contact=self.alice if i % 2 == 0 else None,
                answered_by=self.support,
            )
            for i in indexes
        )
        TriageItem.objects.bulk_create(
            TriageItem(
                channel="email",
                received_at=NOW - dt.timedelta(minutes=i),
                sender=f"stranger{i:04d}@elsewhere.example",
                summary=f"Perf {i:04d}",
                reason="The sender is not a contact of any account.",
                **(
                    {"status": TriageStatus.ASSIGNED, "account": self.owner(i), "decided_by": self.support}
                    if i % 3 == 0
                    else {}
                ),
            )
            for i in indexes
        )


# --- What is measured --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    name: str
    viewer: str
    url: str
    htmx: bool = False
    shows: str = ""  # on a page: what it shows only once it lists the 1,000th row


def endpoints(world: World) -> list[Endpoint]:
    busy = reverse("cases:detail", args=[world.busy_case.pk])
    last = f"{MANY - 1:04d}"
    pages = [
        Endpoint("home: customer", "alice", "/"),
        Endpoint("home: TAM (the TAM dashboard)", "tam", "/", shows=f"Perf {last}"),
        Endpoint("home: support", "support", "/"),
        Endpoint("home: TAM-level resource", "tam_level", "/"),
        Endpoint("home: admin", "admin", "/", shows=f"Perf tier {last}"),
        Endpoint("cases: support queue", "support", reverse("cases:list"), shows="Page 1 of 21"),
        Endpoint("cases: support queue, htmx partial", "support", reverse("cases:list"), htmx=True, shows="of 21"),
        Endpoint("cases: customer's case list", "alice", reverse("cases:list"), shows=f"Case {MANY - 2:04d}"),
        Endpoint("cases: case page, staff", "support", busy, shows=f"Entry {last}"),
        Endpoint("cases: case page, customer", "alice", busy, shows=f"Entry {MANY - 2:04d}"),
    ]
    lists = []
    for name in api_list_routes():
        url = reverse(f"api:{name}")
        lists.append(Endpoint(f"api: {name}, staff", "admin", url))
        lists.append(Endpoint(f"api: {name}, customer", "alice", url))
    return pages + lists


def measure(client: Client, endpoint: Endpoint) -> tuple[int | None, int | None]:
    """(queries, rows in the list) of the second of two identical requests (the first warms per-process
    caches). Rows are known for page-numbered lists only (a cursor-paginated list has no total); ``(None, None)``
    when the viewer may not read the list at all. A page must show what ``shows`` names once the rows are there."""
    headers = {"HTTP_HX_REQUEST": "true"} if endpoint.htmx else {}
    client.get(endpoint.url, **headers)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(endpoint.url, **headers)
    if response.status_code == 403 and endpoint.name.startswith("api:"):
        return None, None
    assert response.status_code == 200, f"{endpoint.name}: {response.status_code}"
    if endpoint.name.startswith("api:"):
        return len(captured.captured_queries), response.json().get("count")
    if Case.objects.filter(subject=f"Case {MANY - 1:04d}").exists():
        assert endpoint.shows in response.content.decode(), f"{endpoint.name} does not show {endpoint.shows!r}"
    return len(captured.captured_queries), None


@pytest.fixture
def world(ess, standard, alice, bob, tam, backup_tam, support, time_machine):
    time_machine.move_to(NOW, tick=False)
    install_default_schedules()
    busy_case = Case.objects.create(
        account=ess,
        contact=alice,
        subject="The busy case",
        channel="portal",
        status="open",
        opened_by=alice,
        created_at=NOW - dt.timedelta(hours=3),
    )
    for version, planned in (("10.0.1", dt.date(2026, 5, 20)), ("10.0.2", dt.date(2026, 6, 10))):
        Release.objects.create(version=version, kind="patch", planned_date=planned, published=True)
    return World(acme=ess, alice=alice, tam=tam, backup_tam=backup_tam, support=support, busy_case=busy_case)


def test_queries_per_request_do_not_grow_with_rows(world, tam_level, admin_user, subtests):
    people = {"alice": world.alice, "tam": world.tam, "support": world.support, "tam_level": tam_level}
    people["admin"] = admin_user
    clients = {}
    for key, user in people.items():
        clients[key] = Client()
        clients[key].force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    measured = endpoints(world)

    world.grow(FEW)
    few = {e.name: measure(clients[e.viewer], e) for e in measured}
    world.grow(MANY)
    many = {e.name: measure(clients[e.viewer], e) for e in measured}

    served = [e for e in measured if few[e.name][0] is not None]
    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    ARTIFACT.write_text(
        json.dumps(
            {
                "database": connection.vendor,
                "rows": [FEW, MANY],
                "endpoints": {
                    e.name: {
                        "viewer": e.viewer,
                        "url": e.url + (" (htmx)" if e.htmx else ""),
                        f"queries_at_{FEW}": few[e.name][0],
                        f"queries_at_{MANY}": many[e.name][0],
                        "ceiling": CEILINGS.get(e.name),
                    }
                    for e in served
                },
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    for endpoint in served:
        with subtests.test(msg=endpoint.name):
            (queries_few, rows_few), (queries_many, rows_many) = few[endpoint.name], many[endpoint.name]
            assert queries_many == queries_few, (
                f"{endpoint.name}: {queries_few} queries at {FEW} rows, {queries_many} at {MANY}"
            )
            assert endpoint.name in CEILINGS, f"{endpoint.name} ({queries_few} queries) has no ceiling in the table"
            assert queries_many <= CEILINGS[endpoint.name], (
                f"{endpoint.name}: {queries_many} queries, ceiling {CEILINGS[endpoint.name]}"
            )
            if rows_few is not None and endpoint.viewer == "admin":
                assert rows_many > rows_few, f"{endpoint.name} did not list more rows ({rows_few}, {rows_many})"
    if all(few[e.name][0] == many[e.name][0] for e in served):
        record("queries", f"query counts: {len(served)} pages and API lists, identical at 10 and 1,000 rows")


def test_every_api_list_is_in_the_table():
    """A new list endpoint fails here until its measured count is written into CEILINGS."""
    lists = api_list_routes()
    assert lists, "the router serves no list"
    measured = {name.removeprefix("api: ").rsplit(", ", 1)[0] for name in CEILINGS if name.startswith("api: ")}
    assert set(lists) == measured
