"""Reading input values as langage.md says; money never goes through binary floating point."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from repartition.values import (INT_MAX, INT_MIN, MONEY_LIMIT, BadValue, OutOfRange, date_text, is_blank,
                                money_text, plain, read_bool, read_code, read_date, read_int, read_money)


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


@pytest.mark.parametrize("raw, value", [
    (INT_MAX, INT_MAX), (INT_MIN, INT_MIN), (str(INT_MAX), INT_MAX), (str(INT_MIN), INT_MIN),
    ("0" * 5000 + "12", 12), ("-" + "0" * 30 + "7", -7), ("+0", 0),
])
def test_whole_numbers_up_to_64_bits(raw, value):
    """Whole numbers are signed 64-bit integers (SQL bigint); leading zeros are no digits."""
    assert read_int(raw) == value


@pytest.mark.parametrize("raw", [INT_MAX + 1, INT_MIN - 1, pytest.param(10**5000, id="10**5000"),
                                 str(INT_MAX + 1), str(INT_MIN - 1),
                                 "9" * 20, "1" * 5000, "-" + "1" * 5000])
def test_whole_numbers_beyond_64_bits_are_refused_in_french(raw):
    """Beyond 64 bits, however many digits (past the 4 300 Python converts), a French error, never ValueError."""
    with pytest.raises(OutOfRange, match="un nombre entier entre -9\u202f223\u202f372"):
        read_int(raw)


@pytest.mark.parametrize("raw, cents", [
    ("999999999999.99", MONEY_LIMIT), ("-999 999 999 999,99 €", -MONEY_LIMIT), (999999999999.99, MONEY_LIMIT),
    (999999999999, MONEY_LIMIT - 99), (Decimal("999999999999.990"), MONEY_LIMIT), ("0" * 5000 + "12,5", 1250),
    (Decimal("1.10E+3"), 110000), (Decimal("-0"), 0), (-0.0, 0),
])
def test_amounts_up_to_the_largest(raw, cents):
    """Amounts up to 999 999 999 999,99 € (SQL numeric(14,2)) in every form; leading zeros are no digits."""
    assert read_money(raw) == cents


@pytest.mark.parametrize("raw", [
    "1000000000000", "1 000 000 000 000,00 €", 10**12, -10**12, 1e12, 1e13, 70000000000000.12, 1e300,
    Decimal("1E+5000"), "1" * 5000, "1" * 5000 + ",5", "-" + "9" * 13,
])
def test_amounts_beyond_the_largest_are_refused_in_french(raw):
    """Past 999 999 999 999,99 €, however written (5 000 digits included), a French error, never ValueError."""
    with pytest.raises(OutOfRange, match="un montant d'au plus 999\u202f999\u202f999\u202f999,99 €"):
        read_money(raw)


@pytest.mark.parametrize("raw, cents", [
    (0.1, 10), (0.29, 29), (1.15, 115), (4.35, 435), (1234.5, 123450), (123456789012.34, 12345678901234),
    (999999999999.98, 99999999999998), (-0.07, -7), (5e-1, 50), (1e2, 10000),
])
def test_a_float_is_read_as_its_shortest_decimal_form(raw, cents):
    """A JSON float is the amount its shortest decimal form (repr) writes, exactly."""
    assert Decimal(repr(raw)) * 100 == cents
    assert read_money(raw) == cents


@pytest.mark.parametrize("raw", [0.1 + 0.2, 1e-7, 0.005, 12.345, 123456789012.345, float("inf")])
def test_a_float_with_more_than_two_decimals_is_refused(raw):
    """A float whose shortest decimal form has more than two decimals is refused, never rounded."""
    with pytest.raises(BadValue, match="au plus deux décimales"):
        read_money(raw)


def test_numpy_scalars_are_their_python_values():
    """plain() gives the Python value a numpy scalar stands for, without repartition importing numpy."""
    np = pytest.importorskip("numpy")
    cases = [(np.int64(5), 5), (np.uint8(3), 3), (np.float64(12.5), 12.5), (np.float32(0.5), 0.5),
             (np.bool_(True), True), (np.str_("oui"), "oui"), (np.array(7), 7),
             (np.datetime64("2026-11-27"), dt.date(2026, 11, 27))]
    for raw, value in cases:
        assert plain(raw) == value and type(plain(raw)) is type(value)
    for other in (np.array([1, 2]), np.longdouble(1.5), "x", 3, None):
        assert plain(other) is other


def test_no_value_is_none_blank_text_nan_na_or_nat():
    """None, blank text, NaN (float, numpy or Decimal) and pandas' NA and NaT say « no value »."""
    np = pytest.importorskip("numpy")
    pd = pytest.importorskip("pandas")
    for blank in (None, "", "  ", float("nan"), np.float64("nan"), Decimal("NaN"), Decimal("sNaN"), pd.NA, pd.NaT):
        assert is_blank(blank), blank
    for value in (0, 0.0, "0", False, "x", Decimal(0), pd.Timestamp("2026-01-01")):
        assert not is_blank(value), value


def test_french_display():
    """Amounts and dates display the French way."""
    assert money_text(123456) == "1\u202f234,56 €"
    assert date_text(dt.date(2018, 1, 1).toordinal()) == "1er janvier 2018"
