"""Writing routed rows and rejects: spreadsheet-safe CSV, JSON Lines, files renamed only when complete."""

from __future__ import annotations

import csv
import json
import os
import re
import secrets
import sys
from pathlib import Path
from typing import IO

from ..errors import os_reason
from .errors import BatchError
from .readers import STDIO, display_name

__all__ = [
    "FORMULA_STARTS",
    "AtomicFile",
    "CsvSink",
    "JsonlSink",
    "neutralise",
    "neutralise_row",
    "open_sink",
]

#: The characters that make a spreadsheet read a cell as a formula.
FORMULA_STARTS = frozenset("=+-@")
# A number as a spreadsheet reads it: sign, digits (optionally grouped by thousands with a space),
# decimal comma or point, exponent, a trailing € or %. Such a cell is data, not a formula.
_NUMBER = re.compile(
    r"[+-]?(?:\d+|\d{1,3}(?:[ \u00a0\u202f]\d{3})+)(?:[.,]\d+)?(?:[eE][+-]?\d+)?"
    r"(?:[ \u00a0\u202f]?[€%])?"
)


def neutralise(cell: str) -> str:
    """A cell a spreadsheet shows as text: `'` before `=`, `+`, `-`, `@` unless it is a number."""
    if cell and cell[0] in FORMULA_STARTS and not _NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def neutralise_row(row: list[str]) -> list[str]:
    """Neutralise every cell of a row in place; return the row."""
    starts = FORMULA_STARTS
    for index, cell in enumerate(row):
        if cell and cell[0] in starts:  # the cheap test first: most cells need no regex
            row[index] = neutralise(cell)
    return row


class AtomicFile:
    """A text file written under a hidden temporary name beside its target, renamed when complete.

    Interrupting the program (Ctrl-C) before `commit` leaves no file at the target path; `discard`
    removes the temporary file. The path `-` writes straight to standard output.
    """

    def __init__(self, path: str | Path, *, newline: str | None = ""):
        self.path = str(path)
        self.name = display_name(path)
        self._temporary: Path | None = None
        if self.path == STDIO:
            self.stream: IO[str] = sys.stdout
            return
        target = Path(self.path)
        if target.is_dir():
            raise BatchError(f"{self.name} est un dossier : indiquez un nom de fichier")
        self._temporary = target.with_name(f".{target.name}.{secrets.token_hex(4)}.partiel")
        try:
            self.stream = open(self._temporary, "x", encoding="utf-8", newline=newline)
        except OSError as error:
            if isinstance(error, FileNotFoundError):  # the file is new: what is missing is its folder
                reason = f"le dossier « {target.parent} » n'existe pas"
            else:
                reason = os_reason(error)
            raise BatchError(f"impossible d'écrire {self.name} : {reason}") from None

    def commit(self) -> None:
        """Close the temporary file and give it its final name (an existing file is replaced)."""
        if self._temporary is None:
            self.stream.flush()
            return
        self.stream.close()
        try:
            os.replace(self._temporary, self.path)
        except OSError as error:
            self.discard()
            raise BatchError(f"impossible d'écrire {self.name} : {os_reason(error)}") from None
        self._temporary = None

    def discard(self) -> None:
        """Close and remove the temporary file; the target is left as it was."""
        if self._temporary is None:
            return
        self.stream.close()
        try:
            os.unlink(self._temporary)
        except FileNotFoundError:
            pass
        self._temporary = None


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


def open_sink(file: AtomicFile, fmt: str, *, separator: str = ";", bom: bool = False) -> CsvSink | JsonlSink:
    """The sink of the given format over an open output file."""
    if fmt == "csv":
        return CsvSink(file.stream, separator=separator, bom=bom)
    return JsonlSink(file.stream)
