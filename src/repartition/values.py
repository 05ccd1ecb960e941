"""Reading household values as langage.md says: yes/no, whole numbers, exact money, dates, codes."""

from __future__ import annotations

import datetime as _dt
import re
from decimal import Decimal

__all__ = [
    "BadValue",
    "OutOfRange",
    "count_text",
    "read_bool",
    "read_int",
    "read_money",
    "read_date",
    "read_code",
    "money_text",
    "date_text",
    "MONTHS",
    "FLOAT_EXACT_LIMIT",
    "MONEY_LIMIT",
    "INT_MIN",
    "INT_MAX",
    "plain",
    "is_blank",
]


class BadValue(ValueError):
    """A raw value that does not read as the expected type; the caller adds field and position."""


class OutOfRange(BadValue):
    """A number beyond what every backend holds (SQL `numeric(14,2)` and `bigint`), whatever the
    field's own bounds: its message says the range, not the field's type."""


#: Largest amount in cents, in absolute value: 999 999 999 999,99 € fits SQL numeric(14,2).
MONEY_LIMIT = 99_999_999_999_999
#: Whole numbers are signed 64-bit integers (SQL bigint).
INT_MIN, INT_MAX = -2**63, 2**63 - 1


_TRUE = frozenset({"oui", "vrai", "true", "1"})
_FALSE = frozenset({"non", "faux", "false", "0"})
_INT = re.compile(r"[+-]?\d+", re.ASCII)
_MONEY = re.compile(r"([+-]?)(\d+)(?:[.,](\d+))?", re.ASCII)
_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})", re.ASCII)
_FR_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})", re.ASCII)
_LONG_DATE = re.compile(r"(1er|\d{1,2})\s+(\S+)\s+(\d{4})", re.IGNORECASE | re.ASCII)

MONTHS = {
    "janvier": 1, "fevrier": 2, "février": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6,
    "juillet": 7, "aout": 8, "août": 8, "septembre": 9, "octobre": 10, "novembre": 11,
    "decembre": 12, "décembre": 12,
}
_MONTH_NAMES = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
                "septembre", "octobre", "novembre", "décembre")


def plain(raw: object) -> object:
    """A numpy scalar as the Python value it stands for (`item()`: np.int64 → int, np.float64 →
    float, np.bool_ → bool, np.str_ → str, np.datetime64 → date or datetime); anything else as it is.

    Duck-typed, so that repartition never imports numpy. Python's own values pass first, cheaply.
    """
    if raw.__class__ in _PLAIN or getattr(raw, "shape", None) != () or getattr(raw, "dtype", None) is None:
        return raw
    try:
        value = raw.item()
    except (AttributeError, TypeError, ValueError):
        return raw
    return value if value.__class__ in _PLAIN or isinstance(value, _dt.date) else raw


_PLAIN = frozenset({str, int, float, bool, type(None), Decimal})


def is_blank(raw: object) -> bool:
    """Whether a raw value says « no value »: None, blank text, NaN, and pandas' NA and NaT.

    pandas marks missing cells with NaN (numbers, and text since pandas 3), NA or NaT.
    """
    if raw is None:
        return True
    if isinstance(raw, str):
        return not raw.strip()
    if isinstance(raw, float):
        return raw != raw  # NaN
    if isinstance(raw, Decimal):
        return raw.is_nan()
    kind = type(raw)
    return kind.__name__ in ("NAType", "NaTType") and kind.__module__.startswith("pandas")


def read_bool(raw: object) -> bool:
    if raw is True or raw is False:
        return raw
    if isinstance(raw, str):
        text = raw.strip().casefold()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    elif type(raw) in (int, float) and raw in (0, 1):  # JSON numbers: 1.0 is the number 1
        return raw == 1
    raise BadValue("oui ou non (oui/non, vrai/faux, true/false, 1/0)")


def read_int(raw: object) -> int:
    if type(raw) is int:
        if INT_MIN <= raw <= INT_MAX:
            return raw
        raise OutOfRange(_INT_RANGE)
    if isinstance(raw, str):
        text = raw.strip()
        if _INT.fullmatch(text):
            # Counted before int(): Python refuses to convert more than 4 300 digits, in English.
            digits = text.lstrip("+-").lstrip("0") or "0"
            if len(digits) <= 19:
                value = -int(digits) if text[0] == "-" else int(digits)
                if INT_MIN <= value <= INT_MAX:
                    return value
            raise OutOfRange(_INT_RANGE)
    raise BadValue("un nombre entier")


#: Floats below it in absolute value (1e12 €, just past MONEY_LIMIT) read through a fast path that
#: gives exactly their shortest decimal form: below 2**46, doubles lie closer than a cent apart, so
#: at most one amount in cents reads as a given double, and then it is its shortest repr.
FLOAT_EXACT_LIMIT = (MONEY_LIMIT + 1) / 100


