"""Decision tables ("who goes where"): the charter's domain cut into boxes, laid out per service for reading.

Two steps. The exact step is `export.rows`: the proof's disjoint boxes of the domain, each with its
outcome (a service and its deciding rule, or a case the charter leaves open), the same rows the
JSON, SQL and DMN exports are built from. The layout step (`layout`) takes such rows —
a condition per column, the rule, the service — whatever produced them, and makes them readable:
each row keeps only the columns its rule reads, rows that then say the same are merged, and each
row names the rules that take some of its households elsewhere (« sauf »).
"""

from __future__ import annotations

from typing import Callable, Mapping, Sequence

from attrs import frozen

from .. import model as m
from ..dsl.lowering import RELATIONS, T, Domain, atoms_of, lower
from ..export.rows import TablesTooLarge, decision_rows
from ..proof.problems import merge
from ..proof.wording import cells_text, named_sets, relation_text
from ..semantics import DECIDED
from .sentences import condition_text

__all__ = ["DecisionRow", "DecisionTable", "DecisionTables", "SourceRow", "decision_tables", "layout",
           "open_case_text", "MAX_ROWS", "ANY", "OPEN_LABEL"]

#: Beyond this many boxes a table would not be read: the tables then list each rule's own condition.
MAX_ROWS = 400

#: Cell text for a column the row does not constrain.
ANY = "—"

#: Title of the table of households the charter leaves open.
OPEN_LABEL = "Cas que la charte ne tranche pas"

#: The French word of each kind of case the charter leaves open (semantics' kinds carry no accents).
_OPEN_KINDS = {"lacune": "lacune", "conflit": "conflit", "indetermination": "indétermination"}


@frozen
class SourceRow:
    """One piece of the domain, disjoint from the others: a condition per column, and where it goes.

    A condition is a bit mask over the column's cells (for a field: its values cut where the rules
    cut them, the unknown value included; for a ratio test: 1 true, 2 false); `rules` names the
    deciding rules, the first one decides (or, for a case left open, the rules involved).
    """

    masks: tuple[int, ...]
    service: str | None  # None: a case the charter leaves open
    rules: tuple[str, ...]
    kind: str  # decision, lacune, conflit, indetermination


@frozen
class DecisionRow:
    """A row as reviewers read it: a French description per column, and where its households go."""

    cells: tuple[str, ...]
    rule: str | None  # first deciding rule, None when the charter does not decide
    rules: tuple[str, ...]
    kind: str  # decision, lacune, conflit, indetermination
    unless: tuple[str, ...] = ()  # rules that send some of these households elsewhere (« sauf »)
    otherwise: bool = False  # the default rule's row: every household that no other rule takes


def open_case_text(row: DecisionRow) -> str:
    """What a row of households the charter leaves open meets, e.g. « conflit : « A », « B » »."""
    return f"{_OPEN_KINDS[row.kind]} : " + ", ".join(f"« {name} »" for name in row.rules)


@frozen
class DecisionTable:
    """Every row routed to one service (or, with `service` None, the rows the charter leaves open)."""

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
    """One table per service: the households it receives, by deciding rule, in the columns that rule reads."""
    try:
        data = decision_rows(model, max_rows=max_rows)
    except TablesTooLarge:
        return _by_rule(model)
    domain, ratios = data.domain, list(data.ratio_atoms)
    width = len(domain.fields)
    sets = named_sets(model)
    rows = [SourceRow(row.region + tuple(dict(row.fixed).get(atom, _BOTH) for atom in ratios),
                      row.service if row.kind == DECIDED else None, row.rules, row.kind) for row in data.rows]
    columns = [c.field.label for c in domain.fields] + [relation_text(domain, atom, T) for atom in ratios]
    full = domain.full_region() + (_BOTH,) * len(ratios)
    reads = {r.name: _reads(r, domain, ratios) for r in model.rules}

    def describe(k: int, mask: int) -> str:
        if k >= width:
            return {_T: "oui", _F: "non"}.get(mask, ANY)
        return cells_text(domain.fields[k], mask, sets.get(k))

    services = [(s.code, f"{s.code} — {s.label}") for s in model.services]
    default = model.default_rule.name if model.default_rule else None
    return DecisionTables(layout(columns, full, rows, reads, services, describe, default), exact=True)


#: A `fois` comparison's state in a row: true, false, or not restricted (the lowering's T and F bits).
_T, _F = 1, 2
_BOTH = _T | _F


def _reads(rule: m.Rule, domain: Domain, ratios: list) -> frozenset[int]:
    """The columns a rule's own condition reads: its fields, and its tests of relations between fields."""
    if rule.condition is None:
        return frozenset()
    width = len(domain.fields)
    found = set()
    for atom in atoms_of(lower(rule.condition)):
        if isinstance(atom, RELATIONS):
            found.add(width + ratios.index(atom))
        else:
            found.add(atom.field)
    return frozenset(found)


