"""Splitting the domain at the rules' atoms until every rule's part is fixed: the decision tree.

The same splitting gives the compiler its decision tree and the proof its regions (the proof
walks the compiler's tree and carries on where the compiler's budget stopped). It is bounded by
construction: a budget counted in units of work (one per region examined, one per condition or
atom looked at there) stops it on every machine at the same point, and what is left is kept as
`Pending` regions, for the proof to report as undecided; the compiler then evaluates the rules
directly instead. The cost of a region grows with the rules still in play there, not with the
size of the charter: sets of rules are bitsets (`Semantics`), the masks of the rules' conditions
live in one list that each region changes and restores, and a rule leaves play for good once its
part is fixed.
"""

from __future__ import annotations

from attrs import field, frozen

from ..model import CharterModel
from ..semantics import Outcome, Semantics
from .lowering import F, T, U, Domain, RatioGe, atoms_of, lower

__all__ = ["Leaf", "IsUnknown", "Test", "Pending", "Tree", "Budget", "build_tree", "grow", "leaves_of",
           "lowered", "fix_ratio", "DEFAULT_WORK"]

#: Units of work the compiler spends on its tree before it evaluates the rules directly instead.
DEFAULT_WORK = 1_500_000

_BOTH = T | F


@frozen
class Leaf:
    """A region where every rule's part is fixed: its outcome and deciding rules."""

    outcome: Outcome
    region: tuple[int, ...] | None = field(eq=False, default=None)
    fixed: tuple = field(eq=False, default=())
    deciding: tuple[int, ...] = field(eq=False, default=())


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


@frozen
class Pending:
    """A region left unexamined when the budget ran out, and the rules still in play there."""

    region: tuple[int, ...]
    fixed: tuple
    rules: tuple[int, ...]


class Budget:
    """An allowance of units of work, shared by the searches of one run: never seconds, so that a
    charter is settled or not alike on every machine."""

    def __init__(self, units: int):
        self.left = units
        self.used = 0

    def spend(self, units: int) -> bool:
        """Count units of work; False once the allowance is gone."""
        self.left -= units
        self.used += units
        return self.left >= 0


@frozen
class Tree:
    """The root of a decision tree, with the domain and lowered conditions it splits on.

    `complete` is False when Pending regions remain; `size` counts nodes, `depth` the longest path.
    """

    root: object
    domain: Domain = field(eq=False, repr=False)
    cores: dict = field(eq=False, repr=False)
    complete: bool
    size: int
    depth: int
    work: int

    def leaves(self):
        """Leaves and Pending regions in the proof's reading order (`leaves_of`)."""
        return leaves_of(self.root)


def leaves_of(node):
    """The Leaf and Pending nodes of a subtree in the proof's reading order: known before unknown,
    false before true, but a ratio true before false (iterative: a tree may be deep)."""
    stack = [node]
    while stack:
        node = stack.pop()
        if isinstance(node, IsUnknown):
            stack += (node.unknown, node.known)
        elif isinstance(node, Test):
            stack += (node.no, node.yes) if isinstance(node.atom, RatioGe) else (node.yes, node.no)
        else:
            yield node


def lowered(charter: CharterModel) -> tuple[dict, Domain]:
    """Each ordinary rule's lowered condition (definitions shared) and the domain they cut."""
    memo: dict = {}
    cores = {r.index: lower(r.condition, memo) for r in charter.rules if not r.is_default}
    return cores, Domain(charter.fields, list(cores.values()))


def build_tree(charter: CharterModel, semantics: Semantics, work: int | Budget | None = None) -> Tree:
    """The decision tree of a charter, grown until its outcome is fixed everywhere or the budget
    (DEFAULT_WORK units unless given) is spent."""
    budget = work if isinstance(work, Budget) else Budget(DEFAULT_WORK if work is None else work)
    cores, domain = lowered(charter)
    splitter = _Splitter(semantics, cores, domain)
    root = splitter.grow(domain.full_region(), (), budget)
    return Tree(root, domain, cores, splitter.pending == 0, splitter.nodes, splitter.depth, splitter.work)


def grow(tree: Tree, semantics: Semantics, pending: Pending, budget: Budget):
    """The subtree of a Pending region of `tree`, grown with `budget` (Pending again where it runs out)."""
    return _Splitter(semantics, tree.cores, tree.domain).grow(pending.region, pending.fixed, budget)


