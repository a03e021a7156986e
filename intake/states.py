"""The triage item's status table: a waiting item is assigned to an account (a case) or discarded, once."""

from core.states import Transitions

from .models import TriageStatus

TRIAGE_STATES = Transitions(
    {
        TriageStatus.WAITING: {TriageStatus.ASSIGNED, TriageStatus.DISCARDED},
        TriageStatus.ASSIGNED: set(),
        TriageStatus.DISCARDED: set(),
    },
    noun="item",
    refusal=lambda current, new: f"This item was already {current.label.lower()}.",
    error_field=None,
)
