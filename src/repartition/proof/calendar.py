"""Two dates whole calendar months apart: exact points, one piece of the calendar at a time.

A constraint between two dates X and Y (`Y − add_months(X, n) >= k`, or the same with X and Y
swapped, or a plain difference in days) bounds D = Y − X by a function of X. Each such function
is constant on the pieces of a month made of its days 1, 2 to 27, 28, 29, 30 and 31 (`add_months`
keeps the day up to the 28th; its greatest inverse keeps it up to the 27th, and X − 1 stays in the
month from the 2nd), so on a piece the constraints are plain intervals for D, solved exactly. The
calendar repeats every 400 years (4 800 months, 146 097 days): a scan of that many months, with no
bound on Y, is complete.
"""

from __future__ import annotations

import datetime as _dt
import functools
import operator

from attrs import frozen

from ..runtime import add_months
from .linear import Undecided, charge

__all__ = ["Shift", "solve_dates", "back_months", "CYCLE_MONTHS", "FIRST_DAY", "LAST_DAY"]

#: Months in the Gregorian cycle: dates 4 800 months apart fall on the same day of the same month.
CYCLE_MONTHS = 4800
#: The first and last dates a household may give (1 January 1, 31 December 9999).
FIRST_DAY, LAST_DAY = 1, _dt.date.max.toordinal()
_SCAN_MONTHS = CYCLE_MONTHS + 48
_PIECES = ((1, 1), (2, 27), (28, 28), (29, 29), (30, 30), (31, 31))
_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_DAYS_BEFORE = (0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334)
_BASE = 2000 * 12  # month index of a cycle's start, for the global bounds of each function


@frozen
class Shift:
    """`low <= later − add_months(earlier, months) <= high` (None: unbounded), two distinct dates."""

    later: int
    earlier: int
    months: int
    low: int | None
    high: int | None


# ---- months as indices (year × 12 + month − 1) -------------------------------------------------

def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _length(index: int) -> int:
    year, month = divmod(index, 12)
    return 29 if month == 1 and _leap(year) else _MONTH_DAYS[month]


@functools.lru_cache(maxsize=65536)
def _first(index: int) -> int:
    """The ordinal of the first day of a month (past year 9999 too)."""
    year, month = divmod(index, 12)
    before = year - 1
    leap_day = 1 if month > 1 and _leap(year) else 0
    return before * 365 + before // 4 - before // 100 + before // 400 + _DAYS_BEFORE[month] + leap_day + 1


def _month(day: int) -> tuple[int, int]:
    date = _dt.date.fromordinal(day)
    return date.year * 12 + date.month - 1, date.day


def back_months(day: int, months: int) -> int:
    """The last date Y with add_months(Y, months) <= day: add_months' greatest inverse."""
    index, d = _month(day)
    earlier = index - months
    keep = d if d < _length(index) else _length(earlier)  # the last day of a month takes the last day
    return _first(earlier) + min(keep, _length(earlier)) - 1


# ---- bounds on D = Y − X, as functions of X constant on each piece --------------------------------

@frozen
class _Const:
    value: int

    def at(self, index: int, day: int) -> int:
        return self.value


@frozen
class _Forward:
    """add_months(X, n) − X + k."""

    months: int
    k: int

    def at(self, index: int, day: int) -> int:
        target = index + self.months
        return _first(target) + min(day, _length(target)) - 1 - (_first(index) + day - 1) + self.k


@frozen
class _Backward:
    """back_months(X − z, n) − X + k (z is 0 or 1)."""

    months: int
    z: int
    k: int

    def at(self, index: int, day: int) -> int:
        x = _first(index) + day - 1
        return back_months(x - self.z, self.months) - x + self.k


@functools.cache
def _cycle() -> tuple:
    """(month, first day) of every piece of one 400-year cycle."""
    return tuple((index, start) for index in range(_BASE, _BASE + CYCLE_MONTHS) for start, _ in _PIECES
                 if start <= _length(index))


def _values(function) -> tuple[int, ...]:
    """A function's value on each piece of one cycle, which are all its values (computed once)."""
    found = _cycle_values.get(function)
    if found is None:
        charge(len(_cycle()))
        if len(_cycle_values) >= 64:  # a few functions per charter; memory stays bounded
            _cycle_values.clear()
        found = _cycle_values[function] = tuple(function.at(index, day) for index, day in _cycle())
    return found


_cycle_values: dict = {}  # function → its values over one cycle


def _extremes(function) -> tuple[int, int]:
    """The smallest and largest value of a function over every date."""
    if isinstance(function, _Const):
        return function.value, function.value
    values = _values(function)
    return min(values), max(values)


