"""Parsing a rule file into a Lark tree; Lark's exceptions become located French CharterErrors here."""

from __future__ import annotations

import functools
import hashlib
import io
import os
import sys
import unicodedata
from pathlib import Path

import lark
from lark import Lark, Token, Tree
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from .. import cache
from ..errors import CharterError, Diagnostic, Span, source_line
from ..resources import grammar_path, parser_cache_path
from .mistakes import MISTAKES, TERMINAL_NAMES

__all__ = ["parse_tree", "build_parser", "write_tables", "prepare_text", "source_line", "token_span"]

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
    """Parse prepared text; raise CharterError with a French, located message on a syntax error."""
    try:
        return _parser().parse(text)
    except UnexpectedInput as error:
        raise CharterError([_diagnostic(error, text, filename)]) from None
    except LarkError as error:  # pragma: no cover - any other Lark failure is a bug of ours
        raise CharterError([Diagnostic(f"erreur interne de l'analyseur : {error}")]) from None


def _diagnostic(error: UnexpectedInput, text: str, filename: str) -> Diagnostic:
    line, column = max(error.line, 1), max(error.column, 1)
    width = 1
    if isinstance(error, UnexpectedToken) and error.token.type != "$END":
        width = max(1, len(str(error.token).splitlines()[0]) if str(error.token) else 1)
    span = Span(filename, line, column, line, column + width)
    message = _known_mistake(error, text) or _generic_message(error)
    return Diagnostic(message, span, source_line(text, line))


def _known_mistake(error: UnexpectedInput, text: str) -> str | None:
    try:
        return error.match_examples(_parser().parse, MISTAKES, use_accepts=True)
    except (LarkError, AssertionError, KeyError):  # pragma: no cover - matching is best effort
        return None


def _generic_message(error: UnexpectedInput) -> str:
    if isinstance(error, UnexpectedCharacters):
        found = f"caractère « {error.char} » inattendu"
        expected = error.allowed
    elif isinstance(error, UnexpectedEOF):
        found = "fin du fichier inattendue"
        expected = error.expected
    elif isinstance(error, UnexpectedToken):
        found = "fin du fichier inattendue" if error.token.type == "$END" else f"« {error.token} » inattendu"
        expected = error.accepts or error.expected
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
