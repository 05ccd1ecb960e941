"""The one meaning of a charter: from each rule's three-valued condition to an Outcome."""

from __future__ import annotations

from attrs import frozen

from .model import CharterModel

__all__ = ["Outcome", "Semantics", "DECIDED", "GAP", "CONFLICT", "UNDETERMINED", "T", "F", "U"]

DECIDED, GAP, CONFLICT, UNDETERMINED = "decision", "lacune", "conflit", "indetermination"

# The values a condition may take over a region of households, as bits of a mask.
T, F, U = 1, 2, 4


@frozen
class Outcome:
    """What the rules say of a household: a service and the rules behind it, or why not."""

    kind: str
    service: str | None
    rules: tuple[int, ...]  # rule indices in file order: deciding rules, or the rules involved


class Semantics:
    """Resolves condition values (True, False or None for unknown, one per rule) as langage.md says.

    A rule is set aside when a rule overriding it, directly or transitively, is certainly true. It
    decides when its condition is true and every overriding condition is false; it might decide
    when it is not set aside and its condition, or an overriding one, is unknown.
    """

    def __init__(self, charter: CharterModel):
        rules = charter.rules
        self.services = tuple(r.service.code for r in rules)
        self._partners = tuple(tuple(s.code for s in r.partners) for r in rules)
        self._partners_of: dict[Outcome, tuple[str, ...]] = {}
        self.default = charter.default_rule.index if charter.default_rule is not None else None
        self.ordinary = tuple(r.index for r in rules if not r.is_default)
        self.overriders = _transitive_overriders(charter)
        self._cache: dict[tuple, Outcome] = {}

    def classify(self, values: tuple) -> tuple[list[int], list[int]]:
        """The rules that decide and the rules that might decide."""
        deciding, might = [], []
        for r in self.ordinary:
            condition = values[r]
            if condition is False:
                continue
            above = [values[e] for e in self.overriders[r]]
            if True in above:
                continue
            if condition is True and None not in above:
                deciding.append(r)
            else:
                might.append(r)
        return deciding, might

    def resolve(self, values: tuple) -> Outcome:
        """The outcome for one tuple of condition values; equal tuples give the same object."""
        found = self._cache.get(values)
        if found is None:
            found = self._cache[values] = self._resolve(values)
        return found

    def _resolve(self, values: tuple) -> Outcome:
        deciding, might = self.classify(values)
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

    def representative(self, possible: dict[int, int]) -> tuple:
        """Condition values standing for a region where every rule's class is fixed: any value
        each mask allows classifies the rules alike, so resolving this tuple resolves the region."""
        values = [None] * len(self.services)
        for rule, mask in possible.items():
            values[rule] = True if mask & T else (False if mask & F else None)
        return tuple(values)

    def set_aside(self, values: tuple) -> tuple[int, ...]:
        """Rules whose condition is true but that a certainly applying exception sets aside."""
        return tuple(
            r for r in self.ordinary
            if values[r] is True and any(values[e] is True for e in self.overriders[r])
        )


def _transitive_overriders(charter: CharterModel) -> tuple[tuple[int, ...], ...]:
    """For each rule, every rule that overrides it directly or through a chain of exceptions."""
    direct: dict[int, set[int]] = {r.index: set() for r in charter.rules}
    for rule in charter.rules:
        for target in rule.overrides:
            direct[target].add(rule.index)
    closure = []
    for rule in charter.rules:
        seen: set[int] = set()
        stack = list(direct[rule.index])
        while stack:
            node = stack.pop()
            if node not in seen:
                seen.add(node)
                stack.extend(direct[node])
        closure.append(tuple(sorted(seen)))
    return tuple(closure)
