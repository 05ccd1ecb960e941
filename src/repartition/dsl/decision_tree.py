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

from ..model import CharterModel, CodeType
from ..semantics import Outcome, Semantics, members
from .lowering import RELATIONS, F, T, U, Domain, LinearGe, atoms_of, lower, relation_fields

__all__ = ["Leaf", "IsUnknown", "Test", "Pending", "Tree", "Budget", "build_tree", "grow", "leaves_of",
           "lowered", "fix_ratio", "DEFAULT_WORK"]

#: Units of work the compiler spends on its tree before it evaluates the rules directly instead.
DEFAULT_WORK = 1_000_000

_NODE_COST = 4  # units of a region besides the conditions and atoms it looks at
_RELATION_COST = 4  # units of a relation between fields looked at (a sum, a multiple, months between dates)


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
    splitter: "_Splitter" = field(eq=False, repr=False)  # to grow Pending regions on

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
            stack += (node.no, node.yes) if isinstance(node.atom, RELATIONS) else (node.yes, node.no)
        else:
            yield node


def lowered(charter: CharterModel) -> tuple[dict, Domain]:
    """Each ordinary rule's lowered condition (definitions shared) and the domain they cut."""
    memo: dict = {}
    cores = {r.index: lower(r.condition, memo) for r in charter.rules if not r.is_default}
    return cores, Domain(charter.fields, list(cores.values()))


def build_tree(charter: CharterModel, semantics: Semantics, work: int | Budget | None = None,
               parts: tuple[dict, Domain] | None = None, start: tuple | None = None) -> Tree:
    """The decision tree of a charter, grown until its outcome is fixed everywhere or the budget
    (DEFAULT_WORK units unless given) is spent; `parts` are its `lowered` conditions and domain,
    when the caller has them already; `start`, a region of the domain to split instead of all of it."""
    budget = work if isinstance(work, Budget) else Budget(DEFAULT_WORK if work is None else work)
    cores, domain = parts or lowered(charter)
    splitter = _Splitter(semantics, cores, domain)
    root = splitter.grow(start or domain.full_region(), (), budget)
    return Tree(root, domain, cores, splitter.pending == 0, splitter.nodes, splitter.depth, budget.used, splitter)


def grow(tree: Tree, pending: Pending, budget: Budget):
    """The subtree of a Pending region of `tree`, grown with `budget` (Pending again where it runs out)."""
    return tree.splitter.grow(pending.region, pending.fixed, budget)


