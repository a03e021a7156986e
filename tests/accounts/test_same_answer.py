"""Same input, same answer, whatever the route: each write of accounts (invitations, absences, contracts) is sent
the same input through its page form and through the API. Both make the change, or both refuse it with the
service's own words (a form error and a 400; a 403 for the same refusals), and a refusal changes nothing.

Contracts are written by administrators in the configuration site, which is their page; a person who is not an
administrator is turned away at its door, so for them only the status (403) is the same, not the words.
"""

import datetime as dt
import html
import json
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from accounts.models import Contract, TamAbsence, Tier, User
from accounts.roles import Role
from accounts.services import absence_cancel, absence_record, contract_create
from tests.conftest import signed_in_with_password
from tests.security.page_forms import admin_form_values

NOW = dt.datetime(2026, 11, 26, 15, 0, tzinfo=dt.UTC)
pytestmark = pytest.mark.time_machine(NOW, tick=False)
MADE, REFUSED, FORBIDDEN = "made", "refused", "forbidden"


@dataclass(frozen=True)
class Write:
    page: Callable[[Client, SimpleNamespace, dict], object]
    api: Callable[[Client, SimpleNamespace, dict], object]
    probe: Callable[[SimpleNamespace], object]  # what the write changes


def _local(moment: dt.datetime, given: dict) -> str:
    """As the person types it: in their own zone, which the page reads it in."""
    return timezone.localtime(moment, zoneinfo.ZoneInfo(given["zone"])).strftime("%Y-%m-%dT%H:%M")


def _times(given: dict) -> dict:
    return {"starts_at": given["starts_at"], "ends_at": given["ends_at"], "note": given.get("note", "")}


def _json(client: Client, method: str, url: str, body: dict | None = None):
    return client.generic(method, url, json.dumps(body or {}, default=str), content_type="application/json")


def _pk(value) -> object:
    return getattr(value, "pk", value)


def _person(given: dict) -> dict:
    return {name: given[name] for name in ("email", "role") if name in given}


WRITES = {
    "invite": Write(
        page=lambda c, w, given: c.post(
            "/people/invite/", {**_person(given), "account": _pk(given.get("account")) or ""}
        ),
        api=lambda c, w, given: _json(
            c, "POST", "/api/v1/invitations/", {**_person(given), "account": _pk(given.get("account"))}
        ),
        probe=lambda w: User.objects.count(),
    ),
    "record an absence": Write(
        page=lambda c, w, given: c.post(
            "/people/absences/",
            {
                "tam": _pk(given.get("tam")) or "",
                "starts_at": _local(given["starts_at"], given),
                "ends_at": _local(given["ends_at"], given),
                "note": given.get("note", ""),
            },
        ),
        api=lambda c, w, given: _json(
            c,
            "POST",
            "/api/v1/absences/",
            {**_times(given), **({"tam": given["tam"].pk} if "tam" in given else {})},
        ),
        probe=lambda w: TamAbsence.objects.count(),
    ),
    "change an absence": Write(
        page=lambda c, w, given: c.post(
            f"/people/absences/{given['absence'](w).pk}/edit/",
            {
                "starts_at": _local(given["starts_at"], given),
                "ends_at": _local(given["ends_at"], given),
                "note": given["note"],
            },
        ),
        api=lambda c, w, given: _json(c, "PATCH", f"/api/v1/absences/{given['absence'](w).pk}/", _times(given)),
        probe=lambda w: sorted(TamAbsence.objects.values_list("starts_at", "ends_at", "note")),
    ),
    "cancel an absence": Write(
        page=lambda c, w, given: c.post(f"/people/absences/{given['absence'](w).pk}/cancel/"),
        api=lambda c, w, given: _json(c, "DELETE", f"/api/v1/absences/{given['absence'](w).pk}/"),
        probe=lambda w: TamAbsence.objects.filter(cancelled_at__isnull=False).count(),
    ),
    "create a contract": Write(
        page=lambda c, w, given: (
            c.post(
                "/config/accounts/contract/add/",
                admin_form_values(
                    c,
                    "/config/accounts/contract/add/",
                    account=given["account"].pk,
                    tier=given["tier"].pk,
                    start_date=given["start_date"],
                    end_date=given.get("end_date", ""),
                ),
            )
            if given["actor"].is_portal_admin
            else c.post("/config/accounts/contract/add/", {}, follow=True)
        ),  # to the site's door and its answer
        api=lambda c, w, given: _json(
            c,
            "POST",
            "/api/v1/contracts/",
            {
                "account": given["account"].pk,
                "tier": given["tier"].pk,
                "start_date": given["start_date"],
                "end_date": given.get("end_date"),
            },
        ),
        probe=lambda w: Contract.objects.count(),
    ),
    "end a contract": Write(
        page=lambda c, w, given: c.post(
            f"/config/accounts/contract/{given['contract'](w).pk}/change/",
            admin_form_values(
                c, f"/config/accounts/contract/{given['contract'](w).pk}/change/", end_date=given["end_date"]
            ),
        ),
        api=lambda c, w, given: _json(
            c, "POST", f"/api/v1/contracts/{given['contract'](w).pk}/end/", {"end_date": given["end_date"]}
        ),
        probe=lambda w: sorted(Contract.objects.values_list("pk", "end_date")),
    ),
    "cancel a contract": Write(
        page=lambda c, w, given: c.post(
            "/config/accounts/contract/",
            {"action": "contract_cancel_selected", "_selected_action": [given["contract"](w).pk]},
        ),
        api=lambda c, w, given: _json(c, "POST", f"/api/v1/contracts/{given['contract'](w).pk}/cancel/"),
        probe=lambda w: sorted(Contract.objects.values_list("pk", "status")),
    ),
}


