"""French wording of a box of the domain, field by field and relation by relation, in the rules' own words."""

from __future__ import annotations

from fractions import Fraction

from .. import model as m
from ..dsl.lowering import F, T, Domain, FieldCells, ShiftGe
from .examples import intervals

__all__ = ["box_parts", "field_text", "cells_text", "relation_text", "named_sets", "set_facts"]

_MAX_CODES = 8  # codes listed before summarising
_MAX_INTERVALS = 8  # intervals of a number listed before summarising (a `parmi` list makes thousands)
#: A relation `… >= bound` (bound 0: ≥, 1: >) when true or false, as the rules word it.
_RELATION_WORDS = {(T, 0): "au moins", (T, 1): "plus de", (F, 0): "moins de", (F, 1): "au plus"}


def box_parts(domain: Domain, region: tuple, fixed, sets: dict | None = None,
              stages: dict | None = None) -> list[str]:
    """One phrase per field the box restricts, then one per fixed relation (sum, multiple, months).

    `sets` maps a field index to the named sets its rules test (see `named_sets`); `stages` maps a
    field index to its cells in stage order, for an enum whose cells are not in that order.
    """
    sets, stages = sets or {}, stages or {}
    parts = [field_text(cells, region[i], sets.get(i), stages.get(i))
             for i, cells in enumerate(domain.fields) if region[i] != cells.full]
    parts.extend(relation_text(domain, atom, truth) for atom, truth in fixed)
    return parts


def field_text(cells: FieldCells, mask: int, sets: dict | None = None, stages: tuple | None = None) -> str:
    """One field of a box: « enfants à charge au moins 1 », « aide au logement : oui », « … inconnu »."""
    text, is_value = _words(cells, mask, sets or {}, stages)
    return f"{cells.field.label}{' :' if is_value else ''} {text}"


def cells_text(cells: FieldCells, mask: int, sets: dict | None = None, stages: tuple | None = None) -> str:
    """What a box allows of one field, without the field's name (a table cell): « au moins 1 », « oui »."""
    return _words(cells, mask, sets or {}, stages)[0]


def relation_text(domain: Domain, atom, truth: int) -> str:
    """A relation between fields, true or false, as the rules say it: « dette au moins 6 fois loyer »,
    « somme de loyer et charges moins de 1 000,00 € », « date du signalement au moins 3 mois après
    date du premier impayé »."""
    from ..render.sentences import factor_text  # imported on use: render imports the proof

    label = [cells.field.label for cells in domain.fields]
    if isinstance(atom, ShiftGe):
        months = atom.months
        amount = f"{months // 12} an{'s' if months > 12 else ''}" if months % 12 == 0 else f"{months} mois"
        words = _RELATION_WORDS[truth, 1 if atom.bound > 0 else 0]
        return f"{label[atom.later]} {words} {amount} après {label[atom.earlier]}"
    plus = [(f, c) for f, c in atom.terms if c > 0]
    minus = [(f, -c) for f, c in atom.terms if c < 0]
    kind = domain.fields[atom.terms[0][0]].field.type
    if isinstance(kind, m.DateType) and len(plus) == len(minus) == 1:
        return _days_text(label[plus[0][0]], label[minus[0][0]], atom.bound, truth)
    scale = plus[0][1] if len(plus) == 1 else 1  # « dette au moins 1,5 fois loyer », not « 2 fois dette »
    left = _side(label, plus, scale, factor_text)
    if not minus:
        bound = Fraction(atom.bound, scale)
        shown = domain.fields[plus[0][0]].field.text(int(bound)) if bound.denominator == 1 else factor_text(bound)
        return f"{left} {_RELATION_WORDS[truth, 0]} {shown}"
    words = _RELATION_WORDS[truth, 1 if atom.bound > 0 else 0]
    return f"{left} {words} {_side(label, minus, scale, factor_text)}"


