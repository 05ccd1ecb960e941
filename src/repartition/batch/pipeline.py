"""The batch itself: read records, route each through the charter, write routed rows and rejects."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import sys
from operator import itemgetter
from pathlib import Path
from typing import Callable

from ..charter import Charter
from ..dsl.names import suggest
from ..errors import InvalidHousehold
from .errors import BatchError
from .readers import (STDIO, CsvSource, JsonlSource, Malformed, detect_format, display_name, open_source,
                      suffix_format)
from .outputs import OutputFiles
from .router import ABSENT, RejectTally, Routed, Router, added_columns
from .summary import Summary
from .writers import CsvSink, neutralise_cells, neutralise_row, open_sink

__all__ = ["route_file", "default_rejects_path", "locate_columns", "wrong_width", "ADDED_COLUMNS"]

#: The columns a batch adds to each routed row (`unite` only when the charter has sub-units,
#: `partenaires` only when a rule names services « en lien avec »).
ADDED_COLUMNS = ("service", "regle", "unite", "partenaires")

def default_rejects_path(output: str | Path, fmt: str) -> str:
    """`SORTIE.rejets.csv|jsonl` beside the output, or `rejets.csv|jsonl` here for standard output."""
    if str(output) == STDIO:
        return f"rejets.{fmt}"
    path = Path(output)
    stem = path.stem if suffix_format(path) is not None else path.name
    return str(path.with_name(f"{stem}.rejets.{fmt}"))


def route_file(charter: Charter, input: str | Path, output: str | Path = STDIO,
               rejects: str | Path | None = None, *, summary: str | Path | None = None,
               input_format: str | None = None, output_format: str | None = None, replace: bool = False,
               encoding: str | None = None, progress: bool | None = None) -> Summary:
    """Route every record of `input` to `output`, rejected ones to `rejects`; return the summary.

    `input`/`output` may be `-` (standard input/output); standard output takes the input's format
    unless `output_format` says otherwise. Without `rejects`, they go to
    `default_rejects_path(output, output format)`. `summary` also writes the summary in JSON there.
    The outputs are committed together at the end (see `outputs`): if the run fails or is
    interrupted, every output path is left as it was. Raise BatchError when the batch cannot run
    or fails; its message says what became of the outputs.
    """
    in_format = detect_format(input, input_format, "--format-entree")
    if str(output) == STDIO and output_format is None:
        output_format = in_format if in_format != "parquet" else "jsonl"  # standard output has no extension
    out_format = detect_format(output, output_format, "--format-sortie")
    if out_format == "parquet":
        raise BatchError("la sortie s'écrit en CSV ou en JSON Lines, pas en Parquet : choisissez « .csv » ou "
                         "« .jsonl », ou --format-sortie")
    if rejects is None:
        rejects = default_rejects_path(output, out_format)
    rejects_format = suffix_format(rejects) or out_format
    if rejects_format == "parquet":
        raise BatchError("les rejets s'écrivent en CSV ou en JSON Lines, pas en Parquet")
    _check_distinct(input, output, rejects, summary)

    with contextlib.ExitStack() as stack:
        bar = _progress_bar(progress, stack)
        source = stack.enter_context(open_source(input, in_format, encoding=encoding,
                                                 progress=bar.update if bar is not None else None))
        if bar is not None and source.size is not None:
            bar.total = source.size
            bar.refresh()
        if isinstance(source, CsvSource):
            layout = _csv_layout(charter, source, replace)
            router = Router(charter, layout.names)
        else:
            layout = None
            router = Router(charter, tuple(f.machine for f in charter.fields))
        # All opened before the first row is read: a file that cannot be written stops the run early.
        with OutputFiles() as outputs:
            out = open_sink(outputs.open(output), out_format, separator=source.separator, bom=source.bom)
            bad = open_sink(outputs.open(rejects), rejects_format, separator=source.separator, bom=source.bom)
            bilan = outputs.open(summary, newline=None) if summary is not None else None
            tally = RejectTally()
            if layout is None:
                _route_jsonl(source, charter, router, out, bad, tally, replace)
            elif isinstance(out, CsvSink) and not layout.replacing:
                _route_csv_to_csv(source, layout, router, out, bad, tally)
            else:
                _route_csv(source, layout, router, out, bad, tally)
            result = Summary.build(charter, router.outcomes, tally, source.blank)
            if bilan is not None:
                bilan.write(result.to_json())
            outputs.commit()
        return result


# ---- CSV input --------------------------------------------------------------------------------

class _Layout:
    """Where the charter's fields and the added columns sit in a CSV header."""

    def __init__(self, header: list[str], names: tuple[str, ...], indices: tuple[int, ...],
                 added: list[str], positions: list[int | None]):
        self.header = header
        self.names = names
        self.pick = _picker(indices)
        self.added = added
        #: For each added column, its position in the input row when it replaces one, else None.
        self.positions = positions
        self.replacing = any(p is not None for p in positions)


