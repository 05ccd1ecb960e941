"""SQL export: in DuckDB the statement gives every row the service, rule, unit and reason Charter.route gives it."""

from __future__ import annotations

import functools
import itertools
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import repartition
from repartition.export import decision_rows
from repartition.export.rows import unit_value

from conftest import POLICIES
from export_households import assert_routes_like_python, households, insert
from optional import need
from test_proof_bruteforce import charters as small_charters
from test_proof_bruteforce import date_charters
from test_properties import charters as property_charters

duckdb = need("duckdb")
sqlglot = need("sqlglot")

from repartition.export.sql import OUTPUT_COLUMNS, build_select, create_table, to_sql  # noqa: E402
from repartition.export.sql_reading import WHITESPACE, _folded, characters, column_type  # noqa: E402
from repartition.dsl.names import normalize  # noqa: E402

BUNDLED = {name: repartition.load_charter(POLICIES / name)
           for name in ("dispositif-repartition.regles", "exemple-departemental.regles")}
_SETTINGS = settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@functools.cache
def exported(charter, dialect: str = "duckdb") -> str:
    """The charter's statement, made once per charter."""
    return to_sql(decision_rows(charter.model), dialect=dialect)


def run_duckdb(charter, rows: list[tuple], sql: str | None = None) -> list[tuple]:
    """Load the rows into a fresh in-memory `menages` table, run the export, return every output row."""
    connection = duckdb.connect()
    try:
        connection.execute(create_table(charter.model))
        if rows:
            connection.execute(insert(charter, rows))
        return connection.execute(sql or exported(charter)).fetchall()
    finally:
        connection.close()


@pytest.mark.parametrize("name", sorted(BUNDLED))
@_SETTINGS
@given(data=st.data())
def test_bundled_charters_route_alike_in_duckdb(name, data):
    """On threshold-biased households (unknowns, spellings, refused values), both bundled charters'
    SQL gives the service, rule, unit and reason of Charter.route on every row."""
    charter = BUNDLED[name]
    rows = data.draw(st.lists(households(charter), min_size=50, max_size=250))
    assert_routes_like_python(charter, rows, run_duckdb(charter, rows))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_charters())
def test_generated_charters_route_alike_on_their_whole_domain(drawn):
    """On random small charters (every field type, unknowns, sets, ratios), the SQL routes every
    household of the enumerated domain as the interpreter does, gaps and conflicts included."""
    _whole_domain_alike(drawn)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(date_charters(), small_charters(required=("d", "l", "h"), extra=1)))
def test_sums_and_months_route_alike_on_their_whole_domain(drawn):
    """Sums of amounts, and two dates days or calendar months apart on every day of windows around
    month ends (leap years too): the SQL routes each household as the interpreter does."""
    _whole_domain_alike(drawn)


def _whole_domain_alike(drawn) -> None:
    """Every household of a drawn charter's enumerated domain routes in DuckDB as in Python."""
    text, domains = drawn
    charter = repartition.Charter.from_text(text, name="aleatoire.regles", verify=False, engine="interprete")
    rows = [tuple(unit_value(f, v) for f, v in zip(charter.fields, values)) for values in itertools.product(*domains)]
    assert_routes_like_python(charter, rows, run_duckdb(charter, rows))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_property_charters_route_alike(data):
    """On the random charters of the property tests (defaults, unknowns, ratios), threshold-biased rows agree."""
    text = data.draw(property_charters())
    charter = repartition.Charter.from_text(text, name="a.regles", verify=False)
    rows = data.draw(st.lists(households(charter), min_size=10, max_size=60))
    assert_routes_like_python(charter, rows, run_duckdb(charter, rows))


def test_every_file_example_routes_alike():
    """The examples of both bundled charters route in SQL as their charter says."""
    for charter in BUNDLED.values():
        rows = []
        for example in charter.examples:
            validated = charter.validate(example.household).values
            rows.append(tuple(unit_value(f, v) for f, v in zip(charter.fields, validated)))
        results = run_duckdb(charter, rows)
        width = len(charter.fields)
        assert [(r[width], r[width + 1]) for r in results] == [(e.service, e.rule) for e in charter.examples]


def test_statement_is_one_select_with_its_lists_in_values():
    """One statement (a WITH … SELECT), table files and sets as VALUES, identifiers quoted, no
    reference to any file; --vue wraps it in CREATE VIEW and --table names the table read."""
    charter = BUNDLED["exemple-departemental.regles"]
    rows = decision_rows(charter.model)
    statements = sqlglot.parse(to_sql(rows), read="duckdb")
    assert len(statements) == 1 and isinstance(statements[0], sqlglot.exp.Select)
    values = list(statements[0].find_all(sqlglot.exp.Values))
    assert len(values) == 3  # the set, the table of CCAS communes, the table of territorial units
    assert all(i.quoted for i in statements[0].find_all(sqlglot.exp.Identifier) if i.name != "_values")
    view = to_sql(rows, view="orientations", table="travail.signalements")
    create = sqlglot.parse_one(view, read="duckdb")
    assert isinstance(create, sqlglot.exp.Create) and create.args["kind"] == "VIEW"
    assert '"travail"."signalements"' in view
    assert "unites-territoriales.csv" not in view


def test_literals_are_typed():
    """Amounts are numeric literals (never floats), dates date literals, numbers integer literals; the
    columns are cast only to text (yes/no, NaN), bigint, numeric(14,2) and date."""
    charter = BUNDLED["exemple-departemental.regles"]
    select = build_select(decision_rows(charter.model))
    casts = {c.to.sql() for c in select.find_all(sqlglot.exp.Cast) if isinstance(c.this, sqlglot.exp.Literal)}
    assert casts == {"DECIMAL(14, 2)", "DATE"}
    columns = {c.to.sql() for c in select.find_all(sqlglot.exp.Cast) if not isinstance(c.this, sqlglot.exp.Literal)}
    assert columns == {"TEXT", "BIGINT", "DECIMAL(14, 2)", "DATE"}
    assert not [lit for lit in select.find_all(sqlglot.exp.Literal) if not lit.is_string and "." in lit.this]


