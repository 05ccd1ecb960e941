"""Building a decision tree by splitting the domain at the rules' thresholds until the outcome is fixed."""

from __future__ import annotations

from attrs import frozen

from ..model import CharterModel
from ..semantics import Outcome, Semantics
from .lowering import F, T, U, Domain, RatioGe, atoms_of, lower, with_cells

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
        atom = self._choose(undetermined, region, fixed)

        def child(sub_region, sub_fixed):
            return self.node(sub_region, sub_fixed, possible, still)

        fields = (atom.left, atom.right) if isinstance(atom, RatioGe) else (atom.field,)
        for f in fields:
            cells = self.domain.fields[f]
            if region[f] & cells.unknown_bit and region[f] & cells.known_mask:
                return IsUnknown(f, child(with_cells(region, f, cells.unknown_bit), fixed),
                                 child(with_cells(region, f, region[f] & cells.known_mask), fixed))
        if isinstance(atom, RatioGe):
            return Test(atom, child(region, {**fixed, atom: T}), child(region, {**fixed, atom: F}))
        true = self.domain.masks[atom] & region[atom.field]
        false = region[atom.field] & ~self.domain.masks[atom] & self.domain.fields[atom.field].known_mask
        return Test(atom, child(with_cells(region, atom.field, true), fixed),
                    child(with_cells(region, atom.field, false), fixed))

    def _choose(self, undetermined, region, fixed):
        counts: dict = {}
        for r in undetermined:
            for atom in self.relevant[r]:
                if _undecided(self.domain.atom_values(atom, region, fixed)):
                    counts[atom] = counts.get(atom, 0) + 1
        return max(counts, key=counts.get)  # first seen wins ties: deterministic


def _undecided(mask: int) -> bool:
    return mask not in (T, F, U)


