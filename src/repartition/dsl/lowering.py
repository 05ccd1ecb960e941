"""Lowering checked conditions to atoms on whole numbers, and cutting each field's domain into cells."""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right

from attrs import frozen

from .. import model as m
from ..runtime import add_months
from ..semantics import F, T, U, members

__all__ = [
    "Ge", "In", "Truth", "Known", "LinearGe", "ShiftGe", "Const", "And", "Or", "Not", "Atom", "Core",
    "RELATIONS", "linear_ge", "relation_fields", "relation_value", "lower", "atoms_of", "fields_of", "runs",
    "with_cells", "FieldCells", "Domain", "T", "F", "U",
]


@frozen(cache_hash=True)
class Ge:
    """values[field] >= bound (ints, cents, ordinals, stage indices)."""

    field: int
    bound: int


@frozen(cache_hash=True)
class In:
    """values[field] in values: codes, stage or value indices, or whole numbers (a `parmi` list on a
    number, an amount or a date, whose cells are then cut at the ends of its runs)."""

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


def lower(condition: m.Condition, memo: dict | None = None):
    """The same condition as atoms joined by And, Or and Not, with Kleene's meaning kept.

    A definition is lowered once (through `memo`, shared by the conditions of one charter) and
    its lowered form shared by every use: the result is a graph whose size is the text's, however
    often definitions use one another. Walks over it must remember what they have seen.
    """
    memo = {} if memo is None else memo
    match condition:
        case m.All(operands=ops):
            return And(tuple(lower(o, memo) for o in ops))
        case m.Any(operands=ops):
            return Or(tuple(lower(o, memo) for o in _merge_values(ops)))
        case m.Not(operand=op):
            return Not(lower(op, memo))
        case m.DefinitionRef(definition=d):
            found = memo.get(id(d))  # by identity: hashing a definition would walk all of it
            if found is None:
                found = memo[id(d)] = lower(d.condition, memo)
            return found
        case m.Truth(field=f):
            return Truth(f.index)
        case m.Known(field=f):
            return Known(f.index)
        case m.Among(field=f, values=values):
            return In(f.index, values)  # one atom, whatever the length of the list
        case m.Between(field=f, low=low, high=high):
            return And((Ge(f.index, low), Not(Ge(f.index, high + 1))))
        case m.Compare():
            return _compare(condition)
        case m.Linear():
            return _linear(condition)
        case m.Duration():
            return _duration(condition)
    raise AssertionError(condition)  # pragma: no cover


def _merge_values(operands: tuple) -> list:
    """The operands of « ou », where those naming values of one field (`n est 1 ou n est 2`, `parmi`)
    become one `parmi` of them all, at the place of the first: one atom, however long the list."""
    groups: dict[int, list] = {}
    for operand in operands:
        if isinstance(operand, m.Among) or (isinstance(operand, m.Compare) and operand.op == "eq"
                                            and not isinstance(operand.field.type, m.BoolType)):
            groups.setdefault(operand.field.index, []).append(operand)
    first = {id(group[0]): group for group in groups.values() if len(group) > 1}
    merged = {id(o) for group in first.values() for o in group}
    out = []
    for operand in operands:
        group = first.get(id(operand))
        if group is not None:
            values = frozenset().union(*(o.values if isinstance(o, m.Among) else {o.value} for o in group))
            out.append(m.Among(operand.field, values))
        elif id(operand) not in merged:
            out.append(operand)
    return out


def _compare(node: m.Compare):
    f, op, value = node.field, node.op, node.value
    if isinstance(f.type, m.BoolType):
        truth = Truth(f.index)
        positive = truth if value else Not(truth)
        return positive if op == "eq" else Not(positive)
    if op in ("eq", "ne"):  # one atom, as `parmi` with one value
        member = In(f.index, frozenset({value}))
        return member if op == "eq" else Not(member)
    i = f.index
    return {
        "ge": lambda: Ge(i, value),
        "gt": lambda: Ge(i, value + 1),
        "le": lambda: Not(Ge(i, value + 1)),
        "lt": lambda: Not(Ge(i, value)),
    }[op]()


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
    """The atoms of a lowered condition, in order of first appearance (a dict used as an ordered set).

    Iterative, and each shared part (a definition) is walked once."""
    found = {} if found is None else found
    seen: set[int] = set()
    stack = [core]
    while stack:
        node = stack.pop()
        match node:
            case And(operands=ops) | Or(operands=ops):
                if id(node) not in seen:
                    seen.add(id(node))
                    stack.extend(reversed(ops))
            case Not(operand=op):
                stack.append(op)
            case Const():
                pass
            case _:
                found.setdefault(node, None)
    return found


