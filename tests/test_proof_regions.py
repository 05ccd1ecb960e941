"""Domain splitting: leaves partition the domain and carry the interpreter's outcome; searches and budget."""

from __future__ import annotations

import itertools
from pathlib import Path

import repartition
from repartition.proof.regions import DEFAULT_WORK, Budget, Explorer, contains
from repartition.semantics import T

ROOT = Path(__file__).resolve().parents[1]
UNKNOWNS = ROOT / "tests" / "corpus" / "valid" / "inconnus-et-defauts.regles"
FICHE = ROOT / "policies" / "dispositif-repartition.regles"


def _households(charter):
    """Every household of a small domain: each field's cells' representatives, unknown included."""
    domain = Explorer(charter.model).domain
    per_field = []
    for cells in domain.fields:
        values = []
        for cell in cells.cells:
            if isinstance(cell, tuple) and cell and cell[0] == "codes":
                values.append(min(cell[1]) if cell[1] else "99999")
            elif isinstance(cell, tuple):
                low, high = cell
                values += [v for v in {low, high, 0 if low is None else low + 1} if v is not None
                           and (low is None or v >= low) and (high is None or v <= high)]
            else:
                values.append(cell)
        if cells.unknown_bit:
            values.append(None)
        per_field.append(values)
    return domain, itertools.product(*per_field)


def test_leaves_partition_the_domain_with_the_interpreters_outcome():
    """Each household lies in exactly one leaf, whose outcome is the one the interpreter gives."""
    for path in (FICHE, UNKNOWNS):
        charter = repartition.load_charter(path, verify=False, engine="interprete")
        explorer = Explorer(charter.model)
        leaves, pending = explorer.explore(Budget(DEFAULT_WORK))
        assert not pending
        domain, households = _households(charter)
        for values in households:
            holding = [l for l in leaves if contains(domain, l.region, l.fixed, values)]
            assert len(holding) == 1
            assert holding[0].outcome == charter.decide(values)


def test_budget_leaves_pending_regions():
    """When the budget runs out, what is left is returned as pending regions, never dropped."""
    charter = repartition.load_charter(FICHE, verify=False)
    leaves, pending = Explorer(charter.model).explore(Budget(20))
    assert pending and len(leaves) < 4


def test_search_finds_where_conditions_hold():
    """search() returns the regions where each condition takes the wanted value, and only those."""
    charter = repartition.load_charter(FICHE, verify=False, engine="interprete")
    explorer = Explorer(charter.model)
    both, pending = explorer.search([(explorer.cores[0], T), (explorer.cores[1], T)], Budget(DEFAULT_WORK))
    assert both and not pending
    domain, households = _households(charter)
    for values in households:
        conditions = charter._backend.conditions(values)
        inside = any(contains(domain, r, f, values) for r, f in both)
        assert inside == (conditions[0] is True and conditions[1] is True)
