"""Every event type of the catalogue is published by the service that makes it happen, inside its transaction, and
becomes a webhook message whose payload names the account and the object, keyed for ordering by its object."""

import datetime as dt
import json

import pytest

from cases.chaser import sla_chase
from cases.escalations import case_escalate
from cases.models import CaseStatus
from cases.services import case_open, case_reply, case_set_status
from core.events import EVENT_TYPES
from integrations.models import WebhookMessage
from integrations.webhooks import endpoint_register
from maintenance.services import event_cancel, event_complete, event_confirm
from reviews import services as reviews
from tests.maintenance.conftest import EVENING, book
from tests.reviews.conftest import NOW, at, fill_review, patch_release, release_admin, review  # noqa: F401

pytestmark = pytest.mark.time_machine(NOW, tick=False)


@pytest.fixture
def hook(db):
    return endpoint_register(actor=None, name="Everything", url="http://127.0.0.1:9/", event_types=list(EVENT_TYPES))


def published() -> list[tuple[str, str]]:
    return [(m.event_type, m.object_key) for m in WebhookMessage.objects.order_by("id")]


def body(kind: str) -> dict:
    return json.loads(WebhookMessage.objects.filter(event_type=kind).latest("id").body)


def test_case_events(hook, ess, alice, support, tam, backup_tam, time_machine):
    case = case_open(actor=alice, account=ess, subject="Scanner stuck", description="Batch 42", severity=1)
    case_reply(actor=support, case=case, body="Looking")
    case_set_status(actor=support, case=case, status=CaseStatus.WAITING)
    case_set_status(actor=support, case=case, status=CaseStatus.OPEN)
    case_escalate(actor=support, case=case, reason="Production down")
    key = f"case:{case.pk}"
    assert published() == [
        ("case.created", key),
        ("case.updated", key),
        ("case.updated", key),
        ("case.updated", key),
        ("case.escalated", key),
    ]
    assert body("case.escalated")["data"]["again"] is False
    # The SLA clocks: a warning at 75 % and a breach once due, each once, keyed by their case.
    time_machine.move_to(NOW + dt.timedelta(minutes=12))
    sla_chase()
    time_machine.move_to(NOW + dt.timedelta(days=3))
    sla_chase()
    kinds = [kind for kind, object_key in published() if kind.startswith("sla.")]
    assert "sla.warning" in kinds and "sla.breached" in kinds
    assert {object_key for kind, object_key in published() if kind.startswith("sla.")} == {key}
    breach = body("sla.breached")["data"]
    assert (
        breach["case"]["id"] == case.pk and breach["milestone"]["breached_at"] and breach["account"]["slug"] == "acme"
    )


def test_maintenance_event_events(hook, ess, alice, tam, time_machine):
    from maintenance.credits import quarter_roll_over

    quarter_roll_over(as_of=dt.date(2026, 1, 1))
    quarter_roll_over(as_of=dt.date(2026, 4, 1))  # two credits banked
    event = book(ess, alice)
    event_confirm(actor=tam, event=event)
    other = book(ess, alice, starts_at=EVENING + dt.timedelta(days=1))
    event_cancel(actor=alice, event=other, on_behalf_of="customer")
    time_machine.move_to(EVENING + dt.timedelta(hours=3))
    event_complete(actor=tam, event=event, outcome="Applied 10.2.1", actual_duration=dt.timedelta(hours=2))
    assert [kind for kind, _ in published()] == [
        "maintenance_event.requested",
        "maintenance_event.confirmed",
        "maintenance_event.requested",
        "maintenance_event.cancelled",
        "maintenance_event.completed",
    ]
    completed = body("maintenance_event.completed")["data"]["maintenance_event"]
    assert completed["id"] == str(event.uid) and completed["status"] == "completed"
    assert body("maintenance_event.cancelled")["data"]["maintenance_event"]["cancelled_on_behalf_of"] == "customer"


def test_preview_and_review_events(hook, ess, tam, patch_release, review):  # noqa: F811
    preview = reviews.preview_plan(actor=tam, release=patch_release, account=ess, scheduled_at=at(12))
    items = list(preview.items.values_list("pk", flat=True))
    reviews.preview_update(
        actor=tam, preview=preview, scheduled_at=at(13), duration_minutes=60, items=items, uses_replica=False
    )
    fill_review(review, tam)
    assert published() == [
        ("preview.scheduled", f"preview:{preview.pk}"),
        ("preview.scheduled", f"preview:{preview.pk}"),
        ("review.completed", f"review:{review.pk}"),
    ]
    assert body("preview.scheduled")["data"]["rescheduled"] is True
    assert body("review.completed")["data"]["review"]["status"] == "published"


def test_every_event_type_is_covered_above():
    covered = {
        "case.created",
        "case.updated",
        "case.escalated",
        "sla.warning",
        "sla.breached",
        "maintenance_event.requested",
        "maintenance_event.confirmed",
        "maintenance_event.cancelled",
        "maintenance_event.completed",
        "preview.scheduled",
        "review.completed",
    }
    assert covered == set(EVENT_TYPES)
