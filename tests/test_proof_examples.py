"""Example households: the exact ratio solver, readable threshold values, JSON-style output."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import repartition
from repartition.proof.examples import MAX_PERIOD, Undecided, external, solve, solve_pair
from repartition.proof.regions import DEFAULT_WORK, Budget, Explorer

bound = st.one_of(st.none(), st.integers(-6, 6))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(-4, 4), st.integers(-4, 4), st.integers(-8, 8)), min_size=1, max_size=3),
       bound, bound, bound, bound)
def test_solve_pair_is_exact(constraints, xl, xh, yl, yh):
    """solve_pair finds a point exactly when the small window of integers holds one (bounded case)."""
    xl, xh = (-6 if xl is None else xl), (6 if xh is None else xh)
    yl, yh = (-6 if yl is None else yl), (6 if yh is None else yh)
    found = solve_pair(constraints, (xl, xh), (yl, yh), 0, 0)
    points = [(x, y) for x in range(xl, xh + 1) for y in range(yl, yh + 1)
              if all(a * x + b * y >= c for a, b, c in constraints)]
    assert (found is not None) == bool(points)
    if found is not None:
        assert found in points


def test_solve_pair_unbounded_ratio():
    """Over unbounded amounts, `dette >= 6 × loyer` and `dette <= 6 × loyer` meet exactly at equality."""
    x, y = solve_pair([(1, -6, 0), (-1, 6, 0)], (0, None), (100, None), 0, 50_000)
    assert (x, y) == (300_000, 50_000)


def test_solve_pair_parity_gap():
    """2·x = 3·y + 1 has no solution with y even: the periodic walk proves it, exactly."""
    assert solve_pair([(2, -3, 1), (-2, 3, -1), (0, 1, 0), (0, -1, 0)], (None, None), (0, 0), 0, 0) is None


def test_period_beyond_limit_is_undecided():
    """A period beyond MAX_PERIOD is not walked: the solver says Undecided rather than guess."""
    with pytest.raises(Undecided):
        solve_pair([(MAX_PERIOD + 1, -1, 0)], (None, None), (None, None), 0, 0)


TEXT = """charte « Seuils »
services
  A : « A »
  B : « B »
données du ménage
  dette [dette] : montant en euros d'au moins 0
  signalement [signalement] : date
  stade [stade] : étape parmi (aucune, payer, assignation)
  commune [commune] : code
ensemble « S » : 17000
règle « R »
  si la dette est plus de 500 € et le signalement est après le 2026-03-01 et le stade est au moins payer
     et la commune n'est pas dans « S »
  alors A
règle « Autres »
  dans tous les autres cas, B
"""


def test_examples_sit_on_thresholds():
    """Strict bounds give the threshold plus one cent or one day; a code outside every set is fresh."""
    charter = repartition.Charter.from_text(TEXT, name="s.regles", verify=False)
    explorer = Explorer(charter.model)
    leaves, _ = explorer.explore(Budget(DEFAULT_WORK))
    deciding = next(l for l in leaves if l.deciding == (0,))
    values = solve(explorer.domain, deciding.region, deciding.fixed)
    household = external(charter.model, values)
    assert household == {"dette": "500,01", "signalement": "2026-03-02", "stade": "payer", "commune": "99999"}
    assert charter.route(household).rule == "R"


def test_external_spells_households_as_json_input_and_reads_back():
    """Amounts read « -12,05 » (exact cents), dates ISO, stages by machine name, unknown null; routing
    reads the household back to the same internal values."""
    text = TEXT.replace("d'au moins 0", "d'au moins -100000").replace(
        "commune [commune] : code", "commune [commune] : code, peut être inconnu")
    charter = repartition.Charter.from_text(text, name="s.regles", verify=False)
    values = (-1205, dt.date(2026, 3, 2).toordinal(), 2, None)
    household = external(charter.model, values)
    assert household == {"dette": "-12,05", "signalement": "2026-03-02", "stade": "assignation", "commune": None}
    assert charter.validate(household).values == values
