"""Test clocks: the whole run moved to another date, so a test that mixes a fixed date with the real clock
fails now, not on the day the calendar passes that date.

``pytest --clock-at=2027-07-01T12:00:00Z`` (or ``ESS_TEST_CLOCK_AT``) starts the process clock at that
instant, ticking, before any test runs; ``.ci/run`` runs the suite so at two far dates besides today.

A test that needs a fixed now freezes it for its whole length with time-machine's marker
(``@pytest.mark.time_machine(NOW, tick=False)``, or ``pytestmark`` for a module) or its ``time_machine``
fixture; either nests inside the shifted clock. A test that does not freeze derives every date from
``timezone.now()``.
"""

import datetime as dt
import os

import time_machine

_traveller = None


def add_option(parser) -> None:
    parser.addoption(
        "--clock-at",
        default=os.environ.get("ESS_TEST_CLOCK_AT", ""),
        help="start the process clock at this ISO 8601 instant (ticking), e.g. 2027-07-01T12:00:00Z",
    )


def shifted_instant(value: str) -> dt.datetime | None:
    if not value:
        return None
    moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(f"--clock-at needs an offset or Z: {value!r}")
    return moment


def start(config) -> None:
    global _traveller
    moment = shifted_instant(config.getoption("--clock-at"))
    if moment is not None:
        _traveller = time_machine.travel(moment, tick=True)
        _traveller.start()


def stop() -> None:
    global _traveller
    if _traveller is not None:
        _traveller.stop()
        _traveller = None


def report_header(config) -> str | None:
    moment = shifted_instant(config.getoption("--clock-at"))
    return f"clock shifted to {moment.isoformat()} (--clock-at)" if moment else None
