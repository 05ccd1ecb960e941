"""Impact of a charter change on real households: counts per (old → new) outcome and unit, movers and their rules.

Routing is a pure function of the values of the fields either version reads, so households are
counted per distinct combination of those raw values, and each combination is routed once by
each version, through `Charter.route` itself. Large files go through DuckDB when it is installed
(`GROUP BY` the raw values of CSV and Parquet files); JSON Lines, and every file without DuckDB,
are read by the batch readers. Both paths give the same counts: the same raw values reach the
same `route`.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from attrs import frozen

from .batch.readers import CsvSource, JsonlSource, Malformed, suffix_format
from .batch.errors import BatchError
from .charter import Charter
from .errors import InvalidHousehold, NoDecision

__all__ = ["Outcome", "Mover", "Impact", "measure", "DEFAULT_LIMIT", "IDENTIFIER"]

#: How many movers are listed by default.
DEFAULT_LIMIT = 100
#: The column naming a household, when the file has one (else its line or record number).
IDENTIFIER = "identifiant"
_ABSENT = object()


@frozen(order=True)
class Outcome:
    """What a version does with a household: its service, rule and unit, or why it does not route it."""

    service: str | None
    rule: str | None
    unit: str | None
    reason: str | None  # invalide, lacune, conflit, indetermination; None when routed

    @property
    def label(self) -> str:
        """The service, or « non orienté (raison) »."""
        return self.service if self.reason is None else f"non orienté ({self.reason})"


@frozen
class Mover:
    identifier: str
    old: Outcome
    new: Outcome


class Impact:
    """The households of a file counted per (old outcome, new outcome), with the first movers."""

    def __init__(self, old: Charter, new: Charter, source: str, counts: Counter, movers: list[Mover], engine: str):
        self.old, self.new, self.source, self.counts, self.movers, self.engine = old, new, source, counts, movers, engine

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def moving(self) -> int:
        """Households whose service (or reason for not being routed) changes."""
        return sum(n for (a, b), n in self.counts.items() if a.label != b.label)

    def by_service(self) -> Counter:
        """(old label, new label) → households."""
        flows: Counter = Counter()
        for (a, b), n in self.counts.items():
            flows[a.label, b.label] += n
        return flows

    def by_unit(self) -> Counter:
        """((old label, old unit), (new label, new unit)) → households, where either side has a unit."""
        units: Counter = Counter()
        for (a, b), n in self.counts.items():
            if a.unit is not None or b.unit is not None:
                units[(a.label, a.unit), (b.label, b.unit)] += n
        return units

    def rules_behind(self) -> dict[tuple[str, str], Counter]:
        """For each change of service: (old rule, new rule) → households."""
        found: dict[tuple[str, str], Counter] = {}
        for (a, b), n in self.counts.items():
            if a.label != b.label:
                found.setdefault((a.label, b.label), Counter())[a.rule or a.reason, b.rule or b.reason] += n
        return found

    def to_dict(self) -> dict:
        charter = lambda c: {"titre": c.title, "version": c.version, "sha256": c.sha256}  # noqa: E731
        rules = self.rules_behind()
        return {
            "ancienne": charter(self.old), "nouvelle": charter(self.new), "donnees": self.source,
            "moteur": self.engine, "menages": self.total, "changent": self.moving,
            "par_service": [{"ancien": a, "nouveau": b, "menages": n,
                             "regles": [{"ancienne": ra, "nouvelle": rb, "menages": k}
                                        for (ra, rb), k in rules.get((a, b), Counter()).most_common()]}
                            for (a, b), n in sorted(self.by_service().items())],
            "par_unite": [{"ancien": a, "ancienne_unite": ua, "nouveau": b, "nouvelle_unite": ub, "menages": n}
                          for ((a, ua), (b, ub)), n in sorted(self.by_unit().items(), key=str)],
            "deplaces": [{"identifiant": m.identifier, "ancien": m.old.label, "nouveau": m.new.label,
                          "regle_ancienne": m.old.rule, "regle_nouvelle": m.new.rule} for m in self.movers],
        }

    def render(self) -> str:
        """French text: totals, each change with its rules, units, the first movers."""
        lines = [f"Données : {self.source} ({self.total} ménage(s), lecture {self.engine})",
                 f"{self.moving} ménage(s) changent de service."]
        rules = self.rules_behind()
        for (a, b), n in sorted(self.by_service().items(), key=lambda item: -item[1]):
            lines.append(f"  {a} → {b} : {n}" + ("" if a != b else " (inchangé)"))
            for (ra, rb), k in rules.get((a, b), Counter()).most_common():
                lines.append(f"      {k} : « {ra} » → « {rb} »")
        if units := self.by_unit():
            lines.append("Par unité :")
            for ((a, ua), (b, ub)), n in sorted(units.items(), key=str):
                lines.append(f"  {a}{f' / {ua}' if ua else ''} → {b}{f' / {ub}' if ub else ''} : {n}")
        if self.movers:
            lines.append(f"Ménages qui changent de service ({len(self.movers)} premier(s)) :")
            lines += [f"  {m.identifier} : {m.old.label} (« {m.old.rule or m.old.reason} ») → "
                      f"{m.new.label} (« {m.new.rule or m.new.reason} »)" for m in self.movers]
        return "\n".join(lines)


def outcome(charter: Charter, household: dict) -> Outcome:
    """What routing the household through the charter gives."""
    try:
        decision = charter.route(household)
    except InvalidHousehold:
        return Outcome(None, None, None, "invalide")
    except NoDecision as error:
        return Outcome(None, None, None, error.kind)
    return Outcome(decision.service, decision.rule, decision.unit, None)


class _Pair:
    """Both versions' outcomes for raw values of the fields either reads, each combination routed once."""

    def __init__(self, old: Charter, new: Charter):
        self.old, self.new = old, new
        self.names = tuple(dict.fromkeys(f.machine for c in (old, new) for f in c.fields))
        self.memo: dict = {}

    def outcomes(self, values: tuple) -> tuple[Outcome, Outcome]:
        try:
            key = (values, tuple(v.__class__ for v in values))  # 1 and true are different values
            found = self.memo.get(key)
        except TypeError:  # a list or an object as a value
            key, found = None, None
        if found is None:
            household = {n: v for n, v in zip(self.names, values) if v is not _ABSENT}
            found = (outcome(self.old, household), outcome(self.new, household))
            if key is not None and len(self.memo) < 1 << 16:
                self.memo[key] = found
        return found


