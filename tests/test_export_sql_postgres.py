"""SQL export in a real PostgreSQL server: every row gets the service, rule, unit and reason Charter.route gives it."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import repartition
from repartition.export import decision_rows
from repartition.export.rows import unit_value

from conftest import POLICIES
from export_households import (SUMS, WIDE, assert_routes_like_python, households, insert, shaped_charters,
                               spelt_households, spelt_rows, sum_rows, wide_table)
from optional import missing, need
from postgres_server import throwaway_server
from test_proof_bruteforce import charters as small_charters
from test_export_sql_readings import retyped
from test_proof_bruteforce import date_charters

psycopg = need("psycopg")
need("sqlglot")

from repartition.export.sql import create_table, to_sql  # noqa: E402

BUNDLED = {name: repartition.load_charter(POLICIES / name)
           for name in ("dispositif-repartition.regles", "exemple-departemental.regles")}


@pytest.fixture(scope="module")
def server():
    """A throwaway PostgreSQL server for this module (initdb, a unix socket, stopped at the end)."""
    try:
        context = throwaway_server()
        keywords = context.__enter__()
    except (OSError, Exception) as error:  # no server binaries, or they would not start
        missing(f"serveur PostgreSQL indisponible : {error}")
    try:
        yield keywords
    finally:
        context.__exit__(None, None, None)


@pytest.fixture
def connection(server):
    with psycopg.connect(**server, autocommit=True) as connection:
        connection.execute("DROP TABLE IF EXISTS menages CASCADE")
        yield connection


def run_postgres(connection, charter, rows: list[tuple], create: str | None = None) -> list[tuple]:
    connection.execute("DROP TABLE IF EXISTS menages CASCADE")
    connection.execute(create or create_table(charter.model, dialect="postgresql"))
    if rows:
        connection.execute(insert(charter, rows, dialect="postgresql"))
    return connection.execute(to_sql(decision_rows(charter.model), dialect="postgresql")).fetchall()


@pytest.mark.parametrize("name", sorted(BUNDLED))
def test_bundled_charters_route_alike_in_postgresql(connection, name):
    """Threshold-biased households of both bundled charters (unknowns, spellings, refused values):
    PostgreSQL gives what Charter.route gives, on every row."""
    charter = BUNDLED[name]

    @settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(st.lists(households(charter), min_size=100, max_size=300))
    def check(rows):
        assert_routes_like_python(charter, rows, run_postgres(connection, charter, rows))

    check()


@pytest.mark.parametrize("layout", sorted(WIDE))
@pytest.mark.parametrize("name", sorted(BUNDLED))
def test_hostile_spellings_route_alike_in_postgresql(connection, name, layout):
    """The raw households of `testing.households(spellings=True)` in a wide table (text yes/no, double
    precision or unconstrained numeric with NaN and infinities, timestamps): PostgreSQL gives what
    Charter.route gives, on every row."""
    charter = BUNDLED[name]

    @settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(st.lists(spelt_households(charter), min_size=20, max_size=60))
    def check(raws):
        rows = spelt_rows(charter, raws, layout, "postgresql")
        assert_routes_like_python(charter, rows, run_postgres(
            connection, charter, rows, wide_table(charter, layout, "postgresql")))

    check()


def test_charters_with_code_shapes_route_alike_in_postgresql(connection):
    """Charters whose code has a shape, or none: threshold households and hostile spellings route alike."""

    @settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(st.data())
    def check(data):
        charter = data.draw(shaped_charters())
        rows = data.draw(st.lists(households(charter), min_size=15, max_size=40))
        assert_routes_like_python(charter, rows, run_postgres(connection, charter, rows))
        layout = data.draw(st.sampled_from(sorted(WIDE)))
        raws = data.draw(st.lists(spelt_households(charter), min_size=15, max_size=40))
        rows = spelt_rows(charter, raws, layout, "postgresql")
        assert_routes_like_python(charter, rows, run_postgres(
            connection, charter, rows, wide_table(charter, layout, "postgresql")))

    check()


@pytest.mark.parametrize("column, value", [("enfants_a_charge", "2"), ("dette_locative", "1 234,56"),
                                           ("date_signalement", "10/02/2026"), ("aide_au_logement", " Vrai "),
                                           ("aide_au_logement", "t")])
def test_text_columns_in_postgresql(connection, column, value):
    """A text column where a number, an amount or a date is expected: PostgreSQL refuses the statement
    before any row; yes/no as text reads the spellings Python reads, and refuses PostgreSQL's own (t)."""
    charter = BUNDLED["exemple-departemental.regles"]
    connection.execute(retyped(charter, column, "TEXT"))
    household = {**dict(zip([f.machine for f in charter.fields], (
        "96067", "2026-02-10", "commandement de payer", "prive", 1, True, True, "general", True, "departement",
        "2400.00", "600.00"))), column: value}
    connection.execute(f"INSERT INTO menages ({', '.join(household)}) VALUES ({', '.join('%s' for _ in household)})",
                       list(household.values()))
    statement = to_sql(decision_rows(charter.model), dialect="postgresql")
    if column != "aide_au_logement":
        with pytest.raises(psycopg.errors.UndefinedFunction):
            connection.execute(statement)
        return
    (result,) = connection.execute(statement).fetchall()
    try:
        expected = (charter.route(household).service, None)
    except repartition.InvalidHousehold:
        expected = (None, "invalide")
    assert (result[len(household)], result[-1]) == expected


