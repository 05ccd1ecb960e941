"""Reading household values as langage.md says: yes/no, whole numbers, exact money, dates, codes."""

from __future__ import annotations

import datetime as _dt
import re
from decimal import Decimal, InvalidOperation

__all__ = [
    "BadValue",
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
]


class BadValue(ValueError):
    """A raw value that does not read as the expected type; the caller adds field and position."""


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
        return raw
    if isinstance(raw, str) and _INT.fullmatch(raw.strip()):
        return int(raw.strip())
    raise BadValue("un nombre entier")


FLOAT_EXACT_LIMIT = 2**53 / 100  # below it, x * 100 rounds to the integer it stands for


def read_money(raw: object) -> int:
    """Euros to integer cents, never through binary floating point, never rounded."""
    if raw.__class__ is str:
        # The common "1234.56", "1234,5" or "1234" without a regular expression: files are full of them.
        units, separator, decimals = raw.partition("." if "." in raw else ",")
        if units.isdigit() and units.isascii() and len(decimals) <= 2 and (
                not separator or (decimals.isdigit() and decimals.isascii())):
            return int(units) * 100 + (int(decimals) * (10 if len(decimals) == 1 else 1) if decimals else 0)
    elif raw.__class__ is float and abs(raw) < FLOAT_EXACT_LIMIT:
        # A JSON number: exact when its shortest decimal form has at most two decimals, which is
        # when the nearest double to cents / 100 is the number itself.
        cents = round(raw * 100)
        if cents / 100 == raw:
            return cents
    if type(raw) is int:
        return raw * 100
    if isinstance(raw, float):
        text = repr(raw)  # the shortest decimal form that reads back as this float
    elif isinstance(raw, Decimal):
        text = str(raw)
    elif isinstance(raw, str):
        text = _SPACES.sub("", raw).removesuffix("€").removesuffix("euros").removesuffix("euro")
    else:
        raise BadValue(_MONEY_EXPECTED)
    if isinstance(raw, (float, Decimal)):
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise BadValue(_MONEY_EXPECTED) from None
        if not value.is_finite():
            raise BadValue(_MONEY_EXPECTED)
        cents = value * 100
        if cents != cents.to_integral_value():
            raise BadValue(_MONEY_EXPECTED)
        return int(cents)
    match = _MONEY.fullmatch(text)
    if not match:
        raise BadValue(_MONEY_EXPECTED)
    sign, units, decimals = match.groups()
    decimals = decimals or ""
    if len(decimals) > 2:
        raise BadValue(_MONEY_EXPECTED)
    cents = int(units) * 100 + int(decimals.ljust(2, "0") or "0")
    return -cents if sign == "-" else cents


_MONEY_EXPECTED = "un montant en euros avec au plus deux décimales (par exemple 1 234,56)"


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
