"""Households for the export tests: typed column values at every threshold of a charter, unknowns, refused values.

A household is a tuple of values in the charter's field order, as a SQL table would hold them in
the columns `sql_reading.column_type` gives (`None` is SQL `NULL`); `python_outcome` routes the
same row through `Charter.route`, reading `NULL` as the SQL export does (the default if the
field has one, else unknown).
"""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal

from hypothesis import strategies as st

from repartition import InvalidHousehold, NoDecision
from repartition import model as m
from repartition.dsl.lowering import RELATIONS, ShiftGe
from repartition.export import decision_rows
from repartition.export.rows import unit_value
from repartition.runtime import add_months

__all__ = ["households", "python_household", "python_outcome", "insert", "assert_routes_like_python",
           "OUTCOME_COLUMNS"]

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
    field has a default, else `None` (unknown, or refused when the field may not be unknown)."""
    return {f.machine: v for f, v in zip(charter.fields, values) if not (v is None and f.has_default)}


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
        return f"CAST('{value:f}' AS DECIMAL(14, 2))"
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
