"""N+1 detection for the whole suite (django-zeal): within one unit of work, a related object or a `.get()` fetched
again from the same line of code for another row raises ``zeal.NPlusOneError``, and the test fails.

A unit of work is what the portal does at once: a request (``per_request``, first in the test settings'
MIDDLEWARE; the browser tests' live server too), a Celery task, or a call a test makes into the portal's own
functions (services, selectors, jobs, homes: ``install`` wraps the public functions of the project's apps). What a
unit calls belongs to it: a view that calls a service once per row is caught. Fixtures and the test's own code
are not units: they build and re-read data one row at a time on purpose, and a test that signs in as two people
or calls a service twice is not an N+1.

The allow-list is ``ZEAL_ALLOWLIST`` in ``ess_portal/settings/test.py``; each entry says why it is there.
"""

import contextvars
import functools
import importlib
import inspect
import pkgutil
from contextlib import ExitStack, contextmanager
from pathlib import Path

from celery.signals import task_postrun, task_prerun
from django.apps import apps
from django.conf import settings
from zeal import zeal_context

# Modules whose functions are reached through requests (views, API, forms, templates), are not the portal's logic
# (configuration, schema, wiring), or build demo data one row at a time through the services on purpose, as
# fixtures do (seed: each service it calls is a unit). Everything else in the project's apps is wrapped.
NOT_UNITS = {"admin", "api", "apps", "asgi", "celery", "errors", "forms", "migrations", "management", "models"}
NOT_UNITS |= {"seed", "serializers", "settings", "templatetags", "urls", "customer_urls", "views", "wsgi"}

_in_unit: contextvars.ContextVar[bool] = contextvars.ContextVar("n_plus_one_unit", default=False)
_tasks: dict[str, ExitStack] = {}


@contextmanager
def unit_of_work():
    """Count N+1s from here, on their own; inside a unit already, this is part of it."""
    if _in_unit.get():
        yield
        return
    flag = _in_unit.set(True)
    try:
        with zeal_context():
            yield
    finally:
        _in_unit.reset(flag)


def per_request(get_response):
    """Middleware: each request is a unit of work."""

    def middleware(request):
        with unit_of_work():
            return get_response(request)

    return middleware


def as_unit(function):
    """The function, counted as a unit of work when a test calls it (and as part of its caller's unit otherwise)."""

    @functools.wraps(function)
    def unit(*args, **kwargs):
        with unit_of_work():
            return function(*args, **kwargs)

    unit.counted_as_unit = True
    return unit


def _task_starts(task_id=None, **kwargs):
    stack = ExitStack()
    stack.enter_context(unit_of_work())
    _tasks[task_id] = stack


def _task_ends(task_id=None, **kwargs):
    stack = _tasks.pop(task_id, None)
    if stack is not None:
        stack.close()


def _project_modules():
    root = Path(settings.BASE_DIR).resolve()
    for config in apps.get_app_configs():
        if Path(config.path).resolve().parent != root:  # not one of the project's own apps
            continue
        yield config.module
        for info in pkgutil.walk_packages(config.module.__path__, prefix=f"{config.name}."):
            if not NOT_UNITS.intersection(info.name.split(".")[1:]):
                yield importlib.import_module(info.name)


def _wrap(module) -> None:
    for name, value in list(vars(module).items()):
        if (
            inspect.isfunction(value)
            and value.__module__ == module.__name__
            and not name.startswith("_")
            and not inspect.isgeneratorfunction(value)
            and not inspect.iscoroutinefunction(value)
            and not getattr(value, "counted_as_unit", False)
        ):
            setattr(module, name, as_unit(value))


def install() -> None:
    """Make every task, and every call from a test into the portal's functions, a unit of work. Called once, before
    the test modules import what they call."""
    for module in _project_modules():
        _wrap(module)
    task_prerun.connect(_task_starts, weak=False, dispatch_uid="n_plus_one_task_starts")
    task_postrun.connect(_task_ends, weak=False, dispatch_uid="n_plus_one_task_ends")
