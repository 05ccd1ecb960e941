"""Streaming readers of signalement files: CSV as French spreadsheets write it, and JSON Lines."""

from __future__ import annotations

import codecs
import csv
import io
import json
import sys
from pathlib import Path
from typing import Callable, Iterator

from ..errors import os_reason
from .errors import BatchError

__all__ = [
    "FORMATS",
    "INPUT_FORMATS",
    "STDIO",
    "CsvSource",
    "JsonlSource",
    "Malformed",
    "detect_format",
    "display_name",
    "BadJson",
    "read_object",
    "read_json",
    "open_source",
    "resolve_encoding",
    "suffix_format",
]

#: The file formats a batch reads and writes.
FORMATS = ("csv", "jsonl")
#: The formats a batch reads: Parquet too, through DuckDB (`batch.parquet`).
INPUT_FORMATS = FORMATS + ("parquet",)
#: The path that means standard input (or standard output for writers).
STDIO = "-"

_SUFFIXES = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}
_SEPARATORS = (";", ",", "\t")
_PRESCAN_CHUNK = 1 << 20


def display_name(path: str | Path) -> str:
    """How a file is named in French messages."""
    return "l'entrée standard" if str(path) == STDIO else f"« {path} »"


def suffix_format(path: str | Path) -> str | None:
    """The format its extension gives a file (`.csv`, `.jsonl`, `.ndjson`), or None."""
    return _SUFFIXES.get(Path(str(path)).suffix.lower())


def detect_format(path: str | Path, forced: str | None, option: str) -> str:
    """The format of a file: forced by an option, else from its extension (.csv, .jsonl)."""
    if forced is not None:
        if forced not in INPUT_FORMATS:
            raise BatchError(f"format « {forced} » inconnu : choisir csv, jsonl ou parquet")
        return forced
    if str(path) == STDIO:
        raise BatchError(f"le format de {display_name(path)} ne peut pas se déduire d'une extension : "
                         f"précisez {option} csv ou {option} jsonl")
    fmt = suffix_format(path)
    if fmt is None:
        raise BatchError(f"le format de {display_name(path)} ne se déduit pas de son extension "
                         f"(« .csv », « .jsonl » ou « .parquet » attendue) : précisez {option} csv ou "
                         f"{option} jsonl")
    return fmt


def resolve_encoding(name: str | None) -> str:
    """The codec to read an input with: UTF-8 by default (its BOM is removed by the readers)."""
    if name is None:
        return "utf-8"
    try:
        info = codecs.lookup(name)
    except LookupError:
        raise BatchError(f"encodage « {name} » inconnu (par exemple : utf-8, cp1252, latin-1)") from None
    return "utf-8" if info.name in ("utf-8", "utf-8-sig") else info.name


class Malformed:
    """A JSON line that cannot be read as an object: its raw text and the French reason."""

    __slots__ = ("text", "reason")

    def __init__(self, text: str, reason: str):
        self.text = text
        self.reason = reason

    def __repr__(self) -> str:
        return f"Malformed({self.text!r}, {self.reason!r})"


