"""Decision tables ("who goes where") as reviewers read them: the rows of `export.rows`, worded in French."""

from __future__ import annotations

from attrs import frozen

from .. import model as m
from ..dsl.lowering import F, T
from ..export.rows import DecisionRows, RowGroup, TablesTooLarge, decision_rows
from ..proof.wording import cells_text, named_sets, ratio_text
from ..semantics import DECIDED
from .sentences import condition_text

__all__ = ["DecisionRow", "DecisionTable", "DecisionTables", "decision_tables", "open_case_text", "MAX_ROWS"]

#: Beyond this many boxes a table would not be read: the tables then list each rule's own condition.
MAX_ROWS = 400

#: Cell text for a column the row does not constrain.
ANY = "—"

#: The French word of each kind of case the charter leaves open (semantics' kinds carry no accents).
_OPEN_KINDS = {"lacune": "lacune", "conflit": "conflit", "indetermination": "indétermination"}


@frozen
class DecisionRow:
    """One box of the domain: a French description per column, and where its households go."""

    cells: tuple[str, ...]
    rule: str | None  # first deciding rule, None when the charter does not decide
    rules: tuple[str, ...]
    kind: str  # decision, lacune, conflit, indetermination


def open_case_text(row: DecisionRow) -> str:
    """What a row of households the charter leaves open meets, e.g. « conflit : « A », « B » »."""
    return f"{_OPEN_KINDS[row.kind]} : " + ", ".join(f"« {name} »" for name in row.rules)


@frozen
class DecisionTable:
    """Every box routed to one service (or, with `service` None, the boxes the charter leaves open)."""

    service: str | None
    label: str
    columns: tuple[str, ...]
    rows: tuple[DecisionRow, ...]


@frozen
class DecisionTables:
    """The tables of a charter; `exact` is False when they fall back to each rule's own condition."""

    tables: tuple[DecisionTable, ...]
    exact: bool


def decision_tables(model: m.CharterModel, max_rows: int = MAX_ROWS) -> DecisionTables:
    """One table per service: the rows of `export.rows` it receives, worded, with the deciding rule."""
    try:
        data = decision_rows(model, nodes=_NODES, max_rows=max_rows)
    except TablesTooLarge:
        return _by_rule(model)
    return DecisionTables(tuple(_table(data, group) for group in data.groups), exact=True)


#: Regions the splitting may examine for the documentation's tables before falling back.
_NODES = 20_000


# ---- wording the rows: one column per field or `fois` comparison that some row restricts ----------

def _table(data: DecisionRows, group: RowGroup) -> DecisionTable:
    domain, ratios = data.domain, data.ratio_atoms
    fields = domain.fields
    sets = named_sets(data.model)
    used = [i for i, cells in enumerate(fields) if any(r.region[i] != cells.full for r in group.rows)]
    used_ratios = [a for a in ratios if any(a in dict(r.fixed) for r in group.rows)]
    columns = tuple(fields[i].field.label for i in used) + tuple(ratio_text(domain, a, T) for a in used_ratios)
    rows = []
    for row in group.rows:
        fixed = dict(row.fixed)
        cells = tuple(ANY if row.region[i] == fields[i].full else cells_text(fields[i], row.region[i], sets.get(i))
                      for i in used)
        cells += tuple({T: "oui", F: "non"}.get(fixed.get(a), ANY) for a in used_ratios)
        rows.append(DecisionRow(cells, row.rule, row.rules, row.kind))
    return DecisionTable(group.service, group.label, columns, tuple(rows))


# ---- fallback: each rule's own condition, with the exceptions that set it aside ---------------------

def _by_rule(model: m.CharterModel) -> DecisionTables:
    tables = []
    for service in model.services:
        rows = []
        for rule in model.rules:
            if rule.service.code != service.code:
                continue
            unless = ", ".join(f"« {r.name} »" for r in model.rules if rule.index in r.overrides) or ANY
            rows.append(DecisionRow((condition_text(rule.condition), unless), rule.name, (rule.name,), DECIDED))
        if rows:
            tables.append(DecisionTable(service.code, f"{service.code} — {service.label}",
                                        ("condition", "sauf exception"), tuple(rows)))
    return DecisionTables(tuple(tables), exact=False)
