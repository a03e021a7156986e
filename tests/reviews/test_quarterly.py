"""The quarterly proactive reviews: one per Enterprise account and quarter, however often the job runs."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import TamAbsence
from accounts.quarters import Quarter
from accounts.services import contract_create, contract_end, coverage_assign
from reviews import tasks
from reviews.models import ProactiveReview, ReviewQuarter, ReviewStatus
from reviews.quarterly import reviews_create_quarterly
from tests.factories import AccountFactory, tier
from tests.races import at_once

from .conftest import NOW, ON_THE_FIXED_CLOCK

D = dt.date


def Quarter2026(number):
    return Quarter(2026, number)


def quarters_of(account):
    return list(
        ProactiveReview.objects.filter(account=account)
        .order_by("quarter_start")
        .values_list("quarter_start", flat=True)
    )


def test_five_runs_make_one_review_per_account_and_quarter(ess, standard, tam):
    for _ in range(5):
        reviews_create_quarterly(as_of=D(2026, 4, 1))
    review = ProactiveReview.objects.get()
    assert (review.account, review.quarter_start, review.due_date) == (ess, D(2026, 4, 1), D(2026, 6, 30))
    assert (review.status, review.tam) == (ReviewStatus.DUE, tam)
    assert review.quarter_label == "Q2 2026"


def test_the_first_run_creates_the_current_quarter_only(ess):
    report = reviews_create_quarterly(as_of=D(2026, 5, 10))
    assert [str(q) for q in report.quarters] == ["Q2 2026"]
    assert report.created == 1
    assert quarters_of(ess) == [D(2026, 4, 1)]


def test_missed_quarters_are_caught_up_in_order(ess):
    reviews_create_quarterly(as_of=D(2026, 1, 2))
    report = reviews_create_quarterly(as_of=D(2026, 10, 5))  # April and July were missed
    assert [str(q) for q in report.quarters] == ["Q1 2026", "Q2 2026", "Q3 2026", "Q4 2026"]
    assert quarters_of(ess) == [D(2026, 1, 1), D(2026, 4, 1), D(2026, 7, 1), D(2026, 10, 1)]
    assert [r.due_date for r in ProactiveReview.objects.order_by("quarter_start")][-1] == D(2026, 12, 31)
    assert ReviewQuarter.objects.count() == 4


def test_since_replays_earlier_quarters_once(ess):
    reviews_create_quarterly(as_of=D(2026, 8, 1), since=Quarter2026(1))
    reviews_create_quarterly(as_of=D(2026, 8, 1), since=Quarter2026(1))
    assert quarters_of(ess) == [D(2026, 1, 1), D(2026, 4, 1), D(2026, 7, 1)]


def test_standard_accounts_get_no_reviews(standard):
    reviews_create_quarterly(as_of=D(2026, 4, 1))
    reviews_create_quarterly(as_of=D(2026, 7, 1))
    assert not ProactiveReview.objects.exists()


def test_a_contract_starting_mid_quarter_gets_that_quarters_review_on_its_first_day(tam, backup_tam):
    reviews_create_quarterly(as_of=D(2026, 4, 1))
    newcomer = AccountFactory()
    coverage_assign(actor=None, account=newcomer, primary=tam, backup=backup_tam)
    contract_create(actor=None, account=newcomer, tier=tier("Enterprise"), start_date=D(2026, 5, 20))
    reviews_create_quarterly(as_of=D(2026, 5, 19))
    assert quarters_of(newcomer) == []
    reviews_create_quarterly(as_of=D(2026, 5, 20))
    assert quarters_of(newcomer) == [D(2026, 4, 1)]
    reviews_create_quarterly(as_of=D(2026, 7, 1))
    assert quarters_of(newcomer) == [D(2026, 4, 1), D(2026, 7, 1)]


def test_an_ended_contract_gets_no_further_reviews(ess):
    reviews_create_quarterly(as_of=D(2026, 4, 1))
    contract_end(actor=None, contract=ess.contracts.get(), end_date=D(2026, 6, 30))
    reviews_create_quarterly(as_of=D(2026, 7, 1))
    assert quarters_of(ess) == [D(2026, 4, 1)]


@ON_THE_FIXED_CLOCK
def test_the_review_goes_to_the_tam_acting_now(ess, tam, backup_tam):
    TamAbsence.objects.create(tam=tam, starts_at=NOW - dt.timedelta(days=1), ends_at=NOW + dt.timedelta(days=3))
    reviews_create_quarterly(as_of=D(2026, 5, 4))
    assert ProactiveReview.objects.get().tam == backup_tam


@ON_THE_FIXED_CLOCK
def test_with_nobody_to_act_the_review_is_created_unassigned(ess, tam, backup_tam):
    for person in (tam, backup_tam):
        TamAbsence.objects.create(tam=person, starts_at=NOW - dt.timedelta(days=1), ends_at=NOW + dt.timedelta(days=3))
    reviews_create_quarterly(as_of=D(2026, 5, 4))
    assert ProactiveReview.objects.get().tam is None


def test_the_job_works_on_sets_whatever_the_number_of_accounts(tam, backup_tam):
    def enterprise_accounts(count):
        for _ in range(count):
            account = AccountFactory()
            coverage_assign(actor=None, account=account, primary=tam, backup=backup_tam)
            contract_create(actor=None, account=account, tier=tier("Enterprise"), start_date=D(2026, 1, 1))

    enterprise_accounts(2)
    with CaptureQueriesContext(connection) as few:
        reviews_create_quarterly(as_of=D(2026, 4, 1), since=Quarter2026(2))
    enterprise_accounts(10)
    with CaptureQueriesContext(connection) as many:
        reviews_create_quarterly(as_of=D(2026, 7, 1), since=Quarter2026(3))
    assert ProactiveReview.objects.filter(quarter_start=D(2026, 7, 1)).count() == 12
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_beat_task(ess):
    result = tasks.create_quarterly_reviews()
    assert result["created"] == 1
    assert tasks.create_quarterly_reviews()["created"] == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_catch_up_the_missed_quarters_in_order_once(tam, backup_tam):
    accounts = [AccountFactory() for _ in range(30)]
    for account in accounts:
        coverage_assign(actor=None, account=account, primary=tam, backup=backup_tam)
        contract_create(actor=None, account=account, tier=tier("Enterprise"), start_date=D(2026, 1, 1))
    reviews_create_quarterly(as_of=D(2026, 1, 1))  # Q1 applied; April and July are missed

    outcomes = at_once(2, lambda n: reviews_create_quarterly(as_of=D(2026, 7, 1)))

    assert outcomes.errors == []
    assert sum(report.created for report in outcomes.results) == 60  # each missed review made once
    for account in accounts:
        assert quarters_of(account) == [D(2026, 1, 1), D(2026, 4, 1), D(2026, 7, 1)]
    # One marker per quarter, written in the order the quarters were applied, each counting its reviews once.
    markers = list(ReviewQuarter.objects.order_by("pk").values_list("quarter_start", "created"))
    assert markers == [(D(2026, 1, 1), 30), (D(2026, 4, 1), 30), (D(2026, 7, 1), 30)]
    for report in outcomes.results:
        assert report.quarters == sorted(report.quarters)
        assert set(report.quarters) <= {Quarter2026(1), Quarter2026(2), Quarter2026(3)}