def test_generated_charters_route_alike_in_postgresql(connection):
    """Random small charters, each household of their enumerated domain, route alike in PostgreSQL."""

    @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(small_charters())
    def check(drawn):
        _whole_domain_alike(connection, drawn)

    check()


def test_sums_and_months_route_alike_in_postgresql(connection):
    """Charters on sums of amounts, and on two dates days or calendar months apart, with every day of
    windows around month ends (a leap year or not): PostgreSQL adds months as the charter does."""

    @settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(st.one_of(date_charters(), small_charters(required=("d", "l", "h"), extra=1)))
    def check(drawn):
        _whole_domain_alike(connection, drawn)

    check()


def test_sums_past_numeric_and_bigint_route_alike_in_postgresql(connection):
    """Sums and multiples of amounts and whole numbers at the limits pass what numeric(14,2) and bigint
    hold: PostgreSQL adds them as exactly as Python does (no « bigint out of range »), on every row."""
    charter = repartition.Charter.from_text(SUMS, name="sommes.regles", verify=False)
    rows = sum_rows()
    assert_routes_like_python(charter, rows, run_postgres(connection, charter, rows))


def _whole_domain_alike(connection, drawn) -> None:
    """Every household of a drawn charter's enumerated domain routes in PostgreSQL as in Python."""
    text, domains = drawn
    charter = repartition.Charter.from_text(text, name="aleatoire.regles", verify=False, engine="interprete")
    rows = [tuple(unit_value(f, v) for f, v in zip(charter.fields, values)) for values in itertools.product(*domains)]
    assert_routes_like_python(charter, rows, run_postgres(connection, charter, rows))


def test_nan_amounts_and_dates_python_cannot_hold(connection):
    """PostgreSQL's NaN amount (numeric(14,2) holds it) reads as Python reads Decimal('NaN'): no value,
    unknown where the field may be unknown (the rent), `invalide` elsewhere (the debt); infinite and BC
    dates, which Python cannot hold, are refused (`invalide`), never routed."""
    charter = BUNDLED["exemple-departemental.regles"]
    connection.execute(create_table(charter.model, dialect="postgresql"))
    example = dict(zip([f.machine for f in charter.fields], (
        "96067", "2026-02-10", "commandement de payer", "prive", 1, True, True, "general", True, "departement",
        "2400.00", "600.00")))
    columns = ", ".join(f'"{k}"' for k in example)
    marks = ", ".join("%s" for _ in example)
    for change in ({}, {"dette_locative": "NaN"}, {"loyer_mensuel": "NaN"}, {"date_signalement": "infinity"},
                   {"date_signalement": "0044-03-15 BC"}):
        connection.execute(f"INSERT INTO menages ({columns}) VALUES ({marks})", list({**example, **change}.values()))
    statement = to_sql(decision_rows(charter.model), dialect="postgresql").rstrip().rstrip(";")
    # Only the added columns: psycopg itself cannot read an infinite date back into Python.
    results = connection.execute(f"SELECT service, non_oriente FROM ({statement}) AS t").fetchall()
    unknown_rent = charter.route({**example, "loyer_mensuel": Decimal("NaN")})
    assert charter.route({**example, "loyer_mensuel": None}).service == unknown_rent.service
    with pytest.raises(repartition.InvalidHousehold):
        charter.route({**example, "dette_locative": Decimal("NaN")})
    assert results == [("DEPARTEMENT", None), (None, "invalide"), (unknown_rent.service, None)] + [
        (None, "invalide")] * 2


def test_a_view_is_created(connection):
    """--vue makes a view PostgreSQL accepts and queries."""
    charter = BUNDLED["dispositif-repartition.regles"]
    connection.execute(create_table(charter.model, dialect="postgresql"))
    connection.execute("INSERT INTO menages VALUES (2, true, 'Concours accordé', false)")
    connection.execute(to_sql(decision_rows(charter.model), dialect="postgresql", view="orientations"))
    assert connection.execute("SELECT service, regle FROM orientations").fetchall() == [
        ("DEPARTEMENT", "Procédure judiciaire")]
