"""Concrete, readable households for a region, solving its relations exactly over whole numbers."""

from __future__ import annotations

import datetime as _dt
import itertools
from decimal import Decimal

from .. import model as m
from ..dsl.lowering import LinearGe, T, Domain, FieldCells, relation_fields
from ..runtime import add_months
from .calendar import FIRST_DAY, LAST_DAY, Shift, back_months, solve_dates
from .linear import MAX_PERIOD, Undecided, clamp, normalized, point, real_empty, solve_pair

__all__ = ["Undecided", "solve", "solve_pair", "intervals", "external", "json_value", "MAX_PERIOD"]

_DEFAULT_DATE = _dt.date(2026, 1, 1).toordinal()
_RATIO_MONEY_TARGET = 50_000  # 500,00 €: a readable rent when a relation leaves the choice open
_MAX_COMBINATIONS = 4096  # interval combinations tried in one group of tied fields


def solve(domain: Domain, region: tuple, fixed: tuple, today: int | None = None) -> tuple | None:
    """Internal values of one household in the region satisfying its fixed relations, or None.

    Values are readable: a threshold itself, or the threshold plus one cent or one day where the
    bound is strict. Raises Undecided when the relations are of a shape the solver cannot settle
    exactly (see `linear.point` and `calendar.solve_dates`) and no household was found.
    """
    fields = domain.fields
    values: list = [None] * len(fields)
    tied = {f for atom, _ in fixed for f in relation_fields(atom)}
    for index, cells in enumerate(fields):
        if index not in tied:
            values[index] = _pick(cells, region[index], today)
    if not fixed:
        return tuple(values)
    rows, shifts = [], []  # Σ a·x >= c, and calendar months between two dates
    for atom, bit in fixed:
        if isinstance(atom, LinearGe):
            sign = 1 if bit == T else -1  # false: Σ c·x < b, that is Σ −c·x >= 1 − b
            rows.append(({f: sign * c for f, c in atom.terms}, atom.bound if bit == T else 1 - atom.bound))
        else:
            low, high = (atom.bound, None) if bit == T else (None, atom.bound - 1)
            shifts.append(Shift(atom.later, atom.earlier, atom.months, low, high))
    for component in _components(tied, rows, shifts):
        mine = [r for r in rows if set(r[0]) & component]
        moves = [s for s in shifts if s.later in component]
        found = _solve_component(fields, region, sorted(component), mine, moves, today)
        if found is None:
            return None
        for f, v in found.items():
            values[f] = v
    return tuple(values)


def _components(fields: set[int], rows: list, shifts: list) -> list[set[int]]:
    parent = {f: f for f in fields}

    def root(f):
        while parent[f] != f:
            f = parent[f]
        return f

    for group in [list(co) for co, _ in rows] + [[s.later, s.earlier] for s in shifts]:
        first, *rest = group
        for other in rest:
            parent[root(other)] = root(first)
    groups: dict[int, set[int]] = {}
    for f in fields:
        groups.setdefault(root(f), set()).add(f)
    return [groups[k] for k in sorted(groups)]


def intervals(cells: FieldCells, mask: int) -> list[tuple]:
    """The known cells of a mask (an ordered field's) as maximal intervals (low, high), None for unbounded."""
    out: list[list] = []
    for bit, cell in enumerate(cells.cells):
        if mask >> bit & 1:
            low, high = cell
            if out and out[-1][1] is not None and low is not None and out[-1][1] + 1 == low:
                out[-1][1] = high
            else:
                out.append([low, high])
    return [tuple(i) for i in out]


def _target(cells: FieldCells, interval: tuple, today: int | None) -> int:
    """A readable value of an interval: 500 € for amounts, today for dates, else 0 (within it)."""
    low, high = interval
    kind = cells.field.type
    if isinstance(kind, m.MoneyType):
        return clamp(_RATIO_MONEY_TARGET, low, high)
    if isinstance(kind, m.DateType):
        return clamp(today if today is not None else _DEFAULT_DATE, low, high)
    return clamp(0, low, high)


def _solve_component(fields, region, variables: list[int], rows: list, shifts: list, today) -> dict | None:
    """Values for one group of fields tied together by relations, or None if there are none.

    Every combination of the fields' intervals is tried; the most readable point wins. Undecided
    only when no point is found and some combination could not be settled."""
    options = [intervals(fields[f], region[f]) for f in variables]
    combinations = 1
    for option in options:
        combinations *= len(option)
    if combinations > _MAX_COMBINATIONS:
        raise Undecided()
    best, unsettled = None, False
    for combination in itertools.product(*options):
        bounds = dict(zip(variables, combination))
        if any(isinstance(fields[f].field.type, m.DateType) for f in variables):
            bounds = {f: (max(low if low is not None else FIRST_DAY, FIRST_DAY),
                          min(high if high is not None else LAST_DAY, LAST_DAY)) for f, (low, high) in bounds.items()}
        targets = {f: _target(fields[f], bounds[f], today) for f in variables}
        try:
            found = (_dates(variables, rows, shifts, dict(zip(variables, combination)), bounds, targets)
                     if shifts else point(rows, bounds, targets))
        except Undecided:
            unsettled = True
            continue
        if found is not None:
            score = sum(abs(found[f] - targets[f]) for f in variables)
            if best is None or score < best[0]:
                best = (score, found)
    if best is None and unsettled:
        raise Undecided()
    return None if best is None else best[1]


