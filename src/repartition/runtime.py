"""The only module generated code may call: Kleene connectives, calendar months, input reading and making decisions (in Python, or in C)."""

from __future__ import annotations

import datetime as _dt

from .errors import InvalidHousehold
from .keys import KeyCheck
from .schema import expected
from .values import BadValue, is_blank, plain

__all__ = ["and3", "or3", "not3", "add_months", "read", "remember", "missing", "reader", "recorder", "KeyCheck",
           "MEMO_LIMIT", "MISSING"]

try:
    # The C accelerator (_speedups.c): reader(plan) reads the common shapes of a household's
    # values, recorder(cls, names) makes instances of a class with __slots__ (a Decision).
    from . import _speedups
except ImportError:  # installed without a C compiler: generated code keeps to Python
    _speedups = None
if getattr(_speedups, "FORMAT", None) == 3:  # a build left from an older _speedups.c is set aside
    reader, recorder = _speedups.reader, _speedups.recorder
else:
    reader = recorder = None

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
    """Slow path of validation: read a raw value as the field's type or say what was expected.

    numpy scalars read as the Python values they stand for; None, blank text, NaN and pandas' NA
    and NaT say « no value »."""
    raw = plain(raw)
    try:
        return field.type.read(raw)
    except BadValue as error:
        blank = is_blank(raw)
        if blank and field.may_be_unknown:
            return None  # an empty cell, a JSON null, a NaN: unknown, for a field that may be
        if blank:
            _invalid(field, raw, f"{error} (cette donnée ne peut pas être inconnue)", "inconnu_interdit")
        _invalid(field, raw, str(error), "valeur_invalide")


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
    _invalid(field, None, field.type.expected, "champ_absent")


def _invalid(field, raw, text: str, code: str):
    raise InvalidHousehold(field.machine, raw, text, code=code, expected=expected(field)) from None
