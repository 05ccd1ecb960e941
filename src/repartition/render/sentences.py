"""French wording of a checked charter's pieces: conditions, types, values and rules, as reviewers read them."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from .. import model as m
from ..dsl.names import of_name

__all__ = ["condition_text", "rule_sentence", "type_text", "factor_text", "validity_text", "unit_text"]

# Comparison words by kind of value. Each is a verb phrase in the singular and the plural, so
# that « les enfants à charge sont 0 » and « la dette locative dépasse 5 000 € » both agree.
_SINGULAR, _PLURAL = 0, 1
_WORDS = {
    "money": {"eq": ("est de", "sont de"), "ne": ("n'est pas de", "ne sont pas de"),
              "ge": ("est d'au moins", "sont d'au moins"), "le": ("est d'au plus", "sont d'au plus"),
              "gt": ("dépasse", "dépassent"), "lt": ("est de moins de", "sont de moins de")},
    "date": {"eq": ("est le", "sont le"), "ne": ("n'est pas le", "ne sont pas le"),
             "ge": ("est le … ou après", "sont le … ou après"), "le": ("est le … ou avant", "sont le … ou avant"),
             "gt": ("est après le", "sont après le"), "lt": ("est avant le", "sont avant le")},
    "stage": {"eq": ("est", "sont"), "ne": ("n'est pas", "ne sont pas"),
              "ge": ("est au moins", "sont au moins"), "le": ("est au plus", "sont au plus"),
              "gt": ("est après", "sont après"), "lt": ("est avant", "sont avant")},
    "other": {"eq": ("est", "sont"), "ne": ("n'est pas", "ne sont pas"),
              "ge": ("est au moins", "sont au moins"), "le": ("est au plus", "sont au plus"),
              "gt": ("est plus de", "sont plus de"), "lt": ("est moins de", "sont moins de")},
}
_NEGATED = {"eq": "ne", "ne": "eq", "ge": "lt", "lt": "ge", "le": "gt", "gt": "le"}
#: Two dates compared as they are: « la date du jugement est après la date du signalement ».
_DATES = {"eq": ("est le même jour que", "sont le même jour que"),
          "ne": ("n'est pas le même jour que", "ne sont pas le même jour que"),
          "ge": ("n'est pas avant", "ne sont pas avant"), "le": ("n'est pas après", "ne sont pas après"),
          "gt": ("est après", "sont après"), "lt": ("est avant", "sont avant")}
#: A duration between two dates: « … est au moins 3 mois avant … ».
_DURATIONS = {"eq": ("est", "sont"), "ne": ("n'est pas", "ne sont pas"), "ge": ("est au moins", "sont au moins"),
              "le": ("est au plus", "sont au plus"), "gt": ("est plus de", "sont plus de"),
              "lt": ("est moins de", "sont moins de")}
_UNITS = {"jours": ("jour", "jours"), "mois": ("mois", "mois"), "ans": ("an", "ans")}


def _kind(field: m.Field) -> str:
    match field.type:
        case m.MoneyType():
            return "money"
        case m.DateType():
            return "date"
        case m.EnumType(ordered=True):
            return "stage"
    return "other"


def _number(field: m.Field) -> int:
    return _PLURAL if field.determiner == "les " else _SINGULAR


def _subject(field: m.Field) -> str:
    """The field as the charter's conditions name it: « les enfants à charge », or « « label » »."""
    return f"{field.determiner}{field.label}" if field.determiner else f"« {field.label} »"


def _verb(kind: str, op: str, number: int, value: str) -> str:
    words = _WORDS[kind][op][number]
    return words.replace("…", value) if "…" in words else f"{words} {value}"


def factor_text(factor: Fraction) -> str:
    """The factor of a `fois` comparison, exact, with a decimal comma: « 6 », « 1,5 »."""
    # The charter writes the factor in decimal, so the quotient ends: no binary float, no rounding.
    return format(Decimal(factor.numerator) / Decimal(factor.denominator), "f").replace(".", ",")


def _values_text(field: m.Field, values, word: str = "ou") -> str:
    shown = [field.text(v) for v in sorted(values, key=lambda v: (str(type(v)), v))]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + f" {word} {shown[-1]}"


def _compare(node: m.Compare, negated: bool = False) -> str:
    field, op = node.field, (_NEGATED[node.op] if negated else node.op)
    if isinstance(field.type, m.BoolType) and op in ("eq", "ne"):
        positive = bool(node.value) == (op == "eq")
        return f"« {field.label} » vaut {'oui' if positive else 'non'}"
    return f"{_subject(field)} {_verb(_kind(field), op, _number(field), field.text(node.value))}"


