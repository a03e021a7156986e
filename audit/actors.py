"""Who is acting: the signed-in user of a request, a Celery job, or a command.

The database triggers ask for the current actor when they write a row; they get it from here, through a
function registered on each SQLite connection or a setting put on each PostgreSQL connection before a write.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

# Resolved lazily: a request's user is only loaded if the request writes an audited row.
Actor = tuple[int | None, str]
_current: ContextVar[Callable[[], Actor] | None] = ContextVar("audit_actor", default=None)
SYSTEM = "system"


def current() -> Actor:
    resolve = _current.get()
    return resolve() if resolve else (None, SYSTEM)


@contextmanager
def acting(resolve: Callable[[], Actor]) -> Iterator[None]:
    token = _current.set(resolve)
    try:
        yield
    finally:
        _current.reset(token)


def acting_as_job(name: str):
    return acting(lambda: (None, f"job: {name}"))


def _request_actor(request) -> Callable[[], Actor]:
    def resolve() -> Actor:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            # A request made with an API token names it: "token <name> of <e-mail>".
            token_label = getattr(getattr(request, "auth", None), "audit_label", None)
            return user.pk, token_label or user.email
        return None, "anonymous visitor"

    return resolve


class AuditActorMiddleware:
    """Makes the request's user the actor of every audited change the request makes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with acting(_request_actor(request)):
            return self.get_response(request)


_job_tokens: dict[str, object] = {}


def _job_started(task_id=None, task=None, **kwargs):
    _job_tokens[task_id] = _current.set(lambda: (None, f"job: {task.name}"))


def _job_finished(task_id=None, **kwargs):
    token = _job_tokens.pop(task_id, None)
    if token is not None:
        _current.reset(token)


def connect_job_signals() -> None:
    from celery.signals import task_postrun, task_prerun

    task_prerun.connect(_job_started, weak=False)
    task_postrun.connect(_job_finished, weak=False)
