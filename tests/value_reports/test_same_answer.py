"""Same input, same answer, whatever the route: each write of contracts over time (renew, renewal terms, who gets
the renewal reminders, the value report by e-mail) is sent the same input through its page form and through the
API. Both make the change, or both refuse it with the service's own words (a form error and a 400; a 403 with
the same words for the same refusals), and a refusal changes nothing."""

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.test import Client

from accounts.models import Account, Contract
from accounts.renewals import NOTICES_REFUSED, RENEWALS_ADMIN_ONLY
from accounts.services import contract_create, contract_end
from tests.accounts.test_same_answer import FORBIDDEN, MADE, REFUSED, _answer, _client
from tests.factories import tier
from value_reports.models import ReportSubscription
from value_reports.services import SUBSCRIPTION_REFUSED

NOW = dt.datetime(2026, 11, 26, 15, 0, tzinfo=dt.UTC)
pytestmark = pytest.mark.time_machine(NOW, tick=False)


def _json(client: Client, url: str, body: dict):
    return client.post(url, json.dumps(body, default=str), content_type="application/json")


def _form(given: dict, *names) -> dict:
    """What a page form posts: an unticked box is absent, an empty choice is ""."""
    data = {}
    for name in names:
        value = given.get(name)
        if value is True:
            data[name] = "on"
        elif value is None:
            data[name] = ""
        elif value is not False:
            data[name] = getattr(value, "pk", value)
    return data


@dataclass(frozen=True)
class Write:
    page: Callable[[Client, SimpleNamespace, dict], object]
    api: Callable[[Client, SimpleNamespace, dict], object]
    probe: Callable[[SimpleNamespace], object]


TERMS = ("renews_automatically", "notice_days", "renewal_term_months")
WRITES = {
    "renew": Write(
        page=lambda c, w, g: c.post(f"/renewals/contracts/{g['contract'](w).pk}/renew/", _form(g, "tier", "end_date")),
        api=lambda c, w, g: _json(
            c,
            f"/api/v1/renewals/{g['contract'](w).pk}/renew/",
            {"tier": getattr(g.get("tier"), "pk", None), "end_date": g.get("end_date")},
        ),
        probe=lambda w: sorted(Contract.objects.values_list("account_id", "tier_id", "start_date", "end_date")),
    ),
    "set renewal terms": Write(
        page=lambda c, w, g: c.post(f"/renewals/contracts/{g['contract'](w).pk}/terms/", _form(g, *TERMS)),
        api=lambda c, w, g: _json(
            c, f"/api/v1/renewals/{g['contract'](w).pk}/terms/", {name: g[name] for name in TERMS}
        ),
        probe=lambda w: sorted(Contract.objects.values_list("pk", *TERMS)),
    ),
    "choose who gets the reminders": Write(
        page=lambda c, w, g: c.post(f"/renewals/accounts/{g['account'].slug}/notices/", _form(g, "to_contacts")),
        api=lambda c, w, g: _json(
            c, f"/api/v1/accounts/{g['account'].slug}/renewal-notices/", {"to_contacts": g["to_contacts"]}
        ),
        probe=lambda w: sorted(Account.objects.values_list("slug", "renewal_notices_to_contacts")),
    ),
    "receive the report by e-mail": Write(
        page=lambda c, w, g: c.post("/value-reports/mail/subscription/", _form(g, "subscribed")),
        api=lambda c, w, g: _json(c, "/api/v1/value-reports/subscription/", {"subscribed": g["subscribed"]}),
        probe=lambda w: sorted(ReportSubscription.objects.values_list("user_id", flat=True)),
    ),
}


@dataclass(frozen=True)
class Row:
    write: str
    actor: str
    given: Callable[[SimpleNamespace], dict]
    verdict: str
    says: str = ""