def measure(old: Charter, new: Charter, path: str | Path, *, identifier: str = IDENTIFIER,
            limit: int = DEFAULT_LIMIT, engine: str = "auto") -> Impact:
    """Count the households of a CSV, JSON Lines or Parquet file per (old, new) outcome.

    `engine`: `duckdb`, `python`, or `auto` (DuckDB for CSV and Parquet when it is installed).
    """
    fmt = "parquet" if str(path).lower().endswith(".parquet") else suffix_format(path)
    if fmt is None:
        raise BatchError(f"« {path} » : extension .csv, .jsonl ou .parquet attendue pour --donnees")
    pair = _Pair(old, new)
    if engine == "auto":
        engine = "duckdb" if fmt != "jsonl" and _has_duckdb() else "python"
    if engine == "duckdb":
        counts, movers = _duckdb(pair, path, fmt, identifier, limit)
    else:
        counts, movers = _python(pair, path, fmt, identifier, limit)
    return Impact(old, new, str(path), counts, movers, engine)


def _has_duckdb() -> bool:
    try:
        import duckdb  # noqa: F401
    except ImportError:
        return False
    return True


def _python(pair: _Pair, path, fmt: str, identifier: str, limit: int):
    counts: Counter = Counter()
    movers: list[Mover] = []
    number = 0
    for _, record in _records(path, fmt):
        if isinstance(record, Malformed):
            continue
        number += 1
        old, new = pair.outcomes(tuple(record.get(n, _ABSENT) for n in pair.names))
        counts[old, new] += 1
        if old.label != new.label and len(movers) < limit:
            movers.append(Mover(str(record.get(identifier, number)), old, new))
    return counts, movers


def _duckdb(pair: _Pair, path, fmt: str, identifier: str, limit: int):
    """The same counts, DuckDB grouping the raw values of the fields (CSV read as text, as the batch does)."""
    import duckdb

    from .batch.parquet import connect

    connection = connect()
    try:
        text = lambda value: "'" + str(value).replace("'", "''") + "'"  # noqa: E731 - a SQL string literal
        if fmt == "csv":
            with CsvSource(path) as source:  # the header and separator, as the batch reader finds them
                columns = [name.strip() for name in source.header]
                separator = source.separator
            names = "[" + ", ".join(text(c) for c in columns) + "]"
            scan = (f"read_csv({text(path)}, delim={text(separator)}, header=false, skip=1, names={names}, "
                    "all_varchar=true, quote='\"', escape='\"', strict_mode=true)")
        else:
            scan = f"read_parquet({text(path)})"
        connection.execute(f"CREATE TEMP VIEW donnees AS SELECT * FROM {scan}")
        columns = [d[0] for d in connection.execute("SELECT * FROM donnees LIMIT 0").description]
        present = [n for n in pair.names if n in columns]
        quoted = lambda name: '"' + name.replace('"', '""') + '"'  # noqa: E731
        fields = ", ".join(quoted(n) for n in present) or "NULL"
        every_empty = " AND ".join(f"{quoted(c)} IS NULL" for c in columns) or "FALSE"
        label = f"CAST({quoted(identifier)} AS VARCHAR)" if identifier in columns else "CAST(numero AS VARCHAR)"
        groups = connection.execute(f"""
            WITH lignes AS (
                SELECT *, row_number() OVER () AS numero FROM donnees WHERE NOT ({every_empty})),
            rangs AS (SELECT *, row_number() OVER (PARTITION BY {fields} ORDER BY numero) AS rang FROM lignes)
            SELECT {fields}, count(*), list(struct_pack(n := numero, id := {label}))
                                         FILTER (WHERE rang <= {int(limit)})
            FROM rangs GROUP BY ALL""").fetchall()
    except duckdb.Error as error:
        raise BatchError(f"« {path} » : lecture par DuckDB impossible ({str(error).splitlines()[0]})") from None
    finally:
        connection.close()
    counts: Counter = Counter()
    found: list[tuple[int, Mover]] = []
    for group in groups:
        raw = dict(zip(present, group))
        old, new = pair.outcomes(tuple(raw.get(n, _ABSENT) for n in pair.names))
        counts[old, new] += group[len(present)]
        if old.label != new.label:
            found += [(item["n"], Mover(item["id"], old, new)) for item in group[len(present) + 1] or ()]
    found.sort(key=lambda item: item[0])
    return counts, [mover for _, mover in found[:limit]]


def _records(path, fmt: str):
    """(line or record number, mapping of column → raw value) of every record, as `orienter` reads them."""
    if fmt == "parquet":
        from .batch.parquet import ParquetSource

        with ParquetSource(path) as source:
            yield from source.records()
        return
    if fmt == "jsonl":
        with JsonlSource(path) as source:
            yield from source.records()
        return
    with CsvSource(path) as source:
        header = [name.strip() for name in source.header]
        for line, row in source.records():
            if len(row) == len(header):
                yield line, dict(zip(header, row))
