"""Concrete, readable households for a region, solving ratio constraints exactly over whole numbers."""

from __future__ import annotations

import datetime as _dt
import itertools
import math
from decimal import Decimal
from fractions import Fraction

from .. import model as m
from ..dsl.lowering import T, Domain, FieldCells

__all__ = ["Undecided", "solve", "solve_pair", "intervals", "external", "json_value", "MAX_PERIOD"]

#: Largest period (lcm of the ratio denominators) the exact two-field solver walks through.
MAX_PERIOD = 100_000
_DEFAULT_DATE = _dt.date(2026, 1, 1).toordinal()
_RATIO_MONEY_TARGET = 50_000  # 500,00 €: a readable rent when a ratio leaves the choice open


class Undecided(Exception):
    """The solver can neither build a household nor prove that none exists."""


def solve(domain: Domain, region: tuple, fixed: tuple, today: int | None = None) -> tuple | None:
    """Internal values of one household in the region satisfying its fixed ratio atoms, or None.

    Values are readable: a threshold itself, or the threshold plus one cent or one day where the
    bound is strict. Raises Undecided when ratio constraints tie more than two fields together and
    no household was found.
    """
    fields = domain.fields
    values: list = [None] * len(fields)
    ratio_fields = {a.left for a, _ in fixed} | {a.right for a, _ in fixed}
    for index, cells in enumerate(fields):
        if index not in ratio_fields:
            values[index] = _pick(cells, region[index], today)
    if not fixed:
        return tuple(values)
    # Linear constraints Σ a·x >= c (den·left − num·right >= offset, or its negation < offset),
    # grouped into connected components of fields.
    linear = []
    for atom, bit in fixed:
        sign = 1 if bit == T else -1
        coefficients = {atom.left: sign * atom.den}
        coefficients[atom.right] = coefficients.get(atom.right, 0) - sign * atom.num  # left may be right
        linear.append((coefficients, atom.offset if bit == T else 1 - atom.offset))
    for component in _components(ratio_fields, linear):
        rows = [(co, c) for co, c in linear if set(co) & component]
        found = _solve_component(fields, region, sorted(component), rows)
        if found is None:
            return None
        for f, v in found.items():
            values[f] = v
    return tuple(values)


def _components(fields: set[int], linear: list) -> list[set[int]]:
    parent = {f: f for f in fields}

    def root(f):
        while parent[f] != f:
            f = parent[f]
        return f

    for coefficients, _ in linear:
        first, *rest = list(coefficients)
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


def _target(cells: FieldCells, interval: tuple) -> int:
    low, high = interval
    if isinstance(cells.field.type, m.MoneyType):
        return _clamp(_RATIO_MONEY_TARGET, low, high)
    return _clamp(0, low, high)


def _clamp(value: int, low, high) -> int:
    if low is not None and value < low:
        return low
    if high is not None and value > high:
        return high
    return value


def _solve_component(fields, region, variables: list[int], rows: list) -> dict | None:
    """Values for one group of fields tied together by ratio constraints, or None if there are none."""
    options = {f: intervals(fields[f], region[f]) for f in variables}
    if len(variables) <= 2:
        return _solve_two(fields, options, variables, rows)
    return _solve_chain(fields, options, variables, rows)


def _solve_two(fields, options: dict, variables: list[int], rows: list) -> dict | None:
    """One or two fields: exact, the most readable point over every pair of their intervals."""
    x = variables[0]
    y = variables[1] if len(variables) == 2 else None
    best = None
    for xi in options[x]:
        for yi in (options[y] if y is not None else [(0, 0)]):
            cons = [(co.get(x, 0), co.get(y, 0) if y is not None else 0, c) for co, c in rows]
            xt = _target(fields[x], xi)
            yt = _target(fields[y], yi) if y is not None else 0
            found = solve_pair(cons, xi, yi, xt, yt)
            if found is not None and (best is None or _score(found, xt, yt) < _score(*best)):
                best = (found, xt, yt)
    if best is None:
        return None
    vx, vy = best[0]
    return {x: vx} if y is None else {x: vx, y: vy}