class _Splitter:
    def __init__(self, semantics: Semantics, cores: dict, domain: Domain):
        self.semantics = semantics
        self.cores = cores
        self.domain = domain
        self.rules = tuple(sorted(cores))
        self.own_atoms = {r: tuple(atoms_of(core)) for r, core in cores.items()}
        # What looking at a rule's atoms costs: a relation is solved over the region's bounds (hulls,
        # calendar pieces), several times the work of an interval's mask.
        self.atom_cost = {r: sum(_RELATION_COST if isinstance(a, RELATIONS) else 1 for a in atoms)
                          for r, atoms in self.own_atoms.items()}
        # For each atom, the rules whose part it bears on: those whose condition holds it, and the
        # rules these override (an exception's condition decides whether its rule is set aside).
        self.reach: dict = {}
        for r, atoms in self.own_atoms.items():
            bits = (1 << r) | semantics.below[r]
            for atom in atoms:
                self.reach[atom] = self.reach.get(atom, 0) | bits
        self.overridden = sum(1 << r for r in self.rules if semantics.above[r])
        # Fields whose cells a test can cut in halves: numbers, amounts, dates and codes.
        self.halvable = [cells.intervals or isinstance(cells.field.type, CodeType) for cells in domain.fields]
        # For each field, the rules whose condition reads it: a split on a field changes only their masks.
        self.on_field: dict[int, int] = {}
        for r, atoms in self.own_atoms.items():
            for atom in atoms:
                for f in relation_fields(atom):
                    self.on_field[f] = self.on_field.get(f, 0) | (1 << r)
        # A region costs a few units, and more with many rules: each set of rules is a bitset.
        self.node_cost = _NODE_COST + (len(self.rules) >> 8)
        self.nodes = self.pending = self.depth = 0  # of the last `grow`

    def grow(self, region: tuple, fixed: tuple, budget: Budget):
        """The subtree of a region: an explicit depth-first walk (known before unknown, false
        before true, as the proof reads), each region changing the masks list and restoring it.

        Sets of rules are bitsets: `may_t`, `may_f`, `may_u` (rules whose condition may be true,
        false, unknown over the region: together, every rule's mask), `open_bits` (rules whose part
        was not fixed in the parent region), `touched` (rules reading the field just split) and
        `aside` (rules set aside for sure: below a rule certainly true)."""
        semantics, domain, cores = self.semantics, self.domain, self.cores
        self.nodes = self.pending = self.depth = 0
        above, overridden, ordinary = semantics.above, self.overridden, semantics.ordinary_bits
        every = sum(1 << r for r in self.rules)
        masks = [T | F | U] * (max(self.rules) + 1 if self.rules else 0)  # unknown so far: refreshed at the root
        result: list = [None]
        # Entries: ("visit", region, fixed, may_t, may_f, may_u, open_bits, touched, aside, slot, index,
        # depth), ("build", kind, payload, children, slot, index) and ("undo", changes).
        stack: list = [("visit", region, fixed, every, every, every, every, every, 0, result, 0, 0)]
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
            _, region, fixed, may_t, may_f, may_u, open_bits, touched, aside, slot, index, depth = entry
            self.depth = max(self.depth, depth)
            if budget.left < 0:
                slot[index] = Pending(region, fixed, tuple(members(open_bits)))
                self.pending += 1
                continue
            self.nodes += 1
            fixed_map = dict(fixed)
            memo: dict = {}
            # Masks that may have narrowed: the vague ones (more than one value) that read the field
            # just split, among the open rules and the rules overriding them.
            relevant = open_bits
            for r in members(open_bits & overridden):
                relevant |= above[r]
            vague = (may_t & may_f) | (may_t & may_u) | (may_f & may_u)
            changes = []
            for r in members(relevant & vague & touched):
                mask = domain.values(cores[r], region, fixed_map, memo)
                old = masks[r]
                if mask != old:
                    changes.append((r, old))
                    gone = old & ~mask
                    if gone & T:
                        may_t ^= 1 << r
                    if gone & F:
                        may_f ^= 1 << r
                    if gone & U:
                        may_u ^= 1 << r
                    masks[r] = mask
                    if mask == T:
                        aside |= semantics.below[r]
            vague = (may_t & may_f) | (may_t & may_u) | (may_f & may_u)
            # A rule no exception overrides is undetermined exactly when its mask is vague.
            undetermined = open_bits & vague & ~overridden
            checked = open_bits & overridden
            if checked:
                not_f, only_t = ~may_f, may_t & ~may_f & ~may_u
                for r in members(checked):
                    if len(semantics.classes_bits(r, masks[r], may_t, not_f, may_u, only_t)) > 1:
                        undetermined |= 1 << r
            # The region, its conditions, the overriders then the parts of the rules checked, its ratios.
            cost = self.node_cost + len(memo) + 2 * checked.bit_count() + len(fixed)
            if not undetermined:
                true = may_t & ordinary
                unknown = may_u & ~may_f & ~may_t & ordinary
                among = (true | unknown) & ~aside
                budget.spend(cost + among.bit_count())
                deciding, _ = semantics.classify_bits(true, unknown, among)
                slot[index] = Leaf(semantics.resolve_bits(true, unknown, among), region, fixed, tuple(deciding))
                for r, mask in changes:
                    masks[r] = mask
                continue
            atom, looked = self._choose(undetermined, vague, region, fixed_map)
            budget.spend(cost + looked)
            children: list = [None, None]
            field_index, first, second = domain.split(atom, region)
            touched = 0
            for f in relation_fields(atom):
                touched |= self.on_field.get(f, 0)
            if field_index is not None:
                kind, payload, parts = "unknown", field_index, ((first, fixed), (second, fixed))
            elif isinstance(atom, RELATIONS):
                kind, payload, parts = "test", atom, ((region, fix_ratio(fixed, atom, T)),
                                                      (region, fix_ratio(fixed, atom, F)))
            else:
                kind, payload, parts = "test", atom, ((first, fixed), (second, fixed))
            stack.append(("build", kind, payload, children, slot, index))
            stack.append(("undo", changes))
            # Read as the proof reads: known values before unknown, where the atom fails before where
            # it holds, but a ratio true before false. What is read first is pushed last.
            for i in ((1, 0) if kind == "test" and isinstance(atom, RELATIONS) else (0, 1)):
                sub_region, sub_fixed = parts[i]
                stack.append(("visit", sub_region, sub_fixed, may_t, may_f, may_u, undetermined, touched, aside,
                              children, i, depth + 1))
        return result[0]

    def _choose(self, target: int, vague: int, region: tuple, fixed: dict):
        """The atom, undecided over the region, that bears on the most undetermined rules (its
        own and those it overrides); the first seen, in the rules' order, on a tie.

        Besides the rules' own atoms, each number, amount, date or code gets a candidate cut of its
        cells in halves, bearing on the rules whose atoms on it lie on one side of the cut, and chosen
        only when it bears on more: rules each on their own values of one field (`n est 1`,
        `n est 2`…) are told apart by halving, not one by one, while a threshold that rules share
        keeps its place. Returns the atom and the units of the atoms looked at.
        """
        domain, above = self.domain, self.semantics.above
        undetermined_bits = target  # and the rules overriding them: their atoms bear on them too
        looked = 0
        for r in members(target & self.overridden):
            undetermined_bits |= above[r]
            looked += 1
        best, best_count = None, -1
        cuts: dict[int, tuple] = {}  # field → (cut, its lower cells, rules on one side)
        seen: set[int] = set()
        for r in members(undetermined_bits & vague):
            atoms = self.own_atoms[r]
            looked += self.atom_cost[r]
            for atom in atoms:
                if id(atom) in seen:
                    continue
                seen.add(id(atom))
                if domain.atom_values(atom, region, fixed) in (T, F, U):
                    continue
                bearing = self.reach[atom] & target
                if not isinstance(atom, RELATIONS) and self.halvable[atom.field]:
                    f = atom.field
                    if f not in cuts:
                        cut = domain.halve(f, region)
                        cuts[f] = (cut, 0 if cut is None else region[f] & ~domain.masks[cut], 0)
                    cut, lower, sided = cuts[f]
                    if cut is not None:
                        inside = region[f] & domain.masks[atom]
                        if not inside & lower or not inside & ~lower:
                            cuts[f] = (cut, lower, sided | bearing)
                count = bearing.bit_count()
                if count > best_count:
                    best, best_count = atom, count
        if best is not None and not isinstance(best, RELATIONS) and best.field in cuts and self._peels(best, region):
            cut, _, sided = cuts[best.field]
            if sided.bit_count() >= best_count:  # a long list of thresholds: halve it
                return cut, looked + len(cuts)
        for f in sorted(cuts):
            cut, _, sided = cuts[f]
            if cut is not None and sided.bit_count() > best_count:
                best, best_count = cut, sided.bit_count()
        return best, looked + len(cuts)

    def _peels(self, atom, region: tuple) -> bool:
        """Whether the atom splits off a sliver of a field cut into many cells (16 or more, an
        eighth or less on one side): taking such atoms one at a time costs as many regions as
        cells, each looking at every rule still in play."""
        cells = self.domain.fields[atom.field]
        known = region[atom.field] & cells.known_mask
        total = known.bit_count()
        if total < 16:
            return False
        inside = (known & self.domain.masks[atom]).bit_count()
        return min(inside, total - inside) * 8 <= total


def fix_ratio(fixed: tuple, atom, bit: int) -> tuple:
    """Fixed relations (sums, multiples, months between dates) in a canonical order, so that equal
    regions compare and merge equal."""
    return tuple(sorted(fixed + ((atom, bit),), key=_relation_key))


def _relation_key(pair: tuple) -> tuple:
    atom = pair[0]
    if isinstance(atom, LinearGe):
        return 0, atom.terms, atom.bound
    return 1, (atom.later, atom.earlier), atom.months, atom.bound
