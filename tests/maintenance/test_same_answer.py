"""One authority per rule: every maintenance write answers the same input the same way on the page form, in the API
and from the service: done, refused with the same message, or not allowed (403) with the same message.

Each row is a write, who makes it, the state of the event before it, the input, and the answer expected; every
row runs through the three entry points."""

import datetime as dt
from dataclasses import dataclass, field

import pytest

from maintenance.services import event_cancel, event_confirm, event_propose

from .conftest import DENVER, ENTRIES, EVENING, NOW, attempt_action, attempt_booking, book

pytestmark = pytest.mark.time_machine(NOW, tick=False)

SOON = dt.datetime(2026, 5, 5, 19, 0, tzinfo=DENVER)  # a critical event tomorrow evening
STARTED = EVENING + dt.timedelta(minutes=30)
NOT_THE_TAM = "Only the TAM confirms events."


@dataclass(frozen=True)
class Row:
    action: str
    who: str
    given: dict = field(default_factory=dict)
    state: str = "requested"
    at: dt.datetime | None = None  # the clock when the write is made
    status: int = 200
    message: str | None = None
    entries: tuple = ENTRIES


ROWS = {
    # Booking (Acme, two credits banked).
    "book": Row("book", "alice", {"start": "2026-05-26T19:00"}),
    "book for the account": Row("book", "tam", {"start": "2026-05-26T19:00"}),
    "book in support hours": Row(
        "book",
        "alice",
        {"start": "2026-05-26T10:00"},
        status=400,
        message="Events take place outside support hours (evenings, nights, weekends or holidays): this slot "
        "overlaps the Support hours calendar (Mountain Time (America/Denver)) by 2 h.",
    ),
    "book four hours": Row(
        "book",
        "alice",
        {"start": "2026-05-26T19:00", "minutes": 240},
        status=400,
        message="An event lasts from 1 to 3 hours. Longer work is not a maintenance event: ask your TAM about a "
        "services engagement.",
    ),
    "book without notice": Row(
        "book",
        "alice",
        {"start": "2026-05-08T19:00"},
        status=400,
        message="Events need two weeks' notice: the earliest start is Mon May 18, 2026 10:00. For a critical system "
        "integrity, stability or performance issue, mark the request critical and explain why.",
    ),
    "book critical without why": Row(
        "book",
        "alice",
        {"start": "2026-05-08T19:00", "critical": True},
        status=400,
        message="Explain the critical system integrity, stability or performance issue.",
    ),
    "book a major upgrade": Row(
        "book",
        "alice",
        {"start": "2026-05-26T19:00", "scope": "major_upgrade"},
        status=400,
        message="A major system upgrade is not a planned maintenance event: it needs a services engagement. Your TAM "
        "can arrange one.",
    ),
    "book a migration": Row(
        "book",
        "alice",
        {"start": "2026-05-26T19:00", "scope": "system_migration"},
        status=400,
        message="A complete system migration is not a planned maintenance event: it needs a services engagement. "
        "Your TAM can arrange one.",
    ),
    "book an unknown scope": Row(
        "book",
        "alice",
        {"start": "2026-05-26T19:00", "scope": "coffee"},
        status=400,
        message="Choose what the event is for.",
    ),
    "book without a description": Row(
        "book",
        "alice",
        {"start": "2026-05-26T19:00", "description": " "},
        status=400,
        message="Describe the work to be done.",
    ),
    "book a skipped time": Row(
        "book",
        "alice",
        {"start": "2027-03-14T02:30"},
        status=400,
        message="Sun Mar 14, 2027 02:30 does not exist in America/Denver: that night the clocks go forward from 02:00 "
        "to 03:00. Choose a time before or after the change.",
    ),
    "book a repeated time": Row(
        "book",
        "alice",
        {"start": "2026-11-01T01:30"},
        status=400,
        message="Sun Nov 1, 2026 01:30 happens twice in America/Denver: that night the clocks go back from 02:00 to "
        "01:00. Choose a time outside that hour.",
        # A wall-clock reading, which only the page and the API make: the service takes an instant, whose fold
        # says which 01:30 it is (tests/maintenance/test_dst.py).
        entries=("page", "api"),
    ),
    "book as support staff": Row(
        "book", "support", {"start": "2026-05-26T19:00"}, status=403, message="You cannot book events for this account."
    ),
    # Confirming.
    "confirm": Row("confirm", "tam"),
    "confirm as the customer": Row("confirm", "alice", status=403, message=NOT_THE_TAM),
    "confirm as support staff": Row("confirm", "support", status=403, message=NOT_THE_TAM),
    "confirm after the start": Row(
        "confirm",
        "tam",
        at=STARTED,
        status=400,
        message="The event's start has passed: propose another time or cancel it.",
    ),
    "confirm with a proposal pending": Row(
        "confirm",
        "tam",
        state="proposed",
        status=400,
        message="Another time was proposed: the customer accepts it, or you withdraw it.",
    ),
    "confirm a cancelled event": Row(
        "confirm", "tam", state="cancelled", status=400, message="A cancelled event cannot become confirmed."
    ),
    # Proposing another time.
    "propose": Row("propose", "tam", {"start": "2026-05-28T19:00", "minutes": 90, "note": "Thursday suits"}),
    "propose as the customer": Row(
        "propose", "alice", {"start": "2026-05-28T19:00"}, status=403, message="Only the TAM proposes another time."
    ),
    "propose in support hours": Row(
        "propose",
        "tam",
        {"start": "2026-05-28T09:00"},
        status=400,
        message="Events take place outside support hours (evenings, nights, weekends or holidays): this slot "
        "overlaps the Support hours calendar (Mountain Time (America/Denver)) by 1 h.",
    ),
    "propose for a confirmed event": Row(
        "propose",
        "tam",
        {"start": "2026-05-28T19:00"},
        state="confirmed",
        status=400,
        message="Only a requested event can get another proposed time.",
    ),
    # Accepting the proposal.
    "accept": Row("accept", "alice", state="proposed"),
    "accept as the TAM": Row(
        "accept", "tam", state="proposed", status=403, message="Only the customer accepts a proposed time."
    ),
    "accept without a proposal": Row("accept", "alice", status=400, message="There is no proposed time to accept."),
    # Completing.
    "complete": Row("complete", "tam", {"outcome": "Applied 10.2.1", "minutes": 95}, state="confirmed", at=STARTED),
    "complete as the customer": Row(
        "complete",
        "alice",
        {"outcome": "Done", "minutes": 60},
        state="confirmed",
        at=STARTED,
        status=403,
        message="Only the TAM records the outcome of an event.",
    ),
    "complete before the start": Row(
        "complete",
        "tam",
        {"outcome": "Done", "minutes": 60},
        state="confirmed",
        status=400,
        message="An event is completed after it has started.",
    ),
    "complete without an outcome": Row(
        "complete", "tam", {"minutes": 60}, state="confirmed", at=STARTED, status=400, message="Say what was done."
    ),
    "complete after thirteen hours": Row(
        "complete",
        "tam",
        {"outcome": "Done", "minutes": 780},
        state="confirmed",
        at=STARTED,
        status=400,
        message="Give the actual duration, up to 12 hours.",
    ),
    "complete a requested event": Row(
        "complete",
        "tam",
        {"outcome": "Done", "minutes": 60},
        at=STARTED,
        status=400,
        message="A requested event cannot become completed.",
    ),
    # Cancelling.
    "cancel for the customer": Row("cancel", "alice", {"on_behalf_of": "customer"}),
    "cancel for the vendor": Row("cancel", "tam", {"on_behalf_of": "vendor", "reason": "TAM ill"}),
    "cancel for the vendor without a reason": Row(
        "cancel",
        "tam",
        {"on_behalf_of": "vendor"},
        status=400,
        message="Say why the vendor cancels: the customer is told.",
    ),
    "cancel for the vendor as the customer": Row(
        "cancel",
        "alice",
        {"on_behalf_of": "vendor", "reason": "x"},
        status=403,
        message="Only the vendor's staff cancel on the vendor's behalf.",
    ),
    "cancel as support staff": Row(
        "cancel", "support", {"on_behalf_of": "customer"}, status=403, message="You cannot cancel this event."
    ),
    "cancel after the start": Row(
        "cancel",
        "alice",
        {"on_behalf_of": "customer"},
        state="confirmed",
        at=STARTED,
        status=400,
        message="The event has started and can no longer be cancelled: record its outcome, or mark a no-show.",
    ),
    "cancel a cancelled event": Row(
        "cancel",
        "alice",
        {"on_behalf_of": "customer"},
        state="cancelled",
        status=400,
        message="A cancelled event cannot become cancelled.",
    ),
    # No-shows.
    "no-show": Row("no-show", "tam", {"reason": "Nobody there"}, state="confirmed", at=STARTED),
    "no-show as the customer": Row(
        "no-show", "alice", state="confirmed", at=STARTED, status=403, message="Only the TAM records a no-show."
    ),
    "no-show before the start": Row(
        "no-show", "tam", state="confirmed", status=400, message="A no-show is recorded after the start time."
    ),
    "no-show of a requested event": Row(
        "no-show", "tam", at=STARTED, status=400, message="A no-show is recorded for a confirmed event only."
    ),
}


