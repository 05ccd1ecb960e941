"""Parsing a rule file into a Lark tree; Lark's exceptions become located French CharterErrors here."""

from __future__ import annotations

import functools
import hashlib
import io
import os
import re
import sys
import unicodedata
from pathlib import Path

import lark
from lark import Lark, Token, Tree
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from .. import cache
from ..errors import MAX_DIAGNOSTICS, CharterError, Diagnostic, Span, source_line
from ..resources import grammar_path, parser_cache_path
from .characters import FORBIDDEN_IN_RULES, character_name, visible
from .mistakes import MISTAKES, TERMINAL_NAMES

__all__ = ["parse_tree", "build_parser", "write_tables", "prepare_text", "source_line", "token_span",
           "MAX_NESTING", "too_deep"]

#: Most levels a condition may nest: each « non », each « et » / « ou » group within another, and
#: each use of a definition (with that definition's own levels). Real charters use fewer than ten;
#: the bound keeps every stage that walks a condition (all of them recursive) far from Python's limits.
MAX_NESTING = 50
# Entries the LALR stack may hold: each level of nesting adds at most five, so past this the text
# nests deeper than MAX_NESTING. Checked at each token, before any tree is built.
_MAX_STACK = 8 * MAX_NESTING
_LEVELS = {"or_expr", "and_expr", "negation"}  # the parse tree's nodes that nest a condition one level
_HOLDERS = {"start", "regle", "rule_if", "definition", "indicateur"}  # the nodes that hold conditions

_OPTIONS = dict(parser="lalr", lexer="contextual", propagate_positions=True, maybe_placeholders=False)


def build_parser(*, strict: bool = False) -> Lark:
    """A fresh LALR parser for the grammar; tests pass strict=True to forbid any conflict."""
    return Lark(grammar_path().read_text(encoding="utf-8"), strict=strict, **_OPTIONS)


def _tables_key(grammar: str) -> bytes:
    """What the saved tables depend on: the grammar, Lark's version and Python's."""
    text = f"{grammar}\0{lark.__version__}\0{sys.version_info[:2]}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest().encode("ascii")


def _tables(parser: Lark) -> bytes:
    buffer = io.BytesIO()
    parser.save(buffer)
    return buffer.getvalue()


def write_tables(path: str | os.PathLike) -> None:
    """Save the LALR tables after their key (the wheel build ships them; users cache them)."""
    key = _tables_key(grammar_path().read_text(encoding="utf-8"))
    Path(path).write_bytes(key + b"\n" + _tables(build_parser()))


def _load_tables(data: bytes | None) -> Lark | None:
    if data is None:
        return None
    try:
        return Lark.load(io.BytesIO(data))
    except Exception:  # noqa: BLE001 - garbled tables can fail in any way: they are built again
        return None


def _shipped_tables(key: bytes) -> bytes | None:
    path = parser_cache_path()
    try:
        data = path.read_bytes() if path is not None else b""
    except OSError:
        return None
    head = key + b"\n"
    return data[len(head):] if data.startswith(head) else None  # else stale: another grammar, Lark or Python


_CACHED_TABLES = "regles.lark.tables"


@functools.cache
def _parser() -> Lark:
    """The parser, from the tables the wheel ships, else those in the user's cache, else built (and cached)."""
    key = _tables_key(grammar_path().read_text(encoding="utf-8"))
    parser = _load_tables(_shipped_tables(key)) or _load_tables(cache.read(_CACHED_TABLES, key))
    if parser is None:
        parser = build_parser()
        cache.write(_CACHED_TABLES, key, _tables(parser))
    return parser


def prepare_text(text: str) -> str:
    """Normalise to NFC (a file saved with decomposed accents reads the same) and drop a BOM."""
    return unicodedata.normalize("NFC", text.removeprefix("\ufeff"))