ENDING = lambda w: w.ending  # noqa: E731
RENEWED = lambda w: w.renewed  # noqa: E731
GOOD_TERMS = {"renews_automatically": True, "notice_days": 60, "renewal_term_months": 24}
ROWS = {
    "an admin renews for the contract's term": Row("renew", "admin", lambda w: {"contract": ENDING}, MADE),
    "an admin renews on another tier to a day": Row(
        "renew", "admin", lambda w: {"contract": ENDING, "tier": w.standard, "end_date": "2027-06-30"}, MADE
    ),
    "a renewal ends after it starts": Row(
        "renew",
        "admin",
        lambda w: {"contract": ENDING, "end_date": "2026-12-15"},
        REFUSED,
        "A renewal ends on or after the day it starts (2027-01-01).",
    ),
    "a renewed contract is renewed once": Row(
        "renew", "admin", lambda w: {"contract": RENEWED}, REFUSED, "Globex Logistics already has a contract from"
    ),
    "a TAM does not renew": Row("renew", "tam", lambda w: {"contract": ENDING}, FORBIDDEN, RENEWALS_ADMIN_ONLY),
    "a customer does not renew": Row("renew", "alice", lambda w: {"contract": ENDING}, FORBIDDEN, RENEWALS_ADMIN_ONLY),
    "an admin sets the terms": Row("set renewal terms", "admin", lambda w: {"contract": ENDING, **GOOD_TERMS}, MADE),
    "a notice period up to two years": Row(
        "set renewal terms",
        "admin",
        lambda w: {"contract": ENDING, **GOOD_TERMS, "notice_days": 800},
        REFUSED,
        "A notice period is from 0 to 730 days.",
    ),
    "a renewal term of at least a month": Row(
        "set renewal terms",
        "admin",
        lambda w: {"contract": ENDING, **GOOD_TERMS, "renewal_term_months": 0},
        REFUSED,
        "A renewal term is from 1 to 120 months.",
    ),
    "support staff set no terms": Row(
        "set renewal terms", "support", lambda w: {"contract": ENDING, **GOOD_TERMS}, FORBIDDEN, RENEWALS_ADMIN_ONLY
    ),
    "a customer opts their account in": Row(
        "choose who gets the reminders", "alice", lambda w: {"account": w.acme, "to_contacts": True}, MADE
    ),
    "an admin records it": Row(
        "choose who gets the reminders", "admin", lambda w: {"account": w.globex, "to_contacts": True}, MADE
    ),
    "a TAM does not choose for the customer": Row(
        "choose who gets the reminders",
        "tam",
        lambda w: {"account": w.acme, "to_contacts": True},
        FORBIDDEN,
        NOTICES_REFUSED,
    ),
    "a customer asks for the report": Row(
        "receive the report by e-mail", "alice", lambda w: {"subscribed": True}, MADE
    ),
    "staff read reports in the portal": Row(
        "receive the report by e-mail", "tam", lambda w: {"subscribed": True}, FORBIDDEN, SUBSCRIPTION_REFUSED
    ),
}


@pytest.fixture
def world(ess, standard, alice, admin_user, tam, support):
    """Acme's contract ends on Dec 31, 2026 (inside its notice period); Globex's ended Jun 30 and was renewed."""
    ending = Contract.objects.get(account=ess)
    contract_end(actor=None, contract=ending, end_date=dt.date(2026, 12, 31))
    renewed = Contract.objects.get(account=standard)
    contract_end(actor=None, contract=renewed, end_date=dt.date(2026, 6, 30))
    contract_create(actor=None, account=standard, tier=tier("Standard"), start_date=dt.date(2026, 7, 1))
    return SimpleNamespace(
        acme=ess,
        globex=standard,
        ending=ending,
        renewed=renewed,
        standard=tier("Standard"),
        alice=alice,
        admin=admin_user,
        tam=tam,
        support=support,
    )


@pytest.mark.parametrize("name", list(ROWS))
def test_the_page_and_the_api_give_the_same_answer(name, world):
    row = ROWS[name]
    write = WRITES[row.write]
    client = _client(getattr(world, row.actor))
    given = row.given(world)
    page = _answer(client, write, world, given, "page")
    api = _answer(client, write, world, given, "api")
    assert page[0] == api[0] == row.verdict, f"page {page[:2]}, API {api[:2]}"
    if row.verdict == REFUSED:
        assert page[1] == 200 and api[1] == 400
    if row.says:
        assert row.says in page[2], page[2][:3000]
        assert row.says in api[2], api[2]


def test_every_write_is_asked_both_ways_with_each_kind_of_answer():
    answers = {(row.write, row.verdict) for row in ROWS.values()}
    for write in WRITES:
        assert (write, MADE) in answers and (write, FORBIDDEN) in answers, write
    assert {(w, REFUSED) for w in ("renew", "set renewal terms")} <= answers
