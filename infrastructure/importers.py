"""Reading import files: CSV in UTF-8 (with or without a byte-order mark, as spreadsheets save).

A file that cannot be read as such CSV is refused as a whole, with the reason and where
(:class:`application.review_import.ImportFileError`), never with a traceback.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from application.review_import import ImportFileError

MAX_FILE_BYTES = 256 * 1024 * 1024
"""Largest import file read (a district's review is a few megabytes)."""


def _decoded(path: Path) -> str:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ImportFileError([f"{path} is {size:,} bytes; at most {MAX_FILE_BYTES:,}"])
        data = path.read_bytes()
    except OSError as e:
        raise ImportFileError([f"cannot read {path}: {e.strerror or e}"]) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        raise ImportFileError(
            [
                f"line {line}: the file is not UTF-8 (byte 0x{data[e.start]:02x} at offset "
                f"{e.start}); save it from the spreadsheet as 'CSV UTF-8' and import it again"
            ]
        ) from None


def read_csv(path: Path) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    """The header and the rows of ``path``, each row with its line number in the file."""
    reader = csv.DictReader(io.StringIO(_decoded(path), newline=""))
    try:
        fieldnames = reader.fieldnames
    except csv.Error as e:
        raise ImportFileError([f"line 1: not readable as CSV ({e})"]) from None
    header = [h.strip() for h in (fieldnames or [])]
    reader.fieldnames = header

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        try:
            for raw in reader:
                yield reader.line_num, {k: (v or "") for k, v in raw.items() if k is not None}
        except csv.Error as e:
            raise ImportFileError([f"line {reader.line_num}: not readable as CSV ({e})"]) from None

    return header, rows()