class _Source:
    """What both readers share: the open text stream, its name and its size for a progress bar."""

    def __init__(self, path: str | Path, encoding: str | None, newline: str | None,
                 progress: Callable[[int], object] | None):
        self.path = str(path)
        self.name = display_name(path)
        self.encoding = resolve_encoding(encoding)
        #: Size in bytes when known (a regular file), for a progress bar.
        self.size: int | None = None
        #: Records made only of empty cells (or blank JSON lines), skipped and counted apart.
        self.blank = 0
        self._text = self._open(newline, progress)

    def _open(self, newline: str | None, progress) -> io.TextIOBase:
        if self.path == STDIO:
            buffer = getattr(sys.stdin, "buffer", None)
            if buffer is None:  # an already decoded stream (tests, embedding)
                return sys.stdin
            return io.TextIOWrapper(_wrap(buffer, progress), encoding=self.encoding, newline=newline)
        try:
            binary = open(self.path, "rb")
        except IsADirectoryError:
            raise BatchError(f"{self.name} est un dossier, pas un fichier") from None
        except OSError as error:
            raise BatchError(f"impossible de lire {self.name} : {os_reason(error)}") from None
        self._binary = binary
        try:
            if binary.seekable():  # a pipe (e.g. `<(zcat …)`) is read once, without the early check
                self.size = _prescan(binary, self.name, self.encoding)
                binary.seek(0)
        except BaseException:
            binary.close()
            raise
        return io.TextIOWrapper(_wrap(binary, progress), encoding=self.encoding, newline=newline)

    def _decoding_failed(self, error: UnicodeDecodeError, line: int) -> BatchError:
        """The error of a stream decoded chunk by chunk (standard input; files are checked first):
        `line` is being read, and the bad byte lies at least as many lines further as its chunk
        has line ends before it (exactly so in the first chunk)."""
        line += error.object[:error.start].count(b"\n")
        return BatchError(_encoding_message(self.name, line, error, self.encoding, approximate=True))

    def close(self) -> None:
        if self.path != STDIO:
            self._text.close()
            self._binary.close()
        elif self._text is not sys.stdin:
            self._text.detach()  # leave standard input open for the caller

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class CsvSource(_Source):
    """A CSV file read record by record; `header`, `separator` and `bom` are known on opening."""

    def __init__(self, path: str | Path, *, encoding: str | None = None,
                 progress: Callable[[int], object] | None = None):
        super().__init__(path, encoding, "", progress)
        try:
            try:
                first = self._text.readline()
            except UnicodeDecodeError as error:
                raise self._decoding_failed(error, 1) from None
            self.bom = first.startswith("\ufeff")
            first = first.removeprefix("\ufeff")
            if not first.strip():
                raise BatchError(f"{self.name} est vide : la première ligne doit nommer les colonnes")
            #: The separator found in the header line: `;`, `,` or a tab.
            self.separator = detect_separator(first)
            # strict: a quote left open must stop the run, not swallow the rest of the file into one
            # cell. The reader only parses records that contain a quote: the others are split
            # directly (see `rows`), which is what it would do with them, only faster.
            self._feed = _Feed(self._text)
            self._feed.pending = first
            self._reader = csv.reader(self._feed, delimiter=self.separator, strict=True)
            #: Column names, as written in the file.
            self.header: list[str] = self._next_row(1)
            #: How many physical lines the header spans (usually 1).
            self.header_lines = self._reader.line_num
            self._check_header()
        except BaseException:
            self.close()
            raise

    def _next_row(self, line: int) -> list[str]:
        try:
            return next(self._reader)
        except csv.Error as error:
            raise BatchError(f"{self.name}, ligne {line} : CSV illisible ({_csv_reason(error)})") from None
        except UnicodeDecodeError as error:
            raise self._decoding_failed(error, line) from None

    def _check_header(self) -> None:
        seen = set()
        for name in self.header:
            key = name.strip()
            if key and key in seen:
                raise BatchError(f"{self.name}, ligne 1 : la colonne « {key} » figure deux fois dans l'en-tête")
            seen.add(key)

    def rows(self) -> Iterator[tuple[int, list[str], str | None]]:
        """(physical line where the record starts, its cells, its plain text), in file order.

        The plain text is what `csv.writer` writes for these cells, line end excepted, so that a
        caller may write it back as it is (before any formula neutralisation): the line itself
        when it has no quote; the line without its quotes when they only enclose cells holding
        neither quote nor separator (as spreadsheets quote all cells, or all text cells); else
        the cells joined, unless one needs quotes (it holds the separator, a quote or a line
        break): then None. Rows made only of empty cells are skipped and counted in `blank`.
        """
        number = line = self.header_lines
        separator = self.separator
        quoted = self._quoted
        try:
            for text in self._text:
                number += 1
                line = number
                if '"' not in text:
                    text = text.rstrip("\r\n")
                    row = text.split(separator)
                elif (plain := unquote_line(text, separator)) is not None:
                    text = plain
                    row = plain.split(separator)
                else:
                    row, spanned = quoted(text)
                    number += spanned - 1
                    text = _plain_text(row, separator)
                if row[0] or any(row):
                    yield line, row, text
                else:
                    self.blank += 1
        except csv.Error as error:
            raise BatchError(f"{self.name}, ligne {line} : CSV illisible ({_csv_reason(error)})") from None
        except UnicodeDecodeError as error:
            raise self._decoding_failed(error, number + 1) from None

    def records(self) -> Iterator[tuple[int, list[str]]]:
        """(physical line where the record starts, its cells), in file order; empty rows skipped."""
        for line, row, _ in self.rows():
            yield line, row

    def _quoted(self, first: str) -> tuple[list[str], int]:
        """The record starting with `first` (a line with a quote) and how many lines it spans."""
        before = self._reader.line_num
        self._feed.pending = first
        row = next(self._reader)
        return row, self._reader.line_num - before


def _unquote_all(text: str, separator: str) -> str | None:
    """The plain text of a line (its line end dropped) whose cells are all quoted and hold neither
    quote nor separator (`"a";"b"` gives `a;b`), else None: its quotes then all open or close a
    cell, so the csv module reads these cells. The C `unquote_line` also reads lines where only
    some cells are quoted; the others take the csv module's path here, to the same result."""
    text = text.rstrip("\r\n")
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        return None
    inner = text[1:-1]
    plain = inner.replace('"' + separator + '"', separator)
    # No quote left, and as many separators as joints replaced (each took two characters away).
    if '"' in plain or 2 * plain.count(separator) != len(inner) - len(plain):
        return None
    return plain


