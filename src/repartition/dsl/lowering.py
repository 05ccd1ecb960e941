"""Lowering checked conditions to atoms on whole numbers, and cutting each field's domain into cells."""

from __future__ import annotations

import math

from attrs import frozen

from .. import model as m
from ..runtime import add_months
from ..semantics import F, T, U

__all__ = [
    "Ge", "In", "Truth", "Known", "LinearGe", "ShiftGe", "Const", "And", "Or", "Not", "Atom", "Core",
    "RELATIONS", "linear_ge", "relation_fields", "relation_value", "lower", "atoms_of", "fields_of",
    "with_cells", "FieldCells", "Domain", "T", "F", "U",
]


@frozen(cache_hash=True)
class Ge:
    """values[field] >= bound (ints, cents, ordinals, stage indices)."""

    field: int
    bound: int


@frozen(cache_hash=True)
class In:
    field: int
    values: frozenset


@frozen(cache_hash=True)
class Truth:
    field: int


@frozen(cache_hash=True)
class Known:
    field: int


@frozen(cache_hash=True)
class LinearGe:
    """Σ coefficient × values[field] >= bound, over whole numbers (cents, counts, day numbers): exact.

    Made by `linear_ge` only: two fields or more, in increasing order, coefficients without a common
    divisor, so that equal constraints are equal atoms.
    """

    terms: tuple[tuple[int, int], ...]  # (field, coefficient)
    bound: int


@frozen(cache_hash=True)
class ShiftGe:
    """values[later] − add_months(values[earlier], months) >= bound: two dates calendar months apart."""

    later: int
    earlier: int
    months: int
    bound: int


#: Atoms tying several fields together: they cannot be cut into cells, so regions fix their truth.
RELATIONS = (LinearGe, ShiftGe)


