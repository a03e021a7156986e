"""Who covers an account during each coming absence of its TAMs (the customer home, the account page): the same
answer as asking at each moment, in a fixed number of queries however many absences there are."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.coverage import coverage
from accounts.models import TamAbsence
from accounts.selectors import account_coverage

NOW = dt.datetime(2026, 5, 4, 16, 0, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)


@pytest.fixture
def away(ess, tam, backup_tam, tam_level, time_machine):
    """Terry is away now and twice later; Bianca once alone and once while Terry is away too (then the first
    available TAM-level resource covers)."""
    time_machine.move_to(NOW, tick=False)
    spans = [
        (tam, NOW - H, NOW + H),
        (tam, NOW + 24 * H, NOW + 48 * H),
        (backup_tam, NOW + 36 * H, NOW + 72 * H),
        (tam, NOW + 120 * H, NOW + 121 * H),
        (backup_tam, NOW + 168 * H, NOW + 170 * H),
    ]
    TamAbsence.objects.bulk_create(TamAbsence(tam=person, starts_at=start, ends_at=end) for person, start, end in spans)
    return ess


def test_each_absence_names_who_covers_as_asking_at_that_moment(away, tam, backup_tam, tam_level):
    covered = account_coverage(away, NOW)
    assert covered.now.acting == backup_tam
    assert covered.now == coverage(away, NOW)
    assert [notice.covering for notice in covered.absences] == [
        coverage(away, max(notice.starts_at, NOW)).acting for notice in covered.absences
    ]
    assert [notice.covering for notice in covered.absences] == [backup_tam, backup_tam, tam_level, backup_tam, tam]


def test_the_absences_take_a_fixed_number_of_queries(away):
    account_coverage(away, NOW)  # warm what the process caches (role groups), whichever test ran first
    with CaptureQueriesContext(connection) as five:
        assert len(account_coverage(away, NOW).absences) == 5
    with CaptureQueriesContext(connection) as two:
        assert len(account_coverage(away, NOW, limit=2).absences) == 2
    # The assignment, the absences, the assignment history and the absences of the window; the TAM-level
    # resource (at most two queries: the candidates and their open escalations) only for the moment when both
    # TAMs are away. Run after the whole suite, one of those two can come from what the process already holds.
    assert len(two.captured_queries) == 4
    assert 4 < len(five.captured_queries) <= 4 + 2