try:
    from .._speedups import unquote_line
except ImportError:  # installed without a C compiler (or a build older than this function)
    unquote_line = _unquote_all


def _plain_text(row: list[str], separator: str) -> str | None:
    """The cells joined by the separator, if no cell needs quotes in CSV; else None."""
    text = separator.join(row)
    if '"' in text or "\n" in text or "\r" in text or text.count(separator) != len(row) - 1:
        return None
    return text


class _Feed:
    """The csv reader's input: one line pushed back by `CsvSource._quoted`, then the file's lines."""

    __slots__ = ("lines", "pending")

    def __init__(self, lines):
        self.lines = lines
        self.pending: str | None = None

    def __iter__(self):
        return self

    def __next__(self) -> str:
        pending = self.pending
        if pending is not None:
            self.pending = None
            return pending
        return next(self.lines)


class JsonlSource(_Source):
    """A JSON Lines file: each line an object; a malformed line is yielded as `Malformed`."""

    bom = False
    separator = ";"
    header = None

    def __init__(self, path: str | Path, *, encoding: str | None = None,
                 progress: Callable[[int], object] | None = None):
        super().__init__(path, encoding, None, progress)
        #: The raw text of the record last yielded (for rejects that keep the line as it was).
        self.last_line = ""

    def records(self) -> Iterator[tuple[int, dict | Malformed]]:
        """(line number, object or Malformed), in file order; blank lines skipped."""
        number = 0
        lines = iter(self._text)
        try:
            for number, line in enumerate(lines, 1):
                if line.startswith("\ufeff"):
                    # A byte order mark begins a file; past the first line it is where two files
                    # were joined (`cat a.jsonl b.jsonl`). It is no text of the record, so the
                    # line reads as in its own file (RFC 8259 lets readers skip it).
                    if number == 1:
                        self.bom = True
                    line = line[1:]
                if not line or line.isspace():
                    self.blank += 1
                    continue
                self.last_line = line.rstrip("\r\n")
                try:
                    value = read_object(self.last_line)
                except BadJson as error:
                    yield number, Malformed(self.last_line, str(error))
                    continue
                yield number, value
        except UnicodeDecodeError as error:
            raise self._decoding_failed(error, number + 1) from None


def open_source(path: str | Path, fmt: str, *, encoding: str | None = None,
                progress: Callable[[int], object] | None = None) -> CsvSource | JsonlSource:
    """Open an input of the given format; raise BatchError (in French) if it cannot be read."""
    if fmt == "parquet":  # read like JSON Lines, record by record (see batch.parquet)
        from .parquet import ParquetSource

        if str(path) == STDIO:
            raise BatchError("un fichier Parquet ne se lit pas sur l'entrée standard : indiquez son chemin")
        return ParquetSource(path, progress=progress)
    cls = CsvSource if fmt == "csv" else JsonlSource
    return cls(path, encoding=encoding, progress=progress)


def detect_separator(line: str) -> str:
    """The separator of a CSV header line: the most frequent of `;`, `,`, tab outside quotes."""
    counts = dict.fromkeys(_SEPARATORS, 0)
    quoted = False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    # Ties (including a one-column header) go to `;`, the French spreadsheets' separator.
    return max(_SEPARATORS, key=lambda s: (counts[s], s == ";"))


# The French wording of each message of Python's JSON decoder (matched on their start).
_JSON_REASONS = (
    ("Expecting value", "valeur attendue"),
    ("Expecting property name enclosed in double quotes", "nom de donnée entre guillemets droits attendu"),
    ("Expecting ',' delimiter", "« , » attendue"),
    ("Expecting ':' delimiter", "« : » attendu"),
    ("Extra data", "texte en trop après le JSON"),
    ("Unterminated string starting at", "texte non refermé"),
    ("Invalid control character", "caractère de contrôle interdit dans un texte"),
    ("Invalid \\uXXXX escape", "séquence « \\u » invalide : quatre chiffres hexadécimaux attendus"),
    ("Invalid \\escape", "séquence d'échappement « \\ » invalide"),
    ("Unexpected UTF-8 BOM", "marque d'ordre des octets (BOM) en tête du texte"),
    ("Illegal trailing comma", "virgule en trop avant la fin"),
)


