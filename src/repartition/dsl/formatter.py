"""The canonical layout of a rule file, printed from its syntax tree with every comment kept."""

from __future__ import annotations

import re

from ..errors import CharterError, Diagnostic
from ..model import code_wording
from . import ast
from .builder import build_ast
from .parser import parse_tree, prepare_text

__all__ = ["format_text", "format_tree", "WIDTH"]

#: Lines are wrapped before this many characters where the language allows a line break.
WIDTH = 98
_INDENT = "  "
_CONTINUATION = "      "
_EXCEPTIONS_INDENT = "    "

_HEADER = (ast.Title, ast.Reference, ast.Version, ast.Validity)
_HEADINGS = (ast.ServicesHeading, ast.FieldsHeading)
_DECLS = (ast.ServiceDecl, ast.FieldDecl)
_BARE_VERSION = re.compile(r"\d+(?:\.\d+)+[\w.\-]*|-?\d+")
_BARE_ARTICLE = re.compile(r"\d+(?:\.\d+)*|\d[0-9A-Za-z]*[A-Za-z][0-9A-Za-z]*")
_PLURAL_SUBJECT = re.compile(r"(?:les|des|ses|leurs)\s", re.IGNORECASE)
_SYMBOLS = frozenset("≥≤><=≠")


def format_text(text: str, filename: str = "<texte>") -> str:
    """The canonical layout of a rule file's text; raises CharterError if it does not parse."""
    prepared = prepare_text(text)
    return format_tree(build_ast(parse_tree(prepared, filename), filename))


def format_tree(tree: ast.CharterFile) -> str:
    """Print a syntax tree in the canonical layout; the result parses back to an equal tree.

    Blank lines follow the kind of item (none inside the header or a section, one around every
    block), except next to comments, where the source's choice (a blank line or none) is kept.
    A clause given twice (which the checker refuses) is an error here too, so none is dropped.
    """
    items = tree.items
    _refuse_repeated(tree)
    lines: list[str] = []
    previous = None
    for position, item in enumerate(items):
        if previous is not None and _blank_between(previous, item):
            lines.append("")
        if isinstance(item, ast.Comment):
            indent = _INDENT if _inside_section(items, position) else ""
            lines.append(indent + item.text)
        else:
            lines.extend(_item(item))
        previous = item
    return "\n".join(lines) + "\n" if lines else ""


def _refuse_repeated(tree: ast.CharterFile) -> None:
    for item in tree.items:
        for word, span in getattr(item, "repeated", ()):
            raise CharterError([Diagnostic(f"« {word} » donné deux fois : gardez-en un seul", span)])


def _blank_between(previous: ast.Node, item: ast.Node) -> bool:
    if isinstance(previous, ast.Comment) or isinstance(item, ast.Comment):
        # Next to a comment the source decides; a tree built without positions gets no blank line.
        if previous.span is not None and item.span is not None:
            return item.span.line - previous.span.end_line > 1
        return False
    if isinstance(previous, _HEADER) and isinstance(item, _HEADER):
        return False
    if isinstance(item, _DECLS) and isinstance(previous, _HEADINGS + _DECLS):
        return False
    return True


def _inside_section(items: tuple, position: int) -> bool:
    """A comment between a section heading (or declaration) and a declaration is indented with it."""
    before = next((i for i in reversed(items[:position]) if not isinstance(i, ast.Comment)), None)
    after = next((i for i in items[position + 1:] if not isinstance(i, ast.Comment)), None)
    return isinstance(before, _HEADINGS + _DECLS) and isinstance(after, _DECLS)


# ---- items -------------------------------------------------------------------------------------

def _item(item: ast.Node) -> list[str]:
    printer = _PRINTERS.get(type(item))
    if printer is None:  # pragma: no cover - every node the builder makes has a printer
        raise TypeError(f"cannot format {type(item).__name__}")
    return printer(item)


def _title(item: ast.Title) -> list[str]:
    return _wrap_string("charte ", item.text, "")


def _reference(item: ast.Reference) -> list[str]:
    return _wrap_string("référence ", item.text, "")


