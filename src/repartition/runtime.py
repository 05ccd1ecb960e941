"""The only module generated code may call: Kleene connectives, input reading and making decisions (in Python, or in C)."""

from __future__ import annotations

from .errors import InvalidHousehold
from .keys import KeyCheck
from .schema import expected
from .values import BadValue, is_blank, plain

__all__ = ["and3", "or3", "not3", "read", "remember", "missing", "reader", "recorder", "KeyCheck",
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