def parse_tree(text: str, filename: str) -> Tree:
    """Parse prepared text; raise CharterError with a French, located message on a syntax error or
    a condition nested deeper than MAX_NESTING (checked before anything recursive walks the tree).

    Every reading of a rule file comes here, so the characters refused in rule files (controls, …)
    are refused here, before the lexer: no later stage, message or page can receive them.
    """
    _refuse_characters(text, filename)
    interactive = _parser().parse_interactive(text)
    token = None
    parentheses = 0
    try:
        for token in interactive.iter_parse():
            if token.type == "LPAR":
                parentheses += 1
            elif token.type == "RPAR":
                parentheses -= 1
            if parentheses > MAX_NESTING:
                message = (f"trop de parenthèses imbriquées : au plus {MAX_NESTING} ouvertes à la fois ; "
                           "découpez la condition en définitions plus simples")
                raise CharterError([Diagnostic(message, token_span(token, filename), source_line(text, token.line),
                                                code="syntaxe")])
            if len(interactive.parser_state.state_stack) > _MAX_STACK:
                raise CharterError([_nested(token_span(token, filename), text, None)])
        tree = interactive.feed_eof(token)
    except UnexpectedInput as error:
        error.interactive_parser = interactive  # as Lark.parse leaves it, for the expected tokens
        raise CharterError([_diagnostic(error, text, filename)]) from None
    except LarkError as error:  # pragma: no cover - any other Lark failure is a bug of ours
        raise CharterError([Diagnostic(f"erreur interne de l'analyseur : {error}", code="syntaxe")]) from None
    problems = [_nested(Span(filename, node.meta.line, node.meta.column, node.meta.end_line, node.meta.end_column),
                        text, depth) for node, depth in _too_deep_nodes(tree)]
    if problems:
        raise CharterError(problems)
    return tree


def too_deep(levels: int | None) -> str:
    """The message for a condition nested deeper than MAX_NESTING (`levels` when known)."""
    found = f" ({levels} niveaux)" if levels is not None else ""
    return (f"condition trop imbriquée{found} : une condition compte au plus {MAX_NESTING} niveaux de « non », "
            "de groupes « et » / « ou » entre parenthèses et de définitions qui en utilisent d'autres ; "
            "découpez-la en définitions plus simples")


def _nested(span: Span, text: str, levels: int | None) -> Diagnostic:
    return Diagnostic(too_deep(levels), span, source_line(text, span.line), code="syntaxe")


def _too_deep_nodes(tree: Tree) -> list[tuple[Tree, int]]:
    """The conditions nesting more than MAX_NESTING levels, with their depth; by explicit walks
    (the tree may be deep) through the nodes that hold conditions and the nodes that nest them."""
    found, stack = [], [tree]
    while stack:
        node = stack.pop()
        if node.data in _LEVELS:
            depth = _depth(node)
            if depth > MAX_NESTING:
                found.append((node, depth))
        elif node.data in _HOLDERS:
            stack.extend(c for c in reversed(node.children) if isinstance(c, Tree))
    return found


def _depth(condition: Tree) -> int:
    """Levels of a condition's parse tree (post-order, without recursion)."""
    depth: dict[int, int] = {}
    stack = [(condition, False)]
    while stack:
        node, done = stack.pop()
        inner = [c for c in node.children if isinstance(c, Tree) and c.data in _LEVELS]
        if not done:
            stack.append((node, True))
            stack.extend((c, False) for c in inner)
        else:
            depth[id(node)] = 1 + max((depth[id(c)] for c in inner), default=0)
    return depth[id(condition)]


def _refuse_characters(text: str, filename: str) -> None:
    if FORBIDDEN_IN_RULES.search(text) is None:
        return
    found = []
    for match in FORBIDDEN_IN_RULES.finditer(text):
        if len(found) == MAX_DIAGNOSTICS:
            found.append(Diagnostic("… et d'autres caractères interdits plus loin dans le fichier", code="syntaxe"))
            break
        index, char = match.start(), match[0]
        start = text.rfind("\n", 0, index) + 1
        end = text.find("\n", index)
        line, column = text.count("\n", 0, index) + 1, index - start + 1
        shown = text[start:end if end >= 0 else len(text)].removesuffix("\r")
        advice = ("une fin de ligne s'écrit LF ou CRLF" if char == "\r"
                  else "retirez-le (il vient souvent d'un copier-coller)")
        found.append(Diagnostic(f"{character_name(char)} interdit dans une charte : {advice}",
                                Span(filename, line, column, line, column + 1), visible(shown), code="syntaxe"))
    raise CharterError(found)