def _version(item: ast.Version) -> list[str]:
    text = item.text if _BARE_VERSION.fullmatch(item.text) else _string(item.text)
    return [f"version {text}"]


def _validity(item: ast.Validity) -> list[str]:
    if item.end is None:
        return [f"en vigueur à partir du {item.start.text}"]
    return [f"en vigueur du {item.start.text} au {item.end.text}"]


def _services_heading(item) -> list[str]:
    return ["services"]


def _fields_heading(item) -> list[str]:
    return ["données du ménage"]


def _service(item: ast.ServiceDecl) -> list[str]:
    line = f"{_INDENT}{item.code} : {_string(item.label)}"
    if item.unit is None:
        return [line]
    unit = f"unités selon la table {_string(item.unit.table)} d'après {item.unit.key.text}"
    if len(line) + 2 + len(unit) <= WIDTH:
        return [f"{line}, {unit}"]
    return [line + ",", _CONTINUATION + unit]


def _field(item: ast.FieldDecl) -> list[str]:
    head = f"{_INDENT}{item.name.text}" + (f" [{item.machine}]" if item.machine else "") + " : "
    options = []
    if item.may_be_unknown:
        options.append("peut être inconnu")
    if item.default is not None:
        options.append(f"par défaut {_value(item.default)}")
    if item.motif is not None:
        options.append(f"motif {_string(item.motif)}")
    spec = item.type
    if spec.kind in ("stage", "choice"):
        keyword = "étape parmi" if spec.kind == "stage" else "valeur parmi"
        values = [v.name.text + (f" [{v.machine}]" if v.machine else "") for v in spec.values]
        lines = [f"{head}{keyword} ({', '.join(values)})"]
        if len(lines[0]) > WIDTH:
            lines = [f"{head}{keyword} ("]
            lines += [f"{_CONTINUATION}{v}," for v in values[:-1]]
            lines.append(f"{_CONTINUATION}{values[-1]})")
            # Options of a list written one value a line go on lines of their own.
            return _options(lines, options, always=True, motif=item.motif)
        return _options(lines, options, motif=item.motif)
    return _options([head + _type(spec)], options, motif=item.motif)


def _options(lines: list[str], options: list[str], always: bool = False, motif: str | None = None) -> list[str]:
    """Field options after the type, each on a continuation line when the line would be too long;
    the motif, always last, breaks between words."""
    together = lines[-1] + "".join(f", {o}" for o in options)
    if motif is not None and len(together) > WIDTH and len(options) > 1 and not always:
        plain = lines[-1] + "".join(f", {o}" for o in options[:-1])
        if len(plain) < WIDTH:  # the other options stay on the line, the motif goes below
            return lines[:-1] + [plain + ","] + _wrap_string(_CONTINUATION + "motif ", motif, "")
    if options and (always or len(together) > WIDTH):
        lines[-1] += ","
        plain = options[:-1] if motif is not None else options
        lines += [f"{_CONTINUATION}{o}," for o in plain]
        if motif is not None:
            lines += _wrap_string(_CONTINUATION + "motif ", motif, "")
        else:
            lines[-1] = lines[-1][:-1]
        return lines
    lines[-1] = together
    return lines


def _type(spec: ast.TypeSpec) -> str:
    simple = {"bool": "oui ou non", "date": "date", "code": "code"}
    if spec.kind == "code" and spec.shape is not None:
        return code_wording(spec.shape, spec.length)
    if spec.kind in simple:
        return simple[spec.kind]
    text = "nombre entier" if spec.kind == "int" else "montant en euros"
    if spec.minimum is not None and spec.maximum is not None:
        return f"{text} entre {spec.minimum.text} et {spec.maximum.text}"
    if spec.minimum is not None:
        return f"{text} d'au moins {spec.minimum.text}"
    if spec.maximum is not None:
        return f"{text} d'au plus {spec.maximum.text}"
    return text


def _set(item: ast.SetDecl) -> list[str]:
    head = f"ensemble {_string(item.name)} :"
    values = [_value(v) for v in item.values]
    lines = _wrap_list(head + " ", values)
    if len(lines) > 1:
        lines = [head] + _wrap_list(_INDENT, values, indent=_INDENT)
    return lines + _motif(item.motif)