def linear_ge(terms: dict[int, int], bound: int):
    """Σ c·x >= bound as its simplest atom: a constant, a bound on one field, or a LinearGe. Dividing
    by the coefficients' divisor g rounds the bound up: over whole numbers, Σ c·x >= b ⇔ Σ (c/g)·x >= ⌈b/g⌉."""
    terms = {f: c for f, c in terms.items() if c}
    if not terms:
        return Const(bound <= 0)
    divisor = math.gcd(*terms.values())
    terms = {f: c // divisor for f, c in terms.items()}
    bound = -(-bound // divisor)
    if len(terms) == 1:
        ((f, c),) = terms.items()  # c is 1 or -1
        return Ge(f, bound) if c > 0 else Not(Ge(f, 1 - bound))
    return LinearGe(tuple(sorted(terms.items())), bound)


def relation_fields(atom) -> tuple[int, ...]:
    """The fields an atom reads."""
    if isinstance(atom, LinearGe):
        return tuple(f for f, _ in atom.terms)
    if isinstance(atom, ShiftGe):
        return (atom.later, atom.earlier)
    return (atom.field,)


def relation_value(atom, values) -> int | None:
    """The left-hand side of a relation for a household (internal values), None if one is unknown."""
    if isinstance(atom, LinearGe):
        total = 0
        for f, c in atom.terms:
            if values[f] is None:
                return None
            total += c * values[f]
        return total
    later, earlier = values[atom.later], values[atom.earlier]
    if later is None or earlier is None:
        return None
    return later - add_months(earlier, atom.months)


@frozen(cache_hash=True)
class Const:
    value: bool


@frozen(cache_hash=True)
class And:
    operands: tuple


@frozen(cache_hash=True)
class Or:
    operands: tuple


@frozen(cache_hash=True)
class Not:
    operand: object


Atom = Ge | In | Truth | Known | LinearGe | ShiftGe
Core = Atom | Const | And | Or | Not


def lower(condition: m.Condition):
    """The same condition as atoms joined by And, Or and Not, with Kleene's meaning kept."""
    match condition:
        case m.All(operands=ops):
            return And(tuple(lower(o) for o in ops))
        case m.Any(operands=ops):
            return Or(tuple(lower(o) for o in ops))
        case m.Not(operand=op):
            return Not(lower(op))
        case m.DefinitionRef(definition=d):
            return lower(d.condition)
        case m.Truth(field=f):
            return Truth(f.index)
        case m.Known(field=f):
            return Known(f.index)
        case m.Among(field=f, values=values):
            if _by_interval(f):  # numbers, amounts, dates: their cells are intervals, not values
                return Or(tuple(_equal(f.index, v) for v in sorted(values)))
            return In(f.index, values)
        case m.Between(field=f, low=low, high=high):
            return And((Ge(f.index, low), Not(Ge(f.index, high + 1))))
        case m.Compare():
            return _compare(condition)
        case m.Linear():
            return _linear(condition)
        case m.Duration():
            return _duration(condition)
    raise AssertionError(condition)  # pragma: no cover


def _compare(node: m.Compare):
    f, op, value = node.field, node.op, node.value
    if isinstance(f.type, m.BoolType):
        truth = Truth(f.index)
        positive = truth if value else Not(truth)
        return positive if op == "eq" else Not(positive)
    if not _by_interval(f) and op in ("eq", "ne"):
        member = In(f.index, frozenset({value}))
        return member if op == "eq" else Not(member)
    i = f.index
    return {
        "ge": lambda: Ge(i, value),
        "gt": lambda: Ge(i, value + 1),
        "le": lambda: Not(Ge(i, value + 1)),
        "lt": lambda: Not(Ge(i, value)),
        "eq": lambda: _equal(i, value),
        "ne": lambda: Not(_equal(i, value)),
    }[op]()


def _by_interval(field: m.Field) -> bool:
    """Whether the field's cells are intervals (FieldCells): numbers, amounts and dates."""
    return field.type.ordered and not isinstance(field.type, m.EnumType)


def _equal(field: int, value: int):
    return And((Ge(field, value), Not(Ge(field, value + 1))))


def _ordered(op: str, atom_from):
    """An order comparison from the atom `expression >= bound + k` (k = 0 for ≥, 1 for >)."""
    ge, gt = atom_from(0), atom_from(1)
    return {
        "ge": lambda: ge, "gt": lambda: gt, "le": lambda: Not(gt), "lt": lambda: Not(ge),
        "eq": lambda: And((ge, Not(gt))), "ne": lambda: Not(And((ge, Not(gt)))),
    }[op]()


def _linear(node: m.Linear):
    """den·Σ left − num·Σ right op den·constant, with factor = num / den: whole numbers only."""
    num, den = node.factor.numerator, node.factor.denominator
    terms: dict[int, int] = {}
    for f in node.left:
        terms[f.index] = terms.get(f.index, 0) + den
    for f in node.right:
        terms[f.index] = terms.get(f.index, 0) - num
    bound = den * node.constant
    return _ordered(node.op, lambda k: linear_ge(terms, bound + k))


def _duration(node: m.Duration):
    """later − (earlier + amount unit) op 0: days are linear; months and years go through add_months."""
    later, earlier = node.later.index, node.earlier.index
    months = node.amount * 12 if node.unit == "ans" else node.amount
    if node.unit == "jours" or months == 0:
        days = node.amount if node.unit == "jours" else 0
        return _ordered(node.op, lambda k: linear_ge({later: 1, earlier: -1} if later != earlier else {},
                                                     days + k))
    if later == earlier:  # a date a month or more after itself: never
        return _ordered(node.op, lambda k: Const(False))
    return _ordered(node.op, lambda k: ShiftGe(later, earlier, months, k))


def atoms_of(core, found: dict | None = None) -> dict:
    """The atoms of a lowered condition, in order of first appearance (a dict used as an ordered set)."""
    found = {} if found is None else found
    match core:
        case And(operands=ops) | Or(operands=ops):
            for op in ops:
                atoms_of(op, found)
        case Not(operand=op):
            atoms_of(op, found)
        case Const():
            pass
        case _:
            found.setdefault(core, None)
    return found


def with_cells(region: tuple, field: int, mask: int) -> tuple:
    """The region with one field's cells replaced."""
    return region[:field] + (mask,) + region[field + 1:]


def fields_of(core) -> frozenset[int]:
    """Indices of the fields a lowered condition reads."""
    return frozenset(f for atom in atoms_of(core) for f in relation_fields(atom))


class FieldCells:
    """A field's domain cut into cells that no atom of the charter tells apart, plus `unknown`.

    Cells are bits of a mask: a region of the domain is one mask per field.
    """

    def __init__(self, field: m.Field, atoms: list):
        self.field = field
        kind = field.type
        if isinstance(kind, m.BoolType):
            self.cells = [False, True]
        elif isinstance(kind, m.EnumType):
            self.cells = list(range(len(kind.values)))
        elif isinstance(kind, m.CodeType):
            self.cells = _code_cells(atoms, kind)
        else:
            self.cells = _intervals(kind.minimum, kind.maximum, sorted({a.bound for a in atoms if isinstance(a, Ge)}))
        self.known_mask = (1 << len(self.cells)) - 1
        self.unknown_bit = (1 << len(self.cells)) if field.may_be_unknown else 0
        self.full = self.known_mask | self.unknown_bit

    def true_mask(self, atom) -> int:
        """Cells (known values only) where the atom holds."""
        mask = 0
        for bit, cell in enumerate(self.cells):
            if _holds(atom, cell):
                mask |= 1 << bit
        return mask


def _holds(atom, cell) -> bool:
    match atom:
        case Ge(bound=b):
            low = cell[0] if isinstance(cell, tuple) else cell  # an interval, or a stage index
            return low is not None and low >= b
        case In(values=values):
            if isinstance(cell, tuple) and cell and cell[0] == "codes":
                return bool(cell[1]) and next(iter(cell[1])) in values
            return cell in values
        case Truth():
            return cell is True
        case Known():
            return True
    raise AssertionError(atom)  # pragma: no cover


def _intervals(low, high, bounds):
    edges = [b for b in bounds if (low is None or b > low) and (high is None or b <= high)]
    cells, start = [], low
    for edge in edges:
        cells.append((start, edge - 1))
        start = edge
    cells.append((start, high))
    return cells


def _code_cells(atoms, kind: m.CodeType):
    sets = [a.values for a in atoms if isinstance(a, In)]
    groups: dict[tuple, set] = {}
    named = set().union(*sets) if sets else set()
    for code in sorted(named):
        groups.setdefault(tuple(code in s for s in sets), set()).add(code)
    cells = [("codes", frozenset(codes)) for codes in groups.values()]
    if kind.size is None or len(named) < kind.size:  # the sets may name every code of a short shape
        cells.append(("codes", frozenset()))  # every other code
    return cells


class Domain:
    """Cells of every field, for the atoms of a set of lowered conditions."""

    def __init__(self, fields: tuple[m.Field, ...], cores: list):
        atoms: dict = {}
        for core in cores:
            atoms_of(core, atoms)
        self.atoms = list(atoms)
        per_field: dict[int, list] = {f.index: [] for f in fields}
        for atom in self.atoms:
            if not isinstance(atom, RELATIONS):
                per_field[atom.field].append(atom)
        self.fields = tuple(FieldCells(f, per_field[f.index]) for f in fields)
        self.masks = {a: self.fields[a.field].true_mask(a) for a in self.atoms if not isinstance(a, RELATIONS)}

    def full_region(self) -> tuple[int, ...]:
        return tuple(f.full for f in self.fields)

    def atom_values(self, atom, region: tuple[int, ...], fixed: dict) -> int:
        """Possible values (T, F, U bits) of an atom over a region."""
        if isinstance(atom, RELATIONS):
            if atom in fixed:
                return fixed[atom]
            fields = relation_fields(atom)
            result = U if any(region[i] & self.fields[i].unknown_bit for i in fields) else 0
            if all(region[i] & self.fields[i].known_mask for i in fields):
                low, high = self.relation_range(atom, region)
                result |= (T if high is None or high >= atom.bound else 0) | (F if low is None or low < atom.bound else 0)
            return result
        cells = self.fields[atom.field]
        mask = region[atom.field]
        known = mask & cells.known_mask
        true = self.masks[atom]
        result = (T if known & true else 0) | (F if known & ~true else 0)
        if mask & cells.unknown_bit:
            result |= F if isinstance(atom, Known) else U
        return result

    def hull(self, field: int, region: tuple[int, ...]) -> tuple[int | None, int | None]:
        """The smallest and largest known value a region allows an ordered field (None: unbounded)."""
        cells = self.fields[field]
        known = region[field] & cells.known_mask
        first = cells.cells[(known & -known).bit_length() - 1]
        last = cells.cells[known.bit_length() - 1]
        return first[0], last[1]

    def relation_range(self, atom, region: tuple[int, ...]) -> tuple[int | None, int | None]:
        """Bounds of a relation's left-hand side over a region's known values (None: unbounded);
        exact at the corners, since the sum is linear and add_months never decreases."""
        if isinstance(atom, ShiftGe):
            later_low, later_high = self.hull(atom.later, region)
            earlier_low, earlier_high = self.hull(atom.earlier, region)
            low = None if later_low is None or earlier_high is None else later_low - _shifted(earlier_high, atom.months)
            high = None if later_high is None or earlier_low is None else later_high - _shifted(earlier_low, atom.months)
            return low, high
        low = high = 0
        for f, c in atom.terms:
            a, b = self.hull(f, region)
            small, large = (a, b) if c > 0 else (b, a)
            low = None if low is None or small is None else low + c * small
            high = None if high is None or large is None else high + c * large
        return low, high

    def choose(self, atom_lists, region: tuple[int, ...], fixed: dict):
        """The atom undecided over the region that most of the lists hold (the first seen wins ties)."""
        counts: dict = {}
        seen: dict = {}
        for atoms in atom_lists:
            for atom in atoms:
                mask = seen.get(atom)
                if mask is None:
                    mask = seen[atom] = self.atom_values(atom, region, fixed)
                if mask not in (T, F, U):
                    counts[atom] = counts.get(atom, 0) + 1
        return max(counts, key=counts.get)

    def split(self, atom, region: tuple[int, ...]) -> tuple[int | None, tuple, tuple]:
        """Two parts of a region that bring an atom closer to one value.

        (field, unknown part, known part) while one of the atom's fields is unknown in part of the
        region; else (None, part where the atom holds, part where it fails). A relation cannot be cut
        into cells: both its parts are the region itself, for the caller to fix it true, then false.
        """
        for f in relation_fields(atom):
            cells = self.fields[f]
            if region[f] & cells.unknown_bit and region[f] & cells.known_mask:
                known = with_cells(region, f, region[f] & cells.known_mask)
                return f, with_cells(region, f, cells.unknown_bit), known
        if isinstance(atom, RELATIONS):
            return None, region, region
        mask, true, known = region[atom.field], self.masks[atom], self.fields[atom.field].known_mask
        return None, with_cells(region, atom.field, mask & true), with_cells(region, atom.field, mask & ~true & known)

    def values(self, core, region, fixed, memo: dict) -> int:
        """Possible values of a lowered condition over a region (an over-approximation)."""
        found = memo.get(core)
        if found is not None:
            return found
        match core:
            case Const(value=v):
                result = T if v else F
            case Not(operand=op):
                inner = self.values(op, region, fixed, memo)
                result = (T if inner & F else 0) | (F if inner & T else 0) | (inner & U)
            case And(operands=ops):
                result = T
                for op in ops:
                    result = _AND[result][self.values(op, region, fixed, memo)]
            case Or(operands=ops):
                result = F
                for op in ops:
                    result = _OR[result][self.values(op, region, fixed, memo)]
            case _:
                result = self.atom_values(core, region, fixed)
        memo[core] = result
        return result


def _shifted(day: int, months: int) -> int:
    """add_months, for a hull's end: a bound past the last valid date stays a bound."""
    return add_months(min(max(day, 1), _LAST_DAY), months) + max(day - _LAST_DAY, 0) + min(day - 1, 0)


_LAST_DAY = 3_652_059  # 31 December 9999, the last date values.read_date reads


def _kleene_table(function):
    single = {T: True, F: False, U: None}
    back = {True: T, False: F, None: U}
    table = [[0] * 8 for _ in range(8)]
    for a in range(8):
        for b in range(8):
            out = 0
            for x in (T, F, U):
                for y in (T, F, U):
                    if a & x and b & y:
                        out |= back[function(single[x], single[y])]
            table[a][b] = out
    return table


def _and3(a, b):
    if a is False or b is False:
        return False
    return None if a is None or b is None else True


def _or3(a, b):
    if a is True or b is True:
        return True
    return None if a is None or b is None else False


_AND = _kleene_table(_and3)
_OR = _kleene_table(_or3)
