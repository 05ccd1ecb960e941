"""French wording of a box of the domain, field by field and relation by relation, in the rules' own
words, and the same box as a condition of the rule language."""

from __future__ import annotations

from fractions import Fraction

from .. import model as m
from ..dsl import ast
from ..dsl.lowering import F, T, Domain, FieldCells, ShiftGe
from ..dsl.names import of_name
from ..values import date_text
from .examples import intervals

__all__ = ["box_parts", "field_text", "cells_text", "relation_text", "named_sets", "set_facts", "box_condition",
           "Unwritable"]

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


# ---- a box as a condition of the language ----------------------------------------------------------
#
# What a rule covering exactly a box would say: true for every household of the box and false for
# every other one, never unknown (an unknown value is tested by « … est connu » or « … est
# inconnu », since any other test of it is itself unknown).

#: A relation `… >= bound` (bound 0: ≥, 1: >) when true or false, as a comparison's operator.
_RELATION_OPS = {(T, 0): "ge", (T, 1): "gt", (F, 0): "lt", (F, 1): "le"}
_OP_WORDS = {"ge": "au moins", "gt": "plus de", "lt": "moins de", "le": "au plus"}


class Unwritable(ValueError):
    """A box the rule language cannot say: its message, in French, says which relation and why."""


def box_condition(domain: Domain, region: tuple, fixed, sets: dict | None = None,
                  stages: dict | None = None) -> ast.Expr | None:
    """The box as a syntax tree of the rule language (see `box_parts`); None if it restricts nothing.

    Raises Unwritable for a relation between fields (a sum, a multiple, a duration) that no
    comparison of the language says exactly, such as `2 × loyer + charges ≥ dette + 1`."""
    sets, stages = sets or {}, stages or {}
    related = {f for atom, _ in fixed for f in _relation_fields(atom)}
    parts = []
    for i, cells in enumerate(domain.fields):
        mask = region[i] & ~cells.unknown_bit if i in related else region[i]  # a relation needs the values
        if mask != cells.full:
            parts.append(_field_condition(cells, mask, sets.get(i), stages.get(i)))
    parts += [_relation_condition(domain, atom, truth) for atom, truth in fixed]
    return _all(parts) if parts else None


def _relation_fields(atom) -> tuple[int, ...]:
    return (atom.later, atom.earlier) if isinstance(atom, ShiftGe) else tuple(f for f, _ in atom.terms)


def _relation_condition(domain: Domain, atom, truth: int) -> ast.Comparison:
    """A relation between fields, true or false, as one comparison of the language."""
    fields = [cells.field for cells in domain.fields]
    if isinstance(atom, ShiftGe):  # later − (earlier + N months) >= bound: « earlier est au moins N mois avant later »
        if atom.bound not in (0, 1):  # pragma: no cover - the lowering makes bounds 0 and 1 only
            raise Unwritable(f"l'écart de « {fields[atom.later].label} » à « {fields[atom.earlier].label} »")
        op = _RELATION_OPS[truth, atom.bound]
        return _ordered(_subject(fields[atom.earlier]), op, ast.Duration(
            ast.Value("number", str(atom.months)), "mois", "avant", _subject(fields[atom.later])))
    plus = [(f, c) for f, c in atom.terms if c > 0]
    minus = [(f, -c) for f, c in atom.terms if c < 0]
    if isinstance(fields[atom.terms[0][0]].type, m.DateType):
        return _days_condition(fields, plus, minus, atom.bound, truth)
    names = [f"« {fields[f].label} »" for f, _ in atom.terms]
    said = ", ".join(names[:-1]) + " et " + names[-1]
    if len({c for _, c in plus}) > 1 or len({c for _, c in minus}) > 1:
        raise Unwritable(f"la relation entre {said} additionne des données avec des facteurs différents, ce "
                         "qu'une comparaison du langage ne dit pas")
    if not minus or not plus:  # c·Σ >= b, or −c·Σ >= b: a sum against an amount
        (side, scale), sign = (plus, plus[0][1]) if plus else (minus, minus[0][1]), 1 if plus else -1
        limit = -(-atom.bound // scale) if sign > 0 else (-atom.bound) // scale
        op = _RELATION_OPS[truth, 0] if sign > 0 else ("le" if truth == T else "gt")  # Σ <= limit, or not
        return _ordered(_side_tree(fields, side), op, _literal(fields[side[0][0]], limit))
    if atom.bound not in (0, 1):
        raise Unwritable(f"la relation entre {said} ajoute une constante à une somme de données, ce qu'une "
                         "comparaison du langage ne dit pas")
    factor = Fraction(minus[0][1], plus[0][1])
    if not _decimal(factor):
        raise Unwritable(f"la relation entre {said} a un facteur ({factor.numerator}/{factor.denominator}) "
                         "qui ne s'écrit pas exactement en décimal")
    other = _side_tree(fields, minus)
    if factor != 1:
        other = ast.Multiple(ast.Value("number", _factor_text(factor)), other)
    return _ordered(_side_tree(fields, plus), _RELATION_OPS[truth, atom.bound], other)


def _days_condition(fields: list, plus: list, minus: list, bound: int, truth: int) -> ast.Comparison:
    """later − earlier >= bound (days), true or false: « later est au moins N jours après earlier »,
    or from the other date when the count would be negative."""
    if len(plus) != 1 or len(minus) != 1 or plus[0][1] != 1 or minus[0][1] != 1:  # pragma: no cover
        raise Unwritable("un écart entre plus de deux dates")
    later, earlier = _subject(fields[plus[0][0]]), _subject(fields[minus[0][0]])
    if truth == T:  # later − earlier >= bound
        op, count, subject, other = ("ge", bound, later, earlier) if bound >= 0 else ("le", -bound, earlier, later)
    else:  # later − earlier <= bound − 1
        op, count, subject, other = ("le", bound - 1, later, earlier) if bound >= 1 else ("ge", 1 - bound, earlier, later)
    return _ordered(subject, op, ast.Duration(ast.Value("number", str(count)), "jours", "après", other))


def _ordered(subject, op: str, operand) -> ast.Comparison:
    return ast.Comparison(subject, False, op, (operand,), _OP_WORDS[op])


def _side_tree(fields: list, terms: list) -> ast.Name | ast.Sum:
    """One field (« le loyer »), or the sum of several (« la somme du loyer et des charges »)."""
    if len(terms) == 1:
        return _subject(fields[terms[0][0]])
    return ast.Sum(tuple(ast.Name(of_name(_subject(fields[f]).text)) for f, _ in terms))


def _decimal(factor: Fraction) -> bool:
    """Whether a fraction has a finite decimal writing (its denominator divides a power of ten)."""
    den = factor.denominator
    for prime in (2, 5):
        while den % prime == 0:
            den //= prime
    return den == 1


def _factor_text(factor: Fraction) -> str:
    from ..render.sentences import factor_text  # imported on use: render imports the proof

    return factor_text(factor)


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
