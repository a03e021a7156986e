"""Fill an empty, migrated PostgreSQL database with a realistic vendor for the benchmarks (``manage.py seed_bench``).

Full scale (the defaults): 5,000 accounts (about half Enterprise), 150 TAMs, 200,000 cases over two years with
their timelines and five SLA clocks each (1,000,000 milestones; a phone case's call and an escalation own theirs),
a 1,000,000-row credit ledger, 20,000 maintenance events, 40 releases with previews, and a proactive review per
Enterprise account for each of 8 quarters. One TAM owns 200 accounts and another 5 (the dashboard benchmark);
20 accounts without history are kept for the booking benchmark.

One module per domain, in the order they load: ``accounts`` (people, accounts, contracts, coverage), ``cases``
(cases, timelines, clocks, calls, escalations), ``ledger`` (credits and maintenance events) and ``reviews``
(releases, previews, proactive reviews); ``base`` holds the COPY loader they share.

The big tables are written with PostgreSQL ``COPY`` in batches, ids assigned here. During the load the session
runs with ``session_replication_role = replica``: that skips row triggers (the audit trail would otherwise
record a million synthetic rows) and the foreign-key triggers; the data is consistent by construction, and every
foreign key of the loaded tables is checked before the transaction commits. Unique, check and exclusion
constraints stay enforced.
"""

from collections.abc import Callable

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Account, User
from accounts.priority import accounts_priority_refresh
from accounts.quarters import vendor_today, vendor_zone
from bench.names import BIG_TAM_ACCOUNTS
from bench.seed.accounts import LEAST_ACCOUNTS, load_people_and_accounts
from bench.seed.base import Seeding
from bench.seed.cases import load_cases
from bench.seed.ledger import load_credits_and_events
from bench.seed.reviews import load_releases_and_reviews
from cases.models import Case, CaseEntry, ContactLog, Milestone, SlaTarget
from maintenance.models import CreditEntry, MaintenanceEvent
from reviews.models import Finding, InventoryRow, PreviewSession, ProactiveReview, Recommendation, Release

# Every reference of the tables loaded without foreign-key triggers: (model, field, the model it points to).
LOADED_REFERENCES = [
    (Case, "account", Account),
    (Case, "contact", User),
    (Case, "opened_by", User),
    (CaseEntry, "case", Case),
    (Milestone, "case", Case),
    (Milestone, "target", SlaTarget),
    (ContactLog, "case", Case),
    (CreditEntry, "account", Account),
    (CreditEntry, "event", MaintenanceEvent),
    (MaintenanceEvent, "account", Account),
    (MaintenanceEvent, "performing_tam", User),
    (PreviewSession, "release", Release),
    (ProactiveReview, "account", Account),
    (Finding, "review", ProactiveReview),
    (InventoryRow, "review", ProactiveReview),
    (Recommendation, "review", ProactiveReview),
]


def seed_vendor(*, options: dict, log: Callable[[str], None]) -> None:
    """Load the vendor in one transaction, prove its references, then analyse the tables. ``options``: the sizes
    (accounts, tams, cases, ledger, events, releases, quarters) and the random ``seed``."""
    if connection.vendor != "postgresql":
        raise CommandError("seed_bench needs PostgreSQL (it loads with COPY).")
    if settings.DEBUG:
        raise CommandError("Run seed_bench with DEBUG off: DEBUG keeps every query in memory.")
    if Case.objects.exists() or Account.objects.exists():
        raise CommandError("seed_bench fills an empty database; this one already has accounts or cases.")
    if options["accounts"] < LEAST_ACCOUNTS:
        raise CommandError(f"Give at least {LEAST_ACCOUNTS} accounts: the big TAM alone owns {BIG_TAM_ACCOUNTS}.")
    now = timezone.now()
    seeding = Seeding(options=options, now=now, today=vendor_today(now), zone=vendor_zone(), log=log)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
        vendor = load_people_and_accounts(seeding)
        accounts_priority_refresh(today=seeding.today)  # contracts loaded without their services
        load_cases(seeding, vendor)
        load_credits_and_events(seeding, vendor)
        load_releases_and_reviews(seeding, vendor)
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = origin")
        check_foreign_keys(log)
    log("analysing the tables")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def check_foreign_keys(log: Callable[[str], None]) -> None:
    """The load ran without foreign-key triggers: prove every reference of the big tables resolves."""
    with connection.cursor() as cursor:
        for model, field, target in LOADED_REFERENCES:
            column = model._meta.get_field(field).column
            table, target_table = model._meta.db_table, target._meta.db_table
            cursor.execute(
                f'SELECT COUNT(*) FROM "{table}" x WHERE x.{column} IS NOT NULL '  # noqa: S608
                f'AND NOT EXISTS (SELECT 1 FROM "{target_table}" t WHERE t.id = x.{column})'
            )
            missing = cursor.fetchone()[0]
            if missing:
                raise CommandError(f"{missing} rows of {table}.{column} point nowhere")
    log("every foreign key of the loaded tables resolves")
