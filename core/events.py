"""Domain events: a service says what happened to one of an account's things; whoever listens takes it from there.

A service calls ``publish(kind, subject, account_id=...)`` inside its transaction, once the change is written.
Each listener runs at once, in that same transaction, so what it stores (an outbound webhook's outbox row)
commits or rolls back with the change itself. The feature apps publish; they never import a listener
(the outbound webhooks in ``integrations`` subscribe when the portal starts).

``EVENT_TYPES`` is the catalogue: the names are part of the portal's public interface (webhook payloads carry
them), so a name is never changed, only added.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

EVENT_TYPES: dict[str, str] = {
    "case.created": "A case was opened.",
    "case.updated": "A case changed: its status, its assignee, or a public reply.",
    "case.escalated": "A case was escalated to a TAM-level resource.",
    "sla.warning": "A running SLA target reached its warning share.",
    "sla.breached": "An SLA target passed its due time unmet.",
    "maintenance_event.requested": "A planned maintenance event was booked.",
    "maintenance_event.confirmed": "A planned maintenance event was confirmed.",
    "maintenance_event.cancelled": "A planned maintenance event was cancelled.",
    "maintenance_event.completed": "A planned maintenance event was completed.",
    "preview.scheduled": "A release preview session was planned or moved.",
    "review.completed": "A proactive system review's report was published.",
}


@dataclass(frozen=True)
class Event:
    kind: str
    subject: Any
    account_id: int
    detail: dict = field(default_factory=dict)
    occurred_at: dt.datetime = field(default_factory=timezone.now)


Listener = Callable[[Event], None]
_listeners: list[Listener] = []


def subscribe(listener: Listener) -> None:
    """Call ``listener`` for every event published from now on (once per listener)."""
    if listener not in _listeners:
        _listeners.append(listener)


def publish(kind: str, subject: Any, *, account_id: int, **detail) -> None:
    """Tell the listeners that ``kind`` happened to ``subject`` (a model instance of account ``account_id``).
    ``detail`` says what changed, in a few plain values (``change="status"``)."""
    if kind not in EVENT_TYPES:
        raise ValueError(f"unknown event type {kind!r}: add it to core.events.EVENT_TYPES")
    event = Event(kind=kind, subject=subject, account_id=account_id, detail=detail)
    for listener in _listeners:
        listener(event)
