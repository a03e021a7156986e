"""Release versions compared as versions ("10.10.0" after "10.9.3"), not as text. Pure Python."""

import re

VERSION = re.compile(r"^\s*v?(\d{1,5})\.(\d{1,5})(?:\.(\d{1,5}))?\s*$", re.IGNORECASE)


def parse_version(text: str) -> tuple[int, int, int]:
    """``"10.2.1"`` -> ``(10, 2, 1)``; ``"10.2"`` -> ``(10, 2, 0)``. Raises ValueError on anything else."""
    match = VERSION.match(text or "")
    if match is None:
        raise ValueError("Give the version as numbers with dots, e.g. 10.2.1.")
    major, minor, patch = match.groups()
    return int(major), int(minor), int(patch or 0)


def format_version(key: tuple[int, int, int]) -> str:
    return ".".join(str(part) for part in key)
