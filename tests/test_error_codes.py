"""Errors carry machine-readable fields beside their French text: codes, the field, the value, what is expected."""

from __future__ import annotations

import pytest

import repartition
from repartition import CharterError, CharterNotProven, InvalidHousehold, NoDecision
from repartition.errors import DIAGNOSTIC_CODES, HOUSEHOLD_CODES

HOUSEHOLD = {"enfants_a_charge": 2, "aide_au_logement": "oui", "stade_procedure": "assignation",
             "connu_services_sociaux": "non"}
#: Small numbers go to A, middle ones to B: 3 to 5 is a conflict, above 8 a gap.
GAP_AND_CONFLICT = """charte « Lacune et conflit »
services
  A : « a »
  B : « b »
données du ménage
  n [n] : nombre entier
règle « Petits »
  si n est au plus 5
  alors A
règle « Moyens »
  si n est entre 3 et 8
  alors B
"""
STAGES = ["aucune", "commandement_de_payer", "assignation", "jugement", "commandement_de_quitter_les_lieux",
          "demande_de_concours", "concours_accorde"]


@pytest.mark.parametrize("change, code, field, value, expected", [
    ({"enfants_a_charge": -1}, "valeur_invalide", "enfants_a_charge", -1,
     {"type": "entier", "min": 0, "max": None, "inconnu_possible": False}),
    ({"enfants_a_charge": "deux"}, "valeur_invalide", "enfants_a_charge", "deux",
     {"type": "entier", "min": 0, "max": None, "inconnu_possible": False}),
    ({"aide_au_logement": "peut-être"}, "valeur_invalide", "aide_au_logement", "peut-être",
     {"type": "oui_non", "valeurs": ["oui", "non"], "inconnu_possible": False}),
    ({"stade_procedure": "expulsion"}, "valeur_invalide", "stade_procedure", "expulsion",
     {"type": "etape", "valeurs": STAGES, "inconnu_possible": False}),
    ({"connu_services_sociaux": None}, "inconnu_interdit", "connu_services_sociaux", None,
     {"type": "oui_non", "valeurs": ["oui", "non"], "inconnu_possible": False}),
    ({"connu_services_sociaux": " "}, "inconnu_interdit", "connu_services_sociaux", " ",
     {"type": "oui_non", "valeurs": ["oui", "non"], "inconnu_possible": False}),
])
def test_invalid_household_fields(fiche, change, code, field, value, expected):
    """`code`, `field`, `value` as given and `expected` as data, beside the French text."""
    with pytest.raises(InvalidHousehold) as raised:
        fiche.route({**HOUSEHOLD, **change})
    error = raised.value
    assert (error.code, error.field, error.value, dict(error.expected)) == (code, field, value, expected)
    assert error.expected_text in str(error) and code in HOUSEHOLD_CODES


def test_an_absent_field_and_a_household_that_is_no_mapping(fiche):
    """`champ_absent` names the field (no value); `menage_illisible` has no field and shows the value."""
    with pytest.raises(InvalidHousehold) as raised:
        fiche.route({k: v for k, v in HOUSEHOLD.items() if k != "stade_procedure"})
    assert (raised.value.code, raised.value.field, raised.value.value) == ("champ_absent", "stade_procedure", None)
    assert raised.value.missing and raised.value.expected["type"] == "etape"
    with pytest.raises(InvalidHousehold) as raised:
        fiche.route([1, 2])
    assert (raised.value.code, raised.value.field, raised.value.value) == ("menage_illisible", None, [1, 2])
    assert dict(raised.value.expected) == {"type": "objet"}


def test_amount_bounds_are_exact_text(tmp_path):
    """An amount's bounds are given as exact decimal text, never as a float."""
    text = """charte « M »
services
  A : « a »
données du ménage
  loyer [loyer] : montant en euros entre 1,50 € et 2000 €, peut être inconnu
règle « Tous »
  sinon A
"""
    charter = repartition.Charter.from_text(text, name="m.regles")
    with pytest.raises(InvalidHousehold) as raised:
        charter.route({"loyer": 1.49})
    assert dict(raised.value.expected) == {"type": "montant", "min": "1.50", "max": "2000.00", "inconnu_possible": True}


def test_no_decision_kind_rules_and_code(make_charter):
    """NoDecision: `code` non_oriente, `kind`, the rules involved and their services."""
    charter = make_charter(GAP_AND_CONFLICT, verify=False)
    with pytest.raises(NoDecision) as raised:
        charter.route({"n": 4})
    assert (raised.value.code, raised.value.kind, raised.value.rules, raised.value.services) == (
        "non_oriente", "conflit", ("Petits", "Moyens"), ("A", "B"))
    with pytest.raises(NoDecision) as raised:
        charter.route({"n": 9})
    assert (raised.value.kind, raised.value.rules) == ("lacune", ())


@pytest.mark.parametrize("text, code", [
    ("charte « X »\nservices\n  A : « a »\nrègle « R »\n  si alors A\n", "syntaxe"),
    ("charte « X »\nservices\n  A : « a »\nrègle « R »\n  sinon Z\n", "charte"),
])
def test_diagnostic_codes_of_charter_errors(text, code):
    """Each diagnostic says what kind of problem it reports."""
    with pytest.raises(CharterError) as raised:
        repartition.Charter.from_text(text, name="x.regles")
    assert raised.value.code == "charte_invalide"
    assert {d.code for d in raised.value.diagnostics} == {code} and code in DIAGNOSTIC_CODES


def test_diagnostic_codes_of_proof_problems_and_examples():
    """A failed proof's diagnostics carry the problem's kind; a failing example is `exemple`."""
    with pytest.raises(CharterNotProven) as raised:
        repartition.Charter.from_text(GAP_AND_CONFLICT, name="p.regles")
    assert raised.value.code == "charte_non_prouvee"
    assert {d.code for d in raised.value.diagnostics} == {"lacune", "conflit"}
    wrong = GAP_AND_CONFLICT.replace("règle « Moyens »", "exemple « faux » :\n  n : 1\n  attendu B\nrègle « Moyens »")
    with pytest.raises(CharterError) as raised:
        repartition.Charter.from_text(wrong, name="p.regles")
    assert [d.code for d in raised.value.diagnostics] == ["exemple"]


def test_diagnostic_codes_of_files(tmp_path):
    """A file that cannot be read is `fichier`; one that is not UTF-8 is `encodage`."""
    with pytest.raises(CharterError) as raised:
        repartition.load_charter(tmp_path / "absente.regles")
    assert [d.code for d in raised.value.diagnostics] == ["fichier"]
    latin = tmp_path / "latin.regles"
    latin.write_bytes("charte « Été »\n".encode("latin-1"))
    with pytest.raises(CharterError) as raised:
        repartition.load_charter(latin)
    assert [d.code for d in raised.value.diagnostics] == ["encodage"]
