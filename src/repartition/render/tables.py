"""Decision tables ("who goes where"): the charter's domain cut into boxes, each with its service and rule."""

from __future__ import annotations

from fractions import Fraction

from attrs import frozen

from .. import model as m
from ..dsl.decision_tree import IsUnknown, Leaf, Test, TooLarge, build_tree
from ..dsl.lowering import Domain, In, RatioGe, lower, with_cells
from ..proof.problems import merge
from ..semantics import DECIDED, Outcome, Semantics
from .sentences import condition_text, factor_text

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
    try:
        tree = build_tree(model, Semantics(model))
    except TooLarge:
        return None
    domain = Domain(model.fields, [lower(r.condition) for r in model.rules if not r.is_default])
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
    names = _set_names(model)
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
        columns = tuple(_column(model, ratios, k, width) for k in used)
        rows = []
        for box, outcome in mine:
            cells = tuple(_cell(domain, ratios, names, box, k, width) for k in used)
            decided = outcome.kind == DECIDED
            rows.append(DecisionRow(cells, rules[outcome.rules[0]].name if decided else None,
                                    tuple(rules[i].name for i in outcome.rules), outcome.kind))
        tables.append(DecisionTable(code, label, columns, tuple(rows)))
    return tuple(tables)


def _column(model: m.CharterModel, ratios: list, k: int, width: int) -> str:
    if k < width:
        return model.fields[k].label
    atom = ratios[k - width]
    left, right = model.fields[atom.left], model.fields[atom.right]
    word = "au moins" if atom.offset == 0 else "plus de"
    return f"{left.label} {word} {factor_text(Fraction(atom.num, atom.den))} fois {right.label}"


def _cell(domain: Domain, ratios: list, names: dict, box: tuple, k: int, width: int) -> str:
    if k >= width:
        return {_T: "oui", _F: "non"}.get(box[k], ANY)
    cells = domain.fields[k]
    mask = box[k]
    if mask == cells.full:
        return ANY
    known = mask & cells.known_mask
    unknown = bool(mask & cells.unknown_bit)
    if not known:
        return "inconnu"
    if known == cells.known_mask:
        text = "connu"
    else:
        atoms = [a for a in domain.atoms if isinstance(a, In) and a.field == k]
        text = _known_text(cells, known, atoms, names)
    return f"{text} ou inconnu" if unknown else text


def _known_text(cells, known: int, atoms: list, names: dict) -> str:
    field = cells.field
    kind = field.type
    chosen = [cell for bit, cell in enumerate(cells.cells) if known >> bit & 1]
    if isinstance(kind, m.BoolType):
        return "oui" if chosen == [True] else "non"
    if isinstance(kind, m.EnumType):
        if not kind.ordered:
            return _choice(field, chosen)
        return " ou ".join(_stage_run(field, run) for run in _runs(chosen))
    if isinstance(kind, m.CodeType):
        return _codes(field, chosen, atoms, names)
    return " ou ".join(_interval(field, run) for run in _interval_runs(chosen))


def _choice(field: m.Field, indices: list[int]) -> str:
    labels = [field.text(i) for i in indices]
    return labels[0] if len(labels) == 1 else "parmi " + ", ".join(labels)


def _runs(indices: list[int]) -> list[list[int]]:
    runs: list[list[int]] = []
    for i in indices:
        if runs and runs[-1][-1] == i - 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    return runs


def _stage_run(field: m.Field, run: list[int]) -> str:
    first, last, top = run[0], run[-1], field.type.maximum
    if first == last:
        return field.text(first)
    if first == 0:
        return f"au plus {field.text(last)}"
    if last == top:
        return f"au moins {field.text(first)}"
    return f"de {field.text(first)} à {field.text(last)}"


def _interval_runs(chosen: list[tuple]) -> list[tuple]:
    runs: list[tuple] = []
    for low, high in chosen:
        if runs and runs[-1][1] is not None and low is not None and runs[-1][1] + 1 == low:
            runs[-1] = (runs[-1][0], high)
        else:
            runs.append((low, high))
    return runs


def _interval(field: m.Field, run: tuple) -> str:
    low, high = run
    kind = field.type
    if low is not None and low == high:
        return field.text(low)
    low = None if low is not None and low == kind.minimum else low
    high = None if high is not None and high == kind.maximum else high
    if low is None and high is None:
        return "connu"
    if low is None:
        return _up_to(field, high)
    if high is None:
        return _from(field, low)
    start, end = _from(field, low), _up_to(field, high)
    if start.startswith("au moins ") and end.startswith("au plus "):  # both bounds included
        return f"entre {field.text(low)} et {field.text(high)}"
    return f"{start} et {end}"


def _from(field: m.Field, low: int) -> str:
    """The lower bound as a rule would write it: "plus de 5 000,00 €" rather than "au moins 5 000,01 €"."""
    if isinstance(field.type, m.DateType):
        return f"à partir du {field.text(low)}"
    if isinstance(field.type, m.MoneyType) and low % 100 == 1:
        return f"plus de {field.text(low - 1)}"
    return f"au moins {field.text(low)}"


def _up_to(field: m.Field, high: int) -> str:
    """The upper bound as a rule would write it: "moins de 5 000,00 €" rather than "au plus 4 999,99 €"."""
    if isinstance(field.type, m.DateType):
        return f"avant le {field.text(high + 1)}"
    if isinstance(field.type, m.MoneyType) and (high + 1) % 100 == 0:
        return f"moins de {field.text(high + 1)}"
    return f"au plus {field.text(high)}"


def _codes(field: m.Field, chosen: list[tuple], atoms: list, names: dict) -> str:
    parts = []
    for atom in atoms:
        inside = [bool(codes) and next(iter(codes)) in atom.values for _, codes in chosen]
        name = names.get((field.index, atom.values))
        shown = f"« {name} »" if name else "{" + ", ".join(sorted(atom.values)) + "}"
        if all(inside):
            parts.append(f"dans {shown}")
        elif not any(inside):
            parts.append(f"hors de {shown}")
    return ", ".join(parts) if parts else "connu"


def _set_names(model: m.CharterModel) -> dict:
    """(field index, values) → the named set or table a condition tested, to name it in cells."""
    found: dict = {}

    def visit(node) -> None:
        match node:
            case m.Among(field=f, values=values, source=source) if source:
                found.setdefault((f.index, values), source)
            case m.Not(operand=op):
                visit(op)
            case m.All(operands=ops) | m.Any(operands=ops):
                for op in ops:
                    visit(op)
            case m.DefinitionRef(definition=d):
                visit(d.condition)

    for rule in model.rules:
        visit(rule.condition)
    return found


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