def _side(label: list[str], terms: list, scale: int, factor_text) -> str:
    """« loyer », « 2 fois loyer », « 1,5 fois la somme de loyer et charges »."""
    factors = {Fraction(c, scale) for _, c in terms}
    if len(factors) == 1:
        (factor,) = factors
        names = [label[f] for f, _ in terms]
        base = names[0] if len(names) == 1 else "la somme de " + ", ".join(names[:-1]) + " et " + names[-1]
        return base if factor == 1 else f"{factor_text(factor)} fois {base}"
    return " plus ".join(f"{factor_text(Fraction(c, scale))} fois {label[f]}" for f, c in terms)


def _days_text(later: str, earlier: str, bound: int, truth: int) -> str:
    """later − earlier >= bound (days), true or false, in words."""
    if truth == F:  # later − earlier <= bound − 1: the same words, seen from the other date
        return _days_text(earlier, later, 1 - bound, T)
    if bound > 1:
        return f"{later} au moins {bound} jours après {earlier}"
    if bound == 1:
        return f"{later} après {earlier}"
    if bound == 0:
        return f"{later} au plus tôt le jour de {earlier}"
    return f"{later} au plus {-bound} jour{'s' if bound < -1 else ''} avant {earlier}"


def named_sets(model: m.CharterModel) -> dict[int, dict[str, frozenset]]:
    """Per field index, the named sets and tables its rules test (name → codes), to name them back."""
    found: dict[int, dict[str, frozenset]] = {}
    seen: set[int] = set()  # definitions already walked: each once, however often it is used

    def visit(node) -> None:
        match node:
            case m.Among(field=f, values=values, source=source) if source:
                found.setdefault(f.index, {}).setdefault(source, values)
            case m.Not(operand=op):
                visit(op)
            case m.All(operands=ops) | m.Any(operands=ops):
                for op in ops:
                    visit(op)
            case m.DefinitionRef(definition=d) if id(d) not in seen:
                seen.add(id(d))
                visit(d.condition)

    for rule in model.rules:
        visit(rule.condition)
    return found


# ---- the words, and whether they start with a bare value (« aide au logement : oui ») ---------------

def _words(cells: FieldCells, mask: int, sets: dict, stages: tuple | None) -> tuple[str, bool]:
    known = mask & cells.known_mask
    if not known:
        return "inconnu", False
    if known == cells.known_mask:
        text, is_value = "connu", False
    else:
        text, is_value = _known_words(cells, known, sets, stages)
    return (f"{text} ou inconnu" if mask & cells.unknown_bit else text), is_value


def _known_words(cells: FieldCells, known: int, sets: dict, stages: tuple | None) -> tuple[str, bool]:
    kind = cells.field.type
    bits = [bit for bit in range(len(cells.cells)) if known >> bit & 1]
    if isinstance(kind, m.BoolType):
        return kind.text(cells.cells[bits[0]]), True
    if isinstance(kind, m.EnumType):
        if stages is None and kind.ordered:
            stages = tuple(range(len(kind.values)))
        return _enum_words(kind, bits, stages)
    if isinstance(kind, m.CodeType):
        return _codes_words(cells, bits, sets)
    found = intervals(cells, known)
    texts = [_interval(cells.field, low, high) for low, high in found[:_MAX_INTERVALS]]
    more = f" ou {len(found) - _MAX_INTERVALS} autres valeurs" if len(found) > _MAX_INTERVALS else ""
    return " ou ".join(t for t, _ in texts) + more, texts[0][1]


def _enum_words(kind: m.EnumType, chosen: list[int], stages: tuple | None) -> tuple[str, bool]:
    """A list value, a run of stages (« au moins assignation », « entre … et … »), or a choice."""
    labels = [v.label for v in kind.values]
    if len(chosen) == 1:
        return labels[chosen[0]], True
    if stages is not None and all(i in stages for i in chosen):
        positions = sorted(stages.index(i) for i in chosen)
        if positions == list(range(positions[0], positions[-1] + 1)):
            first, last = labels[stages[positions[0]]], labels[stages[positions[-1]]]
            if positions[0] == 0:
                return f"au plus {last}", False
            if positions[-1] == len(stages) - 1:
                return f"au moins {first}", False
            return f"entre {first} et {last}", False
    others = [label for i, label in enumerate(labels) if i not in chosen]
    if len(others) == 1:
        return f"autre que {others[0]}", False
    return "parmi " + ", ".join(labels[i] for i in chosen), False