def test_view_runs_and_keeps_extra_columns():
    """A view over a table with more columns than the charter's keeps them, in place, before the added ones."""
    charter = BUNDLED["dispositif-repartition.regles"]
    connection = duckdb.connect()
    connection.execute('CREATE TABLE "signalements" ("identifiant" TEXT, "enfants_a_charge" INTEGER, '
                       '"aide_au_logement" BOOLEAN, "stade_procedure" TEXT, "connu_services_sociaux" BOOLEAN)')
    connection.execute("INSERT INTO signalements VALUES ('S1', 2, TRUE, 'Assignation', FALSE), "
                       "('S2', 2, TRUE, 'aucune', FALSE), ('S3', NULL, TRUE, 'aucune', FALSE)")
    connection.execute(to_sql(decision_rows(charter.model), view="orientations", table="signalements"))
    result = connection.execute("SELECT * FROM orientations ORDER BY identifiant").fetchall()
    columns = [d[0] for d in connection.description]
    assert columns == ["identifiant", "enfants_a_charge", "aide_au_logement", "stade_procedure",
                       "connu_services_sociaux", *OUTPUT_COLUMNS]
    assert [r[0] for r in result] == ["S1", "S2", "S3"]
    assert [r[5:] for r in result] == [
        ("DEPARTEMENT", "Procédure judiciaire", None, "", None),
        ("CAF", "Familles allocataires", None, "", None),
        (None, None, None, None, "invalide")]


def test_column_types():
    """Plain SQL types: integer (bigint unbounded), numeric(14,2), text, boolean, date."""
    charter = BUNDLED["exemple-departemental.regles"]
    types = {f.machine: column_type(f) for f in charter.fields}
    assert types == {"commune": "text", "date_signalement": "date", "stade_procedure": "text",
                     "type_bailleur": "text", "enfants_a_charge": "integer", "aide_au_logement": "boolean",
                     "prestations_familiales": "boolean", "regime": "text", "connu_services_sociaux": "boolean",
                     "service_referent": "text", "dette_locative": "numeric(14,2)", "loyer_mensuel": "numeric(14,2)"}
    assert column_type(BUNDLED["dispositif-repartition.regles"].fields[0]) == "bigint"


def test_spark_text_parses_back_and_runs_the_same():
    """The Spark SQL text parses back with sqlglot; read as Spark and run in DuckDB, it routes alike."""
    for charter in BUNDLED.values():
        text = to_sql(decision_rows(charter.model), dialect="spark")
        assert "`menages`" in text
        parsed = sqlglot.parse_one(text, read="spark")
        rows = [tuple(unit_value(f, v) for f, v in zip(charter.fields, charter.validate(e.household).values))
                for e in charter.examples]
        again = parsed.sql(dialect="duckdb")
        assert_routes_like_python(charter, rows, run_duckdb(charter, rows, again))


def test_spark_adds_months_with_add_months():
    """In Spark SQL, calendar months are ADD_MONTHS (the day kept, or the month's last day); read back
    as Spark and run in DuckDB, month ends and leap days route as Python routes them."""
    import datetime as dt

    text = ("charte « Mois »\nservices\n  A : « a »\n  B : « b »\ndonnées du ménage\n  impayé [t] : date\n"
            "  signalement [u] : date\nrègle « R »\n  si impayé est au moins 1 mois avant signalement\n  alors A\n"
            "règle « S »\n  sinon B\n")
    charter = repartition.Charter.from_text(text, name="m.regles", verify=False)
    spark = to_sql(decision_rows(charter.model), dialect="spark")
    assert "ADD_MONTHS(" in spark
    days = [dt.date(2024, 1, 31), dt.date(2024, 2, 28), dt.date(2024, 2, 29), dt.date(2023, 1, 31), dt.date(2023, 2, 28)]
    rows = list(itertools.product(days, days))
    again = sqlglot.parse_one(spark, read="spark").sql(dialect="duckdb")
    assert_routes_like_python(charter, rows, run_duckdb(charter, rows, again))


def test_whitespace_is_every_python_space():
    """The characters the SQL trims are exactly those str.strip() and the \\s of names trim."""
    import re
    import sys

    spaces = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()]
    assert "".join(spaces) == WHITESPACE
    assert all(re.fullmatch(r"\s", c) for c in spaces)


@pytest.mark.parametrize("text", ["  La   Concours\u00a0ACCORDÉ ", "L’ASSIGNATION", "les jugement", "Ａ",
                                  "e\u0301tape", "STRAẞE", "ǅ", "ﬁn", "lſ", "leſ jugement", "Ɵ", "ı"])
def test_folding_matches_normalize_or_refuses(text):
    """The SQL folding of a text equals dsl.names.normalize of it, or differs only by characters
    outside the Latin alphabets (such a text matches no spelling: it is refused, never misread)."""
    query = sqlglot.exp.select(_folded(sqlglot.exp.Literal.string(text))).from_("caracteres").with_(*characters())
    folded = duckdb.connect().execute(query.sql(dialect="duckdb")).fetchone()[0]
    expected = normalize(text)
    if folded != expected:
        assert any(unicodedata.category(c).startswith("L") and ord(c) > 0x24F and c not in "ẞ"
                   for c in text), (text, folded, expected)
