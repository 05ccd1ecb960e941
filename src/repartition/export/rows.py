"""Decision tables as data: the proof's disjoint regions of households, per service, as structured conditions.

The proof's explorer (`proof.regions.Explorer`) splits the domain until every rule's part is fixed;
its leaves are disjoint and cover every household of the declared domain, unknown values
included. Leaves with the same outcome are merged (`proof.problems.merge`, which keeps them
disjoint), and each merged box becomes a `Row`: one condition per field it restricts, in the
field's own unit (euros, dates, machine names), plus one condition per fixed relation between
fields: a linear comparison (`fois`, sums) or two dates some days or calendar months apart. The JSON export, the SQL and DMN exports and the documentation's tables are all built
from these rows, so that they can never disagree.
"""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal
from typing import Union

from attrs import field, frozen

from .. import model as m
from ..dsl.lowering import RELATIONS, F, T, Domain, FieldCells, ShiftGe
from ..errors import RepartitionError
from ..proof.examples import Undecided, intervals, solve
from ..proof.problems import merge
from ..proof.regions import DEFAULT_WORK, Budget, Explorer
from ..proof.wording import named_sets, set_facts
from ..semantics import DECIDED, Outcome, Semantics

__all__ = [
    "Bound", "Interval", "InIntervals", "InValues", "Ref", "Membership", "Codes", "IsKnown", "IsUnknown",
    "Term", "Linear", "DatesApart", "Condition", "CONDITIONS", "Row", "RowGroup", "DecisionRows", "TablesTooLarge",
    "decision_rows", "field_kind", "unit_value", "json_value", "FORMAT", "FORMAT_VERSION", "KINDS",
]

#: The `format` of the JSON document, and its version (raised on any incompatible change).
FORMAT = "repartition/tables-de-decision"
FORMAT_VERSION = 1

#: The JSON name of each field type.
KINDS = {m.BoolType: "oui_non", m.IntType: "entier", m.MoneyType: "montant", m.DateType: "date",
         m.CodeType: "code"}


class TablesTooLarge(RepartitionError):
    """The domain could not be split into exact rows within the budget (regions or rows)."""


# ---- conditions on one field, in the field's unit ----------------------------------------------------

@frozen
class Bound:
    """One end of an interval: a value in the field's unit (int, Decimal euros, date) and whether it is in."""

    value: object
    inclusive: bool


@frozen
class Interval:
    """Values between two bounds; a missing bound is the declaration's own (or none)."""

    low: Bound | None
    high: Bound | None


@frozen
class InIntervals:
    """A number, an amount or a date in one of the intervals (or unknown, with `or_unknown`)."""

    field: str
    intervals: tuple[Interval, ...]
    or_unknown: bool = False


@frozen
class InValues:
    """A yes/no (True, False), a stage or a list value (machine names) among `values`."""

    field: str
    values: tuple
    or_unknown: bool = False


@frozen
class Ref:
    """A named set of codes: `kind` is `ensemble` (declared in the charter) or `table` (a table's keys)."""

    kind: str
    name: str


@frozen
class Membership:
    """A code inside every set of `inside` and outside every set of `outside`."""

    field: str
    inside: tuple[Ref, ...]
    outside: tuple[Ref, ...]
    or_unknown: bool = False


@frozen
class Codes:
    """A code among `codes` or, with `excluded`, any code but those."""

    field: str
    codes: tuple[str, ...]
    excluded: bool = False
    or_unknown: bool = False


@frozen
class IsKnown:
    """Any known value of the field."""

    field: str


@frozen
class IsUnknown:
    """The field's value is unknown."""

    field: str


@frozen
class Term:
    field: str
    coefficient: int


@frozen
class Linear:
    """Σ coefficient × field compared with a bound in the fields' unit: `dette − 6 × loyer ≥ 0`.

    The fields are known wherever a row holds a linear comparison (the proof splits unknown off first).
    """

    terms: tuple[Term, ...]
    op: str  # ">=", ">", "<=" or "<"
    bound: object


@frozen
class DatesApart:
    """`later op earlier + months calendar months + days`: two dates some days or months apart.

    Months are calendar months (`runtime.add_months`: the day kept, or the month's last day); one of
    `months` and `days` is 0. The dates are known wherever a row holds this condition.
    """

    later: str
    earlier: str
    months: int
    days: int
    op: str  # ">=", ">", "<=" or "<"


Condition = Union[InIntervals, InValues, Membership, Codes, IsKnown, IsUnknown, Linear, DatesApart]
#: Every kind of condition a row may hold: each exporter has one method per kind.
CONDITIONS = (InIntervals, InValues, Membership, Codes, IsKnown, IsUnknown, Linear, DatesApart)


# ---- rows ---------------------------------------------------------------------------------------------

@frozen
class Row:
    """A box of households (the conjunction of `conditions`) and what the charter does with them.

    `kind` is `decision` (then `service` and `rule`, the first deciding rule, are set) or the kind of
    case the charter leaves open (`lacune`, `conflit`, `indetermination`). `region` and `fixed` are
    the box in the proof's cells, for the tools that word it.
    """

    conditions: tuple[Condition, ...]
    kind: str
    service: str | None
    rule: str | None
    rules: tuple[str, ...]
    reference: str | None
    partners: tuple[str, ...] = ()
    region: tuple = field(eq=False, repr=False, default=())
    fixed: tuple = field(eq=False, repr=False, default=())