def _event_in(state: str, account, alice, tam):
    event = book(account, alice)
    if state == "confirmed":
        event = event_confirm(actor=tam, event=event)
    elif state == "proposed":
        event = event_propose(
            actor=tam, event=event, starts_at=EVENING + dt.timedelta(days=2), duration=dt.timedelta(hours=1)
        )
    elif state == "cancelled":
        event = event_cancel(actor=alice, event=event, on_behalf_of="customer")
    return event


@pytest.mark.parametrize(
    ("name", "entry"),
    [(name, entry) for name, row in ROWS.items() for entry in row.entries],
    ids=lambda value: value,
)
def test_every_write_answers_alike_on_the_page_in_the_api_and_from_the_service(
    name, entry, request, client_for, banked, alice, tam, support, time_machine
):
    row = ROWS[name]
    user = request.getfixturevalue(row.who)
    if row.action == "book":
        given = {**row.given}
        outcome = attempt_booking(
            entry, client_for, user, banked, given.pop("start"), given.pop("minutes", 120), **given
        )
    else:
        event = _event_in(row.state, banked, alice, tam)
        if row.at:
            time_machine.move_to(row.at, tick=False)
        outcome = attempt_action(entry, client_for, user, event, row.action, **row.given)
    assert (outcome.status, outcome.messages) == (row.status, [row.message] if row.message else [])