def _motif(motif: str | None) -> list[str]:
    """The `motif « … »` line(s) closing a block, or nothing."""
    return [] if motif is None else _wrap_string(_INDENT + "motif ", motif, "")


def _table(item: ast.TableDecl) -> list[str]:
    parts = [f"table {_string(item.name)} : fichier {_string(item.file)}", f"clé {_string(item.key)}"]
    if item.value is not None:
        parts.append(f"valeur {_string(item.value)}")
    if item.label is not None:
        parts.append(f"libellé {_string(item.label)}")
    if item.missing is not None:
        parts.append(f"code absent : {_string(item.missing)}")
    lines = _wrap_list("", parts)
    if item.motif is None:
        return lines
    motif = f"motif {_string(item.motif)}"
    if len(lines[-1]) + 2 + len(motif) <= WIDTH:
        return lines[:-1] + [f"{lines[-1]}, {motif}"]
    return lines[:-1] + [lines[-1] + ","] + _wrap_string(_CONTINUATION + "motif ", item.motif, "")


def _definition(item: ast.DefinitionDecl) -> list[str]:
    return ([f"définition {_string(item.name)} :"] + _condition_lines(_INDENT, item.condition, "")
            + _motif(item.motif))


def _article(item: ast.ArticleDecl) -> list[str]:
    number = item.number if _BARE_ARTICLE.fullmatch(item.number) else _string(item.number)
    return _wrap_string(f"article {number} : ", item.title, "") + _motif(item.motif)


def _indicator(item: ast.IndicatorDecl) -> list[str]:
    return [f"indicateur {_string(item.name)} :"] + _condition_lines(_INDENT, item.condition, "")


def _rule(item: ast.RuleDecl) -> list[str]:
    head = f"règle {_string(item.name)}"
    heads = [head]
    if item.exceptions:
        names = [_string(n.text) for n in item.exceptions]
        joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " et " + names[-1]
        heads = [f"{head}, par exception à {joined}"]
        if len(heads[0]) > WIDTH:
            # Break after the name, then between the exceptions, before « et » or after a comma.
            parts = [f"par exception à {names[0]}"] + names[1:]
            heads = [head + ","] + _wrap_list(_EXCEPTIONS_INDENT, parts[:-1] if len(parts) > 1 else parts,
                                              indent=_EXCEPTIONS_INDENT)
            if len(parts) > 1:
                last = f"et {parts[-1]}"
                if len(heads[-1]) + 1 + len(last) <= WIDTH:
                    heads[-1] += " " + last
                else:
                    heads.append(_EXCEPTIONS_INDENT + last)
    clauses: list[tuple[int, int, list[str]]] = []  # (line, order, lines): source order kept
    for order, comment in enumerate(item.comments):
        line = comment.span.line if comment.span else -1
        clauses.append((line, order, [_INDENT + comment.text]))
    if item.text is not None:
        line = item.text_span.line if item.text_span else 10**9
        clauses.append((line, 10**6, _wrap_string(_INDENT + "texte ", item.text, "")))
    if item.reference is not None:
        line = item.reference_span.line if item.reference_span else 10**9 + 1
        clauses.append((line, 10**6 + 1, _wrap_string(_INDENT + "référence ", item.reference, "")))
    if item.motif is not None:
        line = item.motif_span.line if item.motif_span else 10**9 + 2
        clauses.append((line, 10**6 + 2, _motif(item.motif)))
    lines = heads
    for _, _, clause in sorted(clauses, key=lambda c: (c[0], c[1])):
        lines += clause
    partners = ""
    if item.partners:
        partners = ", en lien avec " + _and_list(list(item.partners))
    if item.condition is None:
        lines.append(f"{_INDENT}dans tous les autres cas, {item.service}{partners}")
    else:
        lines += _condition_lines(_INDENT + "si ", item.condition, "")
        lines.append(f"{_INDENT}alors {item.service}{partners}")
    return lines


def _and_list(parts: list[str]) -> str:
    """« a », « a et b », « a, b et c »."""
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " et " + parts[-1]