def _among(node: m.Among, negated: bool = False) -> str:
    field, number = node.field, _number(node.field)
    if node.source is not None:
        verb = ("ne figure pas", "ne figurent pas") if negated else ("figure", "figurent")
        return f"{_subject(field)} {verb[number]} dans « {node.source} »"
    if negated:
        verb = ("n'est", "ne sont")[number]
        if len(node.values) == 1:
            return f"{_subject(field)} {verb} pas {_values_text(field, node.values)}"
        shown = [field.text(v) for v in sorted(node.values, key=lambda v: (str(type(v)), v))]
        return f"{_subject(field)} {verb} " + " ".join(f"ni {v}" for v in shown)
    return f"{_subject(field)} {('est', 'sont')[number]} {_values_text(field, node.values)}"


def _fields_text(fields: tuple[m.Field, ...]) -> str:
    """One field as the conditions name it, or « la somme du loyer et des charges »."""
    if len(fields) == 1:
        return _subject(fields[0])
    terms = [of_name(_subject(f)) for f in fields]
    return "la somme " + ", ".join(terms[:-1]) + " et " + terms[-1]


def _linear(node: m.Linear, negated: bool = False) -> str:
    """Sums, multiples and two fields compared: « la dette est d'au moins 2 fois la somme du loyer et
    des charges », « la somme du loyer et des charges dépasse 1 000,00 € », « … est après … »."""
    first = node.left[0]
    op = _NEGATED[node.op] if negated else node.op
    number = _number(first) if len(node.left) == 1 else _SINGULAR
    subject = _fields_text(node.left)
    if not node.right:
        return f"{subject} {_verb(_kind(first), op, number, first.text(node.constant))}"
    other = _fields_text(node.right)
    if isinstance(first.type, m.DateType):
        return f"{subject} {_DATES[op][number]} {other}"
    if node.factor != 1:
        other = f"{factor_text(node.factor)} fois {other}"
    return f"{subject} {_verb(_kind(first), op, number, other)}"


def _duration(node: m.Duration, negated: bool = False) -> str:
    """« la date du premier impayé est au moins 3 mois avant la date du signalement »."""
    op = _NEGATED[node.op] if negated else node.op
    unit = _UNITS[node.unit][0 if node.amount == 1 else 1]
    direction = "après" if node.after else "avant"
    verb = _DURATIONS[op][_number(node.field)]
    return f"{_subject(node.field)} {verb} {node.amount} {unit} {direction} {_subject(node.other)}"


def _known(field: m.Field, known: bool) -> str:
    """« le loyer mensuel est inconnu », agreed when the determiner tells the gender, else « la donnée … »."""
    word = "connu" if known else "inconnu"
    match field.determiner:
        case "le ":
            return f"le {field.label} est {word}"
        case "la ":
            return f"la {field.label} est {word}e"
        case "les ":
            return f"les {field.label} sont {word}s"
    return f"la donnée « {field.label} » est {word}e"


def condition_text(condition: m.Condition | None) -> str:
    """A condition as one French phrase, e.g. « les enfants à charge sont au moins 1 et « aide au logement » vaut oui »."""
    if condition is None:
        return "dans tous les autres cas"
    return _text(condition)


def _text(node) -> str:
    match node:
        case m.Compare():
            return _compare(node)
        case m.Between(field=f, low=low, high=high):
            return f"{_subject(f)} {('est', 'sont')[_number(f)]} entre {f.text(low)} et {f.text(high)}"
        case m.Among():
            return _among(node)
        case m.Linear():
            return _linear(node)
        case m.Duration():
            return _duration(node)
        case m.Known(field=f):
            return _known(f, True)
        case m.Truth(field=f):
            return f"« {f.label} » vaut oui"
        case m.DefinitionRef(definition=d):
            return f"« {d.name} »"
        case m.Not(operand=inner):
            return _negation(inner)
        case m.All(operands=ops):
            return _series([_operand(o, parent="et") for o in ops], "et")
        case m.Any(operands=ops):
            return _series([_operand(o, parent="ou") for o in ops], "ou")
    raise TypeError(f"not a condition: {node!r}")


def _series(parts: list[str], word: str) -> str:
    """« A, B et C » as French writes a series, unless a part has a comma of its own."""
    if len(parts) < 3 or any("," in p for p in parts):
        return f" {word} ".join(parts)
    return ", ".join(parts[:-1]) + f" {word} {parts[-1]}"


def _negation(inner) -> str:
    """`non` folded into the comparison when French has a word for it (n'est pas, ne figure pas, inconnu)."""
    match inner:
        case m.Compare():
            return _compare(inner, negated=True)
        case m.Among():
            return _among(inner, negated=True)
        case m.Linear():
            return _linear(inner, negated=True)
        case m.Duration():
            return _duration(inner, negated=True)
        case m.Known(field=f):
            return _known(f, False)
        case m.Truth(field=f):
            return f"« {f.label} » vaut non"
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
        case m.CodeType(shape="commune"):  # the shape in words: « code commune » alone does not say it
            return kind.wording + " (5 chiffres, ou 2A ou 2B suivis de 3 chiffres)"
        case m.CodeType():
            return kind.wording
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
