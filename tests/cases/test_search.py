"""Staff search: a case by its number, words of its subject, its account or its contact; accounts and contacts by
name. Customers are refused (a search would be a way to read names of other accounts), and the page asks the
same number of queries however much it finds."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.search import search
from cases.services import case_open

NOW = dt.datetime(2026, 12, 14, 19, 0, tzinfo=dt.UTC)
pytestmark = pytest.mark.time_machine(NOW, tick=False)
SEARCH = reverse("cases:search")


def opened(account, actor, subject, **kwargs):
    return case_open(
        actor=actor,
        account=account,
        subject=subject,
        description="Found by the search tests.",
        channel="phone",
        severity=3,
        **kwargs,
    )


@pytest.fixture
def cases(ess, standard, alice, bob, support):
    return {
        "scanner": opened(ess, support, "Scanner stuck on batch 42", contact=alice),
        "invoice": opened(standard, support, "Invoice export fails", contact=bob),
    }


def found(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_a_case_is_found_by_its_number_in_every_spelling(cases, support, client_for):
    scanner = cases["scanner"]
    for query in (scanner.reference, f"case {scanner.pk}", f"#{scanner.pk}", str(scanner.pk)):
        results = search(support, query)
        assert results.cases[0] == scanner, query


def test_a_case_is_found_by_words_of_its_subject_its_account_or_its_contact(cases, support, client_for):
    scanner, invoice = cases["scanner"], cases["invoice"]
    assert search(support, "batch 42").cases == [scanner]
    assert search(support, "globex").cases == [invoice]
    assert search(support, "alice@acme").cases == [scanner]
    page = found(client_for(support).get(SEARCH, {"q": "Invoice export"}))
    assert invoice.reference in page and scanner.reference not in page


def test_accounts_and_contacts_are_found_by_name_or_address(cases, acme, alice, support):
    results = search(support, "acme")
    assert results.accounts == [acme]
    assert alice in results.contacts


def test_a_query_of_one_letter_finds_nothing_and_says_so(cases, support, client_for):
    assert search(support, "a").empty
    page = found(client_for(support).get(SEARCH, {"q": "zzz-nothing"}))
    assert "Nothing matches “zzz-nothing”." in page


@pytest.mark.parametrize("who", ["alice", "bob"])
def test_customers_are_refused_and_read_nothing(who, cases, client_for, request):
    response = client_for(request.getfixturevalue(who)).get(SEARCH, {"q": "a"})
    assert response.status_code == 403
    page = response.content.decode()
    for case in cases.values():
        assert case.subject not in page
    assert "Globex" not in page and "Acme" not in page


def test_the_page_asks_the_same_queries_however_much_it_finds(cases, ess, alice, support, client_for):
    client = client_for(support)
    with CaptureQueriesContext(connection) as few:
        found(client.get(SEARCH, {"q": "scanner"}))
    for n in range(30):
        opened(ess, support, f"Scanner jam {n}", contact=alice)
    with CaptureQueriesContext(connection) as many:
        page = found(client.get(SEARCH, {"q": "scanner"}))
    assert len(many) == len(few)
    assert page.count("Scanner jam") == 20  # the first twenty, newest first
