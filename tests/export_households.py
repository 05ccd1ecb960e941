"""Households for the export tests: typed column values at every threshold of a charter, unknowns, refused values.

A household is a tuple of values in the charter's field order, as a SQL table would hold them in
the columns `sql_reading.column_type` gives (`None` is SQL `NULL`); `python_outcome` routes the
same row through `Charter.route`, reading `NULL` as the SQL export does (the default if the
field has one, else unknown), and a SQL number as the number it is (a whole one as an int).

`spelt_rows` turns raw households with spellings and hostile values (`spelt_households`, from
`repartition.testing.households(spellings=True)`) into rows of a wider table (`WIDE`): yes/no as text, numbers as
binary floats or wide decimals, dates as timestamps, so that what no declared column holds
(NaN, 10**20, 0.001, « Vrai », « Strasbourg », noon) reaches the SQL reading.
"""

from __future__ import annotations

import datetime as _dt
import itertools
import math
from decimal import Decimal

from hypothesis import strategies as st

import repartition
from repartition import InvalidHousehold, NoDecision, testing
from repartition import model as m
from repartition.dsl.lowering import RELATIONS, ShiftGe
from repartition.export import decision_rows
from repartition.export.rows import unit_value
from repartition.runtime import add_months
from repartition.values import INT_MAX, INT_MIN, MONEY_LIMIT, BadValue, read_date

__all__ = ["households", "python_household", "python_outcome", "insert", "assert_routes_like_python",
           "OUTCOME_COLUMNS", "WIDE", "wide_table", "spelt_rows", "spelt_households", "SHAPED", "SHAPES",
           "shaped_charters", "SUMS", "sum_rows"]

#: The columns compared with Python: service, rule, unit, why a row is not routed, partners (« | »).
OUTCOME_COLUMNS = ("service", "regle", "unite", "non_oriente", "partenaires")

_SPACES = ("\u00a0", "\t", "\u2028", "\u3000", "\u202f", "  ")
_MONTH_ENDS = [_dt.date(2023, 1, 31), _dt.date(2023, 2, 28), _dt.date(2023, 3, 1), _dt.date(2023, 11, 30),
               _dt.date(2024, 1, 29), _dt.date(2024, 1, 31), _dt.date(2024, 2, 29), _dt.date(2024, 3, 31),
               _dt.date(2024, 4, 30), _dt.date(2025, 2, 28), _dt.date(2100, 2, 28)]


def _enum_spellings(kind: m.EnumType) -> tuple[list, list]:
    """(readable spellings, refused ones): machine names, labels in any case, with or without
    accents, articles and odd spaces; and words no value reads."""
    good, bad = [], ["inconnue", "assignaton", "l'", "la", "x" + kind.values[0].machine]
    for value in kind.values:
        label = value.label
        plain = label.translate(str.maketrans("éèêàçôîûÉ", "eeeacoiuE"))
        good += [value.machine, label, label.upper(), plain, f" {label}\u00a0", f"la {label}", f"L’{label}",
                 label.replace(" ", "  \t"), label.capitalize(), label.replace(" ", "\u2028")]
    return good, bad


def _codes(model: m.CharterModel, cells) -> list[str]:
    codes = set().union(*(c[1] for c in cells.cells))
    for table in model.tables:
        codes |= set(list(table.mapping)[:3])
    return sorted(codes) + ["99999", "00000"]


def _around(cells) -> list[int]:
    """Internal values at, just below and just above every threshold of the field, and its bounds."""
    kind = cells.field.type
    points = {0, 1}
    for cell in cells.cells:
        for bound in cell:
            if bound is not None:
                points |= {bound - 1, bound, bound + 1}
    for bound in (kind.minimum, kind.maximum):
        if bound is not None:
            points |= {bound - 1, bound, bound + 1}
    return sorted(points)


def _field_values(model: m.CharterModel, cells) -> tuple[list, list]:
    """(values the Python reading accepts, values it refuses) for one field's column."""
    f, kind = cells.field, cells.field.type
    if isinstance(kind, m.BoolType):
        return [True, False], []
    if isinstance(kind, m.EnumType):
        return _enum_spellings(kind)
    if isinstance(kind, m.CodeType):
        codes = _codes(model, cells)
        return codes + [f"{s}{c}{s}" for c in codes[:4] for s in _SPACES], [""]
    points = _around(cells)
    inside = [p for p in points if (kind.minimum is None or p >= kind.minimum)
              and (kind.maximum is None or p <= kind.maximum)]
    outside = [p for p in points if p not in inside]
    if isinstance(kind, m.DateType):  # month ends and leap days too, where calendar months clamp
        return [unit_value(f, p) for p in inside if p >= 1] + _MONTH_ENDS, []
    return [unit_value(f, p) for p in inside], [unit_value(f, p) for p in outside]