@dataclass(frozen=True)
class Case:
    write: str
    actor: str
    given: Callable[[SimpleNamespace], dict]
    verdict: str
    says: str | Callable[[SimpleNamespace], str] = ""
    same_words: bool = True


def _away(days: float, hours: float = 8) -> dict:
    starts = NOW + dt.timedelta(days=days)
    return {"starts_at": starts, "ends_at": starts + dt.timedelta(hours=hours)}


OWN_ABSENCE = lambda w: w.tams_absence  # noqa: E731
OTHERS_ABSENCE = lambda w: w.backups_absence  # noqa: E731
GLOBEX_CONTRACT = lambda w: w.globex_contract  # noqa: E731
CASES = {
    # Invitations.
    "an admin invites a customer user": Case(
        "invite",
        "admin",
        lambda w: {"email": "carol@acme.example", "role": Role.CUSTOMER.value, "account": w.acme},
        MADE,
    ),
    "a customer user needs an account": Case(
        "invite",
        "admin",
        lambda w: {"email": "carol@acme.example", "role": Role.CUSTOMER.value},
        REFUSED,
        "A customer user belongs to exactly one account: choose it.",
    ),
    "staff belong to no account": Case(
        "invite",
        "admin",
        lambda w: {"email": "sue@ess.example", "role": Role.SUPPORT.value, "account": w.acme},
        REFUSED,
        "Vendor staff do not belong to a customer account.",
    ),
    "one person per address": Case(
        "invite",
        "admin",
        lambda w: {"email": "ALICE@acme.example", "role": Role.CUSTOMER.value, "account": w.acme},
        REFUSED,
        "A user with this e-mail address already exists.",
    ),
    "a TAM invites to an account they own": Case(
        "invite", "tam", lambda w: {"email": "carol@acme.example", "role": Role.CUSTOMER.value, "account": w.acme}, MADE
    ),
    "a TAM invites only to accounts they own": Case(
        "invite",
        "tam",
        lambda w: {"email": "dave@globex.example", "role": Role.CUSTOMER.value, "account": w.globex},
        FORBIDDEN,
        "You can only invite users to accounts you manage.",
    ),
    "a TAM invites no staff": Case(
        "invite",
        "tam",
        lambda w: {"email": "rogue@ess.example", "role": Role.ADMIN.value},
        FORBIDDEN,
        "You may not invite users with this role.",
    ),
    "support staff invite nobody": Case(
        "invite",
        "support",
        lambda w: {"email": "carol@acme.example", "role": Role.CUSTOMER.value, "account": w.acme},
        FORBIDDEN,
        "Only admins and TAMs invite users.",
    ),
    "customers invite nobody": Case(
        "invite",
        "alice",
        lambda w: {"email": "carol@acme.example", "role": Role.CUSTOMER.value, "account": w.acme},
        FORBIDDEN,
        "Only admins and TAMs invite users.",
    ),
    # Absences.
    "a TAM records their absence": Case("record an absence", "tam", lambda w: _away(20), MADE),
    "an absence ends after it starts": Case(
        "record an absence",
        "tam",
        lambda w: {"starts_at": NOW + dt.timedelta(days=20), "ends_at": NOW + dt.timedelta(days=19)},
        REFUSED,
        "An absence ends after it starts.",
    ),
    "an absence over already": Case(
        "record an absence",
        "tam",
        lambda w: _away(-3),
        REFUSED,
        "This absence is already over; record absences that are current or ahead.",
    ),
    "absences up to two years ahead": Case(
        "record an absence", "tam", lambda w: _away(800), REFUSED, "Record absences up to two years ahead."
    ),
    "one absence at a time": Case(
        "record an absence",
        "tam",
        lambda w: _away(10.1),
        REFUSED,
        "This overlaps another absence of the same person; change that one instead.",
    ),
    "a TAM records only their own": Case(
        "record an absence",
        "tam",
        lambda w: {**_away(20), "tam": w.backup_tam},
        FORBIDDEN,
        "You may only record your own absences.",
    ),
    "an admin records a TAM's": Case("record an absence", "admin", lambda w: {**_away(20), "tam": w.backup_tam}, MADE),
    "only TAM-level people are away": Case(
        "record an absence",
        "admin",
        lambda w: {**_away(20), "tam": w.support},
        REFUSED,
        "Sam Support is not a TAM or TAM-level resource.",
    ),
    "support staff record no absence": Case(
        "record an absence",
        "support",
        lambda w: _away(20),
        FORBIDDEN,
        "Only TAMs, TAM-level resources and admins record absences.",
    ),
    "a TAM changes their absence": Case(
        "change an absence", "tam", lambda w: {**_away(10, 10), "note": "Longer", "absence": OWN_ABSENCE}, MADE
    ),
    "a changed absence still ends after it starts": Case(
        "change an absence",
        "tam",
        lambda w: {**_away(10, -1), "note": "", "absence": OWN_ABSENCE},
        REFUSED,
        "An absence ends after it starts.",
    ),
    "a TAM changes only their own": Case(
        "change an absence",
        "tam",
        lambda w: {**_away(12), "note": "", "absence": OTHERS_ABSENCE},
        FORBIDDEN,
        "You may only change your own absences.",
    ),
    "a TAM cancels their absence": Case("cancel an absence", "tam", lambda w: {"absence": OWN_ABSENCE}, MADE),
    "a TAM cancels only their own": Case(
        "cancel an absence",
        "tam",
        lambda w: {"absence": OTHERS_ABSENCE},
        FORBIDDEN,
        "You may only cancel your own absences.",
    ),
    "a cancelled absence stays cancelled": Case(
        "cancel an absence",
        "tam",
        lambda w: {"absence": lambda w: w.cancelled_absence},
        REFUSED,
        "This absence is already cancelled.",
    ),
    # Contracts.
    "an admin gives an account a contract": Case(
        "create a contract",
        "admin",
        lambda w: {"account": w.initech, "tier": w.standard, "start_date": "2026-01-01"},
        MADE,
    ),
    "a contract ends after it starts": Case(
        "create a contract",
        "admin",
        lambda w: {"account": w.initech, "tier": w.standard, "start_date": "2026-05-01", "end_date": "2026-04-01"},
        REFUSED,
        "A contract ends on or after the day it starts.",
    ),
    "Enterprise needs the TAMs first": Case(
        "create a contract",
        "admin",
        lambda w: {"account": w.initech, "tier": w.enterprise, "start_date": "2026-01-01"},
        REFUSED,
        "Enterprise includes an assigned TAM: assign Initech a primary and a backup TAM first.",
    ),
    "one contract a day": Case(
        "create a contract",
        "admin",
        lambda w: {"account": w.globex, "tier": w.standard, "start_date": "2026-06-01"},
        REFUSED,
        "Globex Logistics already has an active contract on those days "
        "(Globex Logistics · Standard · 2026-01-01 to open-ended). End it first, or change tier from a date.",
    ),
    "a TAM gives no contract": Case(
        "create a contract",
        "tam",
        lambda w: {"account": w.initech, "tier": w.standard, "start_date": "2026-01-01"},
        FORBIDDEN,
        same_words=False,
    ),
    "an admin ends a contract": Case(
        "end a contract", "admin", lambda w: {"contract": GLOBEX_CONTRACT, "end_date": "2027-06-30"}, MADE
    ),
    "an end before the start": Case(
        "end a contract",
        "admin",
        lambda w: {"contract": GLOBEX_CONTRACT, "end_date": "2025-12-31"},
        REFUSED,
        "A contract ends on or after the day it starts; cancel it instead.",
    ),
    "ending never extends": Case(
        "end a contract",
        "admin",
        lambda w: {"contract": lambda w: w.ended_contract, "end_date": "2027-12-31"},
        REFUSED,
        "Ending a contract cannot extend it.",
    ),
    "an admin cancels a contract": Case("cancel a contract", "admin", lambda w: {"contract": GLOBEX_CONTRACT}, MADE),
    "a cancelled contract stays cancelled": Case(
        "cancel a contract",
        "admin",
        lambda w: {"contract": lambda w: w.cancelled_contract},
        REFUSED,
        "This contract is already cancelled.",
    ),
}


