"""French wording of a box of the domain, field by field and ratio by ratio, in the rules' own words,
and the same box as a condition of the rule language."""

from __future__ import annotations

from fractions import Fraction

from .. import model as m
from ..dsl import ast
from ..dsl.lowering import F, T, Domain, FieldCells, RatioGe
from ..values import date_text
from .examples import intervals

__all__ = ["box_parts", "field_text", "cells_text", "ratio_text", "named_sets", "set_facts", "box_condition"]

_MAX_CODES = 8  # codes listed before summarising
_MAX_INTERVALS = 8  # intervals of a number listed before summarising (a `parmi` list makes thousands)
#: A ratio atom (offset 0: ≥, offset 1: >) when true or false, as the rules word it.
_RATIO_WORDS = {(T, 0): "au moins", (T, 1): "plus de", (F, 0): "moins de", (F, 1): "au plus"}


def box_parts(domain: Domain, region: tuple, fixed, sets: dict | None = None,
              stages: dict | None = None) -> list[str]:
    """One phrase per field the box restricts, then one per fixed ratio comparison.

    `sets` maps a field index to the named sets its rules test (see `named_sets`); `stages` maps a
    field index to its cells in stage order, for an enum whose cells are not in that order.
    """
    sets, stages = sets or {}, stages or {}
    parts = [field_text(cells, region[i], sets.get(i), stages.get(i))
             for i, cells in enumerate(domain.fields) if region[i] != cells.full]
    parts.extend(ratio_text(domain, atom, truth) for atom, truth in fixed)
    return parts


def field_text(cells: FieldCells, mask: int, sets: dict | None = None, stages: tuple | None = None) -> str:
    """One field of a box: « enfants à charge au moins 1 », « aide au logement : oui », « … inconnu »."""
    text, is_value = _words(cells, mask, sets or {}, stages)
    return f"{cells.field.label}{' :' if is_value else ''} {text}"


def cells_text(cells: FieldCells, mask: int, sets: dict | None = None, stages: tuple | None = None) -> str:
    """What a box allows of one field, without the field's name (a table cell): « au moins 1 », « oui »."""
    return _words(cells, mask, sets or {}, stages)[0]


def ratio_text(domain: Domain, atom: RatioGe, truth: int) -> str:
    """A ratio comparison, true or false: « dette au moins 6 fois loyer », « … moins de 6 fois … »."""
    from ..render.sentences import factor_text  # imported on use: render imports the proof

    left, right = (domain.fields[i].field.label for i in (atom.left, atom.right))
    return f"{left} {_RATIO_WORDS[truth, atom.offset]} {factor_text(Fraction(atom.num, atom.den))} fois {right}"


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


# ---- a box as a condition of the language ----------------------------------------------------------
#
# What a rule covering exactly a box would say: true for every household of the box and false for
# every other one, never unknown (an unknown value is tested by « … est connu » or « … est
# inconnu », since any other test of it is itself unknown).

#: A ratio atom (offset 0: ≥, offset 1: >) when true or false, as a comparison's operator.
_RATIO_OPS = {(T, 0): "ge", (T, 1): "gt", (F, 0): "lt", (F, 1): "le"}


def box_condition(domain: Domain, region: tuple, fixed, sets: dict | None = None,
                  stages: dict | None = None) -> ast.Expr | None:
    """The box as a syntax tree of the rule language (see `box_parts`); None if it restricts nothing."""
    from ..render.sentences import factor_text  # imported on use: render imports the proof

    sets, stages = sets or {}, stages or {}
    in_ratios = {a.left for a, _ in fixed} | {a.right for a, _ in fixed}
    parts = []
    for i, cells in enumerate(domain.fields):
        mask = region[i] & ~cells.unknown_bit if i in in_ratios else region[i]  # a ratio needs both values
        if mask != cells.full:
            parts.append(_field_condition(cells, mask, sets.get(i), stages.get(i)))
    for atom, truth in fixed:
        left, right = (domain.fields[i].field for i in (atom.left, atom.right))
        factor = ast.Value("number", factor_text(Fraction(atom.num, atom.den)))
        parts.append(ast.Comparison(_subject(left), False, _RATIO_OPS[truth, atom.offset],
                                    (ast.Multiple(factor, _subject(right)),)))
    return _all(parts) if parts else None


def _field_condition(cells: FieldCells, mask: int, sets: dict | None, stages: tuple | None) -> ast.Expr:
    known = mask & cells.known_mask
    subject = _subject(cells.field)
    if not known:
        return ast.Comparison(subject, False, "unknown", ())
    if known == cells.known_mask:  # every value, but not unknown
        return ast.Comparison(subject, False, "known", ())
    test = _known_condition(cells, known, sets or {}, stages)
    if not cells.unknown_bit:
        return test
    if mask & cells.unknown_bit:
        return _any([test, ast.Comparison(subject, False, "unknown", ())])
    return _all([ast.Comparison(subject, False, "known", ()), test])


