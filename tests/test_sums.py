"""Sums of amounts or whole numbers, compared exactly to the cent, on every backend, and proven."""

from __future__ import annotations

import pytest

import repartition
from repartition.errors import CharterError
from repartition.proof import verify
from repartition.render import rule_sentence

HEAD = """charte « Sommes »
en vigueur à partir du 1er janvier 2026
services
  CCAPEX : « CCAPEX »
  DEP : « Département »
données du ménage
  dette [dette] : montant en euros d'au moins 0
  loyer [loyer] : montant en euros entre 0 et 5 000 €
  charges [charges] : montant en euros entre 0 et 1 000 €
  taxe d'habitation [taxe] : montant en euros d'au moins 0
  adultes [adultes] : nombre entier entre 1 et 9
  enfants [enfants] : nombre entier entre 0 et 20
  date du signalement [signalement] : date
  plus haut loyer connu [plafond] : montant en euros d'au moins 0
"""


def _charter(condition: str, make=None, **options):
    text = HEAD + f"règle « R »\n  si {condition}\n  alors CCAPEX\nrègle « Autres »\n  sinon DEP\n"
    if make is not None:
        return make(text, verify=False, **options)
    return repartition.Charter.from_text(text, name="s.regles", verify=False)


def _household(**values):
    return {"dette": "0", "loyer": "0", "charges": "0", "taxe": "0", "adultes": 1, "enfants": 0,
            "signalement": "2026-01-01", "plafond": "0", **values}


@pytest.mark.parametrize("condition, debts", [
    ("la dette est au moins 2 fois la somme du loyer et des charges",
     {"1700,01": False, "1700,02": True, "1699,99": False}),  # 2 × (700,00 € + 150,01 €)
    ("la dette est au moins deux fois la somme du loyer et des charges", {"1700,02": True, "1700,01": False}),
    ("la dette est supérieure à la somme du loyer, des charges et de la taxe d'habitation",
     {"900,01": True, "900,00": False}),
    ("la somme du loyer et des charges est au moins 850,01 €", {"0": True}),
    ("la somme du loyer et des charges est inférieure ou égale à la dette", {"850,01": True, "850,00": False}),
    ("la dette est au moins 1,5 fois la somme du loyer et des charges", {"1275,02": True, "1275,01": False}),
])
def test_sums_compare_exactly_to_the_cent(make_charter, condition, debts):
    """Each sum is compared at its threshold to the cent, as the interpreter computes it."""
    charter = _charter(condition, make_charter)
    for debt, expected in debts.items():
        household = _household(dette=debt, loyer="700,00", charges="150,01", taxe="49,99")
        assert (charter.route(household).rule == "R") == expected, debt


def test_sums_of_whole_numbers(make_charter):
    """« la somme des adultes et des enfants est au moins 5 », « au moins trois fois la somme … »."""
    charter = _charter("la somme des adultes et des enfants est au moins 5", make_charter)
    assert charter.route(_household(adultes=2, enfants=3)).rule == "R"
    assert charter.route(_household(adultes=2, enfants=2)).rule == "Autres"


def test_a_sum_between_two_amounts(make_charter):
    """« la somme … est entre 500 € et 1 000 € » includes both bounds."""
    charter = _charter("la somme du loyer et des charges est entre 500 € et 1 000 €", make_charter)
    for rent, expected in (("499,99", False), ("500", True), ("1000", True), ("1000,01", False)):
        assert (charter.route(_household(loyer=rent)).rule == "R") == expected


def test_unknown_terms_make_the_sum_unknown(make_charter):
    """A sum reads all its terms: one unknown makes the comparison unknown (Kleene)."""
    text = HEAD.replace("d'au moins 0\n  loyer", "d'au moins 0, peut être inconnu\n  loyer") + (
        "indicateur « lourde » : la dette est au moins 2 fois la somme du loyer et des charges\n"
        "règle « Autres »\n  sinon DEP\n")
    charter = make_charter(text, verify=False)
    assert charter.route(_household(dette=None)).indicators == {"lourde": None}
    assert charter.route(_household(dette="1")).indicators == {"lourde": True}


def test_the_proof_finds_readable_households_on_a_sum():
    """A gap bounded by a sum is shown with amounts on its threshold, and routed by the interpreter."""
    text = HEAD + ("règle « R »\n  si la dette est au moins 2 fois la somme du loyer et des charges\n  alors CCAPEX\n"
                   "règle « S »\n  si la dette est moins de la somme du loyer et des charges\n  alors DEP\n")
    report = verify(repartition.Charter.from_text(text, name="s.regles", verify=False))
    (gap,) = report.errors
    assert gap.kind == "lacune"
    assert "dette au moins la somme de loyer et charges" in gap.region
    assert "dette moins de 2 fois la somme de loyer et charges" in gap.region
    assert gap.example["dette"] == "1000,00" and gap.example["loyer"] == "500,00"
    assert gap.example["charges"] == "500,00"