def read_money(raw: object) -> int:
    """Euros to integer cents, never through binary floating point, never rounded.

    A float (a JSON number) is read as its shortest decimal form, `repr`: exact when that has at
    most two decimals, refused otherwise. Amounts beyond MONEY_LIMIT are refused (OutOfRange).
    """
    if raw.__class__ is str:
        # The common "1234.56", "1234,5" or "1234" without a regular expression: files are full of them.
        units, separator, decimals = raw.partition("." if "." in raw else ",")
        if units.isdigit() and units.isascii() and len(units) <= 12 and len(decimals) <= 2 and (
                not separator or (decimals.isdigit() and decimals.isascii())):
            return int(units) * 100 + (int(decimals) * (10 if len(decimals) == 1 else 1) if decimals else 0)
    elif raw.__class__ is float and -FLOAT_EXACT_LIMIT < raw < FLOAT_EXACT_LIMIT:
        # A JSON number: its shortest decimal form has at most two decimals exactly when the
        # double nearest to cents / 100 is the number itself (see FLOAT_EXACT_LIMIT).
        cents = round(raw * 100)
        if cents / 100 == raw:
            return cents
    if type(raw) is int:
        if -(MONEY_LIMIT // 100) <= raw <= MONEY_LIMIT // 100:
            return raw * 100
        raise OutOfRange(_MONEY_RANGE)
    if isinstance(raw, float):
        return _decimal_cents(Decimal(float.__repr__(raw)))  # the shortest form that reads back as raw
    if isinstance(raw, Decimal):
        return _decimal_cents(raw)
    if not isinstance(raw, str):
        raise BadValue(_MONEY_EXPECTED)
    text = _SPACES.sub("", raw).removesuffix("€").removesuffix("euros").removesuffix("euro")
    match = _MONEY.fullmatch(text)
    if not match:
        raise BadValue(_MONEY_EXPECTED)
    sign, units, decimals = match.groups()
    decimals = decimals or ""
    units = units.lstrip("0") or "0"
    if len(units) > 12:  # counted before int(), which refuses more than 4 300 digits
        raise OutOfRange(_MONEY_RANGE)
    if len(decimals) > 2:
        raise BadValue(_MONEY_EXPECTED)
    cents = int(units) * 100 + int(decimals.ljust(2, "0") or "0")
    return -cents if sign == "-" else cents


def _decimal_cents(value: Decimal) -> int:
    """A decimal amount in cents: in range, at most two decimals (its digits are only counted)."""
    if not value.is_finite():
        raise BadValue(_MONEY_EXPECTED)
    if not value:
        return 0
    if value.adjusted() >= 12:  # 10**12 € or more; adjusted() is the exponent of the first digit
        raise OutOfRange(_MONEY_RANGE)
    sign, digits, exponent = value.as_tuple()
    if exponent < -2:
        cut = -2 - exponent  # digits after the cents: they must all be zeros
        if any(digits[-cut:]):
            raise BadValue(_MONEY_EXPECTED)
        digits, exponent = digits[:-cut], -2
    cents = int("".join(map(str, digits)) or "0") * 10 ** (exponent + 2)
    return -cents if sign else cents


_MONEY_EXPECTED = "un montant en euros avec au plus deux décimales (par exemple 1 234,56)"


def _grouped(number: int) -> str:
    return f"{number:,}".replace(",", "\u202f")


_MONEY_RANGE = f"un montant d'au plus {_grouped(MONEY_LIMIT // 100)},99 € en valeur absolue"
_INT_RANGE = f"un nombre entier entre {_grouped(INT_MIN)} et {_grouped(INT_MAX)}"


def read_date(raw: object) -> int:
    """A date as its proleptic ordinal, so that dates compare as whole numbers."""
    if isinstance(raw, _dt.datetime):
        raise BadValue(_DATE_EXPECTED)
    if isinstance(raw, _dt.date):
        return raw.toordinal()
    if isinstance(raw, str):
        text = raw.strip()
        try:
            if m := _ISO_DATE.fullmatch(text):
                return _dt.date(int(m[1]), int(m[2]), int(m[3])).toordinal()
            if m := _FR_DATE.fullmatch(text):
                return _dt.date(int(m[3]), int(m[2]), int(m[1])).toordinal()
            if (m := _LONG_DATE.fullmatch(text)) and m[2].casefold() in MONTHS:
                day = 1 if m[1].casefold() == "1er" else int(m[1])
                return _dt.date(int(m[3]), MONTHS[m[2].casefold()], day).toordinal()
        except ValueError:
            pass
    raise BadValue(_DATE_EXPECTED)


_DATE_EXPECTED = "une date (AAAA-MM-JJ ou JJ/MM/AAAA)"


def read_code(raw: object) -> str:
    if isinstance(raw, str) and raw.strip():
        return raw.strip()
    if type(raw) is int:  # 1053 may have been « 01053 »: a guess would misroute the household
        raise BadValue("un code écrit comme un texte, entre guillemets (un nombre perd ses zéros de tête)")
    raise BadValue("un code (texte non vide)")


def count_text(number: int, singular: str, plural: str) -> str:
    """« 1 exemple vérifié », « 3 exemples vérifiés »: in French, 0 and 1 take the singular."""
    return f"{number} {singular if number < 2 else plural}"


def money_text(cents: int) -> str:
    """French display of an amount: 1 234,56 €."""
    sign = "-" if cents < 0 else ""
    units, rest = divmod(abs(cents), 100)
    grouped = f"{units:,}".replace(",", "\u202f")
    return f"{sign}{grouped},{rest:02d} €"


def date_text(ordinal: int) -> str:
    day = _dt.date.fromordinal(ordinal)
    first = "1er" if day.day == 1 else str(day.day)
    return f"{first} {_MONTH_NAMES[day.month - 1]} {day.year}"
