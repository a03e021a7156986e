"""Repository inventories read from CSV, in one streaming pass. Pure Python (no Django).

Two shapes are accepted, told apart by the header:

* one row per file: a ``path`` (or ``extension``) column and a ``size`` column in bytes; the rows are
  added up by extension;
* one row per file type: an ``extension`` (or ``type``) column, a ``count`` column and a ``bytes`` column.

Every row is checked. A bad file is refused whole, with the first problems by line number; nothing is kept.
Memory stays bounded: rows are read one at a time and only the totals per extension are held (a dict that
grows with the number of file types, capped at ``MAX_TYPES``, never with the number of rows).
"""

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

MAX_REPORTED = 20
MAX_TYPES = 2000
MAX_EXTENSION = 32
MAX_NUMBER = 2**63 - 1  # a PostgreSQL bigint
MAX_LINE = 64 * 1024  # longer physical lines are cut, so one runaway line cannot fill the memory
PER_FILE = "per-file"
PER_TYPE = "per-type"
NO_EXTENSION = {"", "(none)", "(no extension)", "none"}
REPLACED = "\ufffd"  # what the decoder puts for bytes that are not UTF-8

# Header names, compared without case, spaces or punctuation ("File count" == "file_count").
PATH_NAMES = {"path", "file", "filename", "filepath", "fullpath", "name"}
EXTENSION_NAMES = {"extension", "ext", "fileextension", "type", "filetype"}
SIZE_NAMES = {"size", "sizebytes", "sizeinbytes", "filesize", "bytes", "length"}
COUNT_NAMES = {"count", "files", "filecount", "numberoffiles"}
TYPE_BYTES_NAMES = {"bytes", "totalbytes", "size", "sizebytes", "sizeinbytes", "totalsize", "volume", "volumebytes"}
WHOLE = re.compile(r"\d+")


class InventoryRejected(Exception):
    """The file cannot be imported; ``problems`` are the first ones found, by line, and ``more`` counts the rest."""

    def __init__(self, problems: list[str], more: int = 0):
        self.problems = problems
        self.more = more
        super().__init__(self.summary)

    @property
    def summary(self) -> str:
        total = len(self.problems) + self.more
        return f"Nothing was imported: the file has {total} problem{'s' if total != 1 else ''}."

    @property
    def lines(self) -> list[str]:
        return [*self.problems, *([f"and {self.more} more"] if self.more else [])]


@dataclass
class Inventory:
    format: str
    rows: int = 0
    totals: dict[str, list[int]] = field(default_factory=dict)  # extension -> [files, bytes]


def _name(cell: str) -> str:
    return "".join(ch for ch in cell.casefold() if ch.isalnum())


def _find(header: list[str], names: set[str], *, skip: int | None = None) -> int | None:
    return next((i for i, cell in enumerate(header) if _name(cell) in names and i != skip), None)


@dataclass
class _Columns:
    format: str
    extension: int | None = None
    path: int | None = None
    size: int | None = None
    count: int | None = None

    @property
    def width(self) -> int:
        return 1 + max(i for i in (self.extension, self.path, self.size, self.count) if i is not None)


def _columns(header: list[str]) -> _Columns | None:
    count = _find(header, COUNT_NAMES)
    if count is not None:
        extension = _find(header, EXTENSION_NAMES)
        size = _find(header, TYPE_BYTES_NAMES, skip=count)
        if extension is None or size is None:
            return None
        return _Columns(PER_TYPE, extension=extension, size=size, count=count)
    size = _find(header, SIZE_NAMES)
    path = _find(header, PATH_NAMES)
    extension = _find(header, EXTENSION_NAMES)
    if size is None or (path is None and extension is None):
        return None
    return _Columns(PER_FILE, extension=extension, path=path, size=size)


def extension_of(path: str) -> str:
    """The extension of a file path, lower case without the dot ("" when there is none)."""
    base = re.split(r"[\\/]", path.strip())[-1]
    stem, dot, suffix = base.rpartition(".")
    if not dot or not stem or not suffix or len(suffix) > MAX_EXTENSION or not suffix.isalnum():
        return ""
    return suffix.casefold()


class _Problems:
    def __init__(self):
        self.shown: list[str] = []
        self.more = 0

    def add(self, line: int, message: str) -> None:
        if len(self.shown) < MAX_REPORTED:
            self.shown.append(f"line {line}: {message}")
        else:
            self.more += 1

    def __bool__(self) -> bool:
        return bool(self.shown)


def _shown(value: str) -> str:
    value = value.strip()
    return f"“{value[:24]}…”" if len(value) > 24 else f"“{value}”"


