"""Decision tables ("who goes where"): the charter's domain cut into boxes, each with its service and rule."""

from __future__ import annotations

from attrs import frozen

from .. import model as m
from ..dsl.decision_tree import IsUnknown, Leaf, Test, build_tree
from ..dsl.lowering import T, Domain, RatioGe, with_cells
from ..proof.problems import merge
from ..proof.wording import cells_text, named_sets, ratio_text
from ..semantics import DECIDED, Outcome, Semantics
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
    """One table per service: the boxes of the domain it receives, with the deciding rule."""
    found = _boxes(model, max_rows)
    if found is None:
        return _by_rule(model)
    domain, ratios, boxes = found
    return DecisionTables(_tables(model, domain, ratios, boxes), exact=True)


def _boxes(model: m.CharterModel, max_rows: int):
    """(domain, ratio atoms, merged boxes with their outcome), or None past the row budget."""
    found = build_tree(model, Semantics(model))
    if not found.complete or found.size > max_rows * 16 or found.depth > _MAX_DEPTH:
        return None
    tree, domain = found.root, found.domain
    ratios = [a for a in domain.atoms if isinstance(a, RatioGe)]
    leaves: list = []
    full = domain.full_region() + (_BOTH,) * len(ratios)
    _walk(tree, full, domain, ratios, leaves, max_rows * 8)
    if len(leaves) > max_rows * 8:
        return None
    boxes = _merge(leaves, len(domain.fields), ratios)
    return None if len(boxes) > max_rows else (domain, ratios, boxes)


# ---- walking the decision tree: each leaf is a box (a mask per field, a state per ratio test) ----

_T, _F = 1, 2
_BOTH = _T | _F
_MAX_DEPTH = 200  # the walk below recurses along the tree's paths


def _walk(node, box: tuple, domain: Domain, ratios: list, out: list, limit: int) -> None:
    if len(out) > limit:
        return
    width = len(domain.fields)
    match node:
        case Leaf(outcome=outcome):
            out.append((box, outcome))
        case IsUnknown(field=f, unknown=unknown, known=known):
            cells = domain.fields[f]
            _walk(unknown, with_cells(box, f, box[f] & cells.unknown_bit), domain, ratios, out, limit)
            _walk(known, with_cells(box, f, box[f] & cells.known_mask), domain, ratios, out, limit)
        case Test(atom=RatioGe() as atom, yes=yes, no=no):
            at = width + ratios.index(atom)
            _walk(yes, with_cells(box, at, _T), domain, ratios, out, limit)
            _walk(no, with_cells(box, at, _F), domain, ratios, out, limit)
        case Test(atom=atom, yes=yes, no=no):
            cells = domain.fields[atom.field]
            true = domain.masks[atom]
            _walk(yes, with_cells(box, atom.field, box[atom.field] & true), domain, ratios, out, limit)
            _walk(no, with_cells(box, atom.field, box[atom.field] & ~true & cells.known_mask), domain, ratios,
                  out, limit)
        case _:  # pragma: no cover - the tree has no other node
            raise TypeError(node)


def _merge(leaves: list, width: int, ratios: list) -> list:
    """Fewer, larger boxes with the same outcome, through the proof's `merge` (ratio states as fixed atoms)."""
    groups: dict[Outcome, list[tuple]] = {}
    for box, outcome in leaves:
        fixed = tuple((atom, box[width + i]) for i, atom in enumerate(ratios) if box[width + i] != _BOTH)
        groups.setdefault(outcome, []).append((box[:width], fixed))
    merged = []
    for outcome, boxes in groups.items():
        for region, fixed in merge(boxes):
            states = dict(fixed)
            merged.append((region + tuple(states.get(atom, _BOTH) for atom in ratios), outcome))
    return merged


# ---- describing a box in French -------------------------------------------------------------------

def _tables(model: m.CharterModel, domain: Domain, ratios: list, boxes: list) -> tuple[DecisionTable, ...]:
    width = len(domain.fields)
    full = domain.full_region() + (_BOTH,) * len(ratios)
    sets = named_sets(model)
    rules = model.rules
    tables = []
    groups = [(s.code, f"{s.code} — {s.label}") for s in model.services] + [(None, "Cas que la charte ne tranche pas")]
    for code, label in groups:
        if code is None:
            mine = [(b, o) for b, o in boxes if o.kind != DECIDED]
        else:
            mine = [(b, o) for b, o in boxes if o.kind == DECIDED and o.service == code]
        if not mine:
            continue
        mine.sort(key=lambda item: (item[1].rules, item[0]))
        used = [k for k in range(len(full)) if any(b[k] != full[k] for b, _ in mine)]
        columns = tuple(_column(domain, ratios, k, width) for k in used)
        rows = []
        for box, outcome in mine:
            cells = tuple(_cell(domain, sets, box, k, width) for k in used)
            decided = outcome.kind == DECIDED
            rows.append(DecisionRow(cells, rules[outcome.rules[0]].name if decided else None,
                                    tuple(rules[i].name for i in outcome.rules), outcome.kind))
        tables.append(DecisionTable(code, label, columns, tuple(rows)))
    return tuple(tables)


def _column(domain: Domain, ratios: list, k: int, width: int) -> str:
    if k < width:
        return domain.fields[k].field.label
    return ratio_text(domain, ratios[k - width], T)


def _cell(domain: Domain, sets: dict, box: tuple, k: int, width: int) -> str:
    if k >= width:
        return {_T: "oui", _F: "non"}.get(box[k], ANY)
    cells = domain.fields[k]
    return ANY if box[k] == cells.full else cells_text(cells, box[k], sets.get(k))


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
