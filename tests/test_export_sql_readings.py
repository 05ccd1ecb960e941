"""SQL export in DuckDB: every value reads as Charter.route reads it (codes of a shape, numbers within the limits,
yes/no spellings, NaN, times of day), or is `invalide` where Python refuses it; text where a number is expected
stops the engine."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import repartition
from repartition.export import decision_rows

from conftest import POLICIES
from export_households import (SHAPED, SUMS, WIDE, assert_routes_like_python, households, insert, shaped_charters,
                               spelt_households, spelt_rows, sum_rows, wide_table)
from optional import need

duckdb = need("duckdb")
need("sqlglot")

from repartition.export.sql import create_table, to_sql  # noqa: E402

BUNDLED = {name: repartition.load_charter(POLICIES / name)
           for name in ("dispositif-repartition.regles", "exemple-departemental.regles")}
_SETTINGS = settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck), database=None)

def retyped(charter, column: str, kind: str) -> str:
    """The charter's CREATE TABLE with one column of another type."""
    return re.sub(rf'"{column}" [A-Z]+(\([^)]*\))?', f'"{column}" {kind}', create_table(charter.model), count=1)


def run(charter, rows: list[tuple], create: str) -> list[tuple]:
    connection = duckdb.connect()
    try:
        connection.execute(create)
        if rows:
            connection.execute(insert(charter, rows))
        return connection.execute(to_sql(decision_rows(charter.model))).fetchall()
    finally:
        connection.close()


@pytest.mark.parametrize("layout", sorted(WIDE))
@pytest.mark.parametrize("name", sorted(BUNDLED))
@_SETTINGS
@given(data=st.data())
def test_hostile_spellings_route_alike(name, layout, data):
    """The raw households of `testing.households(spellings=True)` (texts, floats, NaN, 10**20, 0.001,
    « Strasbourg », « Vrai », noon…) in a wide table: SQL gives each row what Charter.route gives it."""
    charter = BUNDLED[name]
    raws = data.draw(st.lists(spelt_households(charter), min_size=20, max_size=60))
    rows = spelt_rows(charter, raws, layout, "duckdb")
    assert_routes_like_python(charter, rows, run(charter, rows, wide_table(charter, layout, "duckdb")))


@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(data=st.data())
def test_charters_with_code_shapes_route_alike(data):
    """Charters whose code has a shape (commune, digits, characters) or none: threshold households in
    the declared table, and hostile spellings in a wide one, route alike."""
    charter = data.draw(shaped_charters())
    rows = data.draw(st.lists(households(charter), min_size=15, max_size=40))
    assert_routes_like_python(charter, rows, run(charter, rows, create_table(charter.model)))
    layout = data.draw(st.sampled_from(sorted(WIDE)))
    raws = data.draw(st.lists(spelt_households(charter), min_size=15, max_size=40))
    rows = spelt_rows(charter, raws, layout, "duckdb")
    assert_routes_like_python(charter, rows, run(charter, rows, wide_table(charter, layout, "duckdb")))


def _departmental_rows(changes: list[dict]) -> list[tuple]:
    charter = BUNDLED["exemple-departemental.regles"]
    base = {"commune": "96067", "date_signalement": dt.date(2026, 2, 10), "stade_procedure": "assignation",
            "type_bailleur": "prive", "enfants_a_charge": 1, "aide_au_logement": True,
            "prestations_familiales": True, "regime": "general", "connu_services_sociaux": True,
            "service_referent": "aucun", "dette_locative": Decimal("2400.00"), "loyer_mensuel": Decimal("600.00")}
    return [tuple({**base, **change}[f.machine] for f in charter.fields) for change in changes]


def _outcomes(rows: list[tuple], create: str) -> list[str | None]:
    charter = BUNDLED["exemple-departemental.regles"]
    results = run(charter, rows, create)
    assert_routes_like_python(charter, rows, results)
    return [r[-1] for r in results]


@pytest.mark.parametrize("code, reason", [
    ("96067", None), (" 2A004\u00a0", None), ("Strasbourg", "invalide"), ("2a004", "invalide"), ("960670", "invalide"),
    ("9606", "invalide"), ("\u0669\u0666\u0660\u0666\u0667", "invalide"), ("\uff19\uff16\uff10\uff16\uff17", "invalide"),
    ("96 067", "invalide"), ("96067\n1", "invalide"), ("", "invalide")])
def test_a_code_of_another_shape_is_invalid(code, reason):
    """A commune that is no INSEE code (a name, lower case, Arabic-Indic or full-width digits, a space
    inside) is `invalide`, as route refuses it; spaces around a code are trimmed, as in Python."""
    assert _outcomes(_departmental_rows([{"commune": code}]), create_table(BUNDLED["exemple-departemental.regles"].model)
                     ) == [reason]


@pytest.mark.parametrize("spelling, reason", [
    ("oui", None), ("VRAI", None), (" True\t", None), ("1", None), ("non", None), ("Faux", None), ("0", None),
    ("faLſe", None), ("\u212aO", "invalide"), ("t", "invalide"), ("yes", "invalide"), ("y", "invalide"),
    ("2", "invalide"), ("on", "invalide"), ("oui non", "invalide"), ("vrâi", "invalide"), ("", None),
    ("ı", "invalide")])
def test_yes_no_spellings_in_a_text_column(spelling, reason):
    """A yes/no column of text reads the spellings Python reads (oui, vrai, true, 1… in any case, as
    casefold makes them) and refuses those DuckDB itself would take (t, yes, y); blank is unknown."""
    charter = BUNDLED["exemple-departemental.regles"]
    create = retyped(charter, "aide_au_logement", "TEXT")
    assert _outcomes(_departmental_rows([{"aide_au_logement": spelling}]), create) == [reason]


