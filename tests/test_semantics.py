"""The language's meaning (langage.md): three-valued logic, exceptions, gaps, conflicts, unknowns.

Every test runs on both backends. Charters here are loaded without the proof (verify=False): many
are incomplete on purpose, to show what routing does with a gap, a conflict or an unknown value.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from repartition import InvalidHousehold, NoDecision


@pytest.fixture
def make_charter(make_charter):
    """Charters built on the current backend, without the proof."""
    return lambda text: make_charter(text, verify=False)

HEAD = """charte « Test »
services
  A : « Service A »
  B : « Service B »
données du ménage
  p [p] : oui ou non, peut être inconnu
  q [q] : oui ou non, peut être inconnu
  n [n] : nombre entier entre 0 et 9
"""


def test_kleene_and_or_not(make_charter):
    """`et`, `ou`, `non` follow Kleene's tables: false wins `et`, true wins `ou`, unknown otherwise."""
    charter = make_charter(HEAD + """
règle « Et » : 
""".replace("règle « Et » : \n", "") + """
indicateur « et » : p et q
indicateur « ou » : p ou q
indicateur « non » : non p
règle « R »
  sinon A
""")
    table = {
        (True, None): {"et": None, "ou": True, "non": False},
        (False, None): {"et": False, "ou": None, "non": True},
        (None, None): {"et": None, "ou": None, "non": None},
        (True, False): {"et": False, "ou": True, "non": False},
    }
    for (p, q), expected in table.items():
        decision = charter.route({"p": p, "q": q, "n": 0})
        assert decision.indicators == expected


def test_exception_sets_rule_aside(make_charter):
    """A rule applied par exception wins over the rule it names, which is listed as set aside."""
    charter = make_charter(HEAD + """
règle « Générale »
  si p alors A
règle « Particulière », par exception à « Générale »
  si q alors B
""")
    decision = charter.route({"p": True, "q": True, "n": 0})
    assert (decision.service, decision.rule, decision.set_aside) == ("B", "Particulière", ("Générale",))
    assert charter.route({"p": True, "q": False, "n": 0}).service == "A"


def test_exceptions_are_transitive(make_charter):
    """An exception to an exception also sets aside the first rule."""
    charter = make_charter(HEAD + """
règle « R1 »
  si p alors A
règle « R2 », par exception à « R1 »
  si q alors B
règle « R3 », par exception à « R2 »
  si n est au moins 5 alors A
""")
    decision = charter.route({"p": True, "q": True, "n": 7})
    assert decision.rule == "R3"
    assert set(decision.set_aside) == {"R1", "R2"}


def test_rule_set_aside_under_a_rule_that_only_might_decide(make_charter):
    """A rule is set aside by a true exception even when that exception only might decide (its own
    exception is unknown) and another rule of the same service decides."""
    charter = make_charter(HEAD + """
règle « Générale »
  si q alors B
règle « Particulière », par exception à « Générale »
  si q alors A
règle « Sauf », par exception à « Particulière »
  si p alors A
règle « Autre »
  si n est au moins 5 alors A
""")
    decision = charter.route({"p": None, "q": True, "n": 7})
    assert (decision.service, decision.rules, decision.set_aside) == ("A", ("Autre",), ("Générale",))


def test_gap_without_default(make_charter):
    """No applicable rule and no default: NoDecision of kind lacune."""
    charter = make_charter(HEAD + "règle « R »\n  si p alors A\n")
    with pytest.raises(NoDecision) as caught:
        charter.route({"p": False, "q": False, "n": 0})
    assert caught.value.kind == "lacune"
    assert caught.value.rules == ()


def test_conflict_between_deciding_rules(make_charter):
    """Two deciding rules naming different services: NoDecision of kind conflit with both rules."""
    charter = make_charter(HEAD + "règle « R1 »\n  si p alors A\nrègle « R2 »\n  si q alors B\n")
    with pytest.raises(NoDecision) as caught:
        charter.route({"p": True, "q": True, "n": 0})
    assert caught.value.kind == "conflit"
    assert caught.value.rules == ("R1", "R2")
    assert str(caught.value) == ("conflit : plusieurs règles s'appliquent et désignent des services différents "
                                 "(règles « R1 », « R2 ») ; services possibles : A, B")


