"""Reading a charter's table files: kept inside the charter's folder, bounded in size, parsed strictly."""

from __future__ import annotations

import codecs
import csv
import functools
import operator
import os
import re
import stat
from pathlib import Path, PureWindowsPath
from typing import TYPE_CHECKING, NoReturn

from attrs import frozen

from ..errors import MAX_DIAGNOSTICS, CharterError, Diagnostic, Span, os_reason
from .characters import FORBIDDEN_IN_CELLS, character_name, visible

if TYPE_CHECKING:  # the syntax tree's classes cost a cache hit, which reads tables, their import
    from . import ast

__all__ = ["MAX_TABLE_BYTES", "TableFile", "read_table", "parse_table", "read_table_bytes"]

#: The largest table file read, in bytes (10 Mo): the communes of a département take a few hundred kilobytes.
MAX_TABLE_BYTES = 10 * 1024 * 1024

_INSIDE = "une table doit se trouver dans le dossier de la charte ou dans un de ses sous-dossiers"
_SHOWN = 200  # characters of a table line shown under a message; longer lines are cut
# Should a pipe, a device or a link replace the file between its check and its opening, `open`
# neither waits for a writer nor follows the link, and `fstat` then refuses what was opened.
_OPEN_FLAGS = functools.reduce(operator.or_, (getattr(os, name, 0) for name in (
    "O_NONBLOCK", "O_NOFOLLOW", "O_NOCTTY", "O_CLOEXEC", "O_BINARY")), os.O_RDONLY)


@frozen
class TableFile:
    """A table file as read: its bytes (for the charter's fingerprint), code → value, and each code's line."""

    raw: bytes
    mapping: dict[str, str]
    key_lines: dict[str, int]
    labels: dict[str, str]  # code → its name, from the declared `libellé` column (shown to reviewers only)


def read_table(decl: ast.TableDecl, base_dir: Path | None) -> TableFile:
    """Read the table file a declaration names, in the charter's folder (the current folder if None).

    Raises CharterError: a refused or unreadable path is located at the declaration; a fault of
    the content, at its line of the table file (shown, as the file is inside the charter's folder).
    """
    base = base_dir if base_dir is not None else Path(".")
    path, raw = read_table_bytes(decl.file, base, decl.span)
    return parse_table(decl, str(path), raw)


def parse_table(decl: ast.TableDecl, path: str, raw: bytes) -> TableFile:
    """Read a table's bytes (already read from `path`, or carried by a pickled charter) strictly."""
    return _Reader(decl, path, raw).run()


# ---- the path: confined, checked before opening, read within bounds ---------------------------

def read_table_bytes(file: str, base: Path, span: Span | None = None) -> tuple[Path, bytes]:
    """The path and bytes of the table file `file` names in the folder `base`, confined to it and
    bounded in size (a CharterError located at `span`, the table's declaration, otherwise)."""
    def refuse(reason: str) -> NoReturn:
        raise CharterError([Diagnostic(f"fichier de table « {file} » {reason}", span)])

    parts = re.split(r"[\\/]", file)  # a charter written on Windows may separate folders with `\`
    if file.startswith(("/", "\\")) or PureWindowsPath(file).drive:
        refuse(f"refusé : un chemin absolu n'est pas permis ; {_INSIDE}")
    if ".." in parts:
        refuse(f"refusé : « .. » remonte hors du dossier de la charte ; {_INSIDE}")
    parts = [p for p in parts if p not in ("", ".")]
    if not parts:
        refuse("refusé : ce chemin ne nomme aucun fichier")
    path = base.joinpath(*parts)
    root, real = os.path.realpath(base), os.path.realpath(path)
    try:
        inside = os.path.commonpath([root, real]) == root
    except ValueError:  # another drive
        inside = False
    if not inside:
        refuse(f"refusé : un lien symbolique mène hors du dossier de la charte ; {_INSIDE}")
    try:
        before = os.stat(real)
        refusal = _not_a_table(before)
        if refusal:
            refuse(refusal)
        handle = os.open(real, _OPEN_FLAGS)
        try:
            after = os.fstat(handle)
            if (after.st_dev, after.st_ino) != (before.st_dev, before.st_ino):
                refuse("remplacé pendant sa lecture : relancez le chargement")
            refusal = _not_a_table(after)
            if refusal:
                refuse(refusal)
            raw = _read_at_most(handle, MAX_TABLE_BYTES + 1)
        finally:
            os.close(handle)
    except OSError as error:
        refuse(f"illisible : {os_reason(error)} (cherché dans {base})")
    if len(raw) > MAX_TABLE_BYTES:
        refuse(_too_large())
    return path, raw