def _diagnostic(error: UnexpectedInput, text: str, filename: str) -> Diagnostic:
    line, column = max(error.line, 1), max(error.column, 1)
    width = 1
    if isinstance(error, UnexpectedToken) and error.token.type != "$END":
        width = max(1, len(str(error.token).splitlines()[0]) if str(error.token) else 1)
    span = Span(filename, line, column, line, column + width)
    message = _reserved(error, text) or _known_mistake(error, text) or _generic_message(error)
    return Diagnostic(message, span, source_line(text, line), code="syntaxe")


#: « 3 mois avant », « 45 jours après »: the words that end a name, since a duration may follow it.
_DURATION = re.compile(r"(jours?|mois|ans?|ann[ée]es?)[ \t]+(avant|apr[èe]s)\b", re.IGNORECASE)


def _reserved(error: UnexpectedInput, text: str) -> str | None:
    """A name that holds « mois avant » (or « jours après »…): the words are kept for durations."""
    if not isinstance(error, UnexpectedToken) or error.token.type == "$END":
        return None
    found = _DURATION.match(text, error.token.start_pos)
    if found is None:
        return None
    return (f"« {found[0]} » est réservé aux durées entre deux dates (« 3 mois avant la date du "
            f"signalement ») et ne peut pas figurer dans un nom : reformulez le nom (par exemple « {found[1]} "
            f"précédant … »)")


def _known_mistake(error: UnexpectedInput, text: str) -> str | None:
    try:
        return error.match_examples(_parser().parse, MISTAKES, use_accepts=True)
    # Best effort; RecursionError: Lark copies the parser's stack, whose trees may be deep.
    except (LarkError, AssertionError, KeyError, RecursionError):  # pragma: no cover
        return None


#: Arithmetic signs the language spells in words, and what to write instead.
_SIGNS = {
    "+": "pour additionner, écrivez la somme : « la somme du loyer et des charges », « 2 fois la somme "
         "du loyer et des charges »",
    "-": "la soustraction n'est pas permise : passez le terme soustrait de l'autre côté, dans une somme "
         "(« la dette est au moins la somme du loyer et des aides »)",
    "*": "pour multiplier, écrivez « fois » : « 3 fois le loyer »",
    "×": "pour multiplier, écrivez « fois » : « 3 fois le loyer »",
}
_SIGNS["−"] = _SIGNS["-"]


def _generic_message(error: UnexpectedInput) -> str:
    if isinstance(error, UnexpectedCharacters) and error.char in _SIGNS:
        return f"« {error.char} » : {_SIGNS[error.char]}"
    if isinstance(error, UnexpectedCharacters):
        found = f"caractère « {error.char} » inattendu"
        expected = error.allowed
    elif isinstance(error, UnexpectedEOF):
        found = "fin du fichier inattendue"
        expected = error.expected
    elif isinstance(error, UnexpectedToken):
        found = "fin du fichier inattendue" if error.token.type == "$END" else f"« {error.token} » inattendu"
        try:
            expected = error.accepts or error.expected
        except RecursionError:  # pragma: no cover - Lark copies the stack, whose trees may be deep
            expected = error.expected
    else:  # pragma: no cover
        return "erreur de syntaxe"
    names = sorted({TERMINAL_NAMES.get(t, t) for t in expected or () if not t.startswith("__")})
    if not names:
        return found
    if len(names) > 8:
        names = names[:8] + ["…"]
    return f"{found} ; attendu : " + ", ".join(names)


def token_span(token: Token, filename: str) -> Span:
    return Span(filename, token.line, token.column, token.end_line, token.end_column)
