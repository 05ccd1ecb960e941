"""Exhaustive splitting of a charter's domain into regions where every rule's part is fixed."""

from __future__ import annotations

import time

from attrs import field, frozen

from .. import model as m
from ..dsl.lowering import RELATIONS, F, T, U, Domain, atoms_of, lower, relation_value
from ..semantics import Outcome, Semantics

__all__ = ["Leaf", "Pending", "Budget", "Explorer", "DEFAULT_NODES", "DEFAULT_SECONDS", "contains", "cell_index"]

#: Most regions the proof examines before it gives up on the rest (reported as `indecis`).
DEFAULT_NODES = 400_000
#: Most seconds the proof spends before it gives up on the rest (reported as `indecis`).
DEFAULT_SECONDS = 20.0


@frozen
class Leaf:
    """A region (one cell mask per field, plus fixed relations) where the outcome is fixed.

    `outcome` is every household's outcome there under `Semantics`; `deciding`, its deciding rules.
    """

    region: tuple[int, ...]
    fixed: tuple[tuple[object, int], ...]  # relations (LinearGe, ShiftGe) fixed true or false
    outcome: Outcome = field(eq=False)
    deciding: tuple[int, ...] = field(eq=False)


@frozen
class Pending:
    """A region the proof did not finish examining within its budget."""

    region: tuple[int, ...]
    fixed: tuple[tuple[object, int], ...]  # relations (LinearGe, ShiftGe) fixed true or false


class Budget:
    """A shared allowance of regions and seconds, so that the proof never hangs."""

    def __init__(self, nodes: int = DEFAULT_NODES, seconds: float = DEFAULT_SECONDS):
        self.nodes_left = nodes
        self.deadline = time.perf_counter() + seconds
        self.used = 0

    def spend(self) -> bool:
        """Count one region; False once the budget is gone."""
        self.nodes_left -= 1
        self.used += 1
        if self.nodes_left < 0:
            return False
        if self.used & 255 == 0 and time.perf_counter() > self.deadline:
            self.nodes_left = -1
            return False
        return True


class Explorer:
    """Splits the domain at the rules' thresholds, with the same lowering as the compiler."""

    def __init__(self, model: m.CharterModel, semantics: Semantics | None = None, extra: tuple = ()):
        """`extra` are lowered conditions whose atoms also cut the domain (a partial example's values)."""
        self.semantics = semantics or Semantics(model)
        self.rules = tuple(r.index for r in model.rules if not r.is_default)
        self.cores = {r: lower(model.rules[r].condition) for r in self.rules}
        self.domain = Domain(model.fields, list(self.cores.values()) + list(extra))
        # The cores whose value bears on a rule's class: its own and its overriders'.
        self.related = {r: (r,) + self.semantics.overriders[r] for r in self.rules}
        self.split_atoms = {}
        for r in self.rules:
            found: dict = {}
            for e in self.related[r]:
                atoms_of(self.cores[e], found)
            self.split_atoms[r] = tuple(found)

    # ---- the outcome of every household --------------------------------------------------------
    def explore(self, budget: Budget, start: tuple | None = None) -> tuple[list[Leaf], list[Pending]]:
        """Every leaf of the domain (or of the region `start`), in depth-first order, and the regions
        left when budget ran out."""
        leaves: list[Leaf] = []
        pending: list[Pending] = []
        stack = [(start or self.domain.full_region(), (), {}, self.rules)]
        values_of, cores, classes = self.domain.values, self.cores, self.semantics.possible_classes
        while stack:
            region, fixed, masks, active = stack.pop()
            if not budget.spend():
                pending.append(Pending(region, fixed))
                pending.extend(Pending(r, f) for r, f, _, _ in reversed(stack))
                break
            fixed_map = dict(fixed)
            memo: dict = {}
            # A smaller region never reopens a rule: only the rules still open need a fresh look.
            masks = dict(masks)
            refresh = set()
            for r in active:
                refresh.update(self.related[r])
            for r in refresh:
                masks[r] = values_of(cores[r], region, fixed_map, memo)
            still = tuple(r for r in active if len(classes(r, masks)) > 1)
            if not still:
                leaves.append(self._leaf(region, fixed, masks))
                continue
            atom = self.domain.choose([self.split_atoms[r] for r in still], region, fixed_map)
            children = self._split(atom, region, fixed)
            for child_region, child_fixed in reversed(children):
                stack.append((child_region, child_fixed, masks, still))
        return leaves, pending

    def _leaf(self, region, fixed, masks) -> Leaf:
        """The leaf of a region where every rule's class is fixed: any value each mask allows
        classifies the rules alike, so one tuple of condition values stands for the region."""
        values = self.semantics.representative({r: masks[r] for r in self.rules})
        deciding, _ = self.semantics.classify(values)
        return Leaf(region, fixed, self.semantics.resolve(values), tuple(deciding))

    def _split(self, atom, region, fixed):
        """The sub-regions that fix the atom, in a readable order: known before unknown, false before true."""
        field, first, second = self.domain.split(atom, region)
        if field is None and isinstance(atom, RELATIONS):
            return [(region, _fix(fixed, atom, T)), (region, _fix(fixed, atom, F))]
        return [(second, fixed), (first, fixed)]

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
            if not budget.spend():
                pending.append(Pending(region, fixed))
                pending.extend(Pending(r, f) for r, f in reversed(stack))
                break
            fixed_map = dict(fixed)
            memo: dict = {}
            masks = [self.domain.values(core, region, fixed_map, memo) for core, _ in wanted]
            if any(not (mask & bit) for mask, (_, bit) in zip(masks, wanted)):
                continue
            if all(not mask & ~bit for mask, (_, bit) in zip(masks, wanted)):
                found.append((region, fixed))
                continue
            atom = next(a for a in atoms if self.domain.atom_values(a, region, fixed_map) not in (T, F, U))
            for child in reversed(self._split(atom, region, fixed)):
                stack.append(child)
        return found, pending



def _fix(fixed: tuple, atom, bit: int) -> tuple:
    """Fixed relations in a canonical order, so that equal regions compare and merge equal."""
    return tuple(sorted(fixed + ((atom, bit),), key=repr))


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
