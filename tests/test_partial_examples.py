"""Partial examples: an example giving only some data holds for every household with those values, or shows one that does not."""

from __future__ import annotations

import pytest

import repartition
from repartition.errors import CharterError
from repartition.examples import coverage, run_examples

HEAD = """charte « Partiels »
en vigueur à partir du 1er janvier 2026
services
  CAF : « CAF »
  DEP : « Département »
  ADIL : « ADIL »
données du ménage
  enfants à charge [enfants] : nombre entier d'au moins 0
  aide au logement [aide] : oui ou non, peut être inconnu
  stade [stade] : étape parmi (aucune, commandement, assignation)
  dette [dette] : montant en euros d'au moins 0
  loyer [loyer] : montant en euros d'au moins 0
  bailleur social [social] : oui ou non, par défaut non
règle « Familles »
  si les enfants à charge sont au moins 1 et aide au logement
  alors CAF
règle « Procédure », par exception à « Familles »
  si le stade est au moins assignation
  alors DEP, en lien avec ADIL
règle « Commandement privé », par exception à « Familles »
  si le stade est commandement et non bailleur social et la dette est au moins 3 fois le loyer
  alors ADIL
règle « Autres »
  sinon DEP
"""


def _results(make_charter, examples: str):
    charter = make_charter(HEAD + examples, verify=False)
    return charter, {r.example.name: r for r in run_examples(charter)}


def test_a_partial_example_holds_for_every_household_with_its_values(make_charter):
    """« stade : assignation » alone: every such household goes to DEP by « Procédure »."""
    charter, results = _results(make_charter, "exemple « Assignés » : stade : assignation\n"
                                              "  attendu DEP, en lien avec ADIL par « Procédure »\n")
    result = results["Assignés"]
    assert result.example.partial and result.passed
    assert result.rules == ("Procédure",)
    assert coverage(charter, list(results.values())).rules[1] == ("Procédure", ("Assignés",))


def test_a_failing_partial_example_shows_a_household_routed_elsewhere(make_charter):
    """« enfants : 2, aide : oui » is not always CAF: at the assignation stage it is DEP; the household
    shown has the example's values and is routed (by every backend) as the message says."""
    charter, results = _results(make_charter, "exemple « Familles » : enfants à charge : 2, aide au logement : "
                                              "oui\n  attendu CAF\n")
    result = results["Familles"]
    assert not result.passed
    household = result.counterexample
    assert household["enfants"] == 2 and household["aide"] is True
    decision = charter.route(household)
    assert (decision.service, decision.rule) == (result.service, result.rule) != ("CAF", "Familles")
    assert result.obtained_text.startswith(f"{decision.service} par « {decision.rule} » pour le ménage enfants = 2")


def test_unknown_values_of_the_free_data_are_households_too(make_charter):
    """With children and any stage before the commandement, an unknown housing allowance makes the
    outcome undetermined: the partial example « CAF » fails on that unknown value, never a guess."""
    _, results = _results(make_charter, "exemple « Enfants » : enfants à charge : 3, stade : aucune\n  attendu CAF\n")
    result = results["Enfants"]
    assert not result.passed
    assert result.counterexample["aide"] in (None, False)


def test_defaults_are_not_assumed_for_the_data_left_out(make_charter):
    """« bailleur social » has a default (non); a partial example leaving it out speaks for both values."""
    example = ("exemple « Commandement » : stade : commandement, dette : 3000, loyer : 500, enfants à charge : 0\n"
               "  attendu ADIL\n")
    _, results = _results(make_charter, example)
    assert results["Commandement"].counterexample["social"] is True
    _, results = _results(make_charter, example.replace("enfants à charge : 0", "enfants à charge : 0, bailleur "
                                                                                   "social : non"))
    assert results["Commandement"].passed


def test_relations_are_searched_to_their_threshold(make_charter):
    """Left free, the rent that makes a debt of 3 000 € just short of 3 times the rent is found: 1 000,01 €."""
    _, results = _results(make_charter, "exemple « Dette » : stade : commandement, dette : 3000, bailleur social : "
                                        "non, enfants à charge : 0\n  attendu ADIL\n")
    result = results["Dette"]
    assert not result.passed
    assert result.counterexample["loyer"] == "1000,01"


def test_complete_examples_are_routed_as_before(make_charter):
    """An example giving every datum (its defaulted ones may be left out) is one household, as today."""
    _, results = _results(make_charter, "exemple « Un ménage » : enfants à charge : 2, aide au logement : oui, "
                                        "stade : aucune, dette : 0, loyer : 0\n  attendu CAF par « Familles »\n")
    result = results["Un ménage"]
    assert not result.example.partial and result.passed and result.counterexample is None


def test_loading_reports_a_failing_partial_example_with_its_household():
    """`load_charter` (verify=True) refuses a charter whose partial example fails, showing the household."""
    text = HEAD.replace("  sinon DEP\n", "  sinon DEP\nexemple « Familles » : enfants à charge : 2, aide au logement : "
                        "oui\n  attendu CAF\n")
    with pytest.raises(CharterError) as caught:
        repartition.Charter.from_text(text, name="p.regles")
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.message.startswith("l'exemple « Familles » attend CAF, la charte donne ")
    assert " pour le ménage enfants = 2, aide = oui, " in diagnostic.message
    assert diagnostic.span.line == text.count("\n") - 1


def test_the_documentation_says_the_other_data_are_free():
    """The reviewers' page lists the data given, and « autres données : toutes valeurs »."""
    from repartition.render.document import describe

    text = HEAD + "exemple « Assignés » : stade : assignation\n  attendu DEP par « Procédure »\n"
    charter = repartition.Charter.from_text(text, name="p.regles", verify=False)
    (view,) = describe(charter).examples
    assert view.values == (("stade", "assignation"), ("autres données", "toutes valeurs"))
    assert view.ok