def _json_reason(error: json.JSONDecodeError) -> str:
    """The French wording of a JSON syntax error (never Python's English one)."""
    for start, reason in _JSON_REASONS:
        if error.msg.startswith(start):
            return reason
    return "syntaxe JSON invalide"


class BadJson(ValueError):
    """A text that is not one JSON object; the message says why, in French."""


def read_object(text: str) -> dict:
    """One JSON object, as a line of JSON Lines or `--menage` gives it; BadJson otherwise."""
    value = read_json(text)
    if type(value) is not dict:
        raise BadJson("un objet JSON { … } est attendu")
    return value


def read_json(text: str | bytes) -> object:
    """One JSON value; BadJson otherwise.

    NaN, Infinity and numbers too large for a float are refused: they would not be JSON again; so
    are whole numbers of more digits than Python converts.
    """
    try:
        return json.loads(text, parse_constant=_refuse_constant, parse_float=_finite, parse_int=_whole)
    except json.JSONDecodeError as error:
        line = f"ligne {error.lineno}, " if error.lineno > 1 else ""
        raise BadJson(f"JSON illisible, {line}colonne {error.colno} : {_json_reason(error)}") from None
    except UnicodeDecodeError:
        raise BadJson("JSON illisible : le texte n'est pas en UTF-8") from None
    except RecursionError:
        raise BadJson("JSON illisible : trop de niveaux imbriqués") from None


def _refuse_constant(name: str):
    raise BadJson(f"JSON illisible : « {name} » n'est pas une valeur JSON")


def _whole(text: str) -> int:
    try:
        return int(text)
    except ValueError:  # more digits than Python converts (4 300 unless set otherwise)
        raise BadJson(f"JSON illisible : le nombre de {len(text.lstrip('-'))} chiffres est trop long") from None


def _finite(text: str) -> float:
    number = float(text)
    if number in (float("inf"), float("-inf")):
        raise BadJson(f"JSON illisible : le nombre « {text} » est trop grand")
    return number


def _csv_reason(error: csv.Error) -> str:
    text = str(error)
    if "field larger than field limit" in text:
        return "valeur trop longue : un guillemet ouvrant n'est probablement jamais refermé"
    if "unexpected end of data" in text:
        return "fin de fichier dans un texte entre guillemets jamais refermé"
    if "expected after" in text:
        return "texte après un guillemet fermant : doublez les guillemets à l'intérieur d'un texte entre guillemets"
    if "NUL" in text or "null byte" in text:
        return "octet nul : ce n'est pas un fichier texte"
    return text


def _prescan(binary, name: str, encoding: str) -> int:
    """Check the whole file decodes before any row is read; return its size in bytes."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    lines = 0
    size = 0
    first = True
    while chunk := binary.read(_PRESCAN_CHUNK):
        if first and encoding == "utf-8" and chunk.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            raise BatchError(f"{name} est encodé en UTF-16 : enregistrez-le en UTF-8, ou indiquez "
                             f"--encodage utf-16")
        first = False
        pending = len(decoder.getstate()[0])
        try:
            decoder.decode(chunk)
        except UnicodeDecodeError as error:
            line = lines + chunk[: max(0, error.start - pending)].count(b"\n") + 1
            raise BatchError(_encoding_message(name, line, error, encoding)) from None
        lines += chunk.count(b"\n")
        size += len(chunk)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as error:
        raise BatchError(_encoding_message(name, lines + 1, error, encoding)) from None
    return size


def _encoding_message(name: str, line: int, error: UnicodeDecodeError, encoding: str,
                      approximate: bool = False) -> str:
    where = f"vers la ligne {line}" if approximate else f"ligne {line}"
    byte = error.object[error.start] if error.start < len(error.object) else None
    shown = f" (octet 0x{byte:02X} illisible)" if byte is not None else ""
    if encoding == "utf-8":
        return (f"{name}, {where} : le fichier n'est pas en UTF-8{shown}. Enregistrez-le au format "
                f"« CSV UTF-8 », ou indiquez son encodage avec --encodage (par exemple --encodage cp1252 "
                f"pour un export d'Excel sous Windows).")
    return f"{name}, {where} : le fichier ne se lit pas dans l'encodage {encoding}{shown}."


class _Counting(io.RawIOBase):
    """A raw reader that reports each chunk's size to a progress callback (no per-row cost)."""

    def __init__(self, raw, report: Callable[[int], object]):
        self._raw = raw
        self._report = report

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._raw.read1(len(buffer)) if hasattr(self._raw, "read1") else self._raw.read(len(buffer))
        count = len(data)
        buffer[:count] = data
        if count:
            self._report(count)
        return count


def _wrap(binary, progress):
    if progress is None:
        return binary
    return io.BufferedReader(_Counting(binary, progress))
