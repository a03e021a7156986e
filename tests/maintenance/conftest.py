"""What the maintenance tests share: Denver dates, an account with two banked credits, and booking helpers.

The modules freeze the clock with ``pytestmark = pytest.mark.time_machine(NOW, tick=False)`` (a Monday morning,
three weeks before ``EVENING``), so the booking rules' "two weeks ahead" and "a year ahead" hold on any date.
"""

import datetime as dt
import html
import re
import zoneinfo
from dataclasses import dataclass, field

import pytest
from django.contrib.messages import get_messages

from core.errors import DomainError, NotAllowed
from maintenance.credits import quarter_roll_over
from maintenance.models import CreditEntry, MaintenanceEvent
from maintenance.services import account_balance, event_book

DENVER = zoneinfo.ZoneInfo("America/Denver")
NOW = dt.datetime(2026, 5, 4, 10, 0, tzinfo=DENVER)  # a Monday morning
# Three weeks later, Tuesday evening 19:00-21:00 Denver: outside support hours, far enough ahead.
EVENING = dt.datetime(2026, 5, 26, 19, 0, tzinfo=DENVER)
TWO_HOURS = dt.timedelta(hours=2)


@pytest.fixture
def banked(ess):
    """Acme with two banked credits (the Q1 and Q2 grants)."""
    quarter_roll_over(as_of=dt.date(2026, 1, 1))
    quarter_roll_over(as_of=dt.date(2026, 4, 1))
    assert account_balance(ess).available == 2
    return ess


def book(account, actor, **overrides):
    fields = {
        "scope": "maintenance_release",
        "description": "Apply 10.2.1",
        "starts_at": EVENING,
        "duration": TWO_HOURS,
    }
    fields.update(overrides)
    return event_book(actor=actor, account=account, **fields)


def refused(account, actor, match, field=None, **overrides):
    """The booking is refused with ``match`` (on ``field``) and nothing is written."""
    before = (MaintenanceEvent.objects.count(), CreditEntry.objects.count())
    with pytest.raises(DomainError, match=match) as error:
        book(account, actor, **overrides)
    assert (MaintenanceEvent.objects.count(), CreditEntry.objects.count()) == before
    if field:
        assert error.value.field == field
    return error.value


# --- The same input through each entry point ---------------------------------------------------------------------

ENTRIES = ("service", "page", "api")


@dataclass
class Outcome:
    """What an entry point answered: the event made (or as the action left it), or the messages of its refusal.
    ``status`` reads alike on every entry point: 200 done, 400 refused with messages, 403 not allowed, 404."""

    event: MaintenanceEvent | None = None
    messages: list[str] = field(default_factory=list)
    status: int = 0

    @property
    def ok(self) -> bool:
        return self.event is not None


def page_messages(response) -> list[str]:
    """What a page says went wrong: the errors on its form, and the messages flashed for the next page."""
    text = response.content.decode()
    found = re.findall(r'<small class="field-error" role="alert">(.*?)</small>', text, re.S)
    for block in re.findall(r'<div class="form-errors" role="alert">(.*?)</div>', text, re.S):
        found += re.findall(r"<p>(.*?)</p>", block, re.S)
    found += re.findall(r"<h1>Not allowed</h1>\s*<p>(.*?)</p>", text, re.S)  # the 403 page
    found += [str(message) for message in get_messages(response.wsgi_request) if message.level >= 40]
    return [html.unescape(message.strip()) for message in found]


def api_messages(response) -> list[str]:
    body = response.json()
    if "detail" in body and isinstance(body["detail"], str):
        return [body["detail"]]
    return [message for value in body.values() for message in (value if isinstance(value, list) else [value])]


def booking_form(start: str, minutes: int, **fields) -> dict:
    form = {
        "scope": fields.get("scope", "maintenance_release"),
        "description": fields.get("description", "Apply 10.2.1"),
        "starts_at": start,
        "duration": str(minutes),
    }
    if fields.get("critical"):
        form.update(critical="on", critical_justification=fields.get("critical_justification", ""))
    return form


def booking_json(start: str, minutes: int, **fields) -> dict:
    return {
        "scope": fields.get("scope", "maintenance_release"),
        "description": fields.get("description", "Apply 10.2.1"),
        "starts_at": start,
        "duration_minutes": minutes,
        "critical": bool(fields.get("critical")),
        "critical_justification": fields.get("critical_justification", ""),
    }


