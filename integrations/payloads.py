"""What a webhook message says: one documented, versioned shape per event type (README, "Integrations").

    {"type": "case.updated", "version": 1, "timestamp": "2026-05-04T16:00:00Z",
     "data": {"account": {"slug": "acme", "name": "Acme Manufacturing"}, "case": {...}, "change": "status"}}

A payload carries only the account the event concerns and the object it is about: no other account, no
internal notes, no people's addresses. It is made when the event happens (in the change's transaction), so it says
what was true then, however late it is delivered. Version 1 may gain fields; removing or renaming one is version 2.
"""

import datetime as dt
import json

from django.utils import timezone

from core.events import Event

VERSION = 1


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z") if moment else None


def _account(account) -> dict:
    return {"slug": account.slug, "name": account.name}


def _case(case) -> dict:
    return {
        "id": case.pk,
        "reference": case.reference,
        "subject": case.subject,
        "status": case.status,
        "severity": case.severity,
        "channel": case.channel,
        "created_at": _iso(case.created_at),
        "resolved_at": _iso(case.resolved_at),
        "closed_at": _iso(case.closed_at),
    }


def _milestone(milestone) -> dict:
    return {
        "id": milestone.pk,
        "target": milestone.name,
        "started_at": _iso(milestone.started_at),
        "due_at": _iso(milestone.due_at),
        "warned_at": _iso(milestone.warned_at),
        "breached_at": _iso(milestone.breached_at),
    }


def _maintenance_event(event) -> dict:
    return {
        "id": str(event.uid),
        "scope": event.scope,
        "status": event.status,
        "starts_at": _iso(event.starts_at),
        "ends_at": _iso(event.ends_at),
        "critical": event.critical,
        "cancelled_on_behalf_of": event.cancelled_on_behalf_of or None,
        "cancel_reason": event.cancel_reason,
        "outcome": event.outcome,
    }


def _preview(preview) -> dict:
    return {
        "id": str(preview.uid),
        "release": preview.release.version,
        "status": preview.status,
        "scheduled_at": _iso(preview.scheduled_at),
        "duration_minutes": preview.duration_minutes,
        "uses_replica": preview.uses_replica,
    }


def _review(review) -> dict:
    return {
        "id": review.pk,
        "quarter_start": review.quarter_start.isoformat(),
        "due_date": review.due_date.isoformat(),
        "status": review.status,
        "held_at": _iso(review.held_at),
        "published_at": _iso(review.published_at),
        "summary": review.summary,
    }


# event type prefix -> (the key of the object in ``data``, how to describe it, its account, its ordering key)
SHAPES = {
    "case": ("case", _case, lambda case: case.account, lambda case: f"case:{case.pk}"),
    "sla": ("milestone", _milestone, lambda m: m.case.account, lambda m: f"case:{m.case_id}"),
    "maintenance_event": (
        "maintenance_event",
        _maintenance_event,
        lambda event: event.account,
        lambda event: f"maintenance_event:{event.pk}",
    ),
    "preview": ("preview", _preview, lambda preview: preview.account, lambda preview: f"preview:{preview.pk}"),
    "review": ("review", _review, lambda review: review.account, lambda review: f"review:{review.pk}"),
}


def object_key(event: Event) -> str:
    return SHAPES[event.kind.split(".", 1)[0]][3](event.subject)


def payload(event: Event) -> str:
    """The message body, as JSON text (sent byte for byte on every try)."""
    name, describe, account_of, _ = SHAPES[event.kind.split(".", 1)[0]]
    data = {"account": _account(account_of(event.subject)), name: describe(event.subject)}
    if event.kind.startswith("sla."):
        data["case"] = _case(event.subject.case)
    data.update(event.detail)
    body = {
        "type": event.kind,
        "version": VERSION,
        "timestamp": _iso(event.occurred_at or timezone.now()),
        "data": data,
    }
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)