@pytest.fixture
def world(ess, standard, alice, admin_user, tam, backup_tam, support):
    from accounts.models import Account

    initech = Account.objects.create(name="Initech", slug="initech")
    tams_absence = absence_record(actor=None, tam=tam, **_away(10))
    cancelled = absence_cancel(actor=None, absence=absence_record(actor=None, tam=tam, **_away(30)))
    standard_tier = Tier.objects.get(name="Standard")
    ended = contract_create(
        actor=None, account=initech, tier=standard_tier, start_date=dt.date(2020, 1, 1), end_date=dt.date(2020, 12, 31)
    )
    cancelled_contract = contract_create(
        actor=None, account=initech, tier=standard_tier, start_date=dt.date(2019, 1, 1), end_date=dt.date(2019, 6, 30)
    )
    cancelled_contract.status = "cancelled"
    cancelled_contract.save()
    return SimpleNamespace(
        acme=ess,
        globex=standard,
        initech=initech,
        globex_contract=Contract.objects.get(account=standard),
        ended_contract=ended,
        cancelled_contract=cancelled_contract,
        standard=standard_tier,
        enterprise=Tier.objects.get(name="Enterprise"),
        tams_absence=tams_absence,
        backups_absence=absence_record(actor=None, tam=backup_tam, **_away(12)),
        cancelled_absence=cancelled,
        alice=alice,
        admin=admin_user,
        tam=tam,
        backup_tam=backup_tam,
        support=support,
    )


