"""The one meaning of a charter: from each rule's three-valued condition to an Outcome."""

from __future__ import annotations

from attrs import frozen

from . import model as m
from .model import CharterModel

__all__ = ["Outcome", "AsidePlan", "Semantics", "members", "may_be_unknown", "DECIDED", "GAP", "CONFLICT",
           "UNDETERMINED", "T", "F", "U"]

DECIDED, GAP, CONFLICT, UNDETERMINED = "decision", "lacune", "conflit", "indetermination"

# The values a condition may take over a region of households, as bits of a mask.
T, F, U = 1, 2, 4


@frozen
class Outcome:
    """What the rules say of a household: a service and the rules behind it, or why not."""

    kind: str
    service: str | None
    rules: tuple[int, ...]  # rule indices in file order: deciding rules, or the rules involved


@frozen
class AsidePlan:
    """Which conditions name the rules set aside in one decision, and how: each candidate rule, in
    file order, with the overriders that may set it aside. With none listed, a deciding rule
    overrides it: it is set aside exactly when its condition is true; otherwise, when its condition
    and one of those overriders' conditions are true. No other rule can be set aside."""

    candidates: tuple[tuple[int, tuple[int, ...]], ...]

    @property
    def reads(self) -> tuple[int, ...]:
        """The rules whose conditions the plan reads, in file order."""
        return tuple(sorted({r for rule, over in self.candidates for r in (rule, *over)}))

    @staticmethod
    def union(plans) -> "AsidePlan":
        """One plan doing the work of each (of one outcome: a rule is under a deciding rule in all or none)."""
        overriders: dict[int, set[int]] = {}
        for plan in plans:
            for r, over in plan.candidates:
                overriders.setdefault(r, set()).update(over)
        return AsidePlan(tuple((r, tuple(sorted(over))) for r, over in sorted(overriders.items())))

    def select(self, value) -> tuple[int, ...]:
        """The rules set aside, from `value[r]`, the condition of each rule of `reads`."""
        return tuple(r for r, over in self.candidates
                     if value[r] is True and (not over or any(value[e] is True for e in over)))


