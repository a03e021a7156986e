"""The event's lifecycle, one table: requested -> confirmed -> completed, or cancelled on the way (a no-show is a
confirmed event cancelled after its start, its credit used)."""

from core.states import Transitions

from .models import EventStatus

EVENT_STATES = Transitions(
    {
        EventStatus.REQUESTED: {EventStatus.CONFIRMED, EventStatus.CANCELLED},
        EventStatus.CONFIRMED: {EventStatus.COMPLETED, EventStatus.CANCELLED},
        EventStatus.COMPLETED: set(),
        EventStatus.CANCELLED: set(),
    },
    noun="event",
)
