"""The count of cases per status the database keeps (cases/tally.py): whatever writes cases (a service, a bulk
insert, a set-based update, a delete), the count per status is the cases' own, in the same transaction; the SLA
job folds it without changing it, twice at once or while cases are written; the staff list answers with it."""

import pytest
from django.db.models import Count
from django.utils import timezone

from cases import tally
from cases.models import OPEN_STATUSES, Case, CaseStatus, CaseTally
from cases.services import case_open, case_set_status
from cases.tasks import chase_sla
from tests.races import at_once


def _by_status() -> dict[str, int]:
    return {row["status"]: row["n"] for row in Case.objects.values("status").annotate(n=Count("id"))}


def _kept() -> dict[str, int]:
    return {status: tally.cases_of([status]) for status in CaseStatus.values if tally.cases_of([status])}


def _open(actor, account, n: int) -> list[Case]:
    return [
        case_open(actor=actor, account=account, subject=f"case {i}", description="", channel="phone", severity=3)
        for i in range(n)
    ]


@pytest.mark.django_db
def test_every_kind_of_write_keeps_the_count_of_each_status(ess, standard, support):
    cases = _open(support, ess, 5) + _open(support, standard, 2)
    case_set_status(actor=support, case=cases[0], status=CaseStatus.WAITING)
    case_set_status(actor=support, case=cases[1], status=CaseStatus.RESOLVED)
    Case.objects.filter(pk__in=[cases[2].pk, cases[3].pk]).update(status=CaseStatus.CLOSED)  # set-based
    Case.objects.filter(pk=cases[4].pk).update(subject="renamed")  # no status moves
    Case.objects.bulk_create(
        [
            Case(account=ess, subject="bulk", opened_by=support, status="open", created_at=timezone.now())
            for _ in range(3)
        ]
    )
    Case.objects.filter(pk=cases[5].pk).delete()
    assert _kept() == _by_status()
    assert tally.cases_of() == Case.objects.count() == 9
    assert tally.cases_of(OPEN_STATUSES) == Case.objects.open().count()


@pytest.mark.django_db
def test_folding_keeps_every_count_and_leaves_one_row_per_status(ess, support):
    cases = _open(support, ess, 6)
    for case in cases[:3]:
        case_set_status(actor=support, case=case, status=CaseStatus.RESOLVED)
    before = _kept()
    assert CaseTally.objects.count() > len(before)
    assert tally.compact() > 0
    assert _kept() == before == _by_status()
    assert sorted(CaseTally.objects.values_list("status", flat=True)) == sorted(before)
    assert tally.compact() == 0  # nothing left to fold: a second run changes nothing


@pytest.mark.django_db
def test_the_sla_job_folds_the_count(ess, support):
    _open(support, ess, 4)
    report = chase_sla.delay().get()
    assert report["folded"] > 0
    assert CaseTally.objects.count() == 1 and tally.cases_of() == 4


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_folding_twice_at_once_while_cases_are_written_loses_nothing(ess, support):
    _open(support, ess, 3)

    def work(n: int):
        if n < 2:
            return tally.compact()
        return _open(support, ess, 2)

    outcomes = at_once(6, work)
    assert not outcomes.errors, outcomes.errors
    assert _kept() == _by_status() and tally.cases_of() == 3 + 4 * 2
    tally.compact()
    assert _kept() == _by_status()


@pytest.mark.django_db
def test_the_staff_list_counts_with_the_kept_count_and_its_filters(client_for, ess, standard, support):
    cases = _open(support, ess, 4) + _open(support, standard, 3)
    case_set_status(actor=support, case=cases[0], status=CaseStatus.RESOLVED)
    staff = client_for(support)
    assert staff.get("/api/v1/cases/").json()["count"] == 7
    assert staff.get("/api/v1/cases/?open=1").json()["count"] == 6
    assert staff.get("/api/v1/cases/?status=resolved").json()["count"] == 1
    assert staff.get("/api/v1/cases/?status=resolved&open=1").json()["count"] == 0
    assert staff.get("/api/v1/cases/?status=nonsense").json()["count"] == 0


@pytest.mark.django_db
def test_a_customer_list_counts_its_own_account_only(client_for, ess, standard, alice, support):
    _open(support, ess, 4)
    _open(support, standard, 3)
    assert client_for(alice).get("/api/v1/cases/").json()["count"] == 4


def test_recount_restores_the_count_after_a_load_without_triggers(db, ess, support):
    _open(support, ess, 2)
    CaseTally.objects.all().delete()
    assert tally.cases_of() == 0
    tally.recount()
    assert _kept() == _by_status()


@pytest.mark.django_db
def test_the_list_reads_its_count_with_its_page_and_answers_a_page_past_the_end(client_for, ess, alice, support):
    _open(support, ess, 3)
    for viewer in (alice, support):
        client = client_for(viewer)
        first = client.get("/api/v1/cases/").json()
        assert (first["count"], len(first["results"]), first["next"]) == (3, 3, None)
        assert "total" not in first["results"][0]
        assert client.get("/api/v1/cases/?page=2").status_code == 404
        assert client.get("/api/v1/cases/?page=abc").status_code == 404
        assert client.get("/api/v1/cases/?page=99999999999999999999999").status_code == 404  # no offset tried
        assert client.get("/api/v1/cases/?page=last").json()["count"] == 3
        empty = client.get("/api/v1/cases/?status=closed").json()
        assert (empty["count"], empty["results"]) == (0, [])
