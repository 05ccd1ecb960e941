"""The reference interpreter: evaluates checked conditions in three-valued logic, the oracle of all."""

from __future__ import annotations

from .. import model as m
from ..runtime import add_months

__all__ = ["Interpreter"]

_COMPARE = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "ge": lambda a, b: a >= b,
    "gt": lambda a, b: a > b,
    "le": lambda a, b: a <= b,
    "lt": lambda a, b: a < b,
}


class Interpreter:
    """Walks conditions node by node; None stands for unknown (Kleene's tables, as in SQL).

    `values` is the household's tuple of values; `seen` remembers, for one household, the value of
    each definition already evaluated, so that definitions using definitions cost their size, not
    the size of their expansion.
    """

    def evaluate(self, condition: m.Condition, values: tuple, seen: dict | None = None) -> bool | None:
        return getattr(self, "visit_" + type(condition).__name__)(condition, values, {} if seen is None else seen)

    def conditions(self, rules: tuple[m.Rule, ...], values: tuple) -> tuple:
        """Each rule's condition value for a household, None for the default rule."""
        seen: dict = {}
        return tuple(None if r.condition is None else self.evaluate(r.condition, values, seen) for r in rules)

    def visit_Compare(self, node: m.Compare, values: tuple, seen: dict) -> bool | None:
        value = values[node.field.index]
        return None if value is None else _COMPARE[node.op](value, node.value)

    def visit_Between(self, node: m.Between, values: tuple, seen: dict) -> bool | None:
        value = values[node.field.index]
        return None if value is None else node.low <= value <= node.high

    def visit_Among(self, node: m.Among, values: tuple, seen: dict) -> bool | None:
        value = values[node.field.index]
        return None if value is None else value in node.values

    def visit_Linear(self, node: m.Linear, values: tuple, seen: dict) -> bool | None:
        left = [values[f.index] for f in node.left]
        right = [values[f.index] for f in node.right]
        if None in left or None in right:
            return None
        other = node.factor * sum(right) if node.right else node.constant  # Fraction: exact
        return _COMPARE[node.op](sum(left), other)

    def visit_Duration(self, node: m.Duration, values: tuple, seen: dict) -> bool | None:
        later, earlier = values[node.later.index], values[node.earlier.index]
        if later is None or earlier is None:
            return None
        if node.unit == "jours":
            shifted = earlier + node.amount
        else:
            shifted = add_months(earlier, node.amount * 12 if node.unit == "ans" else node.amount)
        return _COMPARE[node.op](later, shifted)

    def visit_Known(self, node: m.Known, values: tuple, seen: dict) -> bool:
        return values[node.field.index] is not None

    def visit_Truth(self, node: m.Truth, values: tuple, seen: dict) -> bool | None:
        return values[node.field.index]

    def visit_Not(self, node: m.Not, values: tuple, seen: dict) -> bool | None:
        value = self.evaluate(node.operand, values, seen)
        return None if value is None else not value

    def visit_All(self, node: m.All, values: tuple, seen: dict) -> bool | None:
        result: bool | None = True
        for operand in node.operands:
            value = self.evaluate(operand, values, seen)
            if value is False:
                return False
            if value is None:
                result = None
        return result

    def visit_Any(self, node: m.Any, values: tuple, seen: dict) -> bool | None:
        result: bool | None = False
        for operand in node.operands:
            value = self.evaluate(operand, values, seen)
            if value is True:
                return True
            if value is None:
                result = None
        return result

    def visit_DefinitionRef(self, node: m.DefinitionRef, values: tuple, seen: dict) -> bool | None:
        key = id(node.definition)
        if key not in seen:
            seen[key] = self.evaluate(node.definition.condition, values, seen)
        return seen[key]
