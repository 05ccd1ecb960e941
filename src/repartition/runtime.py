"""The only module generated code may call: Kleene connectives, calendar months and input reading (in Python, or the C reader)."""

from __future__ import annotations

import datetime as _dt

from .errors import InvalidHousehold
from .values import BadValue

__all__ = ["and3", "or3", "not3", "add_months", "read", "remember", "missing", "reader", "record",
           "MEMO_LIMIT", "MISSING"]

try:
    # The C accelerator (_speedups.c): reader(plan) reads the common shapes of a household's
    # values, record(cls, *items) makes a Decision without an intermediate tuple (before 3.14).
    from . import _speedups
except ImportError:  # installed without a C compiler: generated code keeps to Python
    _speedups = None
if getattr(_speedups, "FORMAT", None) == 1:  # a build left from an older _speedups.c is set aside
    reader, record = _speedups.reader, getattr(_speedups, "record", None)
else:
    reader = record = None

#: Marks a field absent from the input mapping.
MISSING = object()


def and3(*values):
    """Kleene's `et`: false wins, then unknown."""
    if False in values:
        return False
    return None if None in values else True


def or3(*values):
    """Kleene's `ou`: true wins, then unknown."""
    if True in values:
        return True
    return None if None in values else False


def not3(value):
    return None if value is None else not value


_DAYS_BEFORE_MONTH = (0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334)
_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def add_months(day: int, months: int) -> int:
    """The day `months` calendar months after `day` (dates as proleptic Gregorian ordinals).

    The same day of the month, or the month's last day when that month is shorter: 31 January + 1
    month is 28 February (29 in a leap year), 31 March + 1 month is 30 April; a year is 12 months,
    so 29 February + 1 year is 28 February. Exact past year 9999 too, as an ordinal beyond any date.
    The interpreter, the generated code and the proof all count months with this one function.
    """
    date = _dt.date.fromordinal(day)
    year, month = divmod(date.year * 12 + date.month - 1 + months, 12)
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    last = 29 if month == 1 and leap else _MONTH_DAYS[month]
    before = year - 1
    return (before * 365 + before // 4 - before // 100 + before // 400 + _DAYS_BEFORE_MONTH[month]
            + (1 if month > 1 and leap else 0) + min(date.day, last))


def read(field, raw):
    """Slow path of validation: read a raw value as the field's type or say what was expected."""
    try:
        return field.type.read(raw)
    except BadValue as error:
        blank = raw is None or (isinstance(raw, str) and not raw.strip())
        if blank and field.may_be_unknown:
            return None  # an empty cell or a JSON null: unknown, for a field that may be
        expected = f"{error} (cette donnée ne peut pas être inconnue)" if blank else str(error)
        raise InvalidHousehold(field.machine, raw, expected) from None


#: Most readings a field's memo keeps (see `remember`).
MEMO_LIMIT = 4096


def remember(memo: dict, field, raw):
    """Read a value the field's memo lacks; keep the reading of text (a plain dict: the fastest lookup)."""
    value = read(field, raw)
    if raw.__class__ is str and len(memo) < MEMO_LIMIT:
        memo[raw] = value
    return value


def missing(field):
    """A field without a default is absent from the input: an error naming it."""
    raise InvalidHousehold(field.machine, None, field.type.expected, missing=True)
