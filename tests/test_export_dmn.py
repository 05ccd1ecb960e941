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
from repartition import model as m
from repartition.export import CONDITIONS, decision_rows
from repartition.export.dmn import NAMESPACE, DmnError, Entries, to_dmn
from repartition.export.rows import unit_value
from repartition.values import INT_MAX, INT_MIN, MONEY_LIMIT, BadValue

from conftest import POLICIES
from export_households import SHAPED, SHAPES, households, python_household, python_outcome
from optional import need

BUNDLED = {name: repartition.load_charter(POLICIES / name)
           for name in ("dispositif-repartition.regles", "exemple-departemental.regles")}
Q = {"d": NAMESPACE}


@functools.cache
def engine(xml: str):
    """pyDMNrules loaded with the exported table (importing pyDMNrules builds its FEEL parser: slow).

    Faults of pyDMNrules 1.4.5 are worked around in its copy, what each entry tests untouched: it
    fails on the table's annotation clauses (a KeyError in its reader, `annotation` for
    `annotations`); a range beside `null` (`[1..10], null`) is false for every number, in allowed
    values and in entries: allowed values with a range are removed, and such an entry is written
    out (`(x = null) or ((x >= 1) and (x <= 10))`); it reads `?` in a unary test only as the
    input's name, and FEEL strings without decoding their escapes (`\\\\` is one backslash):
    `?` becomes the input's name, `\\\\` one backslash.
    """
    dmn = need("pyDMNrules")
    root = ET.fromstring(xml)
    table = root.find(".//d:decisionTable", Q)
    names = [i.find("d:inputExpression/d:text", Q).text for i in table.findall("d:input", Q)]
    for rule in table.findall("d:rule", Q):
        for name, entry in zip(names, rule.findall("d:inputEntry/d:text", Q)):
            if "?" in entry.text:
                entry.text = re.sub(r"\?(?=[ ,)])", name, entry.text).replace("\\\\", "\\")
            if found := re.fullmatch(r"\[([-0-9.]+)\.\.([-0-9.]+)\], null", entry.text):
                low, high = found.groups()
                entry.text = f"({name} = null) or (({name} >= {low}) and ({name} <= {high}))"
    for clause in table.findall("d:input", Q):
        allowed = clause.find("d:inputValues", Q)
        if allowed is not None and "[" in allowed.find("d:text", Q).text:
            clause.remove(allowed)
    for note in table.findall("d:annotation", Q):
        table.remove(note)
    loaded = dmn.DMN()
    status = loaded.useXML(ET.tostring(root, encoding="unicode"))
    assert not status.get("errors"), status
    return loaded


def dmn_inputs(charter, values: tuple) -> dict:
    """The engine's inputs for a row, in the canonical form the table documents: each value the
    Python reading accepts as it reads it (a code trimmed, a stage by machine name, a blank as
    null), each value it refuses as it is; an absent defaulted field is null; amounts are given
    as the engine takes numbers (float)."""
    household = python_household(charter, values)
    inputs = {}
    for f in charter.fields:
        raw = household.get(f.machine)
        if isinstance(raw, str) and not raw.strip() and f.may_be_unknown:
            raw = None
        shown = raw
        if isinstance(raw, str):
            try:
                shown = unit_value(f, f.type.read(raw))
            except BadValue:
                pass
        inputs[f.machine] = float(shown) if isinstance(shown, Decimal) else shown
    return inputs


#: Values at the edges of what every backend holds (the limits, and past them), codes of other shapes,
#: unknown stages. pyDMNrules computes in binary floating point: whole numbers past the limits are
#: taken where a double tells them from it (2**64, not 2**63), as FEEL's decimals do everywhere.
HOSTILE = {m.IntType: [INT_MAX, 2**64, INT_MIN, -(2**64), 10**30],
           m.MoneyType: [Decimal(MONEY_LIMIT).scaleb(-2), Decimal(MONEY_LIMIT + 1).scaleb(-2),
                         Decimal(-MONEY_LIMIT - 1).scaleb(-2), Decimal(10**15)],
           m.CodeType: ["Strasbourg", "2A0045", "2C004", "1234", "123456", "a b", "é", "33 063"],
           m.EnumType: ["assignaton", "inconnue"], m.BoolType: [], m.DateType: []}


@st.composite
def hostile_households(draw, charter) -> tuple:
    """A household of `households` with one value made hostile: past a limit, of another shape, or
    null in a field that can be neither unknown nor defaulted."""
    values = list(draw(households(charter)))
    index = draw(st.integers(0, len(values) - 1))
    f = charter.fields[index]
    values[index] = draw(st.sampled_from(HOSTILE[type(f.type)] + [None]))
    return tuple(values)


def assert_decides_like_python(charter, loaded, values: tuple) -> None:
    """The engine gives the service, rule and `cas` of Charter.route: a refusal (InvalidHousehold)
    is `invalide`, a household the charter leaves open its kind."""
    service, rule, _, why, _ = python_outcome(charter, values)
    assert outcome(loaded, dmn_inputs(charter, values)) == (service, rule, why), values


def decide(loaded, inputs: dict) -> tuple:
    """(service, rule) the engine gives."""
    return outcome(loaded, inputs)[:2]


def outcome(loaded, inputs: dict) -> tuple:
    """(service, rule, cas) the engine gives: `cas` says why no service (`invalide`, `lacune`…).
    pyDMNrules checks the allowed values of a list's input itself: its refusal is `invalide` too."""
    status, result = loaded.decide(inputs)
    errors = status.get("errors", [])
    if errors and all("does not match input validity list" in e for e in errors):
        return None, None, "invalide"
    assert not errors, (inputs, status)
    outputs = result["Result"]
    pick = lambda name: next(v for k, v in outputs.items() if k.split(".")[-1] == name)  # noqa: E731
    return pick("service"), pick("regle"), pick("cas")