# ---- layout: rows sized for reading -----------------------------------------------------------------

def layout(columns: Sequence[str], full: Sequence[int], rows: Sequence[SourceRow],
           reads: Mapping[str, frozenset[int]], services: Sequence[tuple[str, str]],
           describe: Callable[[int, int], str], default: str | None = None) -> tuple[DecisionTable, ...]:
    """Tables per service from exact, disjoint rows, laid out for reading.

    `columns` names each column and `full` gives its mask for "any value"; `reads` gives the
    columns each rule reads; `services` the (code, title) of each table in order; `describe`
    words a column's mask; `default` names the rule of "all other cases".

    A row decided by rule R keeps the columns R reads, the others become « — »; R's rows that then
    differ in one column only merge into one. Such a row describes households R would take: those
    that other rules take instead are named in its « sauf » list, and the default rule's row simply
    says « dans tous les autres cas ». Cases left open keep every column they are cut by.
    """
    order = {name: i for i, name in enumerate(reads)}
    groups: dict[tuple, list[SourceRow]] = {}
    for row in rows:
        key = (row.service, row.rules[0] if row.kind == DECIDED else (row.kind, row.rules))
        groups.setdefault(key, []).append(row)
    tables = []
    for code, title in [*services, (None, OPEN_LABEL)]:
        laid: list[tuple[tuple[int, ...], DecisionRow]] = []
        for (service, key), members in sorted(((k, v) for k, v in groups.items() if k[0] == code),
                                              key=lambda item: _group_order(item[0][1], order)):
            decided = members[0].kind == DECIDED
            rule = members[0].rules[0] if decided else None
            kept = reads.get(rule, frozenset()) if decided else frozenset(range(len(full)))
            boxes = [tuple(r.masks[k] if k in kept else full[k] for k in range(len(full))) for r in members]
            for box in _merged(boxes):
                if decided and rule == default:
                    laid.append((box, DecisionRow((), rule, members[0].rules, DECIDED, otherwise=True)))
                    continue
                unless = _unless(box, rule, rows, order) if decided else ()
                laid.append((box, DecisionRow((), rule, members[0].rules, members[0].kind, unless)))
        if not laid:
            continue
        used = [k for k in range(len(full)) if any(box[k] != full[k] for box, _ in laid)]
        table_rows = tuple(
            DecisionRow(tuple(ANY if box[k] == full[k] else describe(k, box[k]) for k in used),
                        row.rule, row.rules, row.kind, row.unless, row.otherwise)
            for box, row in laid)
        tables.append(DecisionTable(code, title, tuple(columns[k] for k in used), table_rows))
    return tuple(tables)


def _group_order(key, order: Mapping[str, int]) -> tuple:
    if isinstance(key, str):
        return (0, order.get(key, len(order)), key)
    kind, rules = key
    return (1, tuple(order.get(r, len(order)) for r in rules), kind)


def _merged(boxes: list[tuple[int, ...]]) -> list[tuple[int, ...]]:
    """Boxes that differ in one column only become one; a box inside another is dropped."""
    found = [region for region, _ in merge([(box, ()) for box in boxes])]
    kept = [box for i, box in enumerate(found)
            if not any(j != i and _inside(box, other) and (box != other or j < i) for j, other in enumerate(found))]
    return kept


def _inside(box: tuple[int, ...], other: tuple[int, ...]) -> bool:
    return all(mask | big == big for mask, big in zip(box, other))


def _unless(box: tuple[int, ...], rule: str | None, rows: Sequence[SourceRow],
            order: Mapping[str, int]) -> tuple[str, ...]:
    """The rules (or open cases) that take some households of the box away from `rule`, in file order."""
    found: set[str] = set()
    for row in rows:
        if row.kind == DECIDED and row.rules[0] == rule:
            continue
        if all(mask & other for mask, other in zip(box, row.masks)):
            found.add(row.rules[0] if row.kind == DECIDED else OPEN_LABEL.lower())
    return tuple(sorted(found, key=lambda name: (order.get(name, len(order)), name)))


# ---- fallback: each rule's own condition, with the exceptions that set it aside ---------------------

def _by_rule(model: m.CharterModel) -> DecisionTables:
    tables = []
    for service in model.services:
        rows = []
        for rule in model.rules:
            if rule.service.code != service.code:
                continue
            unless = tuple(r.name for r in model.rules if rule.index in r.overrides)
            rows.append(DecisionRow((condition_text(rule.condition),), rule.name, (rule.name,), DECIDED, unless,
                                    otherwise=rule.is_default))
        if rows:
            tables.append(DecisionTable(service.code, f"{service.code} — {service.label}", ("ménages concernés",),
                                        tuple(rows)))
    return DecisionTables(tuple(tables), exact=False)
