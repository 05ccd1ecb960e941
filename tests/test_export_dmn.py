"""DMN export: valid DMN 1.3 XML that an independent engine (pyDMNrules) evaluates to the charter's service and rule."""

from __future__ import annotations

import functools
import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import repartition
from repartition import InvalidHousehold
from repartition.export import CONDITIONS, decision_rows
from repartition.export.dmn import NAMESPACE, DmnError, Entries, to_dmn
from repartition.export.rows import unit_value

from conftest import POLICIES
from export_households import households, python_household
from optional import need

BUNDLED = {name: repartition.load_charter(POLICIES / name)
           for name in ("dispositif-repartition.regles", "exemple-departemental.regles")}
Q = {"d": NAMESPACE}


@functools.cache
def engine(xml: str):
    """pyDMNrules loaded with the exported table (importing pyDMNrules builds its FEEL parser: slow).

    Two faults of pyDMNrules 1.4.5 are worked around in its copy, the rules' entries and outputs
    untouched: it fails on the table's annotation clauses (a KeyError in its reader, `annotation`
    for `annotations`), and its check of allowed values refuses every number against a range
    (`5 in ([1..10], null)` is false for it): those two kinds of elements are removed.
    """
    dmn = need("pyDMNrules")
    readable = re.sub(r'\s*<annotation name="[^"]*" />', "", xml)
    readable = re.sub(r"\s*<inputValues>\s*<text>\[[^<]*</text>\s*</inputValues>", "", readable)
    loaded = dmn.DMN()
    status = loaded.useXML(readable)
    assert not status.get("errors"), status
    return loaded


def dmn_inputs(charter, values: tuple) -> dict | None:
    """The engine's inputs for a row the charter reads, or None for a refused one: unknown and an
    absent defaulted field are null; amounts are given as the engine takes numbers (float)."""
    household = python_household(charter, values)
    try:
        read = charter.validate(household)
    except InvalidHousehold:
        return None
    inputs = {}
    for f, value in zip(charter.fields, read.values):
        shown = None if f.machine not in household else unit_value(f, value)
        inputs[f.machine] = float(shown) if isinstance(shown, Decimal) else shown
    return inputs


def decide(loaded, inputs: dict) -> tuple:
    status, result = loaded.decide(inputs)
    assert not status.get("errors"), (inputs, status)
    outputs = result["Result"]
    pick = lambda name: next(v for k, v in outputs.items() if k.split(".")[-1] == name)  # noqa: E731
    return pick("service"), pick("regle")


@pytest.mark.parametrize("name", sorted(BUNDLED))
@settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(data=st.data())
def test_an_independent_engine_gives_the_charter_service(name, data):
    """pyDMNrules, reading the exported XML, gives each generated household of both bundled
    charters the service and deciding rule Charter.route gives it (unknowns, defaults, ratio ties)."""
    charter = BUNDLED[name]
    loaded = engine(to_dmn(decision_rows(charter.model)))
    readable = households(charter).filter(lambda values: dmn_inputs(charter, values) is not None)
    for values in data.draw(st.lists(readable, min_size=25, max_size=40)):
        decision = charter.route(python_household(charter, values))
        assert decide(loaded, dmn_inputs(charter, values)) == (decision.service, decision.rule)


def test_examples_decide_alike():
    """Every example of both charters, given to pyDMNrules, gets its expected service and rule."""
    for charter in BUNDLED.values():
        loaded = engine(to_dmn(decision_rows(charter.model)))
        for example in charter.examples:
            read = charter.validate(example.household).values
            inputs = {f.machine: unit_value(f, v) for f, v in zip(charter.fields, read)}
            inputs = {k: float(v) if isinstance(v, Decimal) else v for k, v in inputs.items()}
            assert decide(loaded, inputs) == (example.service, example.rule), example.name