def _example(item: ast.ExampleDecl) -> list[str]:
    parts = [f"{a.name.text} : " + ("inconnu" if a.value is None else _value(a.value))
             for a in item.assignments]
    lines = [f"exemple {_string(item.name)} :"] + _wrap_list(_INDENT, parts, indent=_INDENT)
    expected = f"{_INDENT}attendu {item.service}"
    if item.partners is not None:
        expected += ", en lien avec " + _and_list(list(item.partners))
    if item.rule is not None:
        expected += f" par {_string(item.rule.text)}"
    return lines + [expected]


_PRINTERS = {
    ast.Title: _title, ast.Reference: _reference, ast.Version: _version, ast.Validity: _validity,
    ast.ServicesHeading: _services_heading, ast.FieldsHeading: _fields_heading,
    ast.ServiceDecl: _service, ast.FieldDecl: _field, ast.SetDecl: _set, ast.TableDecl: _table,
    ast.DefinitionDecl: _definition, ast.IndicatorDecl: _indicator, ast.RuleDecl: _rule,
    ast.ArticleDecl: _article,
    ast.ExampleDecl: _example,
}


# ---- conditions --------------------------------------------------------------------------------

def _condition_lines(first: str, condition, last: str) -> list[str]:
    """A condition on one line, or broken before top-level `et` / `ou` where a line gets too long."""
    subjects = _subjects(condition)
    text = first + _expr(condition, subjects) + last
    if len(text) <= WIDTH or not isinstance(condition, (ast.And, ast.Or)):
        return [text]
    word = "ou" if isinstance(condition, ast.Or) else "et"
    operands = _operands(condition, subjects)
    pad = " " * len(first)
    lines = [first + operands[0]]
    for operand in operands[1:]:  # fill each line, breaking before the connective
        if len(lines[-1]) + len(word) + len(operand) + 2 <= WIDTH:
            lines[-1] += f" {word} {operand}"
        else:
            lines.append(f"{pad}{word} {operand}")
    lines[-1] += last
    return lines


def _subjects(condition) -> dict[int, str]:
    """For each comparison that leaves its subject out, the subject it takes (the one said just
    before), so that its verb agrees: « les charges sont au moins 2 ou sont inconnues »."""
    found: dict[int, str] = {}
    previous: list[str | None] = [None]

    def walk(node) -> None:
        match node:
            case ast.Or(operands=ops) | ast.And(operands=ops):
                for op in ops:
                    walk(op)
            case ast.Not(operand=op):
                walk(op)
            case ast.Ref():
                previous[0] = None
            case ast.Comparison(subject=None):
                if previous[0] is not None:
                    found[id(node)] = previous[0]
            case ast.Comparison(subject=subject):
                previous[0] = _subject_text(subject)

    walk(condition)
    return found


def _expr(node, subjects: dict) -> str:
    match node:
        case ast.Or():
            return " ou ".join(_operands(node, subjects))
        case ast.And():
            return " et ".join(_operands(node, subjects))
        case ast.Not(operand=op):
            return "non " + _operand(node, op, subjects)
        case ast.Ref(name=name):
            return name.text
        case ast.Comparison():
            return _comparison(node, subjects)
    raise TypeError(f"cannot format condition {node!r}")  # pragma: no cover


def _operands(node, subjects: dict) -> list[str]:
    """The operands of an `et` / `ou` group, each bracketed where it needs to be."""
    ops = node.operands
    return [_operand(node, o, subjects, _leaves_subject_out(after)) for o, after in zip(ops, (*ops[1:], None))]


def _operand(parent, child, subjects: dict, before_left_out: bool = False) -> str:
    """Parenthesise a child that would otherwise bind differently under its parent, and an « et »
    group that a subject left out crosses (the checker refuses « A et B ou au moins 3 »)."""
    text = _expr(child, subjects)
    if isinstance(child, ast.Or) or (isinstance(child, ast.And) and not isinstance(parent, ast.Or)):
        return f"({text})"
    if isinstance(child, ast.And) and (before_left_out or _leaves_subject_out(child)):
        return f"({text})"
    return text