def test_the_table_covers_every_write():
    from maintenance.views import EVENT_ACTIONS

    assert {row.action for row in ROWS.values()} == {"book", *EVENT_ACTIONS}


@pytest.mark.parametrize("entry", ["page", "check", "api"])
def test_someone_who_may_not_book_is_refused_whatever_they_send(entry, client_for, banked, support):
    client = client_for(support)
    if entry == "page":
        response = client.post("/maintenance/book/?account=acme", {})
    elif entry == "check":
        response = client.get("/maintenance/check-slot/", {"account": "acme", "starts_at": "nonsense"})
    else:
        response = client.post("/api/v1/events/", {"account": "acme"}, content_type="application/json")
    assert response.status_code == 403
    assert "You cannot book events for this account." in response.content.decode()


@pytest.mark.parametrize("entry", ["page", "api"])
@pytest.mark.parametrize("action", ["propose", "complete", "no-show"])
def test_someone_who_may_not_act_is_refused_whatever_they_send(entry, action, client_for, banked, alice):
    event = book(banked, alice)
    client = client_for(alice)
    if entry == "page":
        response = client.post(f"/maintenance/events/{event.pk}/{action}/", {"starts_at": "nonsense"})
    else:
        response = client.post(f"/api/v1/events/{event.pk}/{action}/", {"x": 1}, content_type="application/json")
    assert response.status_code == 403