@st.composite
def _household(draw, model: m.CharterModel, choices: list, ratios: list) -> tuple:
    values = []
    for f, (good, bad) in zip(model.fields, choices):
        roll = draw(st.integers(0, 19))
        if roll == 0 or (roll == 1 and (f.may_be_unknown or f.has_default)):
            values.append(None)
        elif roll == 2 and bad:
            values.append(draw(st.sampled_from(bad)))
        elif roll == 3 and isinstance(f.type, (m.CodeType, m.EnumType)) and f.may_be_unknown:
            values.append(draw(st.sampled_from(["", "  ", "\u00a0"])))  # blank: unknown
        else:
            values.append(draw(st.sampled_from(good)))
    # Relations (`fois`, sums, durations): one field exactly at, or one unit beside, its threshold.
    for atom in ratios:
        if draw(st.booleans()):
            _onto(model, values, atom, draw(st.sampled_from([-1, 0, 1])))
    return tuple(values)


def _internal(f: m.Field, value):
    if isinstance(value, Decimal):
        return int(value * 100)
    if isinstance(value, _dt.date):
        return value.toordinal()
    return value


def _onto(model: m.CharterModel, values: list, atom, nudge: int) -> None:
    """Move a relation's first field onto its threshold given the others (± one unit), if they are read."""
    if isinstance(atom, ShiftGe):
        moved, others = atom.later, {atom.earlier: 1}
    else:
        (moved, c), *rest = atom.terms
        others = dict(rest)
    known = {f: _internal(model.fields[f], values[f]) for f in others}
    if any(v is None or isinstance(v, str) or isinstance(v, bool) for v in known.values()):
        return
    if isinstance(atom, ShiftGe):
        target = add_months(known[atom.earlier], atom.months) + atom.bound + nudge
    else:  # c·x >= bound − Σ others
        rest_total = atom.bound - sum(k * known[f] for f, k in others.items())
        target = (-(-rest_total // c) if c > 0 else rest_total // c) + nudge
    f = model.fields[moved]
    if isinstance(f.type, m.DateType):
        if 1 <= target <= _dt.date.max.toordinal():
            values[moved] = _dt.date.fromordinal(target)
    elif (f.type.minimum is None or target >= f.type.minimum) and (f.type.maximum is None or target <= f.type.maximum):
        values[moved] = unit_value(f, target)


def households(charter) -> st.SearchStrategy[tuple]:
    """Households (tuples of column values, field order) biased to the charter's thresholds."""
    model = charter.model
    domain = decision_rows(model).domain
    choices = [_field_values(model, cells) for cells in domain.fields]
    ratios = [a for a in domain.atoms if isinstance(a, RELATIONS)]
    return _household(model, choices, ratios)


def python_household(charter, values: tuple) -> dict:
    """The mapping `Charter.route` takes for a row: NULL is an absent field (its default) when the
    field has a default, else `None` (unknown, or refused when the field may not be unknown).

    As the SQL export documents, a whole number may come from any numeric column (2.0 in a float
    column is the number 2), and a timestamp at midnight is that day."""
    return {f.machine: _sql_meaning(f, v) for f, v in zip(charter.fields, values) if not (v is None and f.has_default)}


def _sql_meaning(f: m.Field, value):
    if isinstance(f.type, m.IntType) and isinstance(value, (float, Decimal)) and _finite(value) and value == int(value):
        return int(value)
    if isinstance(value, _dt.datetime) and value.time() == _dt.time():
        return value.date()
    return value


def _finite(value) -> bool:
    return value.is_finite() if isinstance(value, Decimal) else math.isfinite(value)


def python_outcome(charter, values: tuple) -> tuple:
    """(service, rule, unit, non_oriente, partenaires) as the SQL export must give them for this row."""
    try:
        decision = charter.route(python_household(charter, values))
    except InvalidHousehold:
        return (None, None, None, "invalide", None)
    except NoDecision as error:
        return (None, None, None, error.kind, None)
    return (decision.service, decision.rule, decision.unit, None, "|".join(decision.partners))




def _literal(value) -> str:
    """A test value as a typed SQL literal (test data only: the export itself builds a syntax tree)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        if value.is_finite():
            return f"CAST('{value:f}' AS DECIMAL(38, 6))"
        return f"CAST('{'NaN' if value.is_nan() else '-Infinity' if value < 0 else 'Infinity'}' AS NUMERIC)"
    if isinstance(value, float):
        text = repr(value) if math.isfinite(value) else {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}[repr(value)]
        return f"CAST('{text}' AS DOUBLE PRECISION)"
    if isinstance(value, _dt.datetime):
        return f"CAST('{value.isoformat(sep=' ')}' AS TIMESTAMP)"
    if isinstance(value, _dt.date):
        return f"CAST('{value.isoformat()}' AS DATE)"
    return "'" + value.replace("'", "''") + "'"


def insert(charter, rows: list[tuple], dialect: str = "duckdb", table: str = "menages") -> str:
    """One INSERT of every row, each value a typed literal (much faster than a statement per row)."""
    values = ",\n".join("(" + ", ".join(_literal(v) for v in row) + ")" for row in rows)
    return f'INSERT INTO "{table}" VALUES {values}'


def assert_routes_like_python(charter, rows: list[tuple], results: list[tuple]) -> None:
    """Each output row of the SQL export: the input columns as they were, then the Python outcome in
    the added columns (`partenaires` the codes joined by « | » when routed, NULL otherwise)."""
    from repartition.export.sql import OUTPUT_COLUMNS

    width = len(charter.fields)
    added = [OUTPUT_COLUMNS.index(c) for c in OUTCOME_COLUMNS]
    assert len(results) == len(rows)
    for result in results:
        values = tuple(result[:width])
        outcome = tuple(result[width + i] for i in added)
        assert outcome == python_outcome(charter, values), values


#: Wider tables than the declared one, by name: the SQL type of numbers in each dialect (yes/no,
#: codes, stages and list values are text, dates timestamps).
WIDE = {"flottants": {"duckdb": "DOUBLE", "postgresql": "DOUBLE PRECISION"},
        "decimaux": {"duckdb": "DECIMAL(38, 6)", "postgresql": "NUMERIC"}}
_WIDEST = 10**30  # what DECIMAL(38, 6) holds, and more than any limit of the reading


def spelt_households(charter) -> st.SearchStrategy[dict]:
    """Raw households of `testing.households`, one or two of whose values come in the raw spellings
    and hostile values of `spellings=True` (alone, so that no other refusal hides what they do)."""
    fields = [f.machine for f in charter.fields]
    return st.builds(_mixed, testing.households(charter), testing.households(charter, spellings=True),
                     st.sets(st.sampled_from(fields), min_size=1, max_size=2))


def _mixed(clean: dict, spelt: dict, chosen: set) -> dict:
    mixed = dict(clean)
    for name in chosen:
        mixed.pop(name, None)
        if name in spelt:
            mixed[name] = spelt[name]
    return mixed


def wide_table(charter, layout: str, dialect: str, table: str = "menages") -> str:
    """CREATE TABLE of the charter's columns in a wide layout (`WIDE`)."""
    def kind(f: m.Field) -> str:
        if isinstance(f.type, (m.IntType, m.MoneyType)):
            return WIDE[layout][dialect]
        return "TIMESTAMP" if isinstance(f.type, m.DateType) else "TEXT"

    return f'CREATE TABLE "{table}" (' + ", ".join(f'"{f.machine}" {kind(f)}' for f in charter.fields) + ")"


def spelt_rows(charter, raws: list[dict], layout: str, dialect: str) -> list[tuple]:
    """The raw households (`testing.households(spellings=True)`) as rows of the wide table: each value
    as the column holds it, NULL where it cannot (a list, 10**40, an unreadable date)."""
    return [tuple(_wide_value(f, raw.get(f.machine), layout, dialect) for f in charter.fields) for raw in raws]


def _wide_value(f: m.Field, raw, layout: str, dialect: str):
    if raw is None:
        return None
    kind = f.type
    if isinstance(kind, (m.IntType, m.MoneyType)):
        number = _number(raw)
        if number is None:
            return None
        if layout == "flottants":
            return float(number)
        if not number.is_finite():  # only PostgreSQL's numeric holds NaN and infinities
            return number if dialect == "postgresql" else None
        return number
    if isinstance(kind, m.DateType):
        try:
            day = _dt.date.fromordinal(read_date(raw))
        except BadValue:
            return None
        noon = day.toordinal() % 4 == 0  # now and then a time of day, which no date has
        return _dt.datetime(day.year, day.month, day.day, 12 if noon else 0)
    return raw if isinstance(raw, str) else str(raw)


def _number(raw) -> Decimal | None:
    """The number a raw value writes, if a wide column holds it."""
    if isinstance(raw, bool):
        return Decimal(int(raw))
    if isinstance(raw, float):
        number = Decimal(repr(raw)) if math.isfinite(raw) else Decimal(raw)
    elif isinstance(raw, (int, Decimal)):
        number = Decimal(raw)
    elif isinstance(raw, str) and len(raw) < 100:
        text = "".join(raw.split()).removesuffix("€").removesuffix("euros").replace(",", ".")
        try:
            number = Decimal(text)
        except ArithmeticError:
            return None
    else:
        return None
    return number if not number.is_finite() or abs(number) < _WIDEST else None


#: A charter with every kind of number and a code of a given shape (`{forme}`); its rules use the
#: code's set, a list of codes and its negation, thresholds and a `fois` comparison.
SHAPED = """charte « Formes »
services
  A : « a »
  B : « b »
  C : « c »
données du ménage
  commune [commune] : {forme}{inconnu}
  enfants [enfants] : nombre entier{bornes}
  dette [dette] : montant en euros{bornes_dette}
  loyer [loyer] : montant en euros, peut être inconnu
  aide [aide] : oui ou non, par défaut non
  arrivée [arrivee] : date, peut être inconnu
ensemble « Liste » : {liste}
règle « Liste »
  si la commune est dans « Liste » et les enfants sont au moins 2
  alors A
règle « Codes », par exception à « Liste »
  si non (la commune est parmi {codes}) et la dette est au moins 6 fois le loyer
  alors B
règle « Aide »
  si aide et la dette est plus de 1000
  alors C
règle « Autres »
  sinon C
"""
#: Codes of each shape: the set's, and two more for the list.
SHAPES = {"code commune": ("2A004, 96001, 33063", "2B033, 96001"), "code de 3 chiffres": ("001, 250", "250, 999"),
          "code de 2 caractères": ("aB, Z9", "Z9, 00"), "code": ("Paris, 2A", "2A, 75")}


@st.composite
def shaped_charters(draw) -> repartition.Charter:
    """A SHAPED charter: a shape, unknown codes or not, bounds or none."""
    forme = draw(st.sampled_from(sorted(SHAPES)))
    liste, codes = SHAPES[forme]
    text = SHAPED.format(forme=forme, liste=liste, codes=codes,
                         inconnu=draw(st.sampled_from(["", ", peut être inconnu"])),
                         bornes=draw(st.sampled_from(["", " d'au moins 0", " entre -5 et 20"])),
                         bornes_dette=draw(st.sampled_from(["", " d'au moins 0", " entre 0 et 5000,50"])))
    return repartition.Charter.from_text(text, name="formes.regles", verify=False)


#: Sums and multiples at the limits: amounts up to 999 999 999 999,99 € and whole numbers up to
#: 2**63 − 1, whose sums pass what numeric(14,2) and bigint hold; Python adds them exactly.
SUMS = """charte « Sommes »
services
  A : « a »
  B : « b »
  C : « c »
données du ménage
  dette [d] : montant en euros
  loyer [l] : montant en euros
  charges [h] : montant en euros
  enfants [e] : nombre entier
  adultes [a] : nombre entier
règle « Lourde »
  si la dette est au moins 1,5 fois la somme du loyer et des charges
  alors A
règle « Somme », par exception à « Lourde »
  si la somme de la dette, du loyer et des charges est plus de 999999999999,98
  alors B
règle « Nombreux », par exception à « Somme »
  si la somme des enfants et des adultes est au moins 3
  alors C
règle « Autres »
  sinon C
"""


def sum_rows() -> list[tuple]:
    """Every household of amounts and whole numbers at, beside and opposite the limits (5,400 rows)."""
    top = Decimal(MONEY_LIMIT).scaleb(-2)
    amounts = [top, -top, top - Decimal("0.01"), Decimal(0), Decimal("666666666666.66"), Decimal("666666666666.67")]
    numbers = [INT_MAX, INT_MIN, 0, 3, -INT_MAX]
    return list(itertools.product(amounts, amounts, amounts, numbers, numbers))