def locate_columns(charter: Charter, source: CsvSource, *, also: tuple[str, ...] = (),
                   hint: str = "") -> dict[str, int]:
    """Column name → index in the header; BatchError (line 1) if a declared column is missing.

    A declared field with a default may be missing; the columns in `also` are required too.
    """
    header = source.header
    where = {name.strip(): i for i, name in enumerate(header)}
    missing = [f.machine for f in charter.fields if f.machine not in where and not f.has_default]
    missing += [name for name in also if name not in where]
    if not missing:
        _check_keys(charter, source, where)
        return where
    present = [n for n in where if n]
    shown = ", ".join(f"« {name} »" + suggest(name, present).replace(" ; ", " (").replace(" ?", " ?)")
                      for name in missing)
    if len(header) == 1 and len(charter.fields) > 1:
        hint += (" La ligne d'en-tête n'a qu'une colonne : le séparateur (« ; », « , » ou tabulation) "
                 "n'a pas été reconnu.")
    plural = "s" if len(missing) > 1 else ""
    raise BatchError(f"{source.name}, ligne 1 : colonne{plural} absente{plural} de l'en-tête : {shown}. "
                     f"La charte attend les colonnes "
                     + ", ".join(f"« {f.machine} »" for f in charter.fields) + "." + hint)


def _check_keys(charter: Charter, source: CsvSource, where: dict[str, int]) -> None:
    """A column that looks like a declared field the header lacks (or, in strict mode, any column the
    charter does not declare) stops the run before any row is read: its default would be assumed."""
    try:
        charter.check_keys(name for name in where if name)
    except InvalidHousehold as error:
        raise BatchError(f"{source.name}, ligne 1 : colonne « {error.field} » inconnue de la charte : "
                         f"{error.expected_text}") from None


def _csv_layout(charter: Charter, source: CsvSource, replace: bool) -> _Layout:
    """Check the header against the charter (before any row is read) and locate the columns."""
    where = locate_columns(charter, source)
    added = list(_added_columns(charter))
    clash = [name for name in added if name in where]
    if clash and not replace:
        names = ", ".join(f"« {c} »" for c in clash)
        raise BatchError(f"{source.name}, ligne 1 : l'en-tête contient déjà {names}, que l'orientation "
                         f"ajoute ; renommez ces colonnes ou utilisez --remplacer pour les remplacer")
    present = tuple(f.machine for f in charter.fields if f.machine in where)
    positions = [where.get(name) if replace else None for name in added]
    return _Layout(source.header, present, tuple(where[n] for n in present), added, positions)


def _picker(indices: tuple[int, ...]) -> Callable[[list[str]], tuple]:
    if len(indices) > 1:
        return itemgetter(*indices)
    if len(indices) == 1:
        index = indices[0]
        return lambda row: (row[index],)
    return lambda row: ()