def _client(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    signed_in_with_password(client, user)
    return client


def _answer(client: Client, write: Write, world, given: dict, route: str) -> tuple[str, int, str]:
    """(verdict, status, what the answer says), the request undone afterwards so both routes meet one world."""
    before = write.probe(world)
    with transaction.atomic():
        response = getattr(write, route)(client, world, given)
        changed = write.probe(world) != before
        text = response.content.decode()
        if route == "page" and response.status_code == 302:  # a refusal without a form is a message on the next page
            text += client.get(response["Location"]).content.decode()
        transaction.set_rollback(True)
    if response.status_code == 403:
        verdict = FORBIDDEN
    else:
        verdict = MADE if changed else REFUSED
        assert response.status_code < 400 or not changed, "a refused request changed something"
    return verdict, response.status_code, html.unescape(text)


@pytest.mark.parametrize("name", list(CASES))
def test_the_page_and_the_api_give_the_same_answer(name, world):
    case = CASES[name]
    write = WRITES[case.write]
    actor = getattr(world, case.actor)
    client = _client(actor)
    given = {**case.given(world), "actor": actor, "zone": actor.time_zone}
    page = _answer(client, write, world, given, "page")
    api = _answer(client, write, world, given, "api")
    assert page[0] == api[0] == case.verdict, f"page {page[:2]}, API {api[:2]}"
    if case.verdict == REFUSED:
        assert page[1] in (200, 302) and api[1] in (400, 409)
    if case.says and case.same_words:
        assert case.says in page[2], page[2][:3000]
        assert case.says in api[2], api[2]


def test_every_write_is_asked_both_ways_with_each_kind_of_answer():
    answers = {(case.write, case.verdict) for case in CASES.values()}
    for write in WRITES:
        assert (write, MADE) in answers, write
        assert (write, REFUSED) in answers or (write, FORBIDDEN) in answers, write
    assert {verdict for _, verdict in answers} == {MADE, REFUSED, FORBIDDEN}
