"""Every write of releases, release previews and proactive reviews, and every decision about who may make it.

One module per aggregate:

- ``releases``: releases and their items;
- ``previews``: release previews, and the modules an account uses;
- ``proactive``: a review's session and lifecycle; ``findings``, ``inventory`` and ``recommendations``: its parts;
- ``rules``: who may do what (``may_plan_preview(user, account)``, ...), checked by the services, asked by pages.

Each service takes keyword arguments and the acting user as ``actor``, and refuses with ``NotAllowed`` (403) or
``DomainError`` (a message per input). ``from reviews import services; services.preview_plan(...)`` finds each
name in its module when it is used, so whatever wraps a module's function later (the test suite counts each
call as a unit of work) is what is called.
"""

import importlib

MODULES = ("rules", "releases", "previews", "proactive", "findings", "inventory", "recommendations")


def _module_of(name: str):
    for module_name in MODULES:
        module = importlib.import_module(f"{__name__}.{module_name}")
        if name in module.__all__:
            return module
    return None


def __getattr__(name: str):
    module = _module_of(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(module, name)


def __dir__() -> list[str]:
    return sorted({*globals(), *(name for m in MODULES for name in importlib.import_module(f"{__name__}.{m}").__all__)})
