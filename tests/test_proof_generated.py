"""The proof on a generated 300-rule charter: injected defects found, and random households agree with it."""

from __future__ import annotations

import collections
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from repartition import runtime
from repartition.dsl.interpreter import Interpreter
from repartition.proof import verify
from repartition.proof.regions import Explorer, contains
from repartition.semantics import DECIDED, Semantics
from repartition.testing import households

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from proof_generator import checked_model, generate  # noqa: E402


@pytest.fixture(scope="module")
def generated():
    text, expected = generate(1)
    model = checked_model(text, "g.regles")
    return model, expected, verify(model)


def test_injected_defects_are_all_found(generated):
    """5 gaps, 5 conflicts, 3 dead rules and 2 undetermined cases: exactly those, nothing else."""
    model, expected, report = generated
    assert dict(collections.Counter(p.kind for p in report.problems)) == expected
    dead = sorted(p.rules[0][0] for p in report.problems if p.kind == "regle_morte")
    assert dead == ["Impossible 0", "Impossible 1", "Impossible 2"]
    assert all(p.example is not None for p in report.problems if p.kind != "regle_morte")


def test_random_households_fall_in_the_problem_regions_exactly(generated):
    """A household the interpreter cannot route lies in a problem region of that kind and those
    rules; a routed one lies in none."""
    model, _, report = generated
    domain = Explorer(model).domain
    semantics = Semantics(model)
    interpreter = Interpreter()
    regions = [(p.kind, tuple(n for n, _ in p.rules), p.boxes) for p in report.problems
               if p.kind in ("lacune", "conflit", "indetermination")]

    @settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(households(model))
    def agree(household):
        values = tuple(runtime.read(f, household[f.machine]) for f in model.fields)
        outcome = semantics.resolve(tuple(None if r.condition is None else interpreter.evaluate(r.condition, values)
                                          for r in model.rules))
        inside = [(kind, rules) for kind, rules, boxes in regions
                  if any(contains(domain, r, f, values) for r, f in boxes)]
        if outcome.kind == DECIDED:
            assert inside == []
        else:
            assert inside == [(outcome.kind, tuple(model.rules[r].name for r in outcome.rules))]

    agree()
