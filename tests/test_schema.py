"""The JSON Schema (2020-12) of a household, generated from the charter: valid, and in step with the reading."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import repartition
from repartition import InvalidHousehold, model as m
from repartition.schema import charter_description, expected, household_schema

from conftest import POLICIES

CHARTERS = {name: repartition.load_charter(POLICIES / name)
            for name in ("dispositif-repartition.regles", "exemple-departemental.regles")}


def _canonical(field: m.Field) -> st.SearchStrategy:
    """Values of a field in the JSON forms the schema describes (not from the schema itself)."""
    kind = field.type
    if isinstance(kind, m.BoolType):
        values = st.booleans()
    elif isinstance(kind, m.IntType):
        values = st.integers(kind.minimum if kind.minimum is not None else -10**6,
                             kind.maximum if kind.maximum is not None else 10**6)
    elif isinstance(kind, m.MoneyType):
        cents = st.integers(kind.minimum if kind.minimum is not None else -10**9,
                            kind.maximum if kind.maximum is not None else 10**9)
        values = cents.map(lambda c: c // 100 if c % 100 == 0 else float(Decimal(c).scaleb(-2)))
    elif isinstance(kind, m.DateType):
        values = st.dates(dt.date(1990, 1, 1), dt.date(2060, 12, 31)).map(dt.date.isoformat)
    elif isinstance(kind, m.CodeType):
        values = st.sampled_from(sorted(_codes(field)) or ["96001"])
    else:
        values = st.sampled_from([v.machine for v in kind.values])
    return st.one_of(values, st.none()) if field.may_be_unknown else values


def _codes(field: m.Field) -> set[str]:
    """Codes every unit table of the charter knows, so that a household's unit is found."""
    charter = next(c for c in CHARTERS.values() if field in c.fields)
    tables = [s.unit.table for s in charter.model.services if s.unit is not None and s.unit.field == field]
    return set.intersection(*(set(t.mapping) for t in tables)) if tables else set()


def _households(charter: repartition.Charter) -> st.SearchStrategy:
    required = {f.machine: _canonical(f) for f in charter.fields if not f.has_default}
    optional = {f.machine: _canonical(f) for f in charter.fields if f.has_default}
    return st.fixed_dictionaries(required, optional=optional)


@pytest.mark.parametrize("name", sorted(CHARTERS))
def test_the_schema_is_valid_json_schema_2020_12(name):
    """The schema checks against the 2020-12 meta-schema, names every field, requires those without default."""
    charter = CHARTERS[name]
    schema = household_schema(charter)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert list(schema["properties"]) == [f.machine for f in charter.fields]
    assert schema["required"] == [f.machine for f in charter.fields if not f.has_default]
    assert charter.sha256 in schema["$id"]


@pytest.mark.parametrize("name", sorted(CHARTERS))
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_what_the_schema_accepts_the_charter_reads(name, data):
    """A household valid by the schema is read, and routed, with no InvalidHousehold."""
    charter = CHARTERS[name]
    household = data.draw(_households(charter))
    jsonschema.validate(household, household_schema(charter), cls=jsonschema.Draft202012Validator)
    charter.route(household)


@pytest.mark.parametrize("field, value", [
    ("enfants_a_charge", -1), ("enfants_a_charge", 21), ("enfants_a_charge", 2.5), ("enfants_a_charge", "2"),
    ("aide_au_logement", "peut-être"), ("stade_procedure", "expulsion"), ("date_signalement", "27/11/2026x"),
    ("dette_locative", -0.01), ("commune", " "), ("regime", None),
])
def test_what_the_reading_refuses_the_schema_refuses(field, value):
    """Wrong types, bounds, unknown values and null where a field may not be unknown fail both."""
    charter = CHARTERS["exemple-departemental.regles"]
    household = {f.machine: None for f in charter.fields if f.may_be_unknown}
    household.update({"commune": "96001", "date_signalement": "2026-01-05", "enfants_a_charge": 1,
                      "dette_locative": 100, "loyer_mensuel": 400, field: value})
    schema = household_schema(charter)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(household, schema, cls=jsonschema.Draft202012Validator)
    if value != "2":  # the reading also accepts whole numbers written as text
        with pytest.raises(InvalidHousehold):
            charter.validate(household)


def test_expected_and_field_descriptions():
    """`expected` gives type, bounds, values, formats; the description adds names, labels and defaults."""
    charter = CHARTERS["exemple-departemental.regles"]
    fields = {f.machine: f for f in charter.fields}
    assert expected(fields["enfants_a_charge"]) == {"type": "entier", "min": 0, "max": 20, "inconnu_possible": False}
    assert expected(fields["date_signalement"]) == {"type": "date", "formats": ["AAAA-MM-JJ", "JJ/MM/AAAA"],
                                                    "inconnu_possible": False}
    assert expected(fields["commune"]) == {"type": "code", "inconnu_possible": False}
    described = charter_description(charter)
    regime = next(f for f in described["champs"] if f["nom"] == "regime")
    assert regime["par_defaut"] is True and regime["defaut"] == "general"
    assert regime["libelles_valeurs"] == {"general": "régime général", "agricole": "régime agricole"}
    assert described["sha256"] == charter.sha256 and described["validite"] == {"debut": "2026-01-01", "fin": None}
    assert [r["nom"] for r in described["regles"]] == [r.name for r in charter.rules]
    assert all(r["condition"] for r in described["regles"])


@pytest.mark.parametrize("field, value, valid", [
    ("commune", "2A004", True), ("commune", "33063", True), ("commune", "Strasbourg", False),
    ("commune", "2A0045", False), ("commune", " 33063", False),
    ("enfants_a_charge", 2**63 - 1, True), ("enfants_a_charge", 2**63, False),
    ("dette_locative", 999_999_999_999.99, True), ("dette_locative", 10**12, False),
])
def test_code_shapes_and_number_limits(field, value, valid):
    """A shaped code's pattern is matched whole; numbers without declared bounds keep within the
    limits every backend holds (64-bit whole numbers, amounts up to 999 999 999 999,99 €), as the
    reading does (a space around a code: the reading trims it, the canonical form has none)."""
    charter = repartition.Charter.from_text(
        "charte « C »\nservices\n  A : « a »\ndonnées du ménage\n  commune [commune] : code commune\n"
        "  enfants [enfants_a_charge] : nombre entier\n  dette [dette_locative] : montant en euros\n"
        "règle « R »\n  sinon A\n", name="c.regles")
    household = {"commune": "96001", "enfants_a_charge": 1, "dette_locative": 100, field: value}
    validator = jsonschema.Draft202012Validator(household_schema(charter))
    assert validator.is_valid(household) is valid
    if valid:
        charter.validate(household)
    elif field != "commune" or value.strip() == value:
        with pytest.raises(InvalidHousehold):
            charter.validate(household)
