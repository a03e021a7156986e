"""Measurements that run inside Django, one per process: ``python -m bench.measure NAME [--option value]``.

``bench/in_process.py`` starts each with the benchmark settings and the database to measure, and reads the JSON
object printed on the last line. Every measurement that writes does so inside a transaction it rolls back, so the
benchmark database stays as seeded. The modules of this package need Django set up: ``__main__`` does it first.
"""

import time


def timed(call) -> float:
    """The seconds ``call()`` takes."""
    began = time.perf_counter()
    call()
    return time.perf_counter() - began
