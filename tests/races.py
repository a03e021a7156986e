"""The race harness: run the same call in N threads that start together, each on its own database connection
(PostgreSQL, ``django_db(transaction=True)``), and collect what each returned or raised.

    outcomes = at_once(10, lambda n: client_for(n).post(url, data))
    assert outcomes.values_of(lambda r: r.status_code) == ...
"""

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection


@dataclass
class Outcomes:
    results: list[Any] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)

    def count(self, predicate: Callable[[Any], bool]) -> int:
        return sum(1 for result in self.results if predicate(result))

    def tally(self, key: Callable[[Any], Any] = lambda result: result) -> Counter:
        return Counter(key(result) for result in self.results)

    def raised(self, kind: type[BaseException]) -> int:
        return sum(1 for error in self.errors if isinstance(error, kind))


def at_once(times: int, call: Callable[[int], Any], *, timeout: float = 30) -> Outcomes:
    """Call ``call(n)`` for n in range(times), each in a thread released by one barrier; every thread closes
    its database connection when done. Returns what each call returned and what each raised."""
    barrier = threading.Barrier(times)
    outcomes = Outcomes()
    lock = threading.Lock()

    def run(n: int) -> None:
        try:
            barrier.wait(timeout=timeout)
            result = call(n)
        except BaseException as error:  # the test decides which errors are acceptable
            with lock:
                outcomes.errors.append(error)
        else:
            with lock:
                outcomes.results.append(result)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout + 60)
    return outcomes