def test_a_sum_proven_complete():
    """Rules splitting on a sum and its complement leave no gap; the charter is proven."""
    text = HEAD + ("règle « R »\n  si la dette est au moins 2 fois la somme du loyer et des charges\n  alors CCAPEX\n"
                   "règle « S »\n  si la dette est inférieure à deux fois la somme du loyer et des charges\n"
                   "  alors DEP\n")
    assert verify(repartition.Charter.from_text(text, name="s.regles", verify=False)).ok


def test_sums_in_generated_code_are_whole_number_arithmetic():
    """The compiled test multiplies and adds cents: no float, no Fraction."""
    source = _charter("la dette est au moins 1,5 fois la somme du loyer et des charges").source
    assert "x0 * 2 >= x1 * 3 + x2 * 3" in source
    assert "float(" not in source and "Fraction" not in source


@pytest.mark.parametrize("condition, message", [
    ("la dette est au moins 2 fois le loyer et des charges",
     "7:47: « et des charges » : pour additionner, écrivez la somme, par exemple « au moins 2 fois la somme du "
     "loyer et des charges »"),
    ("la dette est au moins 2 fois le loyer et les charges",
     "7:47: « charges » n'est pas une donnée oui/non : comparez-la, par exemple « charges est … » ; pour "
     "additionner, écrivez « la somme … et des charges »"),
    ("la dette est au moins la somme du loyer et la taxe d'habitation est au moins 1 €",
     "7:28: « la somme du loyer » : une somme a au moins deux termes, chacun commençant par de"),
    ("la somme du loyer, les charges est au moins 1 €",
     "7:25: « les charges » : dans une somme, chaque terme commence par de, du, des, de la ou de l'"),
    ("la dette est au moins la somme du loyer et des adultes",
     "7:28: une somme réunit des données de même nature : des montants ou des nombres entiers, pas les deux"),
    ("la dette est au moins la somme du loyer et de la date du signalement",
     "7:28: « date du signalement » ne s'additionne pas"),
    ("la somme du loyer et des charges est inconnue",
     "7:6: une somme se compare par « est », « au moins », « au plus », « plus de », « moins de » ou « entre … et … »"),
    ("la dette est au moins la somme du loyer et des charge", "7:49: donnée inconnue « charge » ; vouliez-vous dire "
     "« charges » ?"),
    ("la somme des adultes et des enfants est au moins 2 fois la dette",
     "7:6: « adultes » et « dette » ne sont pas de même nature"),
])
def test_mistakes_in_sums_are_located_and_explained(condition, message):
    """Each mistake a sum invites gets a French message where it is written."""
    with pytest.raises(CharterError) as caught:
        _charter(condition)
    diagnostic = caught.value.diagnostics[0]
    assert f"{diagnostic.span.line - 9}:{diagnostic.span.column}: {diagnostic.message}".startswith(message)


def test_labels_with_plus_somme_un_keep_working():
    """Declared names win over reading « plus », « somme », « un » or « mois » as language words."""
    text = """charte « Noms »
services
  A : « A »
  B : « B »
données du ménage
  plus haut loyer [plafond] : montant en euros d'au moins 0
  somme due [due] : montant en euros d'au moins 0
  somme des aides [aides] : montant en euros d'au moins 0
  un enfant au moins [un_enfant] : oui ou non
  mois de retard [retard] : nombre entier d'au moins 0
  loyer [loyer] : montant en euros d'au moins 0
règle « R »
  si la somme due est au moins le plus haut loyer et un enfant au moins
     et la somme des aides est au plus 2 fois la somme due et les mois de retard sont au moins un
     et la somme des aides est moins de la somme du loyer et de la somme due
  alors A
règle « S »
  sinon B
"""
    charter = repartition.Charter.from_text(text, name="n.regles", verify=False)
    household = {"plafond": "500", "due": "600", "aides": "100", "un_enfant": True, "retard": 1, "loyer": "0"}
    assert charter.route(household).rule == "R"
    assert charter.route({**household, "due": "499,99"}).rule == "S"
    assert charter.route({**household, "aides": "600"}).rule == "S"


def test_reviewers_read_each_term_with_the_article_it_was_written_with():
    """Labels declared without article (« charges », « taxe d'habitation ») keep, on the reviewer's page,
    the article their term of the sum was written with: « des charges », never « de « charges » »."""
    charter = _charter("la dette est au moins 2 fois la somme du loyer, des charges et de la taxe d'habitation")
    sentence = rule_sentence(charter.model.rules[0])
    assert "la somme du loyer, des charges et de la taxe d'habitation" in sentence
