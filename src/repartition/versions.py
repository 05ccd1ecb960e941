"""Choosing the version of a charter in force at a date among the rule files of a folder."""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

from attrs import frozen

from . import cache as _cache
from .charter import Charter
from .charter import load_charter as _load_file
from .charter import read_charter_file
from .errors import CharterError, Diagnostic, RepartitionError, source_line
from .values import BadValue, date_text, read_date

__all__ = ["VersionPeriod", "load_charter", "periods", "read_day"]


@frozen
class VersionPeriod:
    """When one rule file is in force: first and last day as ordinals (None: open-ended)."""

    path: Path
    version: str | None
    start: int | None
    end: int | None

    def covers(self, day: int) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)

    def describe(self) -> str:
        """French wording of the period, e.g. « du 1er janvier 2018 au 31 décembre 2025 »."""
        if self.start is None and self.end is None:
            return "sans date de validité (toujours en vigueur)"
        if self.end is None:
            return f"en vigueur à partir du {date_text(self.start)}"
        if self.start is None:
            return f"en vigueur jusqu'au {date_text(self.end)}"
        return f"en vigueur du {date_text(self.start)} au {date_text(self.end)}"


def read_day(date: object) -> int:
    """A date given as `datetime.date` or text (2026-11-27, 27/11/2026) → its ordinal."""
    if isinstance(date, int) and not isinstance(date, bool):
        return date
    try:
        return read_date(date)
    except BadValue:
        raise RepartitionError(f"date « {date} » invalide : attendu une date (AAAA-MM-JJ ou "
                               "JJ/MM/AAAA)") from None


def load_charter(path: str | Path, *, date: object = None, verify: bool = True,
                 engine: str = "compile", strict: bool = False,
                 expected_sha256: str | None = None, cache: bool = True) -> Charter:
    """The charter in force at `date` (today if None) among the `.regles` files of a folder.

    Given one file, load it and check that it is in force at `date` when a date is given.
    `expected_sha256` is the chosen version's expected content, as for one file. `cache` as
    `repartition.load_charter` says; it also spares reading the periods of cached files.
    """
    path = Path(path)
    day = read_day(date) if date is not None else None  # a bad date is said before any loading
    if not path.is_dir():
        charter = _load_file(path, verify=verify, engine=engine, strict=strict, expected_sha256=expected_sha256,
                             cache=cache)
        if day is not None:
            model = charter.model
            period = VersionPeriod(path, model.version, model.valid_from, model.valid_to)
            if not period.covers(day):
                raise RepartitionError(f"la charte « {path} » (version {model.version or '—'}, "
                                       f"{period.describe()}) n'est pas en vigueur le {date_text(day)}")
        return charter
    if day is None:
        day = _dt.date.today().toordinal()
    found = periods(path, cache=cache)
    covering = [p for p in found if p.covers(day)]
    if not covering:
        listed = "; ".join(f"{p.path.name} ({p.describe()})" for p in found)
        raise RepartitionError(f"aucune version de la charte dans « {path} » n'est en vigueur le "
                               f"{date_text(day)} ; versions trouvées : {listed}")
    if len(covering) > 1:
        listed = " et ".join(f"{p.path.name} (version {p.version or '—'}, {p.describe()})"
                             for p in covering)
        raise RepartitionError(f"plusieurs versions de la charte dans « {path} » sont en vigueur le "
                               f"{date_text(day)} : {listed} ; leurs périodes ne doivent pas se "
                               "chevaucher")
    return _load_file(covering[0].path, verify=verify, engine=engine, strict=strict,
                      expected_sha256=expected_sha256, cache=cache)


def periods(folder: str | Path, *, cache: bool = True) -> list[VersionPeriod]:
    """The validity period of each `.regles` file of a folder, read from its header.

    Each file is parsed (so a syntax error anywhere in it is reported) but not checked, unless
    the compiled-charter cache holds it (then it was checked, and its model gives the period).
    """
    folder = Path(folder)
    files = sorted(folder.glob("*.regles"))
    if not files:
        raise RepartitionError(f"le dossier « {folder} » ne contient aucune charte (fichier .regles)")
    return [_period(file, cache) for file in files]


def _period(path: Path, cache: bool) -> VersionPeriod:
    raw, text = read_charter_file(path)
    if cache and _cache.charters_enabled():
        found = _cache.CharterSlot(str(path), path.parent, raw).load()
        if found is not None:
            model = found[0].model
            return VersionPeriod(path, model.version, model.valid_from, model.valid_to)
    from .dsl import ast
    from .dsl.builder import build_ast
    from .dsl.parser import parse_tree, prepare_text

    text = prepare_text(text)
    tree = build_ast(parse_tree(text, str(path)), str(path))
    version, start, end = None, None, None
    for item in tree.items:
        if isinstance(item, ast.Version):
            version = item.text
        elif isinstance(item, ast.Validity):
            start = _day(item.start, text)
            end = _day(item.end, text) if item.end is not None else None
    return VersionPeriod(path, version, start, end)


def _day(value, text: str) -> int:
    """A header date (an ast.Value) as an ordinal, or the checker's located error."""
    try:
        return read_date(value.text)
    except BadValue as error:
        from .dsl.checker import invalid_date

        span = value.span
        raise CharterError([Diagnostic(invalid_date(value, error), span,
                                       source_line(text, span.line) if span else None, code="charte")]) from None