class Semantics:
    """Resolves condition values (True, False or None for unknown, one per rule) as langage.md says.

    A rule is set aside when a rule overriding it, directly or transitively, is certainly true. It
    decides when its condition is true and every overriding condition is false; it might decide
    when it is not set aside and its condition, or an overriding one, is unknown.

    Sets of rules are bitsets (bit r for rule r): `above[r]` holds every rule overriding r, and
    `below[r]` every rule r overrides, directly or through a chain of exceptions. They cost n²/8
    bytes where tuples of the transitive overriders would cost n² words, and a test against a
    set of rules is one `&`.
    """

    def __init__(self, charter: CharterModel):
        rules = charter.rules
        self.services = tuple(r.service.code for r in rules)
        self._partners = tuple(tuple(s.code for s in r.partners) for r in rules)
        self._partners_of: dict[Outcome, tuple[str, ...]] = {}
        self.default = charter.default_rule.index if charter.default_rule is not None else None
        self.ordinary = tuple(r.index for r in rules if not r.is_default)
        self.ordinary_bits = sum(1 << r for r in self.ordinary)
        self.above, self.below = _closure(charter)
        self.overriders = _Overriders(self.above)
        self._conditions = tuple(r.condition for r in rules)
        self._unknowable: int | None = None
        self._plans: dict[tuple[int, ...], AsidePlan] = {}
        self._cache: dict[tuple, Outcome] = {}
        self._bits_cache: dict[tuple[int, int], Outcome] = {}  # apart: (0, 1) == (False, True)

    def classify(self, values: tuple) -> tuple[list[int], list[int]]:
        """The rules that decide and the rules that might decide."""
        true = unknown = 0
        for r in self.ordinary:
            if values[r] is True:
                true |= 1 << r
            elif values[r] is None:
                unknown |= 1 << r
        return self.classify_bits(true, unknown)

    def classify_bits(self, true: int, unknown: int, among: int | None = None) -> tuple[list[int], list[int]]:
        """`classify` for the rules whose condition is true and those whose condition is unknown
        (bitsets of ordinary rules); every other condition is false. `among`, when given, holds
        every rule that may decide or might (the others are known to be set aside)."""
        deciding, might = [], []
        above = self.above
        for r in members((true | unknown) if among is None else among):
            over = above[r]
            if over & true:
                continue
            if true >> r & 1 and not over & unknown:
                deciding.append(r)
            else:
                might.append(r)
        return deciding, might

    def resolve(self, values: tuple) -> Outcome:
        """The outcome for one tuple of condition values; equal tuples give the same object."""
        found = self._cache.get(values)
        if found is None:
            found = self._cache[values] = self._outcome(*self.classify(values))
        return found

    def resolve_bits(self, true: int, unknown: int, among: int | None = None) -> Outcome:
        """`resolve` for the conditions true and unknown (bitsets of ordinary rules), the others
        false; `among` as for `classify_bits`."""
        key = (true, unknown)
        found = self._bits_cache.get(key)
        if found is None:
            found = self._bits_cache[key] = self._outcome(*self.classify_bits(true, unknown, among))
        return found

    def _outcome(self, deciding: list[int], might: list[int]) -> Outcome:
        services = self.services
        if deciding:
            named = {services[r] for r in deciding}
            if len(named) > 1:
                return Outcome(CONFLICT, None, tuple(deciding))
            (service,) = named
            if any(services[r] != service for r in might):
                return Outcome(UNDETERMINED, None, tuple(sorted(deciding + might)))
            return Outcome(DECIDED, service, tuple(deciding))
        if not might:
            if self.default is None:
                return Outcome(GAP, None, ())
            return Outcome(DECIDED, services[self.default], (self.default,))
        candidates = might + ([self.default] if self.default is not None else [])
        if self.default is None or len({services[r] for r in candidates}) > 1:
            return Outcome(UNDETERMINED, None, tuple(candidates))
        # No rule holds for sure: the default rule decides; the rules that might hold agree with it.
        return Outcome(DECIDED, services[self.default], (self.default, *might))

    def partners(self, outcome: Outcome) -> tuple[str, ...]:
        """The services to inform « en lien avec » a decided household's service: those named by
        the rules that certainly decide it (each once, in file order). Never those of a rule set
        aside by an exception, nor of a rule that only might apply."""
        found = self._partners_of.get(outcome)
        if found is None:
            rules = outcome.rules if outcome.kind == DECIDED else ()
            if rules and rules[0] == self.default:
                rules = rules[:1]  # the default decides; the others only might apply
            found = self._partners_of[outcome] = tuple(dict.fromkeys(
                code for r in rules for code in self._partners[r]))
        return found

    def possible_classes(self, rule: int, possible: dict[int, int]) -> set[str]:
        """Over a region where each rule's condition may take the values in `possible[rule]` (a mask
        of T, F, U), which of decides (D), might decide (M) or neither (X) the rule can be."""
        above = [possible[e] for e in self.overriders[rule]]
        return _classes(possible[rule], any(a & T for a in above), all(a & (F | U) for a in above),
                        all(a & F for a in above), any(a & U for a in above))

    def classes_bits(self, rule: int, own: int, may_t: int, not_f: int, may_u: int, only_t: int) -> set[str]:
        """`possible_classes` with every rule's mask given as bitsets: the rules that may be true,
        that cannot be false, that may be unknown, and that can only be true."""
        over = self.above[rule]
        if not over:
            return _classes(own, False, True, True, False)
        return _classes(own, bool(over & may_t), not over & only_t, not over & not_f, bool(over & may_u))

    def representative(self, possible: dict[int, int]) -> tuple:
        """Condition values standing for a region where every rule's class is fixed: any value
        each mask allows classifies the rules alike, so resolving this tuple resolves the region."""
        values = [None] * len(self.services)
        for rule, mask in possible.items():
            values[rule] = True if mask & T else (False if mask & F else None)
        return tuple(values)

    def set_aside(self, values: tuple) -> tuple[int, ...]:
        """Rules whose condition is true but that a certainly applying exception sets aside."""
        true = sum(1 << r for r in self.ordinary if values[r] is True)
        return tuple(r for r in members(true) if self.above[r] & true)

    def aside_plan(self, outcome: Outcome, may_true: int | None = None, may_unknown: int | None = None) -> AsidePlan:
        """How to name the rules set aside in a decision (a decided outcome), reading only the conditions
        that can matter: `set_aside` of every condition gives the same rules (tests say so).

        A rule set aside is true under a true overrider; the highest true rule above it has no true
        overrider, so it decides, or it might (an overrider of it is unknown): it then names the
        decided service (else the household is undetermined) and is no overrider of a deciding rule
        (those are false); without deciding rules, the outcome lists it. So only the rules below
        these roots can be set aside, only by the roots and the rules below them, and a rule below
        a deciding rule is set aside exactly when its condition is true.

        `may_true` and `may_unknown` (bitsets), when given, narrow the plan to a region of households
        (a leaf of the decision tree): there, only these rules' conditions may be true, or unknown.
        """
        if may_true is not None:
            return self._plan(outcome, may_true, self.unknowable & (-1 if may_unknown is None else may_unknown))
        found = self._plans.get(outcome.rules)
        if found is None:
            found = self._plans[outcome.rules] = self._plan(outcome, -1, self.unknowable)
        return found

    def _plan(self, outcome: Outcome, may_true: int, may_unknown: int) -> AsidePlan:
        rules, above, below = outcome.rules, self.above, self.below
        never = self.ordinary_bits & ~may_true  # conditions never true: they set nothing aside
        if rules[0] == self.default:  # no rule decides: the others listed might
            deciding, roots = (), tuple(t for t in rules[1:] if not never >> t & 1)
        else:
            deciding = rules
            for d in rules:  # a deciding rule's overriders are all false
                never |= above[d]
                may_unknown &= ~above[d]
            settled = never | sum(1 << d for d in rules)
            roots = rules + tuple(t for t in self.ordinary if not settled >> t & 1
                                  and self.services[t] == outcome.service and above[t] & may_unknown)
        sure = below_roots = setters = 0
        for d in deciding:
            sure |= below[d]
        for t in roots:
            below_roots |= below[t]
            setters |= (1 << t) | below[t]
        candidates = below_roots & self.ordinary_bits & ~never
        return AsidePlan(tuple((r, () if sure >> r & 1 else tuple(members(above[r] & setters & ~never)))
                               for r in members(candidates)))

    @property
    def unknowable(self) -> int:
        """The ordinary rules whose condition may be unknown, as a bitset (an over-estimate)."""
        if self._unknowable is None:
            memo: dict[int, bool] = {}
            self._unknowable = sum(1 << r for r in self.ordinary if may_be_unknown(self._conditions[r], memo))
        return self._unknowable


