"""Lowering: `parmi` lists and « ou » of values are one atom cut at their runs; definitions are shared."""

from __future__ import annotations

import repartition
from repartition.dsl.lowering import Domain, In, Or, atoms_of, lower, runs

HEAD = """charte « L »
services
  A : « A »
  B : « B »
données du ménage
  n : nombre entier entre 0 et 100
  dette : montant en euros d'au moins 0
"""


def _charter(rules: str, **options):
    return repartition.Charter.from_text(HEAD + rules, name="l.regles", verify=False, **options)


def test_runs_are_the_fewest_intervals():
    """Whole numbers become the fewest intervals covering exactly them."""
    assert runs({5, 1, 2, 3, 9, 10}) == [(1, 3), (5, 5), (9, 10)]
    assert runs(set()) == []


def test_parmi_on_a_number_is_one_atom_cut_at_its_runs():
    """`n est parmi …` is one atom; the field's cells are cut at the ends of the list's runs only."""
    values = [1, 2, 3, 4, 20, 21, 50]
    charter = _charter("règle « R »\n  si n est parmi " + ", ".join(map(str, values)) + "\n  alors A\n")
    core = lower(charter.rules[0].condition)
    assert core == In(0, frozenset(values))
    cells = Domain(charter.fields, [core]).fields[0].cells
    assert cells == [(0, 0), (1, 4), (5, 19), (20, 21), (22, 49), (50, 50), (51, 100)]


def test_amounts_in_a_list_are_cut_to_the_cent():
    """An amount in a `parmi` list is its own cell, the cent below and above outside it."""
    charter = _charter("règle « R »\n  si la dette est parmi 600 €, 99,99 €\n  alors A\n")
    cells = Domain(charter.fields, [lower(charter.rules[0].condition)]).fields[1].cells
    assert (9999, 9999) in cells and (60000, 60000) in cells and (10000, 59999) in cells


def test_values_joined_by_ou_become_one_list():
    """`n est 1 ou n est 5 ou la dette est 0 € ou n est parmi 7, 8` is one list on n and one test on dette."""
    charter = _charter("règle « R »\n  si n est 1 ou n est 5 ou la dette est 0 € ou n est parmi 7, 8\n  alors A\n")
    core = lower(charter.rules[0].condition)
    assert isinstance(core, Or)
    assert core.operands == (In(0, frozenset({1, 5, 7, 8})), In(1, frozenset({0})))


def test_a_definition_is_lowered_once_and_shared():
    """Definitions doubling each other 20 times lower to a graph of their text's size."""
    lines = ["définition « d0 » : n est au moins 1"]
    lines += [f"définition « d{i} » : d{i - 1} ou d{i - 1}" for i in range(1, 21)]
    charter = _charter("\n".join(lines) + "\nrègle « R »\n  si d20\n  alors A\n")
    core = lower(charter.rules[0].condition)
    assert core.operands[0] is core.operands[1]
    assert list(atoms_of(core)) == [lower(charter.model.definitions[0].condition)]


def test_merged_lists_decide_as_the_interpreter():
    """Every value of n gets the same decision compiled and interpreted, through merged lists."""
    rules = ("règle « R »\n  si n est 1 ou n est 5 ou n est parmi 7, 8, 9\n  alors A\n"
             "règle « S »\n  dans tous les autres cas, B\n")
    compiled, interpreted = _charter(rules), _charter(rules, engine="interprete")
    for n in range(101):
        household = {"n": n, "dette": "0"}
        assert compiled.route(household).service == interpreted.route(household).service
        assert (compiled.route(household).service == "A") == (n in (1, 5, 7, 8, 9))