@pytest.mark.parametrize("name", sorted(BUNDLED))
@settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(data=st.data())
def test_an_independent_engine_gives_the_charter_service(name, data):
    """pyDMNrules, reading the exported XML, gives each generated household of both bundled
    charters the service and deciding rule Charter.route gives it (unknowns, defaults, ratio ties),
    and `invalide` to those the reading refuses (out of bounds, past the limits, unknown stages,
    null where a value is required)."""
    charter = BUNDLED[name]
    loaded = engine(to_dmn(decision_rows(charter.model)))
    for values in data.draw(st.lists(households(charter) | hostile_households(charter), min_size=30, max_size=40)):
        assert_decides_like_python(charter, loaded, values)


@pytest.mark.parametrize("forme", sorted(SHAPES))
@settings(max_examples=2, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(data=st.data())
def test_codes_of_every_shape_and_hostile_values_decide_alike(forme, data):
    """A charter whose code has a shape (commune, digits, characters) or none, its numbers bounded
    or not, unknown codes or not: pyDMNrules decides as Charter.route on sets and tables of codes,
    « any other code », and refuses (`invalide`) as the reading does codes of another shape and
    numbers past their bounds or the limits."""
    liste, codes = SHAPES[forme]
    text = SHAPED.format(forme=forme, liste=liste, codes=codes,
                         inconnu=data.draw(st.sampled_from(["", ", peut être inconnu"])),
                         bornes=data.draw(st.sampled_from(["", " entre -5 et 20"])),
                         bornes_dette=data.draw(st.sampled_from(["", " entre 0 et 5000,50"])))
    charter = repartition.Charter.from_text(text, name="f.regles", verify=False)
    loaded = engine(to_dmn(decision_rows(charter.model)))
    for values in data.draw(st.lists(households(charter) | hostile_households(charter), min_size=20, max_size=30)):
        assert_decides_like_python(charter, loaded, values)


def test_codes_are_read_trimmed():
    """A code with a space at either end, blank, or of another shape is refused (`invalide`), never
    taken for « any other code »: the table reads codes as read (trimmed), and says so."""
    for forme in ("code", "code commune"):
        liste, codes = SHAPES[forme]
        text = SHAPED.format(forme=forme, liste=liste, codes=codes, inconnu="", bornes="", bornes_dette="")
        charter = repartition.Charter.from_text(text, name="f.regles", verify=False)
        loaded = engine(to_dmn(decision_rows(charter.model)))
        good = {"commune": "2A", "enfants": 3, "dette": 2000.0, "loyer": 100.0, "aide": False, "arrivee": None}
        if forme == "code commune":
            good["commune"] = "2B033"
        assert outcome(loaded, good)[2] is None
        for spelt in (" 2B033", "2B033\u00a0", "\t2A", "", "  ", None):
            assert outcome(loaded, {**good, "commune": spelt}) == (None, None, "invalide"), repr(spelt)


def test_the_table_describes_shapes_and_limits():
    """Each input says what it expects (a code's shape in words); numbers allow their declared
    bounds, or the limits every backend holds; each field's reading is a further input whose
    refusal row gives `invalide`: a code against its shape's pattern, a number against its limits."""
    charter = repartition.Charter.from_text(SHAPED.format(forme="code commune", liste="96001", codes="2A004",
                                                          inconnu="", bornes=" d'au moins 0", bornes_dette=""),
                                            name="f.regles", verify=False)
    root = ET.fromstring(to_dmn(decision_rows(charter.model)))
    notes = {d.get("name"): d.find("d:description", Q).text for d in root.findall("d:inputData", Q)}
    assert notes["commune"] == ("commune ; attendu : un code commune INSEE : 5 chiffres, ou 2A ou 2B "
                                "suivis de 3 chiffres (par exemple 33063, 2A004)")
    allowed = {i.get("label"): i.find("d:inputValues/d:text", Q).text for i in root.findall(".//d:input", Q)
               if i.find("d:inputValues", Q) is not None}
    assert allowed["enfants"] == "[0..9223372036854775807]"
    assert allowed["dette"] == "[-999999999999.99..999999999999.99]"
    assert allowed["loyer"] == "[-999999999999.99..999999999999.99], null"
    refusals = {r.get("id"): [t.text for t in r.findall("d:inputEntry/d:text", Q) if t.text != "-"]
                for r in root.findall(".//d:rule", Q) if r.get("id").startswith("refus_")}
    pattern = 'matches(?, "^([0-9]{5}|2[AB][0-9]{3})$")'
    assert refusals["refus_commune"] == [f"not((? != null) and ({pattern}))"]
    assert refusals["refus_enfants"] == [f"(? != null) and ({pattern})", "< 0, > 9223372036854775807, null"]
    assert refusals["refus_loyer"][-1] == "< -999999999999.99, > 999999999999.99"
    assert "refus_aide" not in refusals and "refus_arrivee" not in refusals  # any value, or null, reads


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
    """One decision, one table with hit policy UNIQUE, typed inputs, allowed values, rules
    annotated with the charter's text and reference, then a refusal row per field read."""
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
    rules = [r.get("id") for r in table.findall("d:rule", Q)]
    assert len(rules) == len(decision_rows(charter.model).rows) + len(charter.fields)  # a refusal row per field
    assert rules[-len(charter.fields):] == [f"refus_{f.machine}" for f in charter.fields]


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