@frozen
class RowGroup:
    """The rows of one service (or, with `service` None, the households the charter leaves open)."""

    service: str | None
    label: str
    rows: tuple[Row, ...]


@frozen
class DecisionRows:
    """Every household of a charter's domain, in disjoint rows grouped by service."""

    model: m.CharterModel = field(eq=False, repr=False)
    domain: Domain = field(eq=False, repr=False)
    groups: tuple[RowGroup, ...]
    code_lists: dict = field(eq=False, repr=False)  # Ref → frozenset of codes

    @property
    def rows(self) -> tuple[Row, ...]:
        return tuple(row for group in self.groups for row in group.rows)

    @property
    def ratio_atoms(self) -> tuple:
        """The relations between fields the rules make (sums, multiples, durations), in order of first appearance."""
        return tuple(a for a in self.domain.atoms if isinstance(a, RELATIONS))

    def to_dict(self) -> dict:
        """The JSON document (its schema: `tables.schema.json` beside this module)."""
        from .json_tables import to_dict  # the JSON form lives with its schema

        return to_dict(self)


def decision_rows(model: m.CharterModel, *, work: int = DEFAULT_WORK, max_rows: int | None = None) -> DecisionRows:
    """The disjoint rows of every service; TablesTooLarge when the splitting exceeds its budget
    (`work`, in the proof's units of work: the same answer on every machine)."""
    explorer = Explorer(model)
    leaves, pending = explorer.explore(Budget(work))
    if pending:
        raise TablesTooLarge("la charte découpe le domaine en trop de régions pour le budget de calcul : ses "
                             "tables de décision ne peuvent pas être calculées exactement")
    domain = explorer.domain
    groups: dict[Outcome, list] = {}
    for leaf in leaves:
        if leaf.fixed and _empty(domain, leaf.region, leaf.fixed, model.valid_from):
            continue
        groups.setdefault(leaf.outcome, []).append((leaf.region, leaf.fixed))
    boxes = [(region, fixed, outcome) for outcome, found in groups.items() for region, fixed in merge(found)]
    if max_rows is not None and len(boxes) > max_rows:
        raise TablesTooLarge(f"les tables de décision auraient {len(boxes)} lignes (plus de {max_rows})")
    return _Builder(model, domain).build(boxes)


def _empty(domain: Domain, region: tuple, fixed: tuple, today) -> bool:
    """Whether the relations fixed on a leaf leave it without any household (kept if unsure)."""
    try:
        return solve(domain, region, fixed, today) is None
    except Undecided:
        return False


# ---- values in the field's unit ------------------------------------------------------------------------

def field_kind(f: m.Field) -> str:
    """The JSON name of a field's type: oui_non, entier, montant, date, code, etape or valeur."""
    if isinstance(f.type, m.EnumType):
        return "etape" if f.type.ordered else "valeur"
    return KINDS[type(f.type)]


def unit_value(f: m.Field, value):
    """An internal value in the field's unit: euros as Decimal, dates, stage and list machine names."""
    if value is None:
        return None
    kind = f.type
    if isinstance(kind, m.MoneyType):
        return Decimal(value).scaleb(-2)
    if isinstance(kind, m.DateType):
        return _dt.date.fromordinal(value)
    if isinstance(kind, m.EnumType):
        return kind.values[value].machine
    return value


def json_value(value):
    """A unit value as JSON writes it: amounts as exact decimal text (« 5000.00 »), dates in ISO form."""
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, _dt.date):
        return value.isoformat()
    return value


# ---- from boxes of cells to rows ---------------------------------------------------------------------------

