"""Exact whole-number points of the small linear systems Σ a·x >= c that sums and multiples make."""

from __future__ import annotations

import itertools
import math
from contextlib import contextmanager
from contextvars import ContextVar
from fractions import Fraction

__all__ = ["Undecided", "point", "solve_pair", "real_empty", "normalized", "clamp", "metered", "charge",
           "MAX_PERIOD", "MAX_RESIDUES", "MAX_ROWS"]

#: Largest period (lcm of the coefficients) the exact two-variable solver walks through.
MAX_PERIOD = 100_000
#: Most combinations of residues walked to give one variable the coefficient 1.
MAX_RESIDUES = 10_000
#: Most constraints an elimination may produce before the solver gives up on exactness.
MAX_ROWS = 400

_spent: ContextVar[list | None] = ContextVar("spent", default=None)


@contextmanager
def metered():
    """Count the units of work the solvers spend within (a list of one number), for a budget."""
    box = [0]
    token = _spent.set(box)
    try:
        yield box
    finally:
        _spent.reset(token)


def charge(units: int) -> None:
    """Add units of work (a row made, a residue or a piece of the calendar looked at) to the meter."""
    box = _spent.get()
    if box is not None:
        box[0] += units


class Undecided(Exception):
    """The solver can neither build a point nor prove that none exists."""


class _Inexact(Exception):
    """No variable can be eliminated exactly over whole numbers."""


Row = tuple[dict, int]  # ({variable: coefficient}, c): Σ coefficient·x >= c


def point(rows: list[Row], bounds: dict, targets: dict) -> dict | None:
    """A whole point within `bounds` ({variable: (low, high)}, None for unbounded) satisfying every
    row, each variable as near its target as the constraints allow; None when there is none.

    Exact: variables are eliminated one by one (Fourier–Motzkin) where that is exact over whole
    numbers, that is where every pair of a lower and an upper bound on the variable has a coefficient
    ±1 on one side (x >= L and a·x <= U hold for a whole x exactly when a·L <= U, L being whole).
    Where no variable is so, one variable x is made so: writing each variable sharing a row with x as
    D·k + s (D the lcm of x's coefficients, s each residue) makes every coefficient of the other
    variables a multiple of x's, so that dividing gives x the coefficient 1. Two variables are solved
    exactly by `solve_pair`. Past `MAX_RESIDUES` residues or `MAX_ROWS` rows: no point if not even
    real numbers fit; else readable values for all but two variables, and `Undecided` if that finds none.
    """
    system = normalized(list(rows) + _bound_rows(bounds))
    if system is None:
        return None
    try:
        return _eliminate(system, list(bounds), targets)
    except _Inexact:
        if real_empty(rows, bounds):
            return None
        found = _fixing(rows, bounds, targets)
        if found is None:
            raise Undecided() from None
        return found


def _bound_rows(bounds: dict) -> list[Row]:
    rows = []
    for variable, (low, high) in bounds.items():
        if low is not None:
            rows.append(({variable: 1}, low))
        if high is not None:
            rows.append(({variable: -1}, -high))
    return rows