def _not_a_table(status: os.stat_result) -> str | None:
    """Why a file of this status is not read as a table, or None."""
    if stat.S_ISDIR(status.st_mode):
        return "refusé : c'est un dossier, pas un fichier"
    if not stat.S_ISREG(status.st_mode):
        return ("refusé : ce n'est pas un fichier ordinaire (périphérique, tube ou socket) ; "
                "une table est un fichier CSV")
    if status.st_size > MAX_TABLE_BYTES:
        return _too_large()
    return None


def _too_large() -> str:
    return f"refusé : plus de {MAX_TABLE_BYTES // (1024 * 1024)} Mo ({MAX_TABLE_BYTES:,} octets)".replace(",", " ")


def _read_at_most(handle: int, limit: int) -> bytes:
    chunks, size = [], 0
    while size < limit:
        chunk = os.read(handle, min(limit - size, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


# ---- the content: one record per line, strictly -----------------------------------------------

class _TooManyErrors(Exception):
    pass


class _Reader:
    """Reads a table's text: UTF-8, a header line, then one record per line (a value never spans two)."""

    def __init__(self, decl: ast.TableDecl, path: str, raw: bytes):
        self.decl = decl
        self.path = path
        self.raw = raw
        self.diagnostics: list[Diagnostic] = []
        self.separator = ","

    def run(self) -> TableFile:
        mapping: dict[str, str] = {}
        lines: dict[str, int] = {}
        labels: dict[str, str] = {}
        try:
            self._read(mapping, lines, labels)
        except _TooManyErrors:
            self.diagnostics.append(Diagnostic(
                f"table « {self.decl.file} » : lecture arrêtée après {MAX_DIAGNOSTICS} erreurs"))
        if self.diagnostics:
            raise CharterError(self.diagnostics)
        return TableFile(self.raw, mapping, lines, labels)

    def error(self, number: int, text: str, message: str, column: int = 1, width: int | None = None) -> None:
        """A fault of the table's line `number` (its text `text`), under the cells from `column` on."""
        if len(self.diagnostics) == MAX_DIAGNOSTICS:
            raise _TooManyErrors
        limit = max(_SHOWN, column + 20)
        shown = text if len(text) <= limit else text[:limit] + " …"
        end = column + (width if width is not None else max(1, min(len(text), limit) - column + 1))
        self.diagnostics.append(Diagnostic(f"table « {self.decl.file} », ligne {number} : {message}",
                                           Span(self.path, number, column, number, end), visible(shown)))

    def _read(self, mapping: dict[str, str], lines: dict[str, int], labels: dict[str, str]) -> None:
        texts = self._lines()
        if texts is None:
            return
        header = self._header(texts)
        if header is None:
            return
        decl = self.decl
        key_at = header.index(decl.key)
        value_at = header.index(decl.value) if decl.value else None
        label_at = header.index(decl.label) if decl.label else None
        index = 1
        while index < len(texts):
            number, text = index + 1, texts[index]
            cells, index = self._record(texts, index)
            if cells is None or not "".join(cells).strip():  # a fault reported, or a blank line
                continue
            if len(cells) > len(header) and "".join(cells[len(header):]).strip():
                self.error(number, text, f"{len(cells)} valeurs pour {len(header)} colonnes : une valeur qui "
                                         f"contient « {self.separator} » s'écrit entre guillemets droits")
                continue
            key = cells[key_at].strip() if key_at < len(cells) else ""
            value = key if value_at is None else (cells[value_at].strip() if value_at < len(cells) else "")
            if not key:
                self.error(number, text, f"code vide dans la colonne « {decl.key} »")
            elif not value:
                self.error(number, text, f"valeur vide dans la colonne « {decl.value} »")
            elif key in mapping:
                self.error(number, text, _duplicate(key, value, mapping[key], lines[key], value_at is not None))
            else:
                mapping[key], lines[key] = value, number
                if label_at is not None and label_at < len(cells):
                    labels[key] = cells[label_at].strip()

    def _lines(self) -> list[str] | None:
        """The file's lines without their line ends (LF or CRLF); None once an error is reported."""
        raw = self.raw.removeprefix(codecs.BOM_UTF8)
        try:
            content = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            start = raw.rfind(b"\n", 0, error.start) + 1
            shown = raw[start:error.start].decode("utf-8", "replace")
            number = raw.count(b"\n", 0, start) + 1
            reason = ("le fichier est en UTF-16 : enregistrez-le en « CSV UTF-8 »"
                      if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
                      else f"le fichier n'est pas en UTF-8 (octet 0x{raw[error.start]:02X} illisible) : "
                           f"enregistrez-le en « CSV UTF-8 »")
            self.error(number, shown, reason, len(shown) + 1, 1)
            return None
        texts = content.split("\n")
        if texts[-1] == "":
            texts.pop()
        return [text.removesuffix("\r") for text in texts]

    def _header(self, texts: list[str]) -> list[str] | None:
        """The column names of line 1, checked: named once each, and naming the declared columns."""
        decl = self.decl
        text = texts[0] if texts else ""
        if not text.strip():
            self.error(1, text, "la première ligne doit nommer les colonnes" if texts
                       else "fichier vide : la première ligne doit nommer les colonnes")
            return None
        self.separator = ";" if text.count(";") >= text.count(",") and ";" in text else ","
        cells, _ = self._record(texts, 0)
        if cells is None:
            return None
        header = [cell.strip() for cell in cells]
        seen: dict[str, int] = {}
        twice = False
        for position, name in enumerate(header, 1):
            if name and name in seen:
                twice = True
                self.error(1, text, f"la colonne « {_cut(name)} » figure deux fois dans l'en-tête "
                                    f"(colonnes {seen[name]} et {position})")
            seen.setdefault(name, position)
        declared = [decl.key] + [c for c in (decl.value, decl.label) if c]
        missing = [c for c in declared if c not in header]
        if missing:
            shown = ", ".join(_cut(h) for h in header[:12]) + (", …" if len(header) > 12 else "")
            self.diagnostics.extend(
                Diagnostic(f"table « {decl.file} » : colonne « {column} » absente de l'en-tête ({shown})",
                           decl.span)
                for column in missing)
        return None if twice or missing else header

    def _record(self, texts: list[str], index: int) -> tuple[list[str] | None, int]:
        """The cells of the line at `index` and the index of the next record; no cells once a fault is
        reported (a forbidden character, a bad quote). A quoted value that goes on over the next lines
        is one fault, located at its first line, and those lines are skipped."""
        number, text = index + 1, texts[index]
        if (bad := FORBIDDEN_IN_CELLS.search(text)) is not None:
            advice = ("séparez les colonnes par « ; » ou « , »" if bad[0] == "\t"
                      else "retirez-le (il vient souvent d'un copier-coller)")
            self.error(number, text, f"{character_name(bad[0])} interdit dans une table : {advice}",
                       bad.start() + 1, 1)
            return None, index + 1
        if '"' not in text:
            return text.split(self.separator), index + 1
        try:
            return next(csv.reader([text], delimiter=self.separator, strict=True)), index + 1
        except csv.Error as error:
            reason = str(error)
        spanned = self._spanned(texts, index) if "unexpected end of data" in reason else None
        if spanned is None:
            self.error(number, text, _quote_fault(reason, self.separator))
            return None, index + 1
        self.error(number, text, f"valeur entre guillemets sur {spanned} lignes (lignes {number} à "
                                 f"{number + spanned - 1}) : une valeur de table tient sur une ligne ; "
                                 f"vérifiez le guillemet ouvert sur cette ligne")
        return None, index + spanned

    def _spanned(self, texts: list[str], index: int) -> int | None:
        """How many lines the record opening at `index` spans when read as one multi-line CSV record,
        or None if it does not end well. The reading stops at the next quote: linear overall."""
        reader = csv.reader((texts[i] for i in range(index, len(texts))), delimiter=self.separator, strict=True)
        try:
            next(reader)
        except (csv.Error, StopIteration):
            return None
        return reader.line_num


def _quote_fault(reason: str, separator: str) -> str:
    """The French reason of the csv module's error on one line."""
    if "unexpected end of data" in reason:
        return ("guillemet ouvert jamais refermé sur cette ligne : une valeur de table tient sur une ligne ; "
                "refermez le guillemet, ou doublez-le (\"\") s'il fait partie de la valeur")
    if "expected after" in reason:
        return (f"texte après un guillemet fermant : une valeur entre guillemets doit être suivie de "
                f"« {separator} » ; doublez les guillemets à l'intérieur (\"\")")
    if "field larger than field limit" in reason:
        return f"valeur de plus de {csv.field_size_limit():,} caractères".replace(",", " ")
    return f"ligne illisible ({reason})"  # pragma: no cover - the reasons above are all csv gives for a line


def _duplicate(key: str, value: str, first: str, line: int, has_value: bool) -> str:
    if not has_value:
        return f"code « {_cut(key)} » en double (déjà ligne {line})"
    if value == first:
        return f"code « {_cut(key)} » en double, avec la même valeur (déjà ligne {line})"
    return (f"code « {_cut(key)} » en double avec une autre valeur : « {_cut(value)} » ici, "
            f"« {_cut(first)} » ligne {line}")


def _cut(text: str, limit: int = 60) -> str:
    """A cell quoted in a message, cut if long."""
    return text if len(text) <= limit else text[:limit] + "…"
