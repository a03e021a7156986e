"""The booking page's live check is the booking rule: for every slot, what the check says before submitting is what
the booking then answers (accepted, or refused with the same messages)."""

import datetime as dt
import html
import re

import pytest

from accounts.services import contract_create, coverage_assign
from maintenance.credits import quarter_roll_over
from maintenance.models import MaintenanceEvent
from tests.factories import customer_user, tier

from .conftest import DENVER, NOW, book, booking_form, page_messages

pytestmark = pytest.mark.time_machine(NOW, tick=False)

# (what the person fills in, the first message expected; None: accepted)
SLOTS = {
    "an evening three weeks ahead": ({"start": "2026-05-26T19:00"}, None),
    "a Saturday noon": ({"start": "2026-05-30T12:00", "minutes": 180}, None),
    "inside support hours": ({"start": "2026-05-26T10:00"}, "Events take place outside support hours"),
    "ending inside support hours": ({"start": "2026-05-27T04:30", "minutes": 120}, "by 30 min"),
    "too little notice": ({"start": "2026-05-08T19:00"}, "Events need two weeks' notice"),
    "critical without a reason": ({"start": "2026-05-08T19:00", "critical": True}, "Explain the critical"),
    "critical with a reason": (
        {"start": "2026-05-08T19:00", "critical": True, "critical_justification": "Disk failing"},
        None,
    ),
    "half an hour": ({"start": "2026-05-26T19:00", "minutes": 30}, "An event lasts from 1 to 3 hours"),
    "four hours": ({"start": "2026-05-26T19:00", "minutes": 240}, "An event lasts from 1 to 3 hours"),
    "in the past": ({"start": "2026-05-01T19:00"}, "The start is in the past."),
    "more than a year ahead": ({"start": "2027-06-01T19:00"}, "Events are booked at most a year ahead."),
    "a major upgrade": ({"start": "2026-05-26T19:00", "scope": "major_upgrade"}, "A major system upgrade is not"),
    "a migration": ({"start": "2026-05-26T19:00", "scope": "system_migration"}, "A complete system migration"),
    "no scope": ({"start": "2026-05-26T19:00", "scope": ""}, "Choose what the event is for."),
    "a start the clocks skip": ({"start": "2027-03-14T02:30"}, "does not exist in America/Denver"),
    "a start the clocks repeat": ({"start": "2026-11-01T01:30"}, "happens twice in America/Denver"),
    "three real hours on the fall-back night": ({"start": "2026-11-01T00:30", "minutes": 180}, None),
    "the TAM busy with another account": ({"start": "2026-05-28T20:00"}, "is already booked"),
    "the TAM free again": ({"start": "2026-05-28T21:00"}, None),
}


@pytest.fixture
def tam_busy_elsewhere(globex, tam, backup_tam):
    """Globex shares Acme's TAM, who performs Globex's event on May 28 from 19:00 to 21:00."""
    coverage_assign(
        actor=None, account=globex, primary=tam, backup=backup_tam, at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    )
    contract_create(actor=None, account=globex, tier=tier("Enterprise"), start_date=dt.date(2026, 1, 1))
    quarter_roll_over(as_of=dt.date(2026, 5, 4))
    gus = customer_user(globex, email="gus@globex.example")
    return book(globex, gus, starts_at=dt.datetime(2026, 5, 28, 19, tzinfo=DENVER))


def _filled(given: dict) -> dict:
    fields = {key: value for key, value in given.items() if key not in ("start", "minutes")}
    return booking_form(given["start"], given.get("minutes", 120), **fields)


def check(client, form: dict, account=None) -> tuple[bool, list[str]]:
    query = {**form, **({"account": account.slug} if account else {})}
    text = client.get("/maintenance/check-slot/", query, HTTP_HX_REQUEST="true").content.decode()
    assert ("slot-ok" in text) != ("slot-refused" in text), text
    return "slot-ok" in text, [html.unescape(item.strip()) for item in re.findall(r"<li>(.*?)</li>", text, re.S)]


@pytest.mark.parametrize("slot", SLOTS)
@pytest.mark.parametrize("who", ["alice", "tam"])
def test_the_check_says_what_the_booking_answers(slot, who, request, client_for, banked, tam_busy_elsewhere):
    given, expected = SLOTS[slot]
    form = _filled(given)
    user = request.getfixturevalue(who)
    client = client_for(user)
    account = banked if user.is_vendor_staff else None
    accepted, said = check(client, form, account)
    before = MaintenanceEvent.objects.count()
    url = "/maintenance/book/" + (f"?account={banked.slug}" if account else "")
    response = client.post(url, form)
    booked = response.status_code == 302
    assert accepted == booked == (expected is None), (slot, said, page_messages(response))
    assert MaintenanceEvent.objects.count() == before + booked
    if not booked:
        assert said == page_messages(response)
        assert expected in said[0]


def test_with_no_credit_the_check_says_when_the_next_one_comes(client_for, ess, alice):
    quarter_roll_over(as_of=dt.date(2026, 4, 1))
    form = _filled({"start": "2026-05-26T19:00"})
    client = client_for(alice)
    client.post("/maintenance/book/", form)
    second = _filled({"start": "2026-05-27T19:00"})
    accepted, said = check(client, second)
    assert not accepted
    assert said == ["No event credit is available. The next credit arrives on Jul 1, 2026."]
    assert client.post("/maintenance/book/", second).status_code == 200


def test_nothing_is_said_before_a_start_is_picked(client_for, banked, alice):
    text = client_for(alice).get("/maintenance/check-slot/", {"duration": "120"}).content.decode()
    assert "slot-ok" not in text and "slot-refused" not in text
