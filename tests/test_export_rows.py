"""Decision tables as data: disjoint rows covering every household, with the interpreter's outcome, and their JSON."""

from __future__ import annotations

import itertools
import json
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings

import repartition
from repartition.export import CONDITIONS, TablesTooLarge, decision_rows
from repartition.export.json_tables import CONDITION, schema, to_dict
from repartition.export.rows import (Codes, InIntervals, InValues, IsKnown, IsUnknown, Linear, Membership,
                                     unit_value)
from repartition.semantics import DECIDED

from conftest import POLICIES
from test_proof_bruteforce import charters

jsonschema = pytest.importorskip("jsonschema")

HEAD = """charte « Essai »
services
  CAF : « CAF »
  DEP : « Département »
données du ménage
  dette [dette] : montant en euros d'au moins 0
  loyer [loyer] : montant en euros entre 1 et 5000, peut être inconnu
  commune [commune] : code
  jour [jour] : date
table « ccas » : fichier « ccas.csv », clé « code »
ensemble « littoral » : 17300, 17000
"""


def _load(text: str, tmp_path) -> repartition.Charter:
    (tmp_path / "ccas.csv").write_text("code\n17000\n16000\n", encoding="utf-8")
    return repartition.Charter.from_text(HEAD + text, name="essai.regles", base_dir=tmp_path, verify=False)


# ---- an evaluator of rows written for these tests: the rows' meaning, read from the data alone ----------

def _holds(condition, values: dict, lists: dict) -> bool:
    """Whether a household (machine name → value in the field's unit, None: unknown) meets a condition."""
    match condition:
        case IsUnknown(field=f):
            return values[f] is None
        case IsKnown(field=f):
            return values[f] is not None
        case Linear(terms=terms, op=op, bound=bound):
            total = sum(t.coefficient * values[t.field] for t in terms)
            return {">=": total >= bound, ">": total > bound, "<=": total <= bound, "<": total < bound}[op]
    value = values[condition.field]
    if value is None:
        return condition.or_unknown
    match condition:
        case InValues(values=allowed):
            return value in allowed
        case InIntervals(intervals=found):
            return any((i.low is None or value > i.low.value or (i.low.inclusive and value == i.low.value))
                       and (i.high is None or value < i.high.value or (i.high.inclusive and value == i.high.value))
                       for i in found)
        case Membership(inside=inside, outside=outside):
            return all(value in lists[r] for r in inside) and not any(value in lists[r] for r in outside)
        case Codes(codes=codes, excluded=excluded):
            return (value in codes) != excluded
    raise AssertionError(condition)


def _row_of(rows, values: dict):
    holding = [r for r in rows.rows if all(_holds(c, values, rows.code_lists) for c in r.conditions)]
    assert len(holding) == 1, (values, holding)
    return holding[0]


def _expected(charter, internal: tuple):
    outcome = charter.decide(internal)
    rules = charter.model.rules
    first = rules[outcome.rules[0]].name if outcome.kind == DECIDED else None
    return outcome.kind, outcome.service, first, tuple(rules[i].name for i in outcome.rules)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(charters())
def test_rows_partition_every_household_with_its_outcome(drawn):
    """On random charters, every household of the enumerated domain meets exactly one row, whose
    kind, service, deciding rule and rules are the interpreter's."""
    text, domains = drawn
    charter = repartition.Charter.from_text(text, name="aleatoire.regles", verify=False, engine="interprete")
    rows = decision_rows(charter.model)
    fields = charter.fields
    for internal in itertools.product(*domains):
        values = {f.machine: unit_value(f, v) for f, v in zip(fields, internal)}
        row = _row_of(rows, values)
        assert (row.kind, row.service, row.rule, row.rules) == _expected(charter, internal)


@pytest.mark.parametrize("name", ["dispositif-repartition.regles", "exemple-departemental.regles"])
def test_bundled_charters_validate_against_the_schema(name):
    """The JSON of both bundled charters is valid under the documented schema, which is itself valid."""
    validator = jsonschema.Draft202012Validator
    validator.check_schema(schema())
    charter = repartition.load_charter(POLICIES / name)
    document = to_dict(decision_rows(charter.model))
    validator(schema()).validate(document)
    json.dumps(document)  # plain JSON: no Decimal, no date left
    assert document["charte"]["sha256"] == charter.sha256
    assert not document["cas_non_tranches"]
    assert sum(len(s["lignes"]) for s in document["services"]) == len(decision_rows(charter.model).rows)


def test_examples_meet_the_row_of_their_service():
    """Each example of the departmental charter meets one row, of the service and rule it expects."""
    charter = repartition.load_charter(POLICIES / "exemple-departemental.regles")
    rows = decision_rows(charter.model)
    for example in charter.examples:
        validated = charter.validate(example.household)
        values = {f.machine: unit_value(f, v) for f, v in zip(charter.fields, validated.values)}
        row = _row_of(rows, values)
        assert (row.service, row.rule) == (example.service, example.rule)
        assert row.reference == next(r.reference for r in charter.rules if r.name == example.rule)
        assert row.partners == ()


