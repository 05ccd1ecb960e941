"""The only module generated code may call: Kleene connectives and input reading (in Python, or the C reader)."""

from __future__ import annotations

from .errors import InvalidHousehold
from .keys import KeyCheck
from .values import BadValue, is_blank, plain

__all__ = ["and3", "or3", "not3", "read", "remember", "missing", "reader", "record", "KeyCheck",
           "MEMO_LIMIT", "MISSING"]

try:
    # The C accelerator (_speedups.c): reader(plan) reads the common shapes of a household's
    # values, record(cls, *items) makes a Decision without an intermediate tuple (before 3.14).
    from . import _speedups
except ImportError:  # installed without a C compiler: generated code keeps to Python
    _speedups = None
if getattr(_speedups, "FORMAT", None) == 2:  # a build left from an older _speedups.c is set aside
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