def _leaves_subject_out(node) -> bool:
    """Whether the first comparison written in a condition leaves its subject out."""
    while isinstance(node, (ast.Or, ast.And, ast.Not)):
        node = node.operands[0] if isinstance(node, (ast.Or, ast.And)) else node.operand
    return isinstance(node, ast.Comparison) and node.subject is None


def _comparison(node: ast.Comparison, subjects: dict) -> str:
    """A comparison in the words it was written with; a left-out subject stays left out, and
    the verb is written only where the comparison needs it."""
    op, operands, wording = node.op, node.operands, node.wording
    subject = None if node.subject is None else _subject_text(node.subject)
    head = "" if subject is None else subject + " "
    if wording in _SYMBOLS:
        return f"{head}{wording} {_operand_text(operands[0])}"
    written = subject if subject is not None else subjects.get(id(node), "")
    verb = _verb(node.negated, bool(_PLURAL_SUBJECT.match(written)))
    if op in ("unknown", "known"):
        predicate = wording or ("inconnu" if op == "unknown" else "connu")
    elif wording is not None:
        predicate = _joined(wording, _operand_text(operands[0]))
        if subject is None and not node.negated:
            return predicate  # « … ou au moins 2 000 € »
    elif op == "eq":
        predicate = _operand_text(operands[0])
    elif op == "between":
        predicate = f"entre {_operand_text(operands[0])} et {_operand_text(operands[1])}"
    elif op == "among":
        predicate = "parmi " + ", ".join(_operand_text(o) for o in operands)
    elif op == "within":
        predicate = f"dans {_operand_text(operands[0])}"
    return f"{head}{verb} {predicate}"


def _verb(negated: bool, plural: bool) -> str:
    if negated:
        return "ne sont pas" if plural else "n'est pas"
    return "sont" if plural else "est"


def _joined(words: str, rest: str) -> str:
    """Words and what follows, with no space after an apostrophe: « avant l'assignation »."""
    return words + rest if words.endswith("'") else f"{words} {rest}"


def _subject_text(subject) -> str:
    return _sum_text(subject) if isinstance(subject, ast.Sum) else subject.text


def _sum_text(node: ast.Sum) -> str:
    """« la somme du loyer et des charges », « la somme du loyer, des charges et des frais »."""
    return f"{node.head} {_and_list([t.text for t in node.terms])}"


def _operand_text(operand) -> str:
    match operand:
        case ast.Multiple(factor=factor, other=other):
            return f"{factor.text} fois {_subject_text(other)}"
        case ast.Sum():
            return _sum_text(operand)
        case ast.Duration(count=count, unit=unit, direction=direction, other=other):
            return f"{count.text} {unit} " + _joined(direction, other.text)
        case ast.Name():
            return operand.text
    return _value(operand)


# ---- literals ----------------------------------------------------------------------------------

def _value(value: ast.Value) -> str:
    return _string(value.text) if value.kind == "string" else value.text


def _string(text: str) -> str:
    if "»" in text and '"' not in text:
        return f'"{text}"'
    return f"« {text} »" if text else "«»"


def _wrap_string(first: str, text: str, last: str) -> list[str]:
    """A « … » string broken between words; the string's own line breaks do not matter."""
    one = first + _string(text) + last
    if len(one) <= WIDTH or "»" in text:
        return [one]
    words = text.split(" ")
    pad = " " * (len(first) + 2)
    lines, current = [], first + "« " + words[0]
    for word in words[1:]:
        if len(current) + 1 + len(word) > WIDTH:
            lines.append(current)
            current = pad + word
        else:
            current += " " + word
    lines.append(current + " »" + last)
    return lines


def _wrap_list(first: str, parts: list[str], indent: str = _CONTINUATION) -> list[str]:
    """Comma-separated parts, filled up to the width; a break is only ever put after a comma."""
    lines, current = [], first + parts[0]
    for part in parts[1:]:
        if len(current) + 2 + len(part) > WIDTH:
            lines.append(current + ",")
            current = indent + part
        else:
            current += ", " + part
    lines.append(current)
    return lines