def test_rules_naming_one_service_name_it_once(make_charter):
    """An undetermined household between rules of the same service lists that service once."""
    charter = make_charter(HEAD + "règle « R1 »\n  si p alors A\nrègle « R2 »\n  si q alors A\n"
                           "règle « R3 »\n  si n est au moins 5 alors B\n")
    with pytest.raises(NoDecision) as caught:
        charter.route({"p": None, "q": None, "n": 0})
    assert (caught.value.kind, caught.value.services) == ("indetermination", ("A",))


def test_agreeing_rules_are_all_listed(make_charter):
    """Several deciding rules naming one service: the first decides, all are listed."""
    charter = make_charter(HEAD + "règle « R1 »\n  si p alors A\nrègle « R2 »\n  si q alors A\n")
    decision = charter.route({"p": True, "q": True, "n": 0})
    assert (decision.rule, decision.rules) == ("R1", ("R1", "R2"))


def test_unknown_value_never_routes_on_a_guess(make_charter):
    """If an unknown value could change the service, the household is undetermined, not guessed."""
    charter = make_charter(HEAD + "règle « R »\n  si p alors A\nrègle « D »\n  sinon B\n")
    with pytest.raises(NoDecision) as caught:
        charter.route({"p": None, "q": None, "n": 0})
    assert caught.value.kind == "indetermination"
    assert caught.value.rules == ("R", "D")


def test_unknown_value_that_cannot_matter_is_decided(make_charter):
    """An unknown value is harmless when every possible outcome names the same service; the
    default rule decides, and the rule that might hold is named as such, never as applying."""
    charter = make_charter(HEAD + "règle « R »\n  si p alors A\nrègle « D »\n  sinon A\n")
    decision = charter.route({"p": None, "q": None, "n": 0})
    assert (decision.service, decision.rule, decision.rules) == ("A", "D", ("D", "R"))
    assert "Pourraient aussi s'appliquer (une donnée est inconnue), avec le même service : « R »." in (
        decision.explanation)
    assert "S'appliquent aussi" not in decision.explanation


def test_unknown_exception_makes_rule_only_possible(make_charter):
    """A true rule whose exception is unknown might be set aside: undetermined if services differ."""
    charter = make_charter(HEAD + """
règle « R1 »
  si n est au moins 1 alors A
règle « R2 », par exception à « R1 »
  si q alors B
""")
    with pytest.raises(NoDecision) as caught:
        charter.route({"p": True, "q": None, "n": 3})
    assert caught.value.kind == "indetermination"


def test_known_tests_are_never_unknown(make_charter):
    """`est inconnu` and `est connu` are true or false, even on unknown values."""
    charter = make_charter(HEAD + """
règle « Inconnu »
  si p est inconnu alors B
règle « Connu »
  si p est connu alors A
""")
    assert charter.route({"p": None, "q": True, "n": 0}).service == "B"
    assert charter.route({"p": False, "q": True, "n": 0}).service == "A"


def test_default_value_is_used_and_reported(make_charter):
    """A missing field with a default takes it, and the decision says it was assumed."""
    charter = make_charter("""charte « T »
services
  A : « a »
  B : « b »
données du ménage
  suivi [suivi] : oui ou non, par défaut non
règle « Suivi »
  si suivi alors A
règle « Autres »
  sinon B
""")
    decision = charter.route({})
    assert decision.service == "B"
    assert decision.assumed == ("suivi",)
    assert "supposées par défaut" in decision.explanation


def test_missing_field_without_default_is_an_input_error(make_charter):
    """A missing field without a default is an InvalidHousehold naming the field."""
    charter = make_charter(HEAD + "règle « D »\n  sinon A\n")
    with pytest.raises(InvalidHousehold) as caught:
        charter.route({"p": True, "q": True})
    assert caught.value.field == "n"
    assert caught.value.missing


MONEY = """charte « Argent »
services
  CCAPEX : « c »
  AUTRE : « a »
données du ménage
  dette [dette] : montant en euros d'au moins 0
  loyer [loyer] : montant en euros d'au moins 0
règle « Dette »
  si la dette est au moins 6 fois le loyer alors CCAPEX
règle « Autres »
  sinon AUTRE
"""