def may_be_unknown(node: m.Condition, memo: dict[int, bool]) -> bool:
    """Whether a condition can be unknown: it reads a field that may be, other than by « est connu »
    (an over-estimate: « X est connu et X … » is never unknown). `memo` keeps each definition's answer."""
    match node:
        case m.Known():
            return False
        case m.Compare(field=f) | m.Between(field=f) | m.Among(field=f) | m.Truth(field=f):
            return f.may_be_unknown
        case m.Linear(left=left, right=right):
            return any(f.may_be_unknown for f in (*left, *right))
        case m.Duration(field=f, other=g):
            return f.may_be_unknown or g.may_be_unknown
        case m.Not(operand=op):
            return may_be_unknown(op, memo)
        case m.All(operands=ops) | m.Any(operands=ops):
            return any(may_be_unknown(o, memo) for o in ops)
        case m.DefinitionRef(definition=d):
            found = memo.get(id(d))
            if found is None:
                found = memo[id(d)] = may_be_unknown(d.condition, memo)
            return found
    raise AssertionError(node)  # pragma: no cover


def _classes(own: int, some_true: bool, all_false_or_unknown: bool, all_false: bool, some_unknown: bool) -> set[str]:
    """The classes a rule can take, from its own mask and what its overriders may be."""
    classes = set()
    if some_true:
        classes.add("X")
    if all_false_or_unknown:  # some combination leaves the rule in play
        if own & F:
            classes.add("X")
        if own & U:
            classes.add("M")
        if own & T and all_false:
            classes.add("D")
        if own & T and some_unknown:
            classes.add("M")
    return classes


def members(bits: int):
    """The rule indices of a bitset, in increasing order."""
    while bits:
        low = bits & -bits
        yield low.bit_length() - 1
        bits ^= low


class _Overriders:
    """`overriders[r]`: the rules overriding r, directly or transitively, as a sorted tuple made on demand."""

    def __init__(self, above: tuple[int, ...]):
        self._above = above
        self._made: dict[int, tuple[int, ...]] = {}

    def __getitem__(self, rule: int) -> tuple[int, ...]:
        found = self._made.get(rule)
        if found is None:
            found = self._made[rule] = tuple(members(self._above[rule]))
        return found

    def __len__(self) -> int:
        return len(self._above)


def _closure(charter: CharterModel) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """For each rule, the bitsets of the rules overriding it and of the rules it overrides, directly
    or through a chain of exceptions (the checker has refused cycles)."""
    rules = charter.rules
    count = len(rules)
    direct_above: list[list[int]] = [[] for _ in rules]
    for rule in rules:
        for target in rule.overrides:
            direct_above[target].append(rule.index)
    above, below = [0] * count, [0] * count
    order = _topological(direct_above)  # every overrider before the rules it overrides
    for r in order:
        for e in direct_above[r]:
            above[r] |= (1 << e) | above[e]
    for r in reversed(order):
        for target in rules[r].overrides:
            below[r] |= (1 << target) | below[target]
    return tuple(above), tuple(below)


def _topological(direct_above: list[list[int]]) -> list[int]:
    """Rule indices with every rule after all the rules overriding it (iterative: chains may be long)."""
    order, state = [], [0] * len(direct_above)  # 0 new, 1 entered, 2 done
    for start in range(len(direct_above)):
        if state[start]:
            continue
        stack = [start]
        while stack:
            node = stack[-1]
            if state[node] == 0:
                state[node] = 1
                stack.extend(e for e in direct_above[node] if not state[e])
            else:
                stack.pop()
                if state[node] == 1:
                    state[node] = 2
                    order.append(node)
    return order
