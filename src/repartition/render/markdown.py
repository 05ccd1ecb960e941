"""A Markdown page of a charter for reviewers who have no Sphinx project; the diagram is a separate SVG file."""

from __future__ import annotations

import re

from .document import CharterDocument
from .inert import inert
from .page import (Aside, Chip, Details, Entries, Facts, Figure, Items, Link, Literal, Para, Quote, Section, Strong,
                   Table, Text, page)

__all__ = ["to_markdown"]

# Backslash escapes (CommonMark allows one before any ASCII punctuation) for links, images, code,
# emphasis, table cells, and the bare addresses GitHub's Markdown turns into links (`http://`, `www.`).
# An e-mail address stays a link there whatever its escapes: it shows its own address, nothing else.
_SYNTAX = re.compile(r"[\\`*_~\[\]|]|:(?=//)|(?<=www)\.", re.IGNORECASE)
_LINE_ENDS = re.compile(r"[ \t]*(?:\r?\n[ \t]*)+")


def to_markdown(doc: CharterDocument, diagram: str | None) -> str:
    """The page; `diagram` is the relative path of the exception diagram's SVG file, if one was written."""
    out = [f"# {_t(doc.title)}", ""]
    for block in page(doc):
        out += _block(block, 2, diagram)
    return "\n".join(_escape(line) for line in out).rstrip("\n") + "\n"


def _block(block, level: int, diagram: str | None) -> list[str]:
    match block:
        case Section(title=title, blocks=blocks):
            lines = ["#" * min(level, 6) + f" {_t(title)}", ""]
            for inner in blocks:
                lines += _block(inner, level + 1, diagram)
            return lines
        case Para(inlines=inlines):
            return [_inlines(inlines), ""]
        case Quote(text=text):
            return [f"> {_t(text)}", ""]
        case Facts(items=items):
            return [f"- **{term}** : {_inlines(value)}" for term, value in items] + [""]
        case Items(items=items):
            return [f"- {_inlines(item)}" for item in items] + [""]
        case Table(columns=columns, rows=rows):
            lines = ["| " + " | ".join(_t(c) for c in columns) + " |", "|" + "---|" * len(columns)]
            lines += ["| " + " | ".join(_inlines(cell) for cell in row) + " |" for row in rows]
            return lines + [""]
        case Details(summary=summary, blocks=blocks):
            lines = [f"**{_t(summary)}**", ""]
            for inner in blocks:
                lines += _block(inner, level, diagram)
            return lines
        case Figure():
            return [f"![Exceptions entre les règles]({diagram})", ""] if diagram else []
        case Entries(items=items):
            lines = []
            for _, term, body in items:
                lines += [f"**{_t(term)}**", ""]
                for inner in body:
                    lines += _block(inner, level, diagram)
            return lines
    raise TypeError(f"not a block: {block!r}")  # pragma: no cover


def _inlines(inlines) -> str:
    out = []
    for inline in inlines:
        match inline:
            case Text(text=text):
                out.append(_t(text))
            case Strong(text=text):
                out.append(f"**{_t(text.strip())}**" + (" " if text.endswith(" ") else ""))
            case Link(text=text):
                out.append(_t(text) if text.startswith("«") else f"« {_t(text)} »")
            case Literal(text=text):
                out.append(_code(text))
            case Chip(code=code):
                out.append(f"**{_t(code)}**")
            case Aside(inlines=inner):
                out.append(f" — {_inlines(inner)}")
            case _:  # pragma: no cover
                raise TypeError(f"not an inline: {inline!r}")
    return "".join(out)


def _t(text: object) -> str:
    """Charter text made inert: on one line, its Markdown syntax escaped (`&`, `<` and `>` are
    escaped with the whole line, by `_escape`)."""
    return _SYNTAX.sub(lambda match: "\\" + match[0], _LINE_ENDS.sub(" ", inert(text)))


def _code(text: str) -> str:
    """A code span around any text: a fence longer than its backticks; its pipes escaped for tables."""
    text = _LINE_ENDS.sub(" ", inert(text)).replace("|", "\\|")
    fence = "`" * (1 + max((len(run) for run in re.findall("`+", text)), default=0))
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _escape(line: str) -> str:
    """Charter texts never become HTML: this page emits no `<`, `>` or `&` but a quote's leading `> `."""
    quote = "> " if line.startswith("> ") else ""
    rest = line[len(quote):]
    return quote + rest.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
