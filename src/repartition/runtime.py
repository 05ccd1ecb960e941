"""The only module generated code may call: Kleene connectives, input reading, frozen code sets."""

from __future__ import annotations

from .errors import InvalidHousehold
from .values import BadValue

__all__ = ["and3", "or3", "not3", "codes", "read", "missing", "MISSING"]

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


def codes(values: tuple) -> frozenset:
    return frozenset(values)


def read(field, raw):
    """Slow path of validation: read a raw value as the field's type or say what was expected."""
    if field.may_be_unknown and (raw is None or (isinstance(raw, str) and not raw.strip())):
        return None
    try:
        return field.type.read(raw)
    except BadValue as error:
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            expected = f"{error} (cette donnée ne peut pas être inconnue)"
        else:
            expected = str(error)
        raise InvalidHousehold(field.machine, raw, expected) from None


def missing(field):
    """A field absent from the input: its default, or an error naming it."""
    if field.has_default:
        return field.default
    raise InvalidHousehold(field.machine, None, field.type.expected, missing=True)