def test_bounds_are_written_as_the_rules_write_them(tmp_path):
    """« plus de 5 000 € » is an open lower bound at 5000.00, « avant le 1er mars » an open upper bound."""
    charter = _load("règle « R »\n  si la dette est plus de 5 000 € et le jour est avant le 2026-03-01\n"
                    "  alors CAF\nrègle « Autres »\n  sinon DEP\n", tmp_path)
    (caf,) = [g for g in decision_rows(charter.model).groups if g.service == "CAF"]
    (row,) = caf.rows
    dette, jour = row.conditions
    assert CONDITION.visit(dette) == {"donnee": "dette", "type": "intervalles", "ou_inconnue": False,
                                      "intervalles": [{"min": "5000.00", "min_inclus": False}]}
    assert CONDITION.visit(jour) == {"donnee": "jour", "type": "intervalles", "ou_inconnue": False,
                                     "intervalles": [{"max": "2026-03-01", "max_inclus": False}]}


def test_codes_name_their_table_or_list_the_codes(tmp_path):
    """Membership names the table and the set when they say exactly which codes; else the codes are
    listed, or excluded by list where every other code is in."""
    charter = _load("règle « Littoral »\n  si la commune est dans « littoral » et la commune est dans « ccas »\n"
                    "  alors CAF\nrègle « Ailleurs »\n  si la commune est 99000\n  alors CAF\n"
                    "règle « Autres »\n  sinon DEP\n", tmp_path)
    rows = decision_rows(charter.model)
    shown = {r.rule: [CONDITION.visit(c) for c in r.conditions] for r in rows.rows if r.service == "CAF"}
    assert shown["Littoral"] == [{"donnee": "commune", "type": "appartenance", "ou_inconnue": False,
                                  "dans": [{"ensemble": "littoral"}, {"table": "ccas"}], "hors": []}]
    assert shown["Ailleurs"] == [{"donnee": "commune", "type": "codes", "codes": ["99000"], "sauf": False,
                                  "ou_inconnue": False}]
    others = [c for r in rows.rows if r.rule == "Autres" for c in map(CONDITION.visit, r.conditions)]
    assert {"donnee": "commune", "type": "codes", "codes": ["17000", "99000"], "sauf": True,
            "ou_inconnue": False} in others
    document = to_dict(rows)
    assert document["ensembles"] == [{"nom": "littoral", "valeurs": ["17000", "17300"]}]
    assert [(t["nom"], sorted(t["lignes"])) for t in document["tables"]] == [("ccas", ["16000", "17000"])]


def test_fois_is_a_linear_comparison_in_euros(tmp_path):
    """`la dette est au moins 6 fois le loyer` is `dette − 6 × loyer ≥ 0`, false: `< 0`, over known amounts."""
    charter = _load("règle « Lourde »\n  si la dette est au moins 6 fois le loyer\n  alors CAF\n"
                    "règle « Autres »\n  sinon DEP\n", tmp_path)
    rows = decision_rows(charter.model)
    found = {r.rule: [CONDITION.visit(c) for c in r.conditions] for r in rows.rows}
    assert found["Lourde"] == [{"donnee": "loyer", "type": "connue"},
                               {"type": "lineaire", "comparaison": ">=", "borne": "0.00",
                                "termes": [{"donnee": "dette", "coefficient": 1},
                                           {"donnee": "loyer", "coefficient": -6}]}]
    others = [r for r in rows.rows if r.rule == "Autres"]
    assert any(c.get("comparaison") == "<" for r in others for c in map(CONDITION.visit, r.conditions))
    values = {"dette": Decimal("2833.26"), "loyer": Decimal("472.21"), "commune": "1", "jour": None}
    assert _row_of(rows, values).rule == "Lourde"
    assert _row_of(rows, {**values, "dette": Decimal("2833.25")}).rule == "Autres"


def test_open_cases_are_rows_too(tmp_path):
    """A charter that leaves households open lists them, with the kind and the rules involved."""
    charter = _load("règle « A »\n  si la dette est au moins 10 €\n  alors CAF\n"
                    "règle « B »\n  si la dette est au moins 20 €\n  alors DEP\n", tmp_path)
    document = to_dict(decision_rows(charter.model))
    kinds = sorted((r["issue"], tuple(r["regles"])) for r in document["cas_non_tranches"])
    assert kinds == [("conflit", ("A", "B")), ("lacune", ())]
    assert all(r["service"] is None and r["regle"] is None for r in document["cas_non_tranches"])


def test_past_the_row_budget_the_rows_are_refused():
    """A row budget smaller than the charter's rows raises TablesTooLarge (a RepartitionError)."""
    charter = repartition.load_charter(POLICIES / "dispositif-repartition.regles")
    with pytest.raises(TablesTooLarge):
        decision_rows(charter.model, max_rows=2)
    assert isinstance(TablesTooLarge("x"), repartition.RepartitionError)


def test_every_condition_has_a_json_form():
    """Each kind of row condition has its method in the JSON writer (a new kind must add one)."""
    assert all(hasattr(CONDITION, "visit_" + kind.__name__) for kind in CONDITIONS)
    kinds = {"intervalles", "valeurs", "appartenance", "codes", "connue", "inconnue", "lineaire",
             "ecart_de_dates"}
    assert set(schema()["$defs"]["condition"]["oneOf"][i]["$ref"].rsplit("/", 1)[1]
               for i in range(len(CONDITIONS))) == kinds
