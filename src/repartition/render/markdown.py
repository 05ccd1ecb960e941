"""A Markdown page of a charter for reviewers who have no Sphinx project; the diagram is a separate SVG file."""

from __future__ import annotations

import re

from .document import (ARROW_NOTE, EXAMPLE_COLUMNS, FALLBACK_NOTE, NO_EXCEPTION_NOTE, CharterDocument, Code,
                       ExampleView, Grid, example_cells, header_facts, indicator_grid, overview)
from .inert import inert
from .tables import open_case_text

__all__ = ["to_markdown"]


# Backslash escapes (CommonMark allows one before any ASCII punctuation) for links, images, code,
# emphasis, table cells, and the bare addresses GitHub's Markdown turns into links (`http://`, `www.`).
# An e-mail address stays a link there whatever its escapes: it shows its own address, nothing else.
_SYNTAX = re.compile(r"[\\`*_~\[\]|]|:(?=//)|(?<=www)\.", re.IGNORECASE)
_LINE_ENDS = re.compile(r"[ \t]*(?:\r?\n[ \t]*)+")


def _t(text: object) -> str:
    """Charter text made inert: on one line, its Markdown syntax escaped (`&`, `<` and `>` are
    escaped with the whole line, by `_escape`)."""
    return _SYNTAX.sub(lambda match: "\\" + match[0], _LINE_ENDS.sub(" ", inert(text)))


def _cell(text: object) -> str:
    if isinstance(text, Code):
        return _code(text.text)
    return _t(text)


def _code(text: str) -> str:
    """A code span around any text: a fence longer than its backticks; its pipes escaped for tables."""
    text = _LINE_ENDS.sub(" ", inert(text)).replace("|", "\\|")
    fence = "`" * (1 + max((len(run) for run in re.findall("`+", text)), default=0))
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _grid(grid: Grid) -> list[str]:
    return [f"## {grid.title}", ""] + _table(grid.columns, grid.rows)


def _table(head, rows) -> list[str]:
    lines = ["| " + " | ".join(_cell(h) for h in head) + " |", "|" + "---|" * len(head)]
    lines.extend("| " + " | ".join(_cell(c) for c in row) + " |" for row in rows)
    return lines + [""]


def to_markdown(doc: CharterDocument, diagram: str | None) -> str:
    """The page; `diagram` is the relative path of the exception diagram's SVG file, if one was written."""
    out = [f"# {_t(doc.title)}", ""]
    out += [f"- **{term}** : {_t(value)}" for term, value in header_facts(doc)]
    out.append("")
    for grid in overview(doc):
        out += _grid(grid)
    if doc.definitions:
        out += ["## Définitions", ""]
        out += [f"- « {_t(name)} » : {_t(text)}" for name, text in doc.definitions] + [""]
    out += ["## Règles", ""]
    for rule in doc.rules:
        out += [f"### {_t(rule.name)}", "", f"**{_t(rule.sentence)}**", ""]
        out += [f"où « {_t(name)} » signifie : {_t(text)}." for name, text in rule.definitions]
        if rule.text:
            out += [f"> {_t(rule.text)}", ""]
        if rule.reference:
            out.append(f"- Référence : {_t(rule.reference)}")
        if rule.line:
            out.append(f"- Ligne : {rule.line}")
        if rule.exceptions:
            out.append("- Par exception à : " + ", ".join(f"« {_t(n)} »" for n in rule.exceptions))
        if rule.overridden_by:
            out.append("- Écartée par : " + ", ".join(f"« {_t(n)} »" for n in rule.overridden_by))
        out.append("")
        if rule.examples:
            out += ["Exemples :", ""] + _examples(rule.examples)
    out += ["## Qui va où : tables de décision", ""]
    if not doc.decisions.exact:
        out += [FALLBACK_NOTE, ""]
    for table in doc.decisions.tables:
        out += [f"### {_t(table.label)}", ""]
        out += _table((*table.columns, "règle"),
                      [(*r.cells, r.rule or open_case_text(r)) for r in table.rows])
    out += ["## Exceptions entre les règles", ""]
    if doc.graph.edges:
        out += [ARROW_NOTE, ""]
        if diagram:
            out += [f"![Exceptions entre les règles]({diagram})", ""]
        out += [f"- « {_t(e.source)} » s'applique par exception à « {_t(e.target)} »" for e in doc.graph.edges]
        out.append("")
    else:
        out += [NO_EXCEPTION_NOTE, ""]
    if (indicators := indicator_grid(doc)) is not None:
        out += _grid(indicators)
    out += ["## Exemples", ""] + _examples(doc.examples)
    out += ["## Vérification", "", f"**{_t(doc.verdict.title)}** — {_t(doc.verdict.summary)}", ""]
    out += [f"- {p.severity} — {_t(doc.source)}:{p.line} : {_t(p.message)}" if p.line
            else f"- {p.severity} — {_t(p.message)}" for p in doc.verdict.problems]
    return "\n".join(_escape(line) for line in out).rstrip("\n") + "\n"


def _escape(line: str) -> str:
    """Charter texts never become HTML: this page emits no `<`, `>` or `&` but a quote's leading `> `."""
    quote = "> " if line.startswith("> ") else ""
    rest = line[len(quote):]
    return quote + rest.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _examples(examples: tuple[ExampleView, ...]) -> list[str]:
    return _table(EXAMPLE_COLUMNS, [example_cells(e) for e in examples])
