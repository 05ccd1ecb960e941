"""The splitting of the domain: bounded by a budget of work, halving long lists, shared with the proof."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

from repartition.dsl.builder import build_ast
from repartition.dsl.checker import check
from repartition.dsl.decision_tree import Budget, Leaf, Pending, build_tree
from repartition.dsl.parser import parse_tree, prepare_text
from repartition.proof.regions import DEFAULT_WORK, Explorer
from repartition.semantics import Semantics

from conftest import POLICIES

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import hostile  # noqa: E402

DEPARTEMENTAL = POLICIES / "exemple-departemental.regles"


def _model(text: str):
    prepared = prepare_text(text)
    return check(build_ast(parse_tree(prepared, "t.regles"), "t.regles"), prepared, POLICIES,
                 hashlib.sha256(text.encode()))


def _leaves(leaves) -> list:
    return [(l.region, l.fixed, l.outcome, l.deciding) for l in leaves]


def test_a_spent_budget_leaves_pending_regions_with_their_rules():
    """Past its budget the tree stops: what is left are Pending regions naming the rules in play."""
    model = _model(DEPARTEMENTAL.read_text(encoding="utf-8"))
    tree = build_tree(model, Semantics(model), 200)
    pending = [n for n in tree.leaves() if isinstance(n, Pending)]
    assert not tree.complete and pending
    assert all(p.rules for p in pending)
    assert tree.work >= 200


def test_the_proof_carries_on_from_an_unfinished_tree_to_the_same_leaves():
    """Grown on from the compiler's unfinished tree, the proof finds the leaves it finds alone."""
    model = _model(DEPARTEMENTAL.read_text(encoding="utf-8"))
    semantics = Semantics(model)
    alone, left = Explorer(model, semantics).explore(Budget(DEFAULT_WORK))
    tree = build_tree(model, semantics, 300)
    assert not tree.complete
    carried, left_too = Explorer(model, semantics, tree).explore(Budget(DEFAULT_WORK))
    assert not left and not left_too
    assert _leaves(carried) == _leaves(alone)


def test_the_same_charter_costs_the_same_work():
    """The budget counts units of work: two runs spend exactly the same, whatever the machine does."""
    model = _model(DEPARTEMENTAL.read_text(encoding="utf-8"))
    first, second = build_tree(model, Semantics(model)), build_tree(model, Semantics(model))
    assert first.complete and (first.work, first.size) == (second.work, second.size)


def test_rules_on_their_own_values_of_one_field_are_halved():
    """300 rules `n est i` give a tree of logarithmic depth, not a chain of 300 tests."""
    model = _model(hostile.flat(300))
    tree = build_tree(model, Semantics(model))
    assert tree.complete and tree.depth <= 20
    outcomes = {l.outcome.rules for l in tree.leaves() if isinstance(l, Leaf)}
    assert {(i,) for i in range(300)} <= outcomes


def test_a_long_chain_of_exceptions_is_halved():
    """A chain of 400 exceptions on thresholds of one number gives a tree of logarithmic depth."""
    model = _model(hostile.exception_chain(400))
    tree = build_tree(model, Semantics(model))
    assert tree.complete and tree.depth <= 24
    deciding = {l.deciding for l in tree.leaves()}
    assert deciding == {(i,) for i in range(400)}


def test_a_threshold_that_rules_share_is_tested_first():
    """The fiche's exception tests the procedure stage before the children and the allowance."""
    model = _model((POLICIES / "dispositif-repartition.regles").read_text(encoding="utf-8"))
    tree = build_tree(model, Semantics(model))
    assert tree.root.atom.field == 2
