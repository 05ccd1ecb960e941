"""SQL export in a real PostgreSQL server: every row gets the service, rule, unit and reason Charter.route gives it."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import repartition
from repartition.export import decision_rows
from repartition.export.rows import unit_value

from conftest import POLICIES
from export_households import assert_routes_like_python, households, insert
from optional import missing, need
from postgres_server import throwaway_server
from test_proof_bruteforce import charters as small_charters
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


def run_postgres(connection, charter, rows: list[tuple]) -> list[tuple]:
    connection.execute("DROP TABLE IF EXISTS menages CASCADE")
    connection.execute(create_table(charter.model, dialect="postgresql"))
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


def _whole_domain_alike(connection, drawn) -> None:
    """Every household of a drawn charter's enumerated domain routes in PostgreSQL as in Python."""
    text, domains = drawn
    charter = repartition.Charter.from_text(text, name="aleatoire.regles", verify=False, engine="interprete")
    rows = [tuple(unit_value(f, v) for f, v in zip(charter.fields, values)) for values in itertools.product(*domains)]
    assert_routes_like_python(charter, rows, run_postgres(connection, charter, rows))


def test_values_python_cannot_hold_are_refused(connection):
    """PostgreSQL's NaN amount (numeric(14,2) holds it, not infinity) and infinite or BC dates are
    refused (`invalide`), never routed."""
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
    assert results == [("DEPARTEMENT", None)] + [(None, "invalide")] * 4


def test_a_view_is_created(connection):
    """--vue makes a view PostgreSQL accepts and queries."""
    charter = BUNDLED["dispositif-repartition.regles"]
    connection.execute(create_table(charter.model, dialect="postgresql"))
    connection.execute("INSERT INTO menages VALUES (2, true, 'Concours accordé', false)")
    connection.execute(to_sql(decision_rows(charter.model), dialect="postgresql", view="orientations"))
    assert connection.execute("SELECT service, regle FROM orientations").fetchall() == [
        ("DEPARTEMENT", "Procédure judiciaire")]
