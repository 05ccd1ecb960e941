"""The proof's regions: the decision tree's leaves, grown on where its budget stopped, and searches."""

from __future__ import annotations

from .. import model as m
from ..dsl.decision_tree import Budget, Leaf, Pending, Tree, build_tree, fix_ratio, grow, leaves_of, lowered
from ..dsl.lowering import RELATIONS, F, T, U, Domain, atoms_of, relation_value
from ..semantics import Semantics

__all__ = ["Leaf", "Pending", "Budget", "Explorer", "DEFAULT_WORK", "contains", "cell_index"]

#: Units of work the proof spends (the decision tree's included) before it reports what is left as
#: `indecis`: about a few seconds of a 2-core machine, the same verdict on every machine.
DEFAULT_WORK = 3_000_000


class Explorer:
    """Splits the domain at the rules' thresholds, with the same lowering and splitting as the
    compiler; given the compiler's tree, carries on from it instead of starting again."""

    def __init__(self, model: m.CharterModel, semantics: Semantics | None = None, tree: Tree | None = None):
        self.model = model
        self.semantics = semantics or Semantics(model)
        self.tree = tree
        self.cores, self.domain = (tree.cores, tree.domain) if tree is not None else lowered(model)
        self.rules = tuple(sorted(self.cores))

    # ---- the outcome of every household --------------------------------------------------------
    def explore(self, budget: Budget) -> tuple[list[Leaf], list[Pending]]:
        """Every leaf of the domain, in depth-first order, and the regions left when budget ran out."""
        tree = self.tree
        if tree is None:
            tree = build_tree(self.model, self.semantics, budget, (self.cores, self.domain))
        else:
            budget.spend(tree.work)
        leaves: list[Leaf] = []
        pending: list[Pending] = []
        for node in tree.leaves():
            if isinstance(node, Leaf):
                leaves.append(node)
            elif budget.left < 0:
                pending.append(node)
            else:
                for found in leaves_of(grow(tree, node, budget)):
                    (leaves if isinstance(found, Leaf) else pending).append(found)
        return leaves, pending

    # ---- where given conditions take given values ------------------------------------------------
    def search(self, wanted: list[tuple[object, int]], budget: Budget):
        """Regions where each lowered condition takes only values among its wanted bits (T, F, U).

        Returns (regions, pending): boxes with fixed relations, and what the budget left over.
        Feasibility of the fixed relations is the caller's business.
        """
        found: list[tuple[tuple, tuple]] = []
        pending: list[Pending] = []
        stack = [(self.domain.full_region(), ())]
        atoms: dict = {}
        for core, _ in wanted:
            atoms_of(core, atoms)
        while stack:
            region, fixed = stack.pop()
            if budget.left < 0:
                pending.append(Pending(region, fixed, ()))  # the caller knows the rules it searched for
                pending.extend(Pending(r, f, ()) for r, f in reversed(stack))
                break
            fixed_map = dict(fixed)
            memo: dict = {}
            masks = [self.domain.values(core, region, fixed_map, memo) for core, _ in wanted]
            budget.spend(1 + len(memo))
            if any(not (mask & bit) for mask, (_, bit) in zip(masks, wanted)):
                continue
            if all(not mask & ~bit for mask, (_, bit) in zip(masks, wanted)):
                found.append((region, fixed))
                continue
            atom = next(a for a in atoms if self.domain.atom_values(a, region, fixed_map) not in (T, F, U))
            budget.spend(len(atoms))
            for child in reversed(self._split(atom, region, fixed)):
                stack.append(child)
        return found, pending

    def _split(self, atom, region, fixed):
        """The sub-regions that fix the atom, in a readable order: known before unknown, false before true."""
        field, first, second = self.domain.split(atom, region)
        if field is None and isinstance(atom, RELATIONS):
            return [(region, fix_ratio(fixed, atom, T)), (region, fix_ratio(fixed, atom, F))]
        return [(second, fixed), (first, fixed)]


def cell_index(cells, value) -> int:
    """The bit of the cell holding an internal value (the unknown bit for None)."""
    if value is None:
        return len(cells.cells)
    for bit, cell in enumerate(cells.cells):
        if isinstance(cell, tuple) and cell and cell[0] == "codes":
            if value in cell[1] or not cell[1]:  # the last cell holds every code no set names
                return bit
        elif isinstance(cell, tuple):
            low, high = cell
            if (low is None or value >= low) and (high is None or value <= high):
                return bit
        elif cell == value:
            return bit
    raise ValueError(value)  # pragma: no cover


def contains(domain: Domain, region: tuple, fixed: tuple, values: tuple) -> bool:
    """Whether a household (internal values) lies in a region with its fixed relations."""
    for index, cells in enumerate(domain.fields):
        if not region[index] >> cell_index(cells, values[index]) & 1:
            return False
    for atom, bit in fixed:
        value = relation_value(atom, values)
        if value is None or (value >= atom.bound) != (bit == T):
            return False
    return True
