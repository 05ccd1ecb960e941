"""French wording of a checked charter's pieces: conditions, types, values and rules, as reviewers read them."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from .. import model as m

__all__ = ["condition_text", "rule_sentence", "type_text", "factor_text", "validity_text", "unit_text"]

# Comparison words, as the language writes them; dates read "après le" / "avant le".
_OPS = {"eq": "est", "ne": "n'est pas", "ge": "au moins", "le": "au plus", "gt": "plus de", "lt": "moins de"}
_DATE_OPS = {"gt": "après le", "lt": "avant le"}
_NEGATED = {"eq": "ne", "ne": "eq", "ge": "lt", "lt": "ge", "le": "gt", "gt": "le"}


def _op_word(field: m.Field, op: str) -> str:
    if isinstance(field.type, m.DateType) and op in _DATE_OPS:
        return _DATE_OPS[op]
    return _OPS[op]


def factor_text(factor: Fraction) -> str:
    """The factor of a `fois` comparison, exact, with a decimal comma: « 6 », « 1,5 »."""
    # The charter writes the factor in decimal, so the quotient ends: no binary float, no rounding.
    return format(Decimal(factor.numerator) / Decimal(factor.denominator), "f").replace(".", ",")


def _values_text(field: m.Field, values) -> str:
    shown = sorted(values, key=lambda v: (str(type(v)), v))
    return ", ".join(field.text(v) for v in shown)


def _compare(node: m.Compare, negated: bool = False) -> str:
    field, op = node.field, (_NEGATED[node.op] if negated else node.op)
    if isinstance(field.type, m.BoolType) and op in ("eq", "ne"):
        positive = bool(node.value) == (op == "eq")
        return field.label if positive else f"non {field.label}"
    return f"{field.label} {_op_word(field, op)} {field.text(node.value)}"


def _among(node: m.Among, negated: bool = False) -> str:
    if node.source is not None:
        return f"{node.field.label} {'hors de' if negated else 'dans'} « {node.source} »"
    if len(node.values) == 1:
        verb = "n'est pas" if negated else "est"
        return f"{node.field.label} {verb} {_values_text(node.field, node.values)}"
    verb = "n'est pas parmi" if negated else "parmi"
    return f"{node.field.label} {verb} {_values_text(node.field, node.values)}"


def condition_text(condition: m.Condition | None) -> str:
    """A condition as one French phrase, e.g. « enfants à charge au moins 1 et aide au logement »."""
    if condition is None:
        return "dans tous les autres cas"
    return _text(condition, top=True)


def _text(node, top: bool = False) -> str:
    match node:
        case m.Compare():
            return _compare(node)
        case m.Between(field=f, low=low, high=high):
            return f"{f.label} entre {f.text(low)} et {f.text(high)}"
        case m.Among():
            return _among(node)
        case m.Ratio(field=f, op=op, factor=k, other=g):
            return f"{f.label} {_op_word(f, op)} {factor_text(k)} fois {g.label}"
        case m.Known(field=f):
            return f"{f.label} connu"
        case m.Truth(field=f):
            return f.label
        case m.DefinitionRef(definition=d):
            return f"« {d.name} »"
        case m.Not(operand=inner):
            return _negation(inner)
        case m.All(operands=ops):
            return " et ".join(_operand(o, parent="et") for o in ops)
        case m.Any(operands=ops):
            return " ou ".join(_operand(o, parent="ou") for o in ops)
    raise TypeError(f"not a condition: {node!r}")


def _negation(inner) -> str:
    """`non` folded into the comparison when French has a word for it (n'est pas, hors de, inconnu)."""
    match inner:
        case m.Compare():
            return _compare(inner, negated=True)
        case m.Among():
            return _among(inner, negated=True)
        case m.Known(field=f):
            return f"{f.label} inconnu"
        case m.Truth(field=f):
            return f"non {f.label}"
        case m.DefinitionRef(definition=d):
            return f"non « {d.name} »"
        case m.Not(operand=twice):
            return _text(twice)
    return f"non ({_text(inner)})"


def _operand(node, parent: str) -> str:
    # `non` binds tighter than `et`, `et` tighter than `ou`: only an `ou` inside an `et` needs
    # parentheses, but an `et` inside an `ou` gets them too so that a reader never has to know.
    text = _text(node)
    if isinstance(node, (m.All, m.Any)) and (parent == "et" or isinstance(node, m.All)):
        return f"({text})"
    return text


def rule_sentence(rule: m.Rule) -> str:
    """The whole rule as a French sentence: « Si …, alors CAF (Service social de la CAF). », with
    the services informed « en lien avec » it."""
    service = f"{rule.service.code} ({rule.service.label})"
    if rule.partners:
        named = [f"{p.code} ({p.label})" for p in rule.partners]
        service += ", en lien avec " + (named[0] if len(named) == 1 else ", ".join(named[:-1]) + " et " + named[-1])
    if rule.condition is None:
        return f"Dans tous les autres cas, le ménage relève du service {service}."
    return f"Si {condition_text(rule.condition)}, alors le ménage relève du service {service}."


def type_text(field: m.Field) -> str:
    """The declared type in French: « nombre entier d'au moins 0 », « étape parmi, dans l'ordre : … »."""
    kind = field.type
    match kind:
        case m.BoolType():
            return "oui ou non"
        case m.IntType():
            return "nombre entier" + kind.bounds_text()
        case m.MoneyType():
            return "montant en euros" + kind.bounds_text()
        case m.DateType():
            return "date"
        case m.CodeType():
            return "code"
        case m.EnumType(values=values, ordered=True):
            return "étape parmi, dans l'ordre : " + ", ".join(v.label for v in values)
        case m.EnumType(values=values):
            return "valeur parmi : " + ", ".join(v.label for v in values)
    raise TypeError(f"not a field type: {kind!r}")


def validity_text(model: m.CharterModel) -> str | None:
    """« en vigueur à partir du 1er janvier 2018 », « en vigueur du … au … », or None."""
    if model.valid_from is None:
        return None
    start = m.DateType().text(model.valid_from)
    if model.valid_to is None:
        return f"en vigueur à partir du {start}"
    return f"en vigueur du {start} au {m.DateType().text(model.valid_to)}"


def unit_text(service: m.Service) -> str | None:
    """How a service's sub-unit is found, or None."""
    if service.unit is None:
        return None
    return f"unité selon la table « {service.unit.table.name} » d'après « {service.unit.field.label} »"
