"""The charters the benchmarks generate load and are proven, so that they time real loads."""

from __future__ import annotations

import sys

import pytest

import repartition

from conftest import ROOT

if str(ROOT) not in sys.path:  # `benchmarks/` is a folder of the checkout, not an installed package
    sys.path.insert(0, str(ROOT))

from benchmarks import first_match  # noqa: E402


@pytest.mark.parametrize("seed", [1, 2])
def test_first_match_charter_is_proven(seed):
    """A first-match charter (here 13 rules: three levels of four, then the default) loads and is
    proven (so no rule is dead and no exception useless); each rule is an exception to the one before."""
    charter = repartition.Charter.from_text(first_match.charter(13, seed), name="premier.regles")
    assert len(charter.rules) == 13 and charter.rules[-1].is_default
    assert [r.overrides for r in charter.rules[1:-1]] == [(i,) for i in range(11)]