class _Splitter:
    def __init__(self, semantics: Semantics, cores: dict, domain: Domain):
        self.semantics = semantics
        self.cores = cores
        self.domain = domain
        self.rules = tuple(sorted(cores))
        self.own_atoms = {r: tuple(atoms_of(core)) for r, core in cores.items()}
        # For each atom, the rules whose part it bears on: those whose condition holds it, and the
        # rules these override (an exception's condition decides whether its rule is set aside).
        self.reach: dict = {}
        for r, atoms in self.own_atoms.items():
            bits = (1 << r) | semantics.below[r]
            for atom in atoms:
                self.reach[atom] = self.reach.get(atom, 0) | bits
        self.overridden = [r for r in self.rules if semantics.above[r]]
        self.nodes = self.pending = self.depth = self.work = 0

    def grow(self, region: tuple, fixed: tuple, budget: Budget):
        """The subtree of a region: an explicit depth-first walk (known before unknown, false
        before true, as the proof reads), each region changing the masks list and restoring it."""
        semantics, domain, cores = self.semantics, self.domain, self.cores
        above = semantics.above
        masks = [0] * (max(self.rules) + 1 if self.rules else 0)
        may_t = may_f = may_u = 0
        for r in self.rules:  # unknown so far: every value possible, refreshed at the root
            masks[r] = T | F | U
        may_t = may_f = may_u = sum(1 << r for r in self.rules)
        result: list = [None]
        # Entries: ("visit", region, fixed, may_t, may_f, may_u, open rules, slot, index, depth),
        # ("build", kind, payload, children, slot, index) and ("undo", changes).
        stack: list = [("visit", region, fixed, may_t, may_f, may_u, self.rules, result, 0, 0)]
        while stack:
            entry = stack.pop()
            if entry[0] == "undo":
                for r, mask in entry[1]:
                    masks[r] = mask
                continue
            if entry[0] == "build":
                _, kind, payload, children, slot, index = entry
                slot[index] = (IsUnknown(payload, children[0], children[1]) if kind == "unknown"
                               else Test(payload, children[0], children[1]))
                continue
            _, region, fixed, may_t, may_f, may_u, open_rules, slot, index, depth = entry
            self.depth = max(self.depth, depth)
            if budget.left < 0:
                slot[index] = Pending(region, fixed, open_rules)
                self.pending += 1
                continue
            self.nodes += 1
            fixed_map = dict(fixed)
            memo: dict = {}
            # Masks that may have narrowed: the vague ones (more than one value) among the open
            # rules and the rules overriding them.
            open_bits = 0
            for r in open_rules:
                open_bits |= 1 << r
            relevant = open_bits
            for r in open_rules:
                relevant |= above[r]
            vague = (may_t & may_f) | (may_t & may_u) | (may_f & may_u)
            changes = []
            for r in _members(relevant & vague):
                mask = domain.values(cores[r], region, fixed_map, memo)
                if mask != masks[r]:
                    changes.append((r, masks[r]))
                    gone = masks[r] & ~mask
                    if gone & T:
                        may_t ^= 1 << r
                    if gone & F:
                        may_f ^= 1 << r
                    if gone & U:
                        may_u ^= 1 << r
                    masks[r] = mask
            not_f, only_t = ~may_f, may_t & ~may_f & ~may_u
            undetermined = tuple(r for r in open_rules
                                 if len(semantics.classes_bits(r, masks[r], may_t, not_f, may_u, only_t)) > 1)
            cost = 1 + len(memo) + len(open_rules)
            if not undetermined:
                budget.spend(cost)
                true = may_t & semantics.ordinary_bits
                unknown = may_u & not_f & ~may_t & semantics.ordinary_bits
                deciding, _ = semantics.classify_bits(true, unknown)
                slot[index] = Leaf(semantics.resolve_bits(true, unknown), region, fixed, tuple(deciding))
                for r, mask in changes:
                    masks[r] = mask
                continue
            atom, looked = self._choose(undetermined, vague, masks, region, fixed_map)
            budget.spend(cost + looked)
            children: list = [None, None]
            field_index, first, second = domain.split(atom, region)
            if field_index is not None:
                kind, payload, parts = "unknown", field_index, ((first, fixed), (second, fixed))
            elif isinstance(atom, RatioGe):
                kind, payload, parts = "test", atom, ((region, fix_ratio(fixed, atom, T)), (region, fix_ratio(fixed, atom, F)))
            else:
                kind, payload, parts = "test", atom, ((first, fixed), (second, fixed))
            stack.append(("build", kind, payload, children, slot, index))
            stack.append(("undo", changes))
            # Read as the proof reads: known values before unknown, where the atom fails before where
            # it holds, but a ratio true before false. What is read first is pushed last.
            for i in ((1, 0) if kind == "test" and isinstance(atom, RatioGe) else (0, 1)):
                sub_region, sub_fixed = parts[i]
                stack.append(("visit", sub_region, sub_fixed, may_t, may_f, may_u, undetermined, children, i,
                              depth + 1))
        self.work = budget.used
        return result[0]

    def _choose(self, undetermined: tuple, vague: int, masks: list, region: tuple, fixed: dict):
        """The atom, undecided over the region, that bears on the most undetermined rules; among
        those, the one splitting the region's cells most evenly (long lists of rules on one field
        then split in halves). Returns it and the number of atoms looked at."""
        domain, above = self.domain, self.semantics.above
        undetermined_bits = 0
        for r in undetermined:
            undetermined_bits |= (1 << r) | above[r]
        seen: set = set()
        best, best_key = None, None
        target = 0
        for r in undetermined:
            target |= 1 << r
        for r in _members(undetermined_bits & vague):
            for atom in self.own_atoms[r]:
                if atom in seen:
                    continue
                seen.add(atom)
                if domain.atom_values(atom, region, fixed) in (T, F, U):
                    continue
                key = ((self.reach[atom] & target).bit_count(), self._balance(atom, region))
                if best_key is None or key > best_key:
                    best, best_key = atom, key
        return best, len(seen)

    def _balance(self, atom, region: tuple) -> int:
        """How evenly the atom splits the region: the smaller side's number of cells."""
        if isinstance(atom, RatioGe):
            return 0
        cells = self.domain.fields[atom.field]
        mask = region[atom.field]
        if mask & cells.unknown_bit and mask & cells.known_mask:
            return 1
        true = self.domain.masks[atom]
        return min((mask & true).bit_count(), (mask & ~true & cells.known_mask).bit_count())


def _members(bits: int):
    """The rule indices of a bitset, in increasing order."""
    while bits:
        low = bits & -bits
        yield low.bit_length() - 1
        bits ^= low


def fix_ratio(fixed: tuple, atom: RatioGe, bit: int) -> tuple:
    """Fixed ratio atoms in a canonical order, so that equal regions compare and merge equal."""
    return tuple(sorted(fixed + ((atom, bit),), key=repr))
