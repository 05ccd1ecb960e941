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
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from .. import cache
from ..errors import MAX_DIAGNOSTICS, CharterError, Diagnostic, Span, source_line
from ..resources import grammar_path, parser_cache_path
from .characters import FORBIDDEN_IN_RULES, character_name, visible
from .mistakes import MISTAKES, Piece, Stuck, explain

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
    read: list[Token] = []  # the last two tokens read, for the message of a syntax error
    parentheses = 0
    try:
        for token in interactive.iter_parse():
            read = [*read[-1:], token]
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
        message, (line, column, end) = explain(_stuck(interactive, error, read, text), text)
        raise CharterError([Diagnostic(message, Span(filename, line, column, line, end), source_line(text, line),
                                       code="syntaxe")]) from None
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


def _stuck(state, error: UnexpectedInput, read: list[Token], text: str) -> Stuck:
    """Where the interactive parser stopped on an error, as plain data for `mistakes.explain`: what
    it found, what it would have accepted, and what it holds of the declaration in progress.
    `read` holds the last tokens read (the refused one too, when the parser rather than the lexer
    refused it)."""
    if isinstance(error, UnexpectedCharacters):
        symbols = _SYMBOLS.match(text, error.pos_in_stream)  # « >= » is shown whole, not « > »
        shown = symbols[0] if symbols else text[error.pos_in_stream]
        found = Piece("CHARACTER", shown, error.line, error.column, error.line, error.column + len(shown))
    else:
        token = getattr(error, "token", None)
        found = None if token is None or token.type == "$END" else _piece(token, text)
        if read and read[-1] is token:
            read = read[:-1]
    previous = read[-1] if read else None
    stack = state.parser_state.value_stack
    start = max((i + 1 for i, v in enumerate(stack) if isinstance(v, Tree) and v.data in _ITEMS), default=0)
    before = stack[start - 1] if start else None
    while isinstance(before, Tree) and before.data == "__start_star_0":  # the items read so far: the last
        before = before.children[-1] if before.children else None
    return Stuck(found, frozenset(state.accepts()), tuple(_piece(v, text) for v in stack[start:]),
                 None if previous is None else _piece(previous, text), _matched(state, found),
                 None if before is None else _piece(before, text))


#: Comparison symbols, shown whole when no token starts with them (« >= », not « > »).
_SYMBOLS = re.compile(r"[<>=!≥≤≠]{1,3}")
#: Trees that hold complete declarations: what the parser holds after them is the one in progress.
_ITEMS = {"__start_star_0", "comment", "charte", "reference", "version", "vigueur_from", "vigueur_between",
          "services_heading", "service_decl", "fields_heading", "field_decl", "ensemble", "table",
          "definition", "article", "regle", "indicateur", "exemple", "motif"}


def _piece(value, text: str) -> Piece:
    if isinstance(value, Token):
        if value.type == "IDENT":  # a lower-case word where no name was expected: shown as the name it begins
            name = re.compile(_parser().get_terminal("NAME").pattern.to_regexp(), re.IGNORECASE).match(
                text, value.start_pos)
            if name and len(name[0]) > len(value):
                return Piece("NAME", name[0], value.line, value.column, value.line, value.column + len(name[0]))
        return Piece(value.type, str(value), value.line, value.column, value.end_line, value.end_column)
    meta = value.meta
    if getattr(meta, "empty", True):
        return Piece(value.data, "", 0, 0, 0, 0)
    return Piece(value.data, text[meta.start_pos:meta.end_pos], meta.line, meta.column, meta.end_line,
                 meta.end_column)


def _matched(state, found: Piece | None) -> str | None:
    """The message of the table of typical mistakes whose snippet stops the parser in the same state
    on the same kind of token (Lark's match_examples, on our description of where it stopped)."""
    kind = "$END" if found is None else found.kind
    for message, snippets in MISTAKES.items():
        for snippet in snippets:
            try:
                _parser().parse(snippet)
            except UnexpectedToken as error:
                if (error.token.type == kind
                        and error.interactive_parser.parser_state.position == state.parser_state.position):
                    return message
            except UnexpectedInput:
                continue
    return None


def token_span(token: Token, filename: str) -> Span:
    return Span(filename, token.line, token.column, token.end_line, token.end_column)