def _codes_words(cells: FieldCells, chosen: list[int], sets: dict) -> tuple[str, bool]:
    """The named sets the codes are in or out of when they say exactly which, else the codes."""
    facts = set_facts(cells, chosen, sets)
    if facts:
        return " et ".join(f"{'dans' if inside else 'hors de'} « {name} »" for name, inside in facts), False
    named = frozenset().union(*(cells.cells[b][1] for b in chosen))
    if any(not cells.cells[b][1] for b in chosen):  # the cell of every code no rule names
        every = frozenset().union(*(codes for _, codes in cells.cells))
        return "autre que " + _codes_list(every - named), False
    return ("parmi " + _codes_list(named), False) if len(named) > 1 else (next(iter(named)), True)


def set_facts(cells: FieldCells, chosen: list[int], sets: dict) -> list[tuple[str, bool]]:
    """Fewest (set, inside) facts true of the chosen cells and of no other cell; [] if there are none."""

    def inside(bit: int, values) -> bool:
        codes = cells.cells[bit][1]
        return bool(codes) and next(iter(codes)) in values

    def exact(facts) -> bool:
        selected = [b for b in range(len(cells.cells)) if all(inside(b, sets[n]) == f for n, f in facts)]
        return selected == chosen

    facts = []
    for name, values in sets.items():
        flags = {inside(bit, values) for bit in chosen}
        if len(flags) == 1:
            facts.append((name, flags.pop()))
    if not facts or not exact(facts):
        return []
    for fact in list(facts):  # drop the facts the others already imply
        if len(facts) > 1 and exact([f for f in facts if f != fact]):
            facts.remove(fact)
    return facts


def _codes_list(codes) -> str:
    ordered = sorted(codes)
    if len(ordered) > _MAX_CODES:
        return ", ".join(ordered[:_MAX_CODES]) + f", … ({len(ordered)} codes)"
    return ", ".join(ordered)


def _interval(field: m.Field, low, high) -> tuple[str, bool]:
    """A run of values as a rule writes it; bounds the declaration already gives are left out."""
    kind = field.type
    if low is not None and low == high:
        return field.text(low), True
    low = None if low is not None and low == kind.minimum else low
    high = None if high is not None and high == kind.maximum else high
    if low is None and high is None:
        return "connu", False
    if low is None:
        return _up_to(field, high), False
    if high is None:
        return _from(field, low), False
    start, end = _from(field, low), _up_to(field, high)
    if start.startswith("au moins ") and end.startswith("au plus "):  # both bounds included
        return f"entre {field.text(low)} et {field.text(high)}", False
    return f"{start} et {end}", False


def _from(field: m.Field, low: int) -> str:
    """The lower bound as a rule would write it: « plus de 5 000,00 € » rather than « au moins 5 000,01 € »."""
    if isinstance(field.type, m.DateType):
        return f"à partir du {field.text(low)}"
    if isinstance(field.type, m.MoneyType) and low % 100 == 1:
        return f"plus de {field.text(low - 1)}"
    return f"au moins {field.text(low)}"


def _up_to(field: m.Field, high: int) -> str:
    """The upper bound as a rule would write it: « moins de 5 000,00 € » rather than « au plus 4 999,99 € »."""
    if isinstance(field.type, m.DateType):
        return f"avant le {field.text(high + 1)}"
    if isinstance(field.type, m.MoneyType) and (high + 1) % 100 == 0:
        return f"moins de {field.text(high + 1)}"
    return f"au plus {field.text(high)}"