def runs(values) -> list[tuple[int, int]]:
    """Whole numbers as the fewest intervals (low, high) covering exactly them, in order."""
    out: list[list[int]] = []
    for value in sorted(values):
        if out and value == out[-1][1] + 1:
            out[-1][1] = value
        else:
            out.append([value, value])
    return [(low, high) for low, high in out]


def with_cells(region: tuple, field: int, mask: int) -> tuple:
    """The region with one field's cells replaced."""
    return region[:field] + (mask,) + region[field + 1:]


def fields_of(core) -> frozenset[int]:
    """Indices of the fields a lowered condition reads."""
    return frozenset(f for atom in atoms_of(core) for f in relation_fields(atom))


class FieldCells:
    """A field's domain cut into cells that no atom of the charter tells apart, plus `unknown`.

    Cells are bits of a mask: a region of the domain is one mask per field. `masks` gives, for
    each atom on the field, the cells (known values only) where it holds.
    """

    def __init__(self, field: m.Field, atoms: list):
        self.field = field
        kind = field.type
        if isinstance(kind, m.BoolType):
            self.cells = [False, True]
        elif isinstance(kind, m.EnumType):
            self.cells = list(range(len(kind.values)))
        elif isinstance(kind, m.CodeType):
            self.cells, self.masks = _code_cells(atoms, kind)
        else:
            bounds = {a.bound for a in atoms if isinstance(a, Ge)}
            for atom in atoms:
                if isinstance(atom, In):  # a run low..high is one cell or more: cut at low and high + 1
                    for low, high in runs(atom.values):
                        bounds.update((low, high + 1))
            self.cells = _intervals(kind.minimum, kind.maximum, sorted(bounds))
        self.intervals = not isinstance(kind, (m.BoolType, m.EnumType, m.CodeType))  # cells in increasing order
        self.known_mask = (1 << len(self.cells)) - 1
        self.unknown_bit = (1 << len(self.cells)) if field.may_be_unknown else 0
        self.full = self.known_mask | self.unknown_bit
        if isinstance(kind, m.CodeType):
            return
        if isinstance(kind, (m.BoolType, m.EnumType)):
            self.masks = {a: sum(1 << bit for bit, cell in enumerate(self.cells) if _holds(a, cell)) for a in atoms}
        else:
            self._lows = [cell[0] for cell in self.cells[1:]]  # the first cell starts at the minimum, or below all
            self.masks = {a: self._interval_mask(a) for a in atoms}

    def true_mask(self, atom) -> int:
        """Cells (known values only) where the atom holds."""
        return self.masks[atom]

    def _interval_mask(self, atom) -> int:
        """For cells that are intervals in increasing order, found by bisection: a charter may cut
        a field into tens of thousands of cells."""
        lows = self._lows
        if isinstance(atom, Ge):
            start = self.cells[0][0]
            first = bisect_left(lows, atom.bound) + 1 if start is None or atom.bound > start else 0
            return self.known_mask & ~((1 << first) - 1)
        if isinstance(atom, Known):
            return self.known_mask
        minimum, maximum = self.field.type.minimum, self.field.type.maximum
        mask = 0
        for low, high in runs(atom.values):  # cells from the one starting at low to the one ending at high
            if (minimum is not None and high < minimum) or (maximum is not None and low > maximum):
                continue  # no cell (a comparison translated onto another charter's bounds)
            first = bisect_right(lows, low)
            last = bisect_right(lows, high)
            mask |= ((1 << (last + 1)) - 1) & ~((1 << first) - 1)
        return mask