@pytest.mark.parametrize(
    "dette, loyer, service",
    [
        ("3000,06", "500,01", "CCAPEX"),   # exactly 6 × 500,01
        ("3000,05", "500,01", "AUTRE"),    # one cent short
        (3000.06, 500.01, "CCAPEX"),       # JSON floats read through their decimal form
        (1800.6, 300.1, "CCAPEX"),         # 6 × 300.1 = 1800.6000000000001 in binary floats
        ("0,3", "0,05", "CCAPEX"),
        (Decimal("0.29"), "0,05", "AUTRE"),
    ],
)
def test_money_is_exact_to_the_cent(make_charter, dette, loyer, service):
    """`la dette est au moins 6 fois le loyer` is decided exactly, never through binary floats."""
    charter = make_charter(MONEY)
    assert charter.route({"dette": dette, "loyer": loyer}).service == service


def test_decimal_factor_is_exact(make_charter):
    """A decimal factor (1,5 fois) compares exactly."""
    charter = make_charter(MONEY.replace("6 fois", "1,5 fois"))
    assert charter.route({"dette": "150,03", "loyer": "100,02"}).service == "CCAPEX"
    assert charter.route({"dette": "150,02", "loyer": "100,02"}).service == "AUTRE"


def test_facts_list_the_values_the_rules_read(make_charter):
    """Facts are the values of the fields read by the deciding and set-aside rules' conditions."""
    charter = make_charter(HEAD + """
règle « Générale »
  si p alors A
règle « Particulière », par exception à « Générale »
  si n est au moins 5 alors B
""")
    decision = charter.route({"p": True, "q": False, "n": 6})
    assert decision.facts == {"p": True, "n": 6}


def test_stage_order_and_between(make_charter):
    """Stages are ordered: `entre … et …` follows the declared order."""
    charter = make_charter("""charte « Étapes »
services
  A : « a »
  B : « b »
données du ménage
  stade [stade] : étape parmi (aucune, commandement, assignation, jugement, expulsion)
règle « Judiciaire »
  si le stade est entre assignation et jugement alors A
règle « Autres »
  sinon B
""")
    services = [charter.route({"stade": s}).service
                for s in ("aucune", "commandement", "assignation", "jugement", "expulsion")]
    assert services == ["B", "B", "A", "A", "B"]


def test_among_listed_numbers_amounts_and_dates(make_charter):
    """`parmi` on a number, an amount or a date holds for exactly the listed values."""
    charter = make_charter("""charte « Parmi »
services
  A : « a »
  B : « b »
données du ménage
  n [n] : nombre entier entre 0 et 9
  dette [dette] : montant en euros d'au moins 0
  jour [jour] : date
règle « Listés »
  si n est parmi 1, 3 ou la dette est parmi 100 €, 200,50 € ou le jour est parmi 2026-01-01, 2026-01-03
  alors A
règle « Autres »
  sinon B
""")
    plain = {"n": 0, "dette": "0", "jour": "2025-06-01"}
    changes = [{"n": 1}, {"n": 2}, {"n": 3}, {"dette": "100"}, {"dette": "200,49"}, {"dette": "200,50"},
               {"jour": "2026-01-02"}, {"jour": "2026-01-03"}, {}]
    services = [charter.route({**plain, **change}).service for change in changes]
    assert services == ["A", "B", "A", "A", "B", "A", "B", "A", "B"]


def test_ratio_with_an_unknown_right_hand_side_is_unknown(make_charter):
    """A ratio whose second amount is unknown is unknown, and so is its negation (Kleene's non)."""
    charter = make_charter("""charte « Rapport »
services
  A : « a »
données du ménage
  dette [dette] : montant en euros d'au moins 0
  loyer [loyer] : montant en euros d'au moins 1, peut être inconnu
règle « Tous »
  sinon A
indicateur « dette faible » : non (la dette est au moins 2 fois le loyer)
indicateur « dette forte » : la dette est au moins 2 fois le loyer
""")
    assert charter.route({"dette": "100", "loyer": None}).indicators == {"dette faible": None, "dette forte": None}
    assert charter.route({"dette": "100", "loyer": "60"}).indicators == {"dette faible": True, "dette forte": False}


def test_blank_text_is_unknown_for_a_field_that_may_be(make_charter):
    """A cell of spaces reads as unknown for a possibly-unknown field, and is refused for another."""
    charter = make_charter(HEAD + "règle « R »\n  si p alors A\nrègle « D »\n  sinon B\n")
    assert charter.validate({"p": "   ", "q": "non", "n": 0}).values[0] is None
    with pytest.raises(InvalidHousehold, match="ne peut pas être inconnue"):
        charter.validate({"p": "oui", "q": "non", "n": "  "})