def normalized(rows: list[Row]) -> list[Row] | None:
    """Rows divided by their coefficients' divisor (the bound rounded up: exact over whole numbers),
    without duplicates or rows that always hold; None when a row can never hold."""
    out: dict = {}
    for coefficients, c in rows:
        coefficients = {v: a for v, a in coefficients.items() if a}
        if not coefficients:
            if c > 0:
                return None
            continue
        divisor = math.gcd(*coefficients.values())
        key = frozenset((v, a // divisor) for v, a in coefficients.items())
        bound = -(-c // divisor)
        out[key] = max(out.get(key, bound), bound)
    return [(dict(key), c) for key, c in out.items()]


def _eliminate(system: list[Row], variables: list, targets: dict) -> dict | None:
    if len(variables) <= 2:
        return _pair(system, variables, targets)
    choice = None
    for v in variables:
        lowers = [r for r in system if r[0].get(v, 0) > 0]
        uppers = [r for r in system if r[0].get(v, 0) < 0]
        if all(min(low[0][v], -up[0][v]) == 1 for low in lowers for up in uppers):
            cost = len(lowers) * len(uppers) - len(lowers) - len(uppers)
            if choice is None or cost < choice[0]:
                choice = (cost, v, lowers, uppers)
    if choice is None:
        return _by_residues(system, variables, targets)
    _, v, lowers, uppers = choice
    rest = [r for r in system if not r[0].get(v, 0)]
    for (co1, c1), (co2, c2) in itertools.product(lowers, uppers):
        k1, k2 = -co2[v], co1[v]  # positive multipliers cancelling v
        combined = {g: k1 * co1.get(g, 0) + k2 * co2.get(g, 0) for g in set(co1) | set(co2) if g != v}
        rest.append((combined, k1 * c1 + k2 * c2))
    rest = normalized(rest)
    if rest is None:
        return None
    charge(len(rest))
    if len(rest) > MAX_ROWS:
        raise _Inexact()
    found = _eliminate(rest, [x for x in variables if x != v], targets)
    if found is None:
        return None
    low, high = _range(v, lowers + uppers, found)
    return {**found, v: clamp(targets[v], low, high)}


class _Quotient:
    """A fresh variable k standing for `variable` = period·k + residue."""

    __slots__ = ("variable",)

    def __init__(self, variable):
        self.variable = variable


def _by_residues(system: list[Row], variables: list, targets: dict) -> dict | None:
    """Make one variable's coefficients 1 by fixing the residues of the variables it shares rows with."""
    best = None
    for v in variables:
        rows = [co for co, _ in system if co.get(v)]
        period = math.lcm(*(abs(co[v]) for co in rows)) if rows else 1
        others = [g for g in variables if g != v and any(g in co for co in rows)]
        count = period ** len(others)
        if best is None or count < best[0]:
            best = (count, period, others)
    count, period, others = best
    if count > MAX_RESIDUES:
        raise _Inexact()
    found, score = None, None
    for residues in itertools.product(range(period), repeat=len(others)):
        charge(len(system))
        fresh = {g: _Quotient(g) for g in others}
        shift = dict(zip(others, residues))
        substituted = []
        for coefficients, c in system:
            moved = sum(a * shift[g] for g, a in coefficients.items() if g in shift)
            substituted.append(({fresh.get(g, g): a * (period if g in shift else 1)
                                 for g, a in coefficients.items()}, c - moved))
        reduced = normalized(substituted)
        if reduced is None:
            continue
        names = [fresh.get(g, g) for g in variables]
        goals = {**targets, **{fresh[g]: (targets[g] - shift[g]) // period for g in others}}
        point_ = _eliminate(reduced, names, goals)
        if point_ is None:
            continue
        values = {g: point_[fresh[g]] * period + shift[g] if g in fresh else point_[g] for g in variables}
        distance = sum(abs(values[g] - targets[g]) for g in variables)
        if found is None or distance < score:
            found, score = values, distance
    return found


def _range(v, rows: list[Row], values: dict) -> tuple[int | None, int | None]:
    """The whole values of v that the rows allow once the other variables have their values."""
    low = high = None
    for coefficients, c in rows:
        a = coefficients[v]
        rest = c - sum(b * values[g] for g, b in coefficients.items() if g != v)
        if a > 0:
            bound = -(-rest // a)
            low = bound if low is None else max(low, bound)
        else:
            bound = rest // a  # a < 0: v <= rest / a, rounded down
            high = bound if high is None else min(high, bound)
    return low, high


def _pair(system: list[Row], variables: list, targets: dict) -> dict | None:
    """One or two variables: exact (a variable alone is an interval)."""
    if not variables:
        return {}
    x = variables[0]
    if len(variables) == 1:
        low, high = _range(x, system, {})
        if low is not None and high is not None and low > high:
            return None
        return {x: clamp(targets[x], low, high)}
    y = variables[1]
    only_x = [r for r in system if set(r[0]) == {x}]
    low, high = _range(x, only_x, {})
    if low is not None and high is not None and low > high:
        return None
    cons = [(co.get(x, 0), co.get(y, 0), c) for co, c in system if set(co) != {x}]
    found = solve_pair(cons, (low, high), (None, None), targets[x], targets[y])
    return None if found is None else {x: found[0], y: found[1]}


def _fixing(rows: list[Row], bounds: dict, targets: dict) -> dict | None:
    """Readable values (target, interval ends) for all but the last two variables, the last two exact;
    at most `MAX_RESIDUES` combinations of readable values are tried."""
    variables = list(bounds)
    head, tail = variables[:-2], variables[-2:]
    choices = []
    for v in head:
        low, high = bounds[v]
        candidates = list(dict.fromkeys(x for x in (clamp(targets[v], low, high), low, high) if x is not None))
        choices.append(candidates)
    # Up to three values each for hundreds of variables: the first combinations only, within a cap.
    for assignment in itertools.islice(itertools.product(*choices), MAX_RESIDUES):
        charge(len(rows))
        chosen = dict(zip(head, assignment))
        reduced = []
        for coefficients, c in rows + _bound_rows({v: bounds[v] for v in tail}):
            rest = sum(a * chosen[g] for g, a in coefficients.items() if g in chosen)
            reduced.append(({g: a for g, a in coefficients.items() if g not in chosen}, c - rest))
        system = normalized(reduced)
        if system is not None:
            found = _pair(system, tail, targets)
            if found is not None:
                return {**chosen, **found}
    return None


def real_empty(rows: list[Row], bounds: dict, limit: int = MAX_ROWS) -> bool:
    """True when no real point within the bounds satisfies the rows (Σ a·x >= c).

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


def clamp(value: int, low, high) -> int:
    """The value, or the nearer bound if it lies outside them (None: unbounded)."""
    if low is not None and value < low:
        return low
    if high is not None and value > high:
        return high
    return value


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
    charge(period)
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
        for k in {clamp(near, klo, khi), clamp(near + 1, klo, khi)}:
            y = period * k + s
            low_x = max((p + q * k for p, q in lower), default=None)
            high_x = min((p + q * k for p, q in upper), default=None)
            candidate = (clamp(xt, low_x, high_x), y)
            if best is None or _score(candidate, xt, yt) < _score(best, xt, yt):
                best = candidate
    return best
