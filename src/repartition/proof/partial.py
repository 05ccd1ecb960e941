"""Partial examples: every household with the values an example gives goes where it says, proven by regions.

An example that gives only the data that matter (`enfants à charge : 2, stade : assignation`)
asserts its service, rule and partners for every household with those values, every other
datum free over its declared domain, unknown included where it may be, defaults not assumed.
The values cut the domain (an equality atom per value given), the explorer splits the region of
those values until every rule's part is fixed, as the proof does, and each region whose outcome
differs from the example's is searched for a household (`examples.solve`): the first one found,
routed through the reference interpreter, is the counter-example shown. No sampling: a region
is either proven to agree, shown to disagree with a household, or said undecided.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import model as m
from .. import runtime
from ..dsl.decision_tree import Budget, Leaf, build_tree, lowered
from ..dsl.interpreter import Interpreter
from ..dsl.lowering import Domain, lower
from ..semantics import DECIDED, Outcome
from .examples import Undecided, external, solve
from .linear import metered
from .regions import DEFAULT_WORK, cell_index

if TYPE_CHECKING:  # pragma: no cover
    from ..charter import Charter
    from ..examples import ExampleResult

__all__ = ["check_example"]


def check_example(charter: "Charter", example: m.Example, *, work: int = DEFAULT_WORK) -> "ExampleResult":
    """The result of a partial example: passed, or the first household found that goes elsewhere."""
    from ..examples import ExampleResult  # examples imports this module on use

    model = charter.model
    semantics = charter._semantics
    given = {f.index: (None if example.household[f.machine] is None else f.type.read(example.household[f.machine]))
             for f in model.fields if f.machine in example.household}
    pins = tuple(lower(m.Not(m.Known(model.fields[i])) if v is None else m.Compare(model.fields[i], "eq", v))
                 for i, v in given.items())
    cores, _ = lowered(model)
    domain = Domain(model.fields, list(cores.values()) + list(pins))
    start = list(domain.full_region())
    for index, value in given.items():
        start[index] = 1 << cell_index(domain.fields[index], value)
    budget = Budget(work)
    tree = build_tree(model, semantics, budget, (cores, domain), tuple(start))
    nodes = list(tree.leaves())
    leaves = [node for node in nodes if isinstance(node, Leaf)]
    deciding: dict[int, None] = {}
    first_rules: dict[str, None] = {}
    unsettled = len(leaves) < len(nodes)  # regions left when the budget ran out
    interpreter = Interpreter()
    for leaf in leaves:
        agrees = _agrees(charter, example, leaf.outcome)
        if agrees and not leaf.fixed:
            _note(model, leaf.outcome, deciding, first_rules)
            continue
        if budget.left < 0:
            unsettled = True
            break
        try:
            with metered() as spent:
                try:
                    point = solve(domain, leaf.region, leaf.fixed, model.valid_from)
                finally:
                    budget.spend(spent[0] + 1)
        except Undecided:
            unsettled = True
            continue
        if point is None:
            continue
        if agrees:
            _note(model, leaf.outcome, deciding, first_rules)
            continue
        household = external(model, point)
        values = tuple(runtime.read(f, household[f.machine]) for f in model.fields)
        outcome = semantics.resolve(interpreter.conditions(model.rules, values))
        if not _agrees(charter, example, outcome):  # the reference interpreter confirms it
            return _result(ExampleResult, charter, example, outcome, household)
    names = tuple(model.rules[i].name for i in sorted(deciding))
    if unsettled:
        return ExampleResult(example, None, None, names, "la preuve n'a pas pu conclure pour tous les ménages de "
                             "cet exemple (budget épuisé ou contraintes trop liées) : donnez plus de données")
    rule = example.rule or (next(iter(first_rules)) if len(first_rules) == 1 else None)
    return ExampleResult(example, example.service, rule, names, None,
                         tuple(example.partners) if example.partners is not None else ())


def _note(model: m.CharterModel, outcome: Outcome, deciding: dict, first_rules: dict) -> None:
    """Count the rules that decide a region of the example (the default rule too), for coverage."""
    deciding.update(dict.fromkeys(outcome.rules if outcome.rules[0] != _default(model) else outcome.rules[:1]))
    first_rules[model.rules[outcome.rules[0]].name] = None


def _default(model: m.CharterModel) -> int | None:
    return model.default_rule.index if model.default_rule is not None else None


def _agrees(charter: "Charter", example: m.Example, outcome: Outcome) -> bool:
    if outcome.kind != DECIDED or outcome.service != example.service:
        return False
    if example.rule is not None and charter.rules[outcome.rules[0]].name != example.rule:
        return False
    return example.partners is None or set(charter._semantics.partners(outcome)) == set(example.partners)


def _result(result_class, charter: "Charter", example: m.Example, outcome: Outcome, household: dict):
    """A failed partial example, with the household that goes elsewhere."""
    names = tuple(charter.rules[i].name for i in outcome.rules)
    if outcome.kind != DECIDED:
        error = charter._no_decision(outcome).diagnostic.message
        return result_class(example, None, None, (), error, counterexample=household)
    return result_class(example, outcome.service, names[0], names, None, charter._semantics.partners(outcome),
                        counterexample=household)
