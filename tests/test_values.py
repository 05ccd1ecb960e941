"""Reading input values as langage.md says; money never goes through binary floating point."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from repartition.values import (BadValue, date_text, money_text, read_bool, read_code, read_date,
                                read_int, read_money)


@pytest.mark.parametrize("raw, value", [
    ("oui", True), (" NON ", False), ("Vrai", True), ("faux", False), ("true", True),
    ("FALSE", False), ("1", True), ("0", False), (True, True), (False, False), (1, True), (0, False),
    (1.0, True),
])
def test_yes_no_spellings(raw, value):
    """Yes/no reads oui/non, vrai/faux, true/false, 1/0 in any case, trimmed, JSON booleans and 0/1."""
    assert read_bool(raw) is value


@pytest.mark.parametrize("raw", ["peut-être", "", None, 2, 0.5, "o"])
def test_yes_no_rejects_other_values(raw):
    """Anything else is refused with the accepted spellings."""
    with pytest.raises(BadValue, match="oui ou non"):
        read_bool(raw)


@pytest.mark.parametrize("raw, value", [(3, 3), ("12", 12), (" 4 ", 4), ("-2", -2)])
def test_whole_numbers(raw, value):
    """Whole numbers: JSON integers or digit strings."""
    assert read_int(raw) == value


@pytest.mark.parametrize("raw", [True, False, 2.0, "2.5", "deux", None, "", "\u0661\u0662"])
def test_whole_numbers_refuse_booleans_and_decimals(raw):
    """A JSON true is not a number, nor is a decimal or a word."""
    with pytest.raises(BadValue):
        read_int(raw)


@pytest.mark.parametrize("raw, cents", [
    ("1 234,56", 123456), ("1234.56", 123456), ("1234,5", 123450), ("1\u202f234,56 €", 123456),
    (12, 1200), (0.1, 10), (3000.06, 300006), (Decimal("12.30"), 1230), ("-12,50", -1250), ("7", 700),
])
def test_money_reads_exactly(raw, cents):
    """Money reads French and JSON forms to integer cents exactly."""
    assert read_money(raw) == cents


@pytest.mark.parametrize("raw", ["1,234", "12,345", 0.001, "1.2.3", "abc", True, None, float("nan"), "150.",
                                 "150,", " 150.", "\u0661\u0665\u0660"])
def test_money_never_rounds(raw):
    """More than two decimals, or anything not an amount, is an error, never rounded."""
    with pytest.raises(BadValue):
        read_money(raw)


@pytest.mark.parametrize("raw", ["2026-11-27", "27/11/2026", "27 novembre 2026", dt.date(2026, 11, 27)])
def test_dates(raw):
    """Dates read as ISO, French numeric or French long form."""
    assert read_date(raw) == dt.date(2026, 11, 27).toordinal()


@pytest.mark.parametrize("raw", ["2026-02-30", "31/04/2026", "demain", "", None])
def test_invalid_dates(raw):
    """Impossible or unreadable dates are refused."""
    with pytest.raises(BadValue):
        read_date(raw)


def test_codes_are_trimmed_text():
    """Codes are non-empty trimmed text; a JSON integer is refused, since 1053 may have been « 01053 »."""
    assert read_code(" 2A004 ") == "2A004"
    with pytest.raises(BadValue, match="zéros de tête"):
        read_code(1053)
    with pytest.raises(BadValue):
        read_code("  ")


def test_french_display():
    """Amounts and dates display the French way."""
    assert money_text(123456) == "1\u202f234,56 €"
    assert date_text(dt.date(2018, 1, 1).toordinal()) == "1er janvier 2018"
