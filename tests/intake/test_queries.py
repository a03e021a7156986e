"""The triage page and its API list fetch what they show in a fixed number of queries, however many items wait."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from intake.services import mail_ingest, triage_assign

from .conftest import written

pytestmark = pytest.mark.django_db


def _items(count: int, offset: int = 0) -> None:
    for number in range(offset, offset + count):
        mail_ingest(written(sender=f"stranger{number}@nowhere.example", subject=f"Question {number}"))


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", [reverse("intake:triage"), "/api/v1/triage/"])
def test_the_triage_list_takes_as_many_queries_for_two_items_as_for_eight(url, acme, support, client_for):
    from intake.models import TriageItem

    client = client_for(support)
    _items(2)
    triage_assign(actor=support, item=TriageItem.objects.first(), account=acme)
    few = _queries(client, url)
    _items(6, offset=2)
    for item in TriageItem.objects.filter(status="waiting")[:2]:
        triage_assign(actor=support, item=item, account=acme)
    assert _queries(client, url) == few