def _holds(atom, cell) -> bool:
    match atom:
        case Ge(bound=b):  # a stage index
            return cell >= b
        case In(values=values):
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
    """Codes grouped by the sets that hold them (one cell per group, and one for every other code
    unless the sets name every code of a short shape), and each atom's mask; in time proportional
    to the sizes of the sets."""
    sets = [a for a in atoms if isinstance(a, In)]
    holders: dict[str, list[int]] = {}
    for i, atom in enumerate(sets):
        for code in atom.values:
            holders.setdefault(code, []).append(i)
    groups: dict[tuple, set] = {}
    for code in sorted(holders):
        groups.setdefault(tuple(holders[code]), set()).add(code)
    cells = [("codes", frozenset(codes)) for codes in groups.values()]
    if kind.size is None or len(holders) < kind.size:
        cells.append(("codes", frozenset()))  # every other code
    masks = dict.fromkeys(atoms, 0)
    for bit, signature in enumerate(groups):
        for i in signature:
            masks[sets[i]] |= 1 << bit
    known = (1 << len(cells)) - 1
    for atom in atoms:
        if isinstance(atom, Known):
            masks[atom] = known
    return cells, masks


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
        self.masks = {a: mask for cells in self.fields for a, mask in cells.masks.items()}
        self._info: dict[int, tuple] = {}
        self._kept: list = []

    def full_region(self) -> tuple[int, ...]:
        return tuple(f.full for f in self.fields)

    def atom_values(self, atom, region: tuple[int, ...], fixed: dict) -> int:
        """Possible values (T, F, U bits) of an atom over a region."""
        info = self._info.get(id(atom))
        if info is None:
            info = self._describe(atom)
        field, true, known_mask, unknown_bit, when_unknown = info
        if true is None:  # a relation between fields
            if atom in fixed:
                return fixed[atom]
            cells = self.fields
            result = U if any(region[i] & cells[i].unknown_bit for i in field) else 0
            if all(region[i] & cells[i].known_mask for i in field):
                low, high = self.relation_range(atom, region)
                result |= (T if high is None or high >= atom.bound else 0) | (F if low is None or low < atom.bound else 0)
            return result
        mask = region[field]
        known = mask & known_mask
        result = (T if known & true else 0) | (F if known & ~true else 0)
        if mask & unknown_bit:
            result |= when_unknown
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

    def _describe(self, atom) -> tuple:
        """What atom_values needs of an atom, kept by identity (looked up for every region)."""
        if isinstance(atom, RELATIONS):
            info = (relation_fields(atom), None, 0, 0, 0)
        else:
            cells = self.fields[atom.field]
            when_unknown = F if isinstance(atom, Known) else U
            info = (atom.field, self.masks[atom], cells.known_mask, cells.unknown_bit, when_unknown)
        self._info[id(atom)] = info
        self._kept.append(atom)  # an id is only unique while its object lives
        return info

    def halve(self, field: int, region: tuple[int, ...]) -> Ge | In | None:
        """A test that cuts the region's known cells of a number, amount, date (`field >= bound`) or
        code (`field in codes`) in halves; None for fewer than two cells. It joins the atoms of the
        domain: cells of codes are cut so that the cell of every other code stays whole."""
        cells = self.fields[field]
        known = region[field] & cells.known_mask
        count = known.bit_count()
        if count < 2 or not (cells.intervals or isinstance(cells.field.type, m.CodeType)):
            return None
        if cells.intervals:
            low, high = 0, len(cells.cells)  # the least bit with half the cells below it, by bisection
            while low < high:
                middle = (low + high) // 2
                if (known & ((1 << middle) - 1)).bit_count() < count // 2:
                    low = middle + 1
                else:
                    high = middle
            atom, mask = Ge(field, cells.cells[low][0]), cells.known_mask & ~((1 << low) - 1)
        else:
            named, mask = known & ~(1 << (len(cells.cells) - 1)), 0  # the last cell: every code no set names
            for bit in members(named):
                if mask.bit_count() * 2 >= count:
                    break
                mask |= 1 << bit
            atom = In(field, frozenset().union(*(cells.cells[bit][1] for bit in members(mask))))
        if atom not in self.masks:
            self.masks[atom] = cells.masks[atom] = mask
        return atom

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
        """Possible values of a lowered condition over a region (an over-approximation).

        `memo` (by identity: parts shared by definitions are evaluated once) is the caller's for one region."""
        found = memo.get(id(core))
        if found is not None:
            return found
        kind = type(core)
        if kind is And:
            result = T
            for op in core.operands:
                result = _AND[result][self.values(op, region, fixed, memo)]
        elif kind is Or:
            result = F
            for op in core.operands:
                result = _OR[result][self.values(op, region, fixed, memo)]
        elif kind is Not:
            inner = self.values(core.operand, region, fixed, memo)
            result = (T if inner & F else 0) | (F if inner & T else 0) | (inner & U)
        elif kind is Const:
            result = T if core.value else F
        else:
            result = self.atom_values(core, region, fixed)
        memo[id(core)] = result
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