class _Builder:
    def __init__(self, model: m.CharterModel, domain: Domain):
        self.model = model
        self.domain = domain
        self.sets = named_sets(model)
        tables = {t.name for t in model.tables}
        self.refs: dict[str, Ref] = {}
        self.code_lists: dict[Ref, frozenset] = {}
        for named in self.sets.values():
            for name, codes in named.items():
                ref = Ref("table" if name in tables else "ensemble", name)
                self.refs[name] = ref
                self.code_lists[ref] = codes
        ratios = [a for a in domain.atoms if isinstance(a, RELATIONS)]
        self.semantics = Semantics(model)
        # Rows in the order the documentation lists them: by rules, then by cells (relation states last).
        self.order = lambda region, fixed: region + tuple(dict(fixed).get(a, T | F) for a in ratios)

    def build(self, boxes: list) -> DecisionRows:
        model = self.model
        groups = [(s.code, f"{s.code} — {s.label}") for s in model.services]
        groups.append((None, "Cas que la charte ne tranche pas"))
        out = []
        for code, label in groups:
            mine = [b for b in boxes if (b[2].kind == DECIDED and b[2].service == code)
                    or (code is None and b[2].kind != DECIDED)]
            if not mine:
                continue
            mine.sort(key=lambda b: (b[2].rules, self.order(b[0], b[1])))
            out.append(RowGroup(code, label, tuple(self.row(*b) for b in mine)))
        return DecisionRows(model, self.domain, tuple(out), self.code_lists)

    def row(self, region: tuple, fixed: tuple, outcome: Outcome) -> Row:
        rules = self.model.rules
        conditions = [self.field_condition(cells, region[i], i)
                      for i, cells in enumerate(self.domain.fields) if region[i] != cells.full]
        conditions += [self.relation(atom, truth) for atom, truth in fixed]
        decided = outcome.kind == DECIDED
        first = rules[outcome.rules[0]] if decided else None
        return Row(tuple(conditions), outcome.kind, outcome.service, first.name if first else None,
                   tuple(rules[i].name for i in outcome.rules), first.reference if first else None,
                   self.semantics.partners(outcome), region=region, fixed=fixed)

    def field_condition(self, cells: FieldCells, mask: int, index: int) -> Condition:
        f = cells.field
        known = mask & cells.known_mask
        if not known:
            return IsUnknown(f.machine)
        or_unknown = bool(mask & cells.unknown_bit)
        if known == cells.known_mask:  # every known value, and not unknown (else the field is free)
            return IsKnown(f.machine)
        bits = [bit for bit in range(len(cells.cells)) if known >> bit & 1]
        kind = f.type
        if isinstance(kind, m.BoolType):
            return InValues(f.machine, tuple(cells.cells[b] for b in bits), or_unknown)
        if isinstance(kind, m.EnumType):
            return InValues(f.machine, tuple(kind.values[cells.cells[b]].machine for b in bits), or_unknown)
        if isinstance(kind, m.CodeType):
            return self.codes(cells, bits, index, or_unknown)
        return InIntervals(f.machine, tuple(_interval(f, low, high) for low, high in intervals(cells, known)),
                           or_unknown)

    def codes(self, cells: FieldCells, bits: list[int], index: int, or_unknown: bool) -> Condition:
        """The named sets the codes are in or out of when they say exactly which, else the codes."""
        machine = cells.field.machine
        facts = set_facts(cells, bits, self.sets[index]) if index in self.sets else []
        if facts:
            return Membership(machine, tuple(self.refs[n] for n, inside in facts if inside),
                              tuple(self.refs[n] for n, inside in facts if not inside), or_unknown)
        chosen = frozenset().union(*(cells.cells[b][1] for b in bits))
        if any(not cells.cells[b][1] for b in bits):  # the cell of every code no rule names
            every = frozenset().union(*(codes for _, codes in cells.cells))
            return Codes(machine, tuple(sorted(every - chosen)), True, or_unknown)
        return Codes(machine, tuple(sorted(chosen)), False, or_unknown)

    def relation(self, atom, truth: int) -> Condition:
        """A fixed relation, true or false, with a strict bound of 0 rather than >= 1."""
        fields = self.domain.fields
        if isinstance(atom, ShiftGe):  # later − add_months(earlier) >= 0 or 1
            return DatesApart(fields[atom.later].field.machine, fields[atom.earlier].field.machine, atom.months,
                              0, _op(truth, atom.bound)[0])
        first = fields[atom.terms[0][0]].field
        if isinstance(first.type, m.DateType):  # later − earlier >= bound days
            (later, _), (earlier, _) = sorted(atom.terms, key=lambda term: -term[1])
            return DatesApart(fields[later].field.machine, fields[earlier].field.machine, 0, atom.bound,
                              ">=" if truth == T else "<")
        terms = tuple(Term(fields[f].field.machine, c) for f, c in atom.terms)
        op, bound = _op(truth, atom.bound)
        return Linear(terms, op, unit_value(first, bound) if isinstance(first.type, m.MoneyType) else bound)


def _op(truth: int, bound: int) -> tuple[str, int]:
    """`expression >= bound` true or false, with `> 0` and `<= 0` for a strict bound of 1."""
    if truth == T:
        return (">", bound - 1) if bound == 1 else (">=", bound)
    return ("<=", bound - 1) if bound == 1 else ("<", bound)


def _interval(f: m.Field, low, high) -> Interval:
    """Cells' values low..high (whole numbers, cents or days) as the rules bound them: « plus de
    5 000,00 € » rather than « au moins 5 000,01 € », « avant le 1er mars » rather than « au plus le
    28 février »; the declaration's own bounds are left out."""
    kind = f.type
    if low is not None and low == high:
        value = Bound(unit_value(f, low), True)
        return Interval(value, value)
    money, date = isinstance(kind, m.MoneyType), isinstance(kind, m.DateType)
    start = end = None
    if low is not None and low != kind.minimum:
        start = Bound(unit_value(f, low - 1), False) if money and low % 100 == 1 else Bound(unit_value(f, low), True)
    if high is not None and high != kind.maximum:
        end = Bound(unit_value(f, high + 1), False) if date or (money and (high + 1) % 100 == 0) \
            else Bound(unit_value(f, high), True)
    return Interval(start, end)