def attempt_booking(entry: str, client_for, actor, account, start: str, minutes: int, **fields) -> Outcome:
    """Book through ``entry`` with a start written as the person types it (local, no offset: the page's and the
    API's reading in the actor's zone; for the service, the same wall-clock time in that zone, as Python builds
    it)."""
    newest = MaintenanceEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    if entry == "service":
        local = dt.datetime.fromisoformat(start)
        if local.tzinfo is None:
            local = local.replace(tzinfo=zoneinfo.ZoneInfo(actor.time_zone))
        duration = dt.timedelta(minutes=minutes)
        try:
            return Outcome(event=book(account, actor, starts_at=local, duration=duration, **fields), status=200)
        except DomainError as error:
            return Outcome(messages=[m for texts in error.errors.values() for m in texts], status=400)
        except NotAllowed as error:
            return Outcome(messages=[error.message], status=403)
    client = client_for(actor)
    if entry == "page":
        url = "/maintenance/book/" + (f"?account={account.slug}" if actor.is_vendor_staff else "")
        response = client.post(url, booking_form(start, minutes, **fields))
        if response.status_code == 302:
            return Outcome(event=MaintenanceEvent.objects.get(pk__gt=newest), status=200)
        messages = page_messages(response) if response.status_code in (200, 403) else []
        return Outcome(messages=messages, status=400 if response.status_code == 200 else response.status_code)
    body = booking_json(start, minutes, **fields)
    if actor.is_vendor_staff:
        body["account"] = account.slug
    response = client.post("/api/v1/events/", body, content_type="application/json")
    if response.status_code == 201:
        return Outcome(event=MaintenanceEvent.objects.get(pk=response.json()["id"]), status=200)
    return Outcome(messages=api_messages(response), status=response.status_code)


def _service_call(action: str, actor, event, data: dict):
    from maintenance import lifecycle

    if action == "propose":
        start = dt.datetime.fromisoformat(data["start"])
        start = start if start.tzinfo else start.replace(tzinfo=zoneinfo.ZoneInfo(actor.time_zone))
        duration = dt.timedelta(minutes=data["minutes"])
        return lifecycle.event_propose(actor=actor, event=event, starts_at=start, duration=duration, note=data["note"])
    if action == "complete":
        return lifecycle.event_complete(
            actor=actor,
            event=event,
            outcome=data["outcome"],
            actual_duration=dt.timedelta(minutes=data["minutes"]),
            notes=data["notes"],
        )
    if action == "cancel":
        return lifecycle.event_cancel(
            actor=actor, event=event, on_behalf_of=data["on_behalf_of"], reason=data["reason"]
        )
    if action == "no-show":
        return lifecycle.event_mark_no_show(actor=actor, event=event, reason=data["reason"])
    service = {"confirm": lifecycle.event_confirm, "accept": lifecycle.event_accept_proposal}[action]
    return service(actor=actor, event=event)


ACTION_INPUT = {"start": "", "minutes": 60, "note": "", "outcome": "", "notes": "", "on_behalf_of": "", "reason": ""}


def _page_form(action: str, data: dict) -> dict:
    return {
        "propose": {"starts_at": data["start"], "duration": str(data["minutes"]), "note": data["note"]},
        "complete": {"outcome": data["outcome"], "actual_duration": str(data["minutes"]), "notes": data["notes"]},
        "cancel": {"on_behalf_of": data["on_behalf_of"], "reason": data["reason"]},
        "no-show": {"reason": data["reason"]},
    }.get(action, {})


def _api_body(action: str, data: dict) -> dict:
    return {
        "propose": {"starts_at": data["start"], "duration_minutes": data["minutes"], "note": data["note"]},
        "complete": {"outcome": data["outcome"], "actual_minutes": data["minutes"], "notes": data["notes"]},
        "cancel": {"on_behalf_of": data["on_behalf_of"], "reason": data["reason"]},
        "no-show": {"reason": data["reason"]},
    }.get(action, {})


def attempt_action(entry: str, client_for, actor, event, action: str, **given) -> Outcome:
    """Take a lifecycle ``action`` on ``event`` through ``entry`` with the same input (``ACTION_INPUT``'s names);
    the outcome carries the event as it then is when the action went through."""
    data = {**ACTION_INPUT, **given}
    if entry == "service":
        try:
            _service_call(action, actor, event, data)
        except DomainError as error:
            return Outcome(messages=[m for texts in error.errors.values() for m in texts], status=400)
        except NotAllowed as error:
            return Outcome(messages=[error.message], status=403)
        return Outcome(event=MaintenanceEvent.objects.get(pk=event.pk), status=200)
    client = client_for(actor)
    if entry == "page":
        response = client.post(f"/maintenance/events/{event.pk}/{action}/", _page_form(action, data))
        messages = page_messages(response) if response.status_code in (200, 302, 403) else []
        if response.status_code == 302 and not messages:
            return Outcome(event=MaintenanceEvent.objects.get(pk=event.pk), status=200)
        return Outcome(messages=messages, status=400 if response.status_code in (200, 302) else response.status_code)
    response = client.post(
        f"/api/v1/events/{event.pk}/{action}/", _api_body(action, data), content_type="application/json"
    )
    if response.status_code == 200:
        return Outcome(event=MaintenanceEvent.objects.get(pk=event.pk), status=200)
    return Outcome(messages=api_messages(response), status=response.status_code)