def _route_csv_to_csv(source: CsvSource, layout: _Layout, router: Router, out: CsvSink, bad,
                      tally: RejectTally) -> None:
    # The hot loop of the common case. Most records come with their plain text (see
    # CsvSource.rows): once routed, that text is written back as it is, plus the added cells,
    # which is what csv.writer would write for them, at a fraction of the cost; cells a
    # spreadsheet could take for formulas are neutralised first. Outcomes are remembered by
    # raw values (Router.memo), and so is the text of their added cells.
    header = layout.header
    width = len(header)
    separator = source.separator
    out.write(_output_header(header, layout))
    reject = _csv_rejecter(header, bad, tally)
    write_text = out.stream.write
    writerow = out.writerow
    pick = layout.pick
    get = router.memo.get
    lookup = router.lookup
    tails: dict[Routed, str] = {}
    for line, row, text in source.rows():
        if len(row) != width:
            reject(line, row, wrong_width(row, width), "nombre de valeurs différent de l'en-tête")
            continue
        key = pick(row)
        outcome = get(key) or lookup(key, key)
        if outcome.__class__ is not Routed:
            reject(line, row, outcome.message, outcome.reason, outcome.kind)
            continue
        outcome.count += 1
        if text is None:  # a cell needs quotes
            neutralise_row(row)
            writerow(row + outcome.cells)
            continue
        if neutralise_cells(row):
            text = separator.join(row)  # still plain: a leading ' needs no quotes
        tail = tails.get(outcome)
        if tail is None:
            tail = tails[outcome] = separator + _csv_text(outcome.cells, separator)
        write_text(text + tail)


def _route_csv(source: CsvSource, layout: _Layout, router: Router, out, bad, tally: RejectTally) -> None:
    # CSV to JSON Lines, or CSV replacing the added columns (--remplacer).
    header = layout.header
    width = len(header)
    to_csv = isinstance(out, CsvSink)
    if to_csv:
        out.write(_output_header(header, layout))
    reject = _csv_rejecter(header, bad, tally)
    pick = layout.pick
    for line, row, _ in source.rows():
        if len(row) != width:
            reject(line, row, wrong_width(row, width), "nombre de valeurs différent de l'en-tête")
            continue
        key = pick(row)
        outcome = router.memo.get(key) or router.lookup(key, key)
        if outcome.__class__ is not Routed:
            reject(line, row, outcome.message, outcome.reason, outcome.kind)
            continue
        outcome.count += 1
        if to_csv:
            out.write(_place(row, outcome.cells, layout.positions))
        else:
            record = dict(zip(header, row))
            record.update(outcome.fields)
            out.write(record)


def wrong_width(row: list[str], width: int) -> str:
    """The French reason a CSV row with the wrong number of cells is not read."""
    return f"la ligne compte {len(row)} valeur(s) alors que l'en-tête compte {width} colonne(s)"


