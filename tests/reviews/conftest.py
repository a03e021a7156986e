"""Releases and review fixtures on a fixed clock: Monday, May 4, 2026, 10:00 in Denver (Q2 2026). A module whose
tests use them freezes the clock there for each whole test (``pytestmark = ON_THE_FIXED_CLOCK``); a test moves it
on with ``time_machine.move_to(...)``."""

import datetime as dt
import zoneinfo

import pytest

from reviews import services
from reviews.models import Release

DENVER = zoneinfo.ZoneInfo("America/Denver")
NOW = dt.datetime(2026, 5, 4, 10, 0, tzinfo=DENVER)
ON_THE_FIXED_CLOCK = pytest.mark.time_machine(NOW, tick=False)


@pytest.fixture
def release_admin(admin_user):
    return admin_user


@pytest.fixture
def patch_release(time_machine, release_admin) -> Release:
    """KwikTag 10.2.1, a published patch release planned for May 26, 2026, with three items."""
    release = services.release_create(
        actor=release_admin, version="10.2.1", kind="patch", planned_date=dt.date(2026, 5, 26), published=True
    )
    for kind, title, modules in [
        ("fix", "GP posting of multi-currency invoices", "GP connector"),
        ("fix", "TIFF rotation on import", "Capture"),
        ("feature", "Archive saved searches", "Archive"),
    ]:
        services.release_item_add(actor=release_admin, release=release, kind=kind, title=title, modules=modules)
    return release


def at(day: int, hour: int = 10, month: int = 5) -> dt.datetime:
    """A moment in May 2026 (or ``month``), Denver time."""
    return dt.datetime(2026, month, day, hour, tzinfo=DENVER)


def more_ess_accounts(count, primary, backup, *, start=0):
    """``count`` more Enterprise accounts owned by ``primary``, with ``backup`` as their backup TAM."""
    from accounts.services import contract_create, coverage_assign
    from tests.factories import AccountFactory, tier

    accounts = []
    for number in range(start, start + count):
        account = AccountFactory(name=f"Extra {number:02d}", slug=f"extra-{number:02d}")
        coverage_assign(
            actor=None, account=account, primary=primary, backup=backup, at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
        )
        contract_create(actor=None, account=account, tier=tier("Enterprise"), start_date=dt.date(2026, 1, 1))
        accounts.append(account)
    return accounts


def fill_review(review, tam, *, published=True):
    """Schedule a review on May 1, record an inventory, a finding and a recommendation, hold it, publish it."""
    services.review_schedule(actor=tam, review=review, scheduled_at=at(1))
    services.inventory_set_row(actor=tam, review=review, extension="pdf", file_count=10, bytes=10_000)
    services.finding_add(actor=tam, review=review, source="App log", level="warning", count=3, summary="Timeouts")
    services.recommendation_add(actor=tam, review=review, text="Add disk", priority="high")
    services.review_hold(actor=tam, review=review)
    if published:
        services.review_publish(actor=tam, review=review)
    review.refresh_from_db()
    return review


@pytest.fixture
def review(ess, time_machine):
    """Acme's Q2 2026 review, due Jun 30 and assigned to Terry."""
    from reviews.models import ProactiveReview
    from reviews.quarterly import reviews_create_quarterly

    reviews_create_quarterly()
    return ProactiveReview.objects.get(account=ess)