def _whole(value: str, what: str, line: int, problems: _Problems) -> int | None:
    text = value.strip()
    if not text:
        problems.add(line, f"{what} is empty")
        return None
    if not WHOLE.fullmatch(text):
        problems.add(line, f"{what} is not a whole number ({_shown(value)})")
        return None
    if len(text.lstrip("0")) > 19:  # beyond any 64-bit count; int() of a huge string is refused or slow
        problems.add(line, f"{what} is too large")
        return None
    number = int(text)
    if number > MAX_NUMBER:
        problems.add(line, f"{what} is too large")
        return None
    return number


def _extension(value: str, line: int, problems: _Problems) -> str | None:
    text = value.strip().lstrip(".").casefold()
    if text in NO_EXTENSION:
        return ""
    if len(text) > MAX_EXTENSION:
        problems.add(line, f"the extension is longer than {MAX_EXTENSION} characters")
        return None
    if any(ch.isspace() or ch in "/\\" or not ch.isprintable() for ch in text):
        problems.add(line, f"the extension {_shown(value)} is not a file extension")
        return None
    return text


def _bounded_lines(text: io.TextIOBase) -> Iterator[str]:
    while line := text.readline(MAX_LINE):
        yield line


def read_inventory(lines: Iterable[str]) -> Inventory:
    """Read an inventory from CSV text lines. Raises InventoryRejected when any row is bad (nothing is kept)."""
    reader = csv.reader(lines)
    problems = _Problems()
    columns: _Columns | None = None
    inventory: Inventory | None = None
    first_seen: dict[str, int] = {}
    try:
        for record in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in record):
                continue  # blank lines are allowed anywhere
            if any(REPLACED in cell for cell in record):
                problems.add(line, "the line is not UTF-8 text")
                if columns is None:
                    break
                continue
            if columns is None:
                columns = _columns(record)
                if columns is None:
                    raise InventoryRejected(
                        [
                            f"line {line}: the header must name either a path (or extension) and a size column, "
                            "for one row per file, or an extension, a count and a bytes column, for one row per type"
                        ]
                    )
                inventory = Inventory(columns.format)
                continue
            inventory.rows += 1
            if len(record) < columns.width:
                problems.add(line, f"expected {columns.width} columns, found {len(record)}")
                continue
            if columns.format == PER_FILE:
                extension, files = _per_file_extension(record, columns, line, problems), 1
            else:
                extension = _extension(record[columns.extension], line, problems)
                files = _whole(record[columns.count], "count", line, problems)
            size = _whole(record[columns.size], "size" if columns.format == PER_FILE else "bytes", line, problems)
            if extension is None or files is None or size is None or problems:
                continue  # once the file is refused, only further problems matter
            if columns.format == PER_TYPE:
                if extension in first_seen:
                    label = f".{extension}" if extension else "(no extension)"
                    problems.add(line, f"{label} already has a row on line {first_seen[extension]}")
                    continue
                first_seen[extension] = line
            totals = inventory.totals.get(extension)
            if totals is None:
                if len(inventory.totals) >= MAX_TYPES:
                    problems.add(line, f"more than {MAX_TYPES} file types; group the rare ones before importing")
                    break
                totals = inventory.totals[extension] = [0, 0]
            totals[0] += files
            totals[1] += size
            if totals[1] > MAX_NUMBER or totals[0] > MAX_NUMBER:
                problems.add(line, "the total for this file type is too large")
    except csv.Error as error:
        problems.add(reader.line_num, f"the CSV cannot be read ({error})")
    if problems:
        raise InventoryRejected(problems.shown, problems.more)
    if inventory is None:
        raise InventoryRejected(["The file is empty: give a header line and one row per file or per file type."])
    if not inventory.rows:
        raise InventoryRejected(["The file has a header but no rows."])
    return inventory


def _per_file_extension(record: list[str], columns: _Columns, line: int, problems: _Problems) -> str | None:
    if columns.extension is not None and record[columns.extension].strip():
        return _extension(record[columns.extension], line, problems)
    if columns.path is not None and record[columns.path].strip():
        return extension_of(record[columns.path])
    problems.add(line, "the path is empty" if columns.path is not None else "the extension is empty")
    return None


def read_inventory_file(binary: BinaryIO) -> Inventory:
    """Read an uploaded file (bytes) as UTF-8 CSV, line by line, without loading it whole. Bytes that are not
    UTF-8 are replaced as they are decoded, so the row that holds them is named by its line."""
    binary.seek(0)
    text = io.TextIOWrapper(binary, encoding="utf-8-sig", errors="replace", newline="")
    try:
        return read_inventory(_bounded_lines(text))
    finally:
        text.detach()  # the upload stays open for its owner