def _known_condition(cells: FieldCells, known: int, sets: dict, stages: tuple | None) -> ast.Expr:
    field, kind = cells.field, cells.field.type
    subject = _subject(field)
    bits = [bit for bit in range(len(cells.cells)) if known >> bit & 1]
    if isinstance(kind, m.BoolType):
        truth = ast.Ref(ast.Name(field.label))
        return truth if cells.cells[bits[0]] else ast.Not(truth)
    if isinstance(kind, m.EnumType):
        return _enum_condition(subject, kind, bits, stages)
    if isinstance(kind, m.CodeType):
        return _codes_condition(subject, cells, bits, sets)
    return _any([_all(_run(field, low, high)) for low, high in intervals(cells, known)])


def _enum_condition(subject: ast.Name, kind: m.EnumType, chosen: list[int], stages: tuple | None) -> ast.Expr:
    labels = [ast.Value("word", v.label) for v in kind.values]
    if len(chosen) == 1:
        return ast.Comparison(subject, False, "eq", (labels[chosen[0]],))
    if stages is None and kind.ordered:
        stages = tuple(range(len(kind.values)))
    if stages is not None and all(i in stages for i in chosen):
        positions = sorted(stages.index(i) for i in chosen)
        if positions == list(range(positions[0], positions[-1] + 1)):
            first, last = labels[stages[positions[0]]], labels[stages[positions[-1]]]
            if positions[0] == 0:
                return ast.Comparison(subject, False, "le", (last,))
            if positions[-1] == len(stages) - 1:
                return ast.Comparison(subject, False, "ge", (first,))
            return ast.Comparison(subject, False, "between", (first, last))
    others = [i for i in range(len(labels)) if i not in chosen]
    if len(others) == 1:
        return ast.Comparison(subject, True, "eq", (labels[others[0]],))
    return ast.Comparison(subject, False, "among", tuple(labels[i] for i in chosen))


def _codes_condition(subject: ast.Name, cells: FieldCells, chosen: list[int], sets: dict) -> ast.Expr:
    facts = set_facts(cells, chosen, sets)
    if facts:
        return _all([ast.Comparison(subject, not inside, "within", (ast.Value("string", name),))
                     for name, inside in facts])
    named = frozenset().union(*(cells.cells[b][1] for b in chosen))
    if any(not cells.cells[b][1] for b in chosen):  # the cell of every code no rule names
        every = frozenset().union(*(codes for _, codes in cells.cells))
        return _among(subject, every - named, negated=True)
    return _among(subject, named, negated=False)


def _among(subject: ast.Name, codes, negated: bool) -> ast.Comparison:
    values = tuple(_code_value(c) for c in sorted(codes))
    if len(values) == 1:
        return ast.Comparison(subject, negated, "eq", values)
    return ast.Comparison(subject, negated, "among", values)


def _code_value(code: str) -> ast.Value:
    """A code as a rule writes it: bare when it reads as one (17000, 2A004), else between « »."""
    if code.isdigit():
        return ast.Value("number", code)
    if code[:1].isdigit() and code.isalnum() and code.isascii():
        return ast.Value("code", code)
    return ast.Value("string", code)


def _run(field: m.Field, low, high) -> list[ast.Comparison]:
    """A run of values of a number, an amount or a date, as one or two comparisons."""
    kind, subject = field.type, _subject(field)
    if low is not None and low == high:
        return [ast.Comparison(subject, False, "eq", (_literal(field, low),))]
    low = None if low is not None and low == kind.minimum else low
    high = None if high is not None and high == kind.maximum else high
    if isinstance(kind, m.DateType):  # « après le … », « avant le … »: the days either side
        bounds = [("gt", low - 1)] if low is not None else []
        bounds += [("lt", high + 1)] if high is not None else []
    else:
        strict = isinstance(kind, m.MoneyType)  # « plus de 5 000 € » rather than « au moins 5 000,01 € »
        bounds = [("gt", low - 1) if strict and low % 100 == 1 else ("ge", low)] if low is not None else []
        if high is not None:
            bounds.append(("lt", high + 1) if strict and (high + 1) % 100 == 0 else ("le", high))
    if [op for op, _ in bounds] == ["ge", "le"]:
        return [ast.Comparison(subject, False, "between", tuple(_literal(field, v) for _, v in bounds))]
    return [ast.Comparison(subject, False, op, (_literal(field, v),)) for op, v in bounds]


def _literal(field: m.Field, value: int) -> ast.Value:
    kind = field.type
    if isinstance(kind, m.MoneyType):
        units, cents = divmod(abs(value), 100)
        text = ("-" if value < 0 else "") + f"{units:,}".replace(",", " ") + (f",{cents:02d}" if cents else "")
        return ast.Value("money", text + " €")
    if isinstance(kind, m.DateType):
        return ast.Value("date", date_text(value))
    return ast.Value("number", str(value))


def _subject(field: m.Field) -> ast.Name:
    """The field as the rules name it, with the article they give it (« les enfants à charge »)."""
    return ast.Name(f"{field.determiner or ''}{field.label}")


def _all(parts: list) -> ast.Expr:
    flat = [q for p in parts for q in (p.operands if isinstance(p, ast.And) else (p,))]
    return flat[0] if len(flat) == 1 else ast.And(tuple(flat))


def _any(parts: list) -> ast.Expr:
    flat = [q for p in parts for q in (p.operands if isinstance(p, ast.Or) else (p,))]
    return flat[0] if len(flat) == 1 else ast.Or(tuple(flat))