def _csv_text(cells: list[str], separator: str) -> str:
    """The text csv.writer gives these cells (quoted where needed), line end included."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=separator, lineterminator="\r\n").writerow(cells)
    return buffer.getvalue()


def _output_header(header: list[str], layout: _Layout) -> list[str]:
    return _place(list(header), layout.added, layout.positions)


def _place(row: list[str], cells: list[str], positions: list[int | None]) -> list[str]:
    row = list(row)
    for cell, position in zip(cells, positions):
        if position is None:
            row.append(cell)
        else:
            row[position] = cell
    return row


def _csv_rejecter(header: list[str], bad, tally: RejectTally):
    if isinstance(bad, CsvSink):
        bad.write(["ligne", "erreur", *header])

        def reject(line: int, row: list[str], message: str, reason: str, kind: str | None = None) -> None:
            tally.add(reason, kind)
            bad.write([str(line), message, *row])
    else:
        clash = "ligne" in header or "erreur" in header

        def reject(line: int, row: list[str], message: str, reason: str, kind: str | None = None) -> None:
            tally.add(reason, kind)
            record: dict[str, object] = {"ligne": line, "erreur": message}
            if clash or len(row) != len(header):
                record["entree"] = row if len(row) != len(header) else dict(zip(header, row))
            else:
                record.update(zip(header, row))
            bad.write(record)
    return reject


# ---- JSON Lines input -------------------------------------------------------------------------

def _route_jsonl(source: JsonlSource, charter: Charter, router: Router, out, bad, tally: RejectTally,
                 replace: bool) -> None:
    names = router.names
    added = list(_added_columns(charter))
    writer = _JsonToCsv(out, names, added) if isinstance(out, CsvSink) else None
    to_csv = writer is not None
    if isinstance(bad, CsvSink):
        bad.write(["ligne", "erreur", "entree"])
    route_values = router.route_values
    strict = charter.strict

    def reject(line: int, message: str, reason: str, kind: str | None = None, value: object = None) -> None:
        tally.add(reason, kind)
        raw = source.last_line
        if isinstance(bad, CsvSink):
            bad.write([str(line), message, raw])
        elif isinstance(value, dict) and "ligne" not in value and "erreur" not in value:
            bad.write({"ligne": line, "erreur": message, **value})
        else:
            bad.write({"ligne": line, "erreur": message, "entree": raw})

    for line, value in source.records():
        if value.__class__ is Malformed:
            reject(line, value.reason, "ligne JSON illisible")
            continue
        if not replace and any(k in value for k in added):
            present = ", ".join(f"« {k} »" for k in added if k in value)
            reject(line, f"l'objet contient déjà {present}, que l'orientation ajoute (utilisez --remplacer)",
                   f"colonne déjà présente ({', '.join(added)})", value=value)
            continue
        values = tuple([value.get(n, ABSENT) for n in names])
        if (strict or ABSENT in values) and len(value) > len(names) - values.count(ABSENT):
            try:  # another key: it may be a misspelt field (`repartition.keys`)
                charter.check_keys(value)
            except InvalidHousehold as error:
                reject(line, error.diagnostic.message, "donnée inconnue de la charte", value=value)
                continue
        outcome = route_values(values)
        if outcome.__class__ is not Routed:
            reject(line, outcome.message, outcome.reason, outcome.kind, value)
            continue
        if to_csv:
            problem = writer.write(value, outcome)
            if problem:
                reject(line, problem, "données absentes de la première ligne orientée (sortie CSV)",
                       value=value)
                continue
        else:
            record = dict(value)
            record.update(outcome.fields)
            out.write(record)
        outcome.count += 1
    if to_csv:
        writer.finish()


class _JsonToCsv:
    """JSON objects as CSV rows: the columns are the first routed object's keys, then the added ones."""

    def __init__(self, sink: CsvSink, names: tuple[str, ...], added: list[str]):
        self._sink = sink
        self._names = names
        self._added = added
        self._columns: list[str] | None = None

    def write(self, value: dict, outcome: Routed) -> str | None:
        if self._columns is None:
            self._columns = [k for k in value if k not in self._added]
            self._known = set(self._columns) | set(self._added)
            self._sink.write(self._columns + self._added)
        extra = [k for k in value if k not in self._known]
        if extra:
            shown = ", ".join(f"« {k} »" for k in extra)
            return (f"donnée(s) {shown} absente(s) de la première ligne orientée : elles n'ont pas de "
                    f"colonne dans la sortie CSV")
        self._sink.write([_cell(value.get(k)) for k in self._columns] + list(outcome.cells))
        return None

    def finish(self) -> None:
        if self._columns is None:  # nothing routed: still give the file its header
            self._sink.write(list(self._names) + self._added)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


# ---- helpers ------------------------------------------------------------------------------------

def _added_columns(charter: Charter) -> tuple[str, ...]:
    return added_columns(charter)


def _check_distinct(input: str | Path, output: str | Path, rejects: str | Path, summary: str | Path | None) -> None:
    paths = [("l'entrée", input), ("la sortie", output), ("les rejets", rejects), ("le bilan", summary)]
    paths = [(role, path) for role, path in paths if path is not None]
    on_stdout = [role for role, path in paths[1:] if str(path) == STDIO]
    if len(on_stdout) > 1:  # their lines would be mixed
        raise BatchError(f"{' et '.join(on_stdout)} ne peuvent pas aller tous deux sur la sortie standard : "
                         f"indiquez un fichier pour l'un d'eux")
    for i, (role_a, a) in enumerate(paths):
        for role_b, b in paths[i + 1:]:
            if str(a) == STDIO or str(b) == STDIO:
                continue
            if _same(a, b):
                raise BatchError(f"{role_a} et {role_b} désignent le même fichier {display_name(b)}")


def _same(a: str | Path, b: str | Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.abspath(a) == os.path.abspath(b)


def _progress_bar(progress: bool | None, stack: contextlib.ExitStack):
    if progress is None:
        progress = sys.stderr.isatty()
    if not progress:
        return None
    from tqdm import tqdm

    return stack.enter_context(tqdm(total=None, unit="o", unit_scale=True, unit_divisor=1024,
                                    desc="Orientation", file=sys.stderr, leave=False,
                                    mininterval=0.5))