def _widest(low, high) -> int:
    """The largest room high(X) − low(X) over every date: negative, no X lets D between them."""
    if isinstance(low, _Const) or isinstance(high, _Const):
        return _extremes(high)[1] - _extremes(low)[0]  # exact: one side is constant
    charge(len(_cycle()) // 64)  # a subtraction per piece, at C speed
    return max(map(operator.sub, _values(high), _values(low)))


def _bounds_on_difference(x: int, y: int, rows, shifts) -> tuple[list, list]:
    """Lower and upper bounds on D = Y − X, as functions of X."""
    lows, highs = [], []
    for coefficients, c in rows:
        a, b = coefficients.get(x, 0), coefficients.get(y, 0)
        if (a, b) == (-1, 1):  # Y − X >= c
            lows.append(_Const(c))
        elif (a, b) == (1, -1):  # X − Y >= c
            highs.append(_Const(-c))
        else:
            raise Undecided()
    for shift in shifts:
        if shift.low is not None and shift.low not in (0, 1) or shift.high is not None and shift.high not in (-1, 0):
            raise Undecided()
        if shift.earlier == x:  # D = Y − X within add_months(X, n) − X + [low, high]
            if shift.low is not None:
                lows.append(_Forward(shift.months, shift.low))
            if shift.high is not None:
                highs.append(_Forward(shift.months, shift.high))
        else:  # low <= X − add_months(Y, n) <= high
            if shift.low is not None:  # add_months(Y, n) <= X − low
                highs.append(_Backward(shift.months, shift.low, 0))
            if shift.high is not None:  # add_months(Y, n) > X − high − 1
                lows.append(_Backward(shift.months, shift.high + 1, 1))
    return lows, highs


def solve_dates(x: int, y: int, rows, shifts, xi: tuple, yi: tuple, targets: dict) -> dict | None:
    """Two distinct date fields, exactly: rows are differences in days (Y − X >= c, X − Y >= c),
    shifts whole calendar months; the point found is the nearest to X's target, with D on its
    threshold (the day itself: « 3 mois avant » gives the day 3 months before). Raises Undecided
    where neither a point nor a proof that there is none is found."""
    lows, highs = _bounds_on_difference(x, y, rows, shifts)
    yl, yh = max(yi[0] if yi[0] is not None else FIRST_DAY, FIRST_DAY), min(yi[1] if yi[1] is not None else LAST_DAY, LAST_DAY)
    xl, xh = max(xi[0] if xi[0] is not None else FIRST_DAY, FIRST_DAY), min(xi[1] if xi[1] is not None else LAST_DAY, LAST_DAY)
    if any(_widest(low, high) < 0 for low in lows for high in highs):
        return None  # two of the bounds leave no room on any day: exact, over a whole cycle
    smallest = max((_extremes(g)[0] for g in lows), default=None)  # D is never below
    largest = min((_extremes(g)[1] for g in highs), default=None)  # nor above
    if smallest is not None and largest is not None and smallest > largest:
        return None
    if largest is not None:
        xl = max(xl, yl - largest)
    if smallest is not None:
        xh = min(xh, yh - smallest)
    if xl > xh or yl > yh:
        return None
    target = min(max(targets[x], xl), xh)
    first, last, start = _month(xl)[0], _month(xh)[0], _month(target)[0]
    total = last - first + 1
    for index in _outward(start, first, last, min(total, _SCAN_MONTHS)):
        charge(len(_PIECES))
        for low_day, high_day in _PIECES:
            if low_day > _length(index):
                break
            p = max(_first(index) + low_day - 1, xl)
            q = min(_first(index) + min(high_day, _length(index)) - 1, xh)
            if p > q:
                continue
            found = _in_piece(index, low_day, p, q, lows, highs, yl, yh, targets[x], targets[y])
            if found is not None:
                return {x: found[0], y: found[1]}
    if total <= _SCAN_MONTHS or (yi == (None, None)):
        return None  # every month scanned, or a whole cycle with no bound on Y: none anywhere
    raise Undecided()


def _outward(start: int, first: int, last: int, count: int):
    """Month indices from `start` outwards, alternately later and earlier, within [first, last]."""
    yielded, step = 0, 0
    while yielded < count:
        for index in ((start + step,) if step == 0 else (start + step, start - step)):
            if first <= index <= last and yielded < count:
                yielded += 1
                yield index
        if start + step > last and start - step < first:
            return
        step += 1


def _in_piece(index, day, p, q, lows, highs, yl, yh, tx, ty):
    """A point with X in [p, q] (one piece) and Y = X + D within [yl, yh], or None."""
    low = max((g.at(index, day) for g in lows), default=None)
    high = min((g.at(index, day) for g in highs), default=None)
    low = yl - q if low is None else max(low, yl - q)
    high = yh - p if high is None else min(high, yh - p)
    if low > high:
        return None
    readable = max(low, min(high, ty - tx)) if not lows else low  # on the threshold where there is one
    x = min(max(tx, p, yl - readable), q, yh - readable)
    return x, x + readable
