"""The exact whole-number solver of sums and multiples against enumerating every point of small boxes."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

import pytest

from repartition.proof import linear
from repartition.proof.linear import Undecided, point, real_empty

_BOX = range(-3, 4)


def _points(rows, variables):
    return [p for p in itertools.product(_BOX, repeat=variables)
            if all(sum(a * p[v] for v, a in co.items()) >= c for co, c in rows)]


_ROW = st.tuples(st.lists(st.integers(-3, 3), min_size=3, max_size=3), st.integers(-6, 6))


@settings(max_examples=200, deadline=None)
@given(st.lists(_ROW, min_size=1, max_size=4))
def test_real_emptiness_is_sound(rows):
    """When Fourier–Motzkin says no real point fits, no whole point of the box fits either."""
    system = [(dict(enumerate(co)), c) for co, c in rows]
    if real_empty(system, {v: (-3, 3) for v in range(3)}):
        assert not _points(system, 3)


@settings(max_examples=400, deadline=None)
@given(st.lists(_ROW, min_size=1, max_size=5), st.lists(st.integers(-3, 3), min_size=3, max_size=3))
def test_point_is_exact(rows, targets):
    """A point is found exactly when the box holds one, and it satisfies every row: with coefficients
    up to 3 the residues to walk stay few, so the solver always settles (never Undecided)."""
    system = [(dict(enumerate(co)), c) for co, c in rows]
    found = point(system, {v: (-3, 3) for v in range(3)}, dict(enumerate(targets)))
    members = _points(system, 3)
    assert (found is None) == (members == [])
    if found is not None:
        assert tuple(found[v] for v in range(3)) in members


def test_past_the_residue_limit_the_solver_says_undecided():
    """10 000·x = 10 001·(y + z) with x from 1 to 5 has real points but no whole one, and exactness
    would walk 10⁸ residues: Undecided, never a guess."""
    rows = [({0: 10_000, 1: -10_001, 2: -10_001}, 0), ({0: -10_000, 1: 10_001, 2: 10_001}, 0)]
    with pytest.raises(Undecided):
        point(rows, {0: (1, 5), 1: (0, 1000), 2: (0, 1000)}, {0: 1, 1: 0, 2: 0})


def test_readable_point_on_the_threshold():
    """dette >= 2 × (loyer + charges), loyer and charges near 500 €: the debt sits on its threshold."""
    rows = [({0: 1, 1: -2, 2: -2}, 0)]
    found = point(rows, {0: (0, None), 1: (0, None), 2: (0, None)}, {0: 50_000, 1: 50_000, 2: 50_000})
    assert found == {0: 200_000, 1: 50_000, 2: 50_000}


def test_readable_values_are_tried_a_bounded_number_of_times(monkeypatch):
    """Past exact elimination, readable values for many variables are tried at most MAX_RESIDUES
    times (3 choices for 28 variables would be 3²⁸ tries), each metered, then the solver says undecided."""
    monkeypatch.setattr(linear, "MAX_ROWS", 4)
    monkeypatch.setattr(linear, "MAX_RESIDUES", 50)
    names = [f"x{i}" for i in range(30)]
    total = {n: 1 for n in names}
    rows = [(total, 7), ({n: -1 for n in names}, -7)]  # Σ x = 7, whole x in 0..10
    with linear.metered() as spent, pytest.raises(Undecided):
        point(rows, {n: (0, 10) for n in names}, {n: 5 for n in names})
    assert 0 < spent[0] <= 50 * len(rows) + 1_000
