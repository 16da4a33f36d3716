"""Reading import files: CSV in UTF-8 (with or without a byte-order mark, as spreadsheets save)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path


def read_csv(path: Path) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    """The header and the rows of ``path``, each row with its line number in the file."""
    handle = path.open(encoding="utf-8-sig", newline="")
    reader = csv.DictReader(handle)
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        with handle:
            for raw in reader:
                yield reader.line_num, {k: (v or "") for k, v in raw.items() if k is not None}

    return header, rows()