def test_yes_no_from_whole_numbers():
    """A yes/no column of whole numbers: 1 and 0 read, 2 is `invalide` (DuckDB would make it true)."""
    charter = BUNDLED["exemple-departemental.regles"]
    create = retyped(charter, "aide_au_logement", "INTEGER")
    assert _outcomes(_departmental_rows([{"aide_au_logement": v} for v in (1, 0, 2, -1)]), create) == [
        None, None, "invalide", "invalide"]


@pytest.mark.parametrize("column, value, reason", [
    ("dette_locative", 0.29, None), ("dette_locative", 999999999999.99, None),
    ("dette_locative", 1e12, "invalide"), ("dette_locative", 1e15, "invalide"), ("dette_locative", 0.001, "invalide"),
    ("dette_locative", 1e-7, "invalide"), ("dette_locative", 123456789012.34003, "invalide"),
    ("dette_locative", float("inf"), "invalide"), ("dette_locative", float("nan"), "invalide"),
    ("loyer_mensuel", float("nan"), None), ("loyer_mensuel", float("-inf"), "invalide"),
    ("enfants_a_charge", 2.0, None), ("enfants_a_charge", 2.5, "invalide"), ("enfants_a_charge", float("nan"), "invalide")])
def test_numbers_from_binary_floats(column, value, reason):
    """Float columns: an amount is the one nearest its cents or `invalide`, within 999 999 999 999,99 €;
    NaN is no value (unknown for the rent, `invalide` for the debt); a whole number must be whole."""
    charter = BUNDLED["exemple-departemental.regles"]
    create = retyped(charter, column, "DOUBLE")
    assert _outcomes(_departmental_rows([{column: value}]), create) == [reason]


def test_a_fois_comparison_on_floats_is_exact():
    """0,30 € against 6 × 0,05 €: exact in the cast amounts, though 6 × 0.05 is not 0.3 in binary floats."""
    charter = _plain_shaped()
    create = retyped(charter, "dette", "DOUBLE")
    create = re.sub(r'"loyer" DECIMAL\(14, 2\)', '"loyer" DOUBLE', create)
    rows = [("Z", 0, dette, 0.05, None, dt.date(2026, 1, 1)) for dette in (0.29, 0.3, 0.31)]
    results = run(charter, rows, create)
    assert_routes_like_python(charter, rows, results)
    assert [r[len(rows[0])] for r in results] == ["C", "B", "B"]


def test_sums_past_numeric_and_bigint_route_alike():
    """Sums and multiples of amounts and whole numbers at the limits pass what numeric(14,2) and bigint
    hold: DuckDB adds them as exactly as Python does (no overflow error, no rounding), on every row."""
    charter = repartition.Charter.from_text(SUMS, name="sommes.regles", verify=False)
    rows = sum_rows()
    results = run(charter, rows, create_table(charter.model))
    assert_routes_like_python(charter, rows, results)
    assert {r[len(rows[0])] for r in results} == {"A", "B", "C"}


def _plain_shaped() -> repartition.Charter:
    """SHAPED with a code of no shape and numbers without bounds."""
    text = SHAPED.format(forme="code", liste="X", codes="Y", inconnu="", bornes="", bornes_dette="")
    return repartition.Charter.from_text(text, name="f.regles", verify=False)


@pytest.mark.parametrize("kind, value, reason", [
    ("HUGEINT", 2**63 - 1, None), ("HUGEINT", 2**63, "invalide"), ("HUGEINT", -2**63, None),
    ("HUGEINT", -2**63 - 1, "invalide"), ("DOUBLE", 2.0**63, "invalide"), ("DECIMAL(38, 6)", Decimal("7.000000"), None),
    ("DECIMAL(38, 6)", Decimal("7.5"), "invalide")])
def test_whole_numbers_within_64_bits(kind, value, reason):
    """An unbounded whole number from a wider column: within signed 64 bits and whole, or `invalide`."""
    charter = _plain_shaped()
    create = retyped(charter, "enfants", kind)
    rows = [("Z", value, Decimal("10.00"), Decimal("100.00"), None, None)]
    results = run(charter, rows, create)
    assert_routes_like_python(charter, rows, results)
    assert results[0][-1] == reason


def test_a_time_of_day_is_no_date():
    """A timestamp column: midnight reads as its day, any other time is `invalide` (route refuses it)."""
    charter = BUNDLED["exemple-departemental.regles"]
    create = retyped(charter, "date_signalement", "TIMESTAMP")
    rows = _departmental_rows([{"date_signalement": dt.datetime(2026, 2, 10)},
                               {"date_signalement": dt.datetime(2026, 2, 10, 0, 0, 1)}])
    assert _outcomes(rows, create) == [None, "invalide"]


@pytest.mark.parametrize("column", ["enfants_a_charge", "dette_locative", "date_signalement"])
def test_text_where_a_number_or_date_is_expected_stops_the_engine(column):
    """« 1 234,56 », « 2 » or « 10/02/2026 » in a text column: DuckDB refuses the statement before any
    row, rather than convert text by its own rules (which are not Python's)."""
    charter = BUNDLED["exemple-departemental.regles"]
    create = retyped(charter, column, "TEXT")
    connection = duckdb.connect()
    connection.execute(create)
    value = {"enfants_a_charge": "2", "dette_locative": "1 234,56", "date_signalement": "10/02/2026"}[column]
    connection.execute(f"INSERT INTO menages ({column}) VALUES ('{value}')")
    with pytest.raises(duckdb.BinderException):
        connection.execute(to_sql(decision_rows(charter.model)))
