"""What every part of the seed uses: its context, reproducible random streams and the COPY loader."""

import datetime as dt
import io
import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import connection

HISTORY = dt.timedelta(days=730)
BATCH = 50_000


@dataclass(frozen=True)
class Seeding:
    """One seed: its options (sizes and the random seed), the moment it runs, and where it reports progress."""

    options: dict
    now: dt.datetime
    today: dt.date
    zone: ZoneInfo
    log: Callable[[str], None]

    def stream(self, offset: int) -> random.Random:
        """A reproducible stream of synthetic data (not for anything secret), one per part of the seed, so that
        one part's sizes never change what another part draws."""
        return random.Random(self.options["seed"] + offset)  # noqa: S311


def _text(value) -> str:
    """One value in PostgreSQL COPY text format."""
    if value is None:
        return r"\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, dt.timedelta):
        return f"{value.total_seconds()} seconds"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, dict | list):
        value = json.dumps(value)
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


class Copier:
    """Rows for one table, sent with COPY every ``BATCH`` rows."""

    def __init__(self, model, fields: list[str]):
        self.table = model._meta.db_table
        self.columns = [model._meta.get_field(name).column for name in fields]
        self.buffer = io.StringIO()
        self.pending = 0
        self.written = 0

    def add(self, *values) -> None:
        self.buffer.write("\t".join(_text(v) for v in values))
        self.buffer.write("\n")
        self.pending += 1
        if self.pending >= BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        self.buffer.seek(0)
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(
                f'COPY "{self.table}" ({", ".join(self.columns)}) FROM STDIN', self.buffer, size=1 << 20
            )
        self.written += self.pending
        self.buffer, self.pending = io.StringIO(), 0


def flush_all(*copiers: Copier, models=()) -> None:
    """Send what the copiers hold, then move the id sequences of ``models`` past the ids assigned here."""
    for copier in copiers:
        copier.flush()
    for model in models:
        reset_sequence(model)


def reset_sequence(model) -> None:
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "  # noqa: S608
            f'COALESCE((SELECT MAX(id) FROM "{table}"), 1))'
        )