def _solve_chain(fields, options: dict, variables: list[int], rows: list) -> dict | None:
    """Three fields or more: no household if even real numbers cannot satisfy the constraints
    (Fourier–Motzkin); else readable values for all but two, and the last two solved exactly.
    Raises Undecided when neither settles it."""
    boxes = [options[f] for f in variables]
    if all(_real_empty(rows, dict(zip(variables, choice))) for choice in itertools.product(*boxes)):
        return None
    head, (x, y) = variables[:-2], variables[-2:]
    choices = []
    for f in head:
        candidates = []
        for low, high in options[f]:
            for v in (_target(fields[f], (low, high)), low, high):
                if v is not None and v not in candidates:
                    candidates.append(v)
        choices.append(candidates[:6])  # a few readable values each: the product stays small
    for assignment in itertools.product(*choices):
        chosen = dict(zip(head, assignment))
        for xi in options[x]:
            for yi in options[y]:
                cons = []
                for co, c in rows:
                    rest = sum(a * chosen[f] for f, a in co.items() if f in chosen)
                    cons.append((co.get(x, 0), co.get(y, 0), c - rest))
                found = solve_pair(cons, xi, yi, _target(fields[x], xi), _target(fields[y], yi))
                if found is not None:
                    return {**chosen, x: found[0], y: found[1]}
    raise Undecided()


def _real_empty(rows: list, bounds: dict, limit: int = 400) -> bool:
    """True when no real point within the bounds (low, high per field) satisfies the rows (Σ a·x >= c).

    Fourier–Motzkin elimination; False when unsure (too many constraints), which claims nothing.
    """
    system = [(dict(co), Fraction(c)) for co, c in rows]
    for f, (low, high) in bounds.items():
        if low is not None:
            system.append(({f: 1}, Fraction(low)))
        if high is not None:
            system.append(({f: -1}, Fraction(-high)))
    for f in list(bounds):
        lower = [(co, c) for co, c in system if co.get(f, 0) > 0]
        upper = [(co, c) for co, c in system if co.get(f, 0) < 0]
        rest = [(co, c) for co, c in system if co.get(f, 0) == 0]
        for co1, c1 in lower:
            for co2, c2 in upper:
                k1, k2 = -co2[f], co1[f]  # positive multipliers cancelling f
                combined = {}
                for g in set(co1) | set(co2):
                    value = k1 * co1.get(g, 0) + k2 * co2.get(g, 0)
                    if value and g != f:
                        combined[g] = value
                rest.append((combined, k1 * c1 + k2 * c2))
        if len(rest) > limit:
            return False
        system = rest
    return any(not co and c > 0 for co, c in system)


def _score(found, xt, yt):
    x, y = found
    return (abs(y - yt), abs(x - xt), y, x)


def _ceil_div(n: int, d: int) -> int:
    return -((-n) // d)


def solve_pair(cons: list[tuple[int, int, int]], xi: tuple, yi: tuple, xt: int, yt: int):
    """A whole (x, y) in the intervals with a·x + b·y >= c for each (a, b, c), near (xt, yt), or None.

    Exact: with y = D·k + s (D the lcm of the x coefficients), every bound on x is linear in k,
    so each residue s reduces to an interval of k.
    """
    ylo, yhi = yi
    with_x = []
    for a, b, c in cons:
        if a == 0:
            if b == 0:
                if c > 0:
                    return None
            elif b > 0:
                bound = _ceil_div(c, b)
                ylo = bound if ylo is None else max(ylo, bound)
            else:
                bound = c // b  # b < 0: y <= c / b, floored
                yhi = bound if yhi is None else min(yhi, bound)
        else:
            with_x.append((a, b, c))
    if ylo is not None and yhi is not None and ylo > yhi:
        return None
    period = 1
    for a, _, _ in with_x:
        period = period * abs(a) // math.gcd(period, abs(a))
        if period > MAX_PERIOD:
            raise Undecided()
    xlo, xhi = xi
    best = None
    for s in range(period):
        klo = None if ylo is None else _ceil_div(ylo - s, period)
        khi = None if yhi is None else (yhi - s) // period
        lower = [] if xlo is None else [(xlo, 0)]
        upper = [] if xhi is None else [(xhi, 0)]
        for a, b, c in with_x:
            slope = -(b * period // a)  # exact: a divides the period
            if a > 0:
                lower.append((_ceil_div(c - b * s, a), slope))
            else:
                upper.append(((c - b * s) // a, slope))
        feasible = True
        for p1, q1 in lower:
            for p2, q2 in upper:
                dq, dp = q1 - q2, p2 - p1
                if dq == 0:
                    if dp < 0:
                        feasible = False
                elif dq > 0:
                    bound = dp // dq
                    khi = bound if khi is None else min(khi, bound)
                else:
                    bound = _ceil_div(dp, dq)
                    klo = bound if klo is None else max(klo, bound)
        if not feasible or (klo is not None and khi is not None and klo > khi):
            continue
        near = (yt - s) // period
        for k in {_clamp(near, klo, khi), _clamp(near + 1, klo, khi)}:
            y = period * k + s
            low_x = max((p + q * k for p, q in lower), default=None)
            high_x = min((p + q * k for p, q in upper), default=None)
            candidate = (_clamp(xt, low_x, high_x), y)
            if best is None or _score(candidate, xt, yt) < _score(best, xt, yt):
                best = candidate
    return best


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