def _dates(variables, rows, shifts, written, bounds, targets) -> dict | None:
    """Dates tied by whole months: two exactly (calendar.solve_dates); more, by fixing all but two
    at readable values, after checking that the relaxation where each month counts 28 to 31 days
    has a point at all."""
    if len(variables) == 2:
        x, y = variables
        return solve_dates(x, y, rows, shifts, written[x], written[y], targets)
    relaxed = list(rows)
    for s in shifts:  # later − earlier within [low, high] + n months, each month 28 to 31 days
        if s.low is not None:
            relaxed.append(({s.later: 1, s.earlier: -1}, s.low + 28 * s.months))
        if s.high is not None:
            relaxed.append(({s.later: -1, s.earlier: 1}, -(s.high + 31 * s.months)))
    relaxed = normalized(relaxed)
    if relaxed is None or real_empty(relaxed, bounds):
        return None
    guide = point(relaxed, bounds, targets)
    if guide is None:
        return None
    head, (x, y) = variables[:-2], variables[-2:]
    chosen = {f: guide[f] for f in head}
    narrowed = {x: list(bounds[x]), y: list(bounds[y])}
    left_rows = []
    for coefficients, c in rows:
        rest = sum(a * chosen[g] for g, a in coefficients.items() if g in chosen)
        left = {g: a for g, a in coefficients.items() if g not in chosen}
        left_rows.append((left, c - rest))
    left_shifts = []
    for s in shifts:
        if s.later in chosen and s.earlier in chosen:
            value = chosen[s.later] - add_months(chosen[s.earlier], s.months)
            if (s.low is not None and value < s.low) or (s.high is not None and value > s.high):
                raise Undecided()
        elif s.earlier in chosen:  # a bound on the later date
            shifted = add_months(chosen[s.earlier], s.months)
            _narrow(narrowed[s.later], None if s.low is None else shifted + s.low,
                    None if s.high is None else shifted + s.high)
        elif s.later in chosen:  # low <= L − add(E) <= high: E <= back(L − low), E > back(L − high − 1)
            later = chosen[s.later]
            _narrow(narrowed[s.earlier], None if s.high is None else back_months(later - s.high - 1, s.months) + 1,
                    None if s.low is None else back_months(later - s.low, s.months))
        else:
            left_shifts.append(s)
    system = normalized(left_rows)
    if system is None:
        raise Undecided()
    singles = [r for r in system if len(r[0]) == 1]
    for coefficients, c in singles:
        ((f, a),) = coefficients.items()
        _narrow(narrowed[f], -(-c // a) if a > 0 else None, c // a if a < 0 else None)
    pair_rows = [r for r in system if len(r[0]) == 2]
    found = solve_dates(x, y, pair_rows, left_shifts, tuple(narrowed[x]), tuple(narrowed[y]), targets)
    if found is None:
        raise Undecided()
    return {**chosen, **found}


def _narrow(interval: list, low, high) -> None:
    if low is not None:
        interval[0] = low if interval[0] is None else max(interval[0], low)
    if high is not None:
        interval[1] = high if interval[1] is None else min(interval[1], high)


def _pick(cells: FieldCells, mask: int, today: int | None):
    """A readable value of the region for a field: a known one if the region has any."""
    known = mask & cells.known_mask
    if not known:
        return None
    bit = (known & -known).bit_length() - 1
    cell = cells.cells[bit]
    kind = cells.field.type
    if isinstance(kind, m.CodeType):
        if cell[1]:
            return min(cell[1])
        return _fresh_code(cells)
    if isinstance(kind, (m.BoolType, m.EnumType)):
        return cell
    low, high = cell
    if low is not None:
        return low  # the threshold itself (plus one cent or one day where the bound is strict)
    if high is not None:
        return high
    if isinstance(kind, m.DateType):
        return today if today is not None else _DEFAULT_DATE
    return 0


def _fresh_code(cells: FieldCells) -> str:
    """A code of the field's shape in no set the charter names (the 'every other code' cell)."""
    return cells.field.type.fresh(set().union(*(c[1] for c in cells.cells)))


def external(model: m.CharterModel, values: tuple) -> dict:
    """A household as JSON-style values in the CSV/JSON field names (money as « 1234,56 »)."""
    return {f.machine: json_value(f, values[f.index]) for f in model.fields}


def json_value(f: m.Field, value):
    """An internal value as JSON input spells it: `Field.external`, with amounts and dates as text."""
    shown = f.external(value)
    if isinstance(shown, Decimal):
        return f"{shown:f}".replace(".", ",")  # exact: the cents as they are, never a float
    if isinstance(shown, _dt.date):
        return shown.isoformat()
    return shown
