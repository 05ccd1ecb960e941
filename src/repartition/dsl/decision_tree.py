"""Building a decision tree by splitting the domain at the rules' thresholds until the outcome is fixed."""

from __future__ import annotations

from attrs import frozen

from ..model import CharterModel
from ..semantics import Outcome, Semantics
from .lowering import RELATIONS, F, T, Domain, atoms_of, lower

__all__ = ["Leaf", "IsUnknown", "Test", "TooLarge", "build_tree", "DEFAULT_BUDGET"]

#: Most nodes a tree may have before the compiler falls back to evaluating every rule in turn.
DEFAULT_BUDGET = 20_000


@frozen
class Leaf:
    outcome: Outcome


@frozen
class IsUnknown:
    """Branch on whether a field's value is unknown."""

    field: int
    unknown: object
    known: object


@frozen
class Test:
    """Branch on an atom, evaluated only where its fields are known."""

    atom: object
    yes: object
    no: object


class TooLarge(Exception):
    """The tree would exceed its node budget."""


def build_tree(charter: CharterModel, semantics: Semantics, budget: int = DEFAULT_BUDGET):
    return _Builder(charter, semantics, budget).root()


class _Builder:
    def __init__(self, charter: CharterModel, semantics: Semantics, budget: int):
        self.semantics = semantics
        self.rules = [r.index for r in charter.rules if not r.is_default]
        self.cores = {r.index: lower(r.condition) for r in charter.rules if not r.is_default}
        self.domain = Domain(charter.fields, list(self.cores.values()))
        self.size_left = budget
        # Atoms that bear on each rule's class: its own and those of the rules overriding it.
        self.relevant = {}
        for r in self.rules:
            atoms: dict = {}
            for core in [self.cores[r]] + [self.cores[e] for e in semantics.overriders[r]]:
                atoms_of(core, atoms)
            self.relevant[r] = list(atoms)

    def root(self):
        return self.node(self.domain.full_region(), {}, {}, self.rules)

    def node(self, region: tuple, fixed: dict, possible: dict, open_rules: list):
        """A subtree for a region; `possible` holds what the parent knew of each rule, and only
        the rules still `open` there need a look (a smaller region never reopens a rule)."""
        self.size_left -= 1
        if self.size_left < 0:
            raise TooLarge()
        memo: dict = {}
        possible = dict(possible)
        for r in open_rules:
            possible[r] = self.domain.values(self.cores[r], region, fixed, memo)
        undetermined = [r for r in open_rules if len(self.semantics.possible_classes(r, possible)) > 1]
        if not undetermined:
            return Leaf(self.semantics.resolve(self.semantics.representative(possible)))
        # A rule's class depends on the rules above it: they stay open with it.
        still = sorted(set(undetermined).union(*(self.semantics.overriders[r] for r in undetermined)))
        atom = self.domain.choose([self.relevant[r] for r in undetermined], region, fixed)

        def child(sub_region, sub_fixed):
            return self.node(sub_region, sub_fixed, possible, still)

        field, first, second = self.domain.split(atom, region)
        if field is not None:
            return IsUnknown(field, child(first, fixed), child(second, fixed))
        if isinstance(atom, RELATIONS):
            return Test(atom, child(region, {**fixed, atom: T}), child(region, {**fixed, atom: F}))
        return Test(atom, child(first, fixed), child(second, fixed))
