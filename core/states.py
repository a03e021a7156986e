"""One transition helper for every aggregate with a status: each app keeps its table in ``states.py``.

EVENT_STATES = Transitions({REQUESTED: {CONFIRMED, CANCELLED}, ...}, noun="event")
EVENT_STATES.move(event, EventStatus.CONFIRMED)   # sets event.status or raises DomainError
"""

from collections.abc import Mapping

from .errors import DomainError


class Transitions:
    def __init__(self, table: Mapping, *, noun: str, field: str = "status"):
        self.table = {state: frozenset(targets) for state, targets in table.items()}
        self.noun = noun
        self.field = field

    def allows(self, current, new) -> bool:
        return new in self.table.get(current, frozenset())

    def check(self, current, new) -> None:
        if not self.allows(current, new):
            raise DomainError(
                f"A {_label(current)} {self.noun} cannot become {_label(new)}.",
                field=self.field,
            )

    def move(self, obj, new) -> None:
        """Set ``obj``'s status to ``new`` if the table allows it from its current status."""
        current = type(new)(getattr(obj, self.field))
        self.check(current, new)
        setattr(obj, self.field, new)


def _label(state) -> str:
    return str(getattr(state, "label", state)).lower()
