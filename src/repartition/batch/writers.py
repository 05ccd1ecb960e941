"""Writing routed rows and rejects: spreadsheet-safe CSV cells, CSV and JSON Lines sinks."""

from __future__ import annotations

import csv
import json
import re
from typing import IO

__all__ = [
    "FORMULA_STARTS",
    "CsvSink",
    "JsonlSink",
    "neutralise",
    "neutralise_cells",
    "neutralise_row",
    "open_sink",
]

#: The characters that make a spreadsheet read a cell as a formula, and their full-width forms
#: (in case a spreadsheet folds them to the others).
FORMULA_STARTS = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")
# A number as a spreadsheet reads it: sign, digits (optionally grouped by thousands with a space),
# decimal comma or point, exponent, a trailing € or %. Such a cell is data, not a formula.
# _speedups.c reads the same numbers (is_number); keep them in step.
_NUMBER = re.compile(
    r"[+-]?(?:[0-9]+|[0-9]{1,3}(?:[ \u00a0\u202f][0-9]{3})+)(?:[.,][0-9]+)?(?:[eE][+-]?[0-9]+)?"
    r"(?:[ \u00a0\u202f]?[€%])?"
)

try:
    from .._speedups import neutralise_cells as _neutralise_cells_c
except ImportError:  # installed without a C compiler (or a build older than this function)
    _neutralise_cells_c = None


def neutralise(cell: str) -> str:
    """A cell a spreadsheet shows as text: `'` before it if a spreadsheet could take it for a formula.

    That is a cell starting with a control character (tab, carriage return…), or whose first
    character after any spaces is `=`, `+`, `-`, `@` (or a full-width form), unless it is a number
    such as `-12,50` or `+3 %`.
    """
    if not cell:
        return cell
    first = cell[0]
    if first < " ":
        return "'" + cell
    if first in FORMULA_STARTS or first.isspace():
        text = cell.lstrip()
        if text and text[0] in FORMULA_STARTS and not (text[0] in "+-" and _NUMBER.fullmatch(text)):
            return "'" + cell
    return cell


# The first characters that may call for a `'`: formula starts, control characters and spaces
# (every character `str.isspace` knows lies below U+3001).
_SUSPECT = FORMULA_STARTS | {chr(c) for c in range(0x3001) if c < 0x20 or chr(c).isspace()}


def _neutralise_cells_py(row: list[str]) -> bool:
    changed = False
    for index, cell in enumerate(row):
        if cell[:1] in _SUSPECT:  # the cheap test first: most cells start with a letter or a digit
            safe = neutralise(cell)
            if safe is not cell:
                row[index] = safe
                changed = True
    return changed


#: neutralise_cells(row): neutralise every cell of a list in place; True if one changed.
neutralise_cells = _neutralise_cells_c or _neutralise_cells_py


def neutralise_row(row: list[str]) -> list[str]:
    """Neutralise every cell of a row in place; return the row."""
    neutralise_cells(row)
    return row


class CsvSink:
    """CSV rows to a stream, every cell neutralised against spreadsheet formulas."""

    def __init__(self, stream: IO[str], *, separator: str = ";", bom: bool = False):
        if bom:
            stream.write("\ufeff")
        #: The underlying text stream (for callers that write rows already formatted).
        self.stream = stream
        #: Write a row as it is (its cells must already be neutralised).
        self.writerow = csv.writer(stream, delimiter=separator, lineterminator="\r\n").writerow

    def write(self, row: list[str]) -> None:
        """Write one row; its list is neutralised in place."""
        self.writerow(neutralise_row(row))


class JsonlSink:
    """JSON objects to a stream, one a line, UTF-8 text kept as is."""

    def __init__(self, stream: IO[str]):
        self._write = stream.write
        self._dumps = json.JSONEncoder(ensure_ascii=False).encode

    def write(self, record: dict) -> None:
        self._write(self._dumps(record) + "\n")


def open_sink(stream: IO[str], fmt: str, *, separator: str = ";", bom: bool = False) -> CsvSink | JsonlSink:
    """The sink of the given format over an open text stream."""
    if fmt == "csv":
        return CsvSink(stream, separator=separator, bom=bom)
    return JsonlSink(stream)
