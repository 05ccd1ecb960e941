"""Building a decision tree by splitting the domain at the rules' thresholds until the outcome is fixed."""

from __future__ import annotations

from attrs import frozen

from ..model import CharterModel
from ..semantics import Outcome, Semantics
from .lowering import F, T, U, Domain, RatioGe, lower

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
    """Branch on an atom, evaluated only where its fields are known; `cells` are the true cells."""

    atom: object
    region: tuple  # the region at this node, for emitting the simplest test
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
        self.width = len(charter.rules)
        # Atoms that bear on each rule's class: its own and those of the rules overriding it.
        self.relevant = {
            r: [self.cores[r]] + [self.cores[e] for e in semantics.overriders[r]] for r in self.rules
        }

    def root(self):
        return self.node(self.domain.full_region(), {})

    def node(self, region: tuple, fixed: dict):
        self.size_left -= 1
        if self.size_left < 0:
            raise TooLarge()
        memo: dict = {}
        possible = {r: self.domain.values(self.cores[r], region, fixed, memo) for r in self.rules}
        undetermined = [r for r in self.rules if len(self._classes(r, possible)) > 1]
        if not undetermined:
            values = [None] * self.width
            for r in self.rules:
                mask = possible[r]
                values[r] = True if mask & T else (False if mask & F else None)
            return Leaf(self.semantics.resolve(tuple(values)))
        atom = self._choose(undetermined, region, fixed, memo)
        fields = (atom.left, atom.right) if isinstance(atom, RatioGe) else (atom.field,)
        for f in fields:
            cells = self.domain.fields[f]
            if region[f] & cells.unknown_bit and region[f] & cells.known_mask:
                return IsUnknown(
                    f,
                    self.node(_with(region, f, cells.unknown_bit), fixed),
                    self.node(_with(region, f, region[f] & cells.known_mask), fixed),
                )
        if isinstance(atom, RatioGe):
            return Test(atom, region, self.node(region, {**fixed, atom: T}), self.node(region, {**fixed, atom: F}))
        true = self.domain.masks[atom] & region[atom.field]
        false = region[atom.field] & ~self.domain.masks[atom] & self.domain.fields[atom.field].known_mask
        return Test(atom, region, self.node(_with(region, atom.field, true), fixed),
                    self.node(_with(region, atom.field, false), fixed))

    def _classes(self, rule: int, possible: dict) -> set[str]:
        """Which of decides (D), might decide (M), neither (X) the rule can be in this region."""
        above = [possible[e] for e in self.semantics.overriders[rule]]
        own = possible[rule]
        classes = set()
        if any(a & T for a in above):
            classes.add("X")
        if all(a & (F | U) for a in above):  # some combination leaves the rule in play
            all_false = all(a & F for a in above)
            some_unknown = any(a & U for a in above)
            if own & F:
                classes.add("X")
            if own & U:
                classes.add("M")
            if own & T and all_false:
                classes.add("D")
            if own & T and some_unknown:
                classes.add("M")
        return classes

    def _choose(self, undetermined, region, fixed, memo):
        counts: dict = {}
        for r in undetermined:
            for core in self.relevant[r]:
                for atom in _atoms_in_order(core):
                    if _undecided(self.domain.atom_values(atom, region, fixed)):
                        counts[atom] = counts.get(atom, 0) + 1
        return max(counts, key=counts.get)  # first seen wins ties: deterministic


def _undecided(mask: int) -> bool:
    return mask not in (T, F, U)


def _with(region: tuple, index: int, mask: int) -> tuple:
    return region[:index] + (mask,) + region[index + 1:]


def _atoms_in_order(core):
    from .lowering import atoms_of

    return atoms_of(core)