def test_document_is_dmn_13_with_one_unique_table():
    """One decision, one table with hit policy UNIQUE, typed inputs, allowed values, and rules
    annotated with the charter's text and reference."""
    charter = BUNDLED["dispositif-repartition.regles"]
    root = ET.fromstring(to_dmn(decision_rows(charter.model)))
    assert root.tag == f"{{{NAMESPACE}}}definitions"
    (table,) = root.findall(".//d:decisionTable", Q)
    assert table.get("hitPolicy") == "UNIQUE"
    types = {i.get("label"): i.find("d:inputExpression", Q).get("typeRef") for i in table.findall("d:input", Q)}
    assert types == {"enfants_a_charge": "number", "aide_au_logement": "boolean", "stade_procedure": "string",
                     "connu_services_sociaux": "boolean"}
    stage = table.findall("d:input", Q)[2].find("d:inputValues/d:text", Q).text
    assert stage.startswith('"aucune", "commandement_de_payer", "assignation"')
    assert [a.get("name") for a in table.findall("d:annotation", Q)] == ["texte", "reference"]
    first = table.find("d:rule", Q)
    notes = [t.text for t in first.findall("d:annotationEntry/d:text", Q)]
    assert notes == [charter.rules[0].text, charter.rules[0].reference]
    assert len(table.findall("d:rule", Q)) == len(decision_rows(charter.model).rows)


def test_unknown_and_fois_entries():
    """Unknown is null (not(null) when excluded); a `fois` comparison is entered against the other amount."""
    text = BUNDLED["exemple-departemental.regles"]
    xml = to_dmn(decision_rows(text.model))
    entries = set(re.findall(r"<text>([^<]*)</text>", xml))
    assert "null" in entries and any(e.startswith("not(null") for e in entries)
    assert {"&gt; 6 * loyer_mensuel - 0.001", "&lt; 6 * loyer_mensuel - 0.001"} <= entries


def test_default_and_unknown_together_cannot_be_told_apart():
    """A field both defaulted and possibly unknown, tested for unknown, is refused with a French error."""
    charter = repartition.Charter.from_text(
        "charte « C »\nservices\n  A : « a »\n  B : « b »\ndonnées du ménage\n"
        "  x [x] : oui ou non, peut être inconnu, par défaut oui\n"
        "règle « R »\n  si x est inconnu\n  alors A\nrègle « S »\n  sinon B\n", name="c.regles")
    with pytest.raises(DmnError, match="valeur par défaut"):
        to_dmn(decision_rows(charter.model))


def test_every_condition_has_an_entry():
    """Each kind of row condition has its method in the DMN writer (a new kind must add one)."""
    assert all(hasattr(Entries, "visit_" + kind.__name__) for kind in CONDITIONS)


_RELATIONS = """charte « Relations »
services
  A : « a »
  B : « b »
  C : « c »
données du ménage
  impayé [t] : date
  signalement [u] : date
  dette [d] : montant en euros d'au moins 0
  loyer [l] : montant en euros d'au moins 0
  charges [h] : montant en euros d'au moins 0
règle « Ancien »
  si impayé est au moins 1 mois avant signalement et signalement est au plus 29 jours après impayé
  alors A, en lien avec C
règle « Lourde », par exception à « Ancien »
  si dette est au moins 1,5 fois la somme du loyer et des charges
  alors B
règle « Autres »
  sinon C
"""


def test_sums_and_calendar_months_decide_alike_at_month_ends():
    """An independent FEEL engine adds months to dates as the charter does (31 January + 1 month is 28
    or 29 February) and compares sums exactly: every household of month-end dates and amounts on the
    threshold gets the service and rule Charter.route gives it."""
    import datetime as dt
    import itertools

    charter = repartition.Charter.from_text(_RELATIONS, name="r.regles", verify=False)
    loaded = engine(to_dmn(decision_rows(charter.model)))
    days = [dt.date(*d) for d in ((2024, 1, 29), (2024, 1, 31), (2024, 2, 28), (2024, 2, 29), (2024, 3, 1),
                                  (2023, 1, 31), (2023, 2, 28), (2023, 3, 1))]
    for t, u in itertools.product(days, days):
        for debt in (Decimal("750.00"), Decimal("749.99")):
            inputs = {"t": t, "u": u, "d": float(debt), "l": 300.0, "h": 200.0}
            household = {"t": t.isoformat(), "u": u.isoformat(), "d": str(debt), "l": "300", "h": "200"}
            decision = charter.route(household)
            assert decide(loaded, inputs) == (decision.service, decision.rule), household
