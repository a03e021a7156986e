"""One transition helper for every aggregate with a status: each app keeps its table in ``states.py``.

EVENT_STATES = Transitions({REQUESTED: {CONFIRMED, CANCELLED}, ...}, noun="event")
EVENT_STATES.move(event, EventStatus.CONFIRMED)   # sets event.status or raises DomainError

A refused move is a ``DomainError`` on the ``status`` field saying "A requested event cannot become completed.",
unless the table words it its own way (``refusal``) or puts it on another field (``error_field``; ``None`` for the
form as a whole).
"""

from collections.abc import Callable, Mapping

from .errors import DomainError

_SAME = object()


class Transitions:
    def __init__(
        self,
        table: Mapping,
        *,
        noun: str,
        field: str = "status",
        refusal: Callable[[object, object], str] | None = None,
        error_field: str | object | None = _SAME,
    ):
        self.table = {state: frozenset(targets) for state, targets in table.items()}
        self.noun = noun
        self.field = field
        self.error_field = field if error_field is _SAME else error_field
        self.refusal = refusal or (lambda current, new: f"A {_label(current)} {noun} cannot become {_label(new)}.")

    def allows(self, current, new) -> bool:
        return new in self.table.get(current, frozenset())

    def check(self, current, new) -> None:
        if not self.allows(current, new):
            raise DomainError(self.refusal(current, new), field=self.error_field)

    def move(self, obj, new) -> None:
        """Set ``obj``'s status to ``new`` if the table allows it from its current status."""
        current = type(new)(getattr(obj, self.field))
        self.check(current, new)
        setattr(obj, self.field, new)


def _label(state) -> str:
    return str(getattr(state, "label", state)).lower()
