"""A standalone HTML page of a charter for reviewers who have no Sphinx project."""

from __future__ import annotations

from .document import (ARROW_NOTE, EXAMPLE_COLUMNS, FALLBACK_NOTE, NO_EXCEPTION_NOTE, CharterDocument, Code,
                       ExampleView, Grid, example_cells, header_facts, indicator_grid, overview)
from .graph import svg
from .inert import escape
from .tables import DecisionTable, open_case_text

__all__ = ["to_html"]

_STYLE = """
body { font-family: sans-serif; max-width: 62rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.45; color: #222; }
table { border-collapse: collapse; margin: .5rem 0 1rem; }
th, td { border: 1px solid #bbb; padding: .25rem .5rem; text-align: left; vertical-align: top; }
th { background: #eef; }
.regle { border-left: 4px solid #88a; padding-left: 1rem; margin: 1.5rem 0; }
.phrase { font-weight: bold; }
blockquote { margin: .5rem 0; padding: .25rem 1rem; background: #f6f6f6; border-left: 3px solid #ccc; }
.ok { color: #1a6b1a; } .echec { color: #a61b1b; }
.repartition-graphe { max-width: 100%; height: auto; }
"""


def _e(text: object) -> str:
    return escape(text)


def to_html(doc: CharterDocument) -> str:
    """The page: header, services, data, rules as sentences, decision tables, diagram, indicators, verdict."""
    out = ["<!DOCTYPE html>", '<html lang="fr">', "<head>", '<meta charset="utf-8">',
           f"<title>{_e(doc.title)}</title>", f"<style>{_STYLE}</style>", "</head>", "<body>",
           f"<h1>{_e(doc.title)}</h1>", "<dl>"]
    out.extend(f"<dt>{term}</dt><dd>{_e(value)}</dd>" for term, value in header_facts(doc))
    out.append("</dl>")
    out.extend(_grid(grid) for grid in overview(doc))
    if doc.definitions:
        out.append('<h2 id="definitions">Définitions</h2><dl>')
        out.extend(f"<dt>« {_e(name)} »</dt><dd>{_e(text)}</dd>" for name, text in doc.definitions)
        out.append("</dl>")
    out.append('<h2 id="regles">Règles</h2>')
    for rule in doc.rules:
        out.append(f'<section class="regle" id="{_e(rule.anchor)}">')
        out.append(f"<h3>{_e(rule.name)}</h3>")
        out.append(f'<p class="phrase">{_e(rule.sentence)}</p>')
        for name, text in rule.definitions:
            out.append(f"<p>où « {_e(name)} » signifie : {_e(text)}.</p>")
        if rule.text:
            out.append(f"<blockquote>{_e(rule.text)}</blockquote>")
        facts = [("Référence", rule.reference), ("Ligne", rule.line)]
        if rule.exceptions:
            facts.append(("Par exception à", ", ".join(f"« {n} »" for n in rule.exceptions)))
        if rule.overridden_by:
            facts.append(("Écartée par", ", ".join(f"« {n} »" for n in rule.overridden_by)))
        out.append("<ul>" + "".join(f"<li>{k} : {_e(v)}</li>" for k, v in facts if v) + "</ul>")
        if rule.examples:
            out.append("<p>Exemples :</p>")
            out.append(_examples(rule.examples))
        out.append("</section>")
    out.append('<h2 id="qui-va-ou">Qui va où : tables de décision</h2>')
    if not doc.decisions.exact:
        out.append(f"<p>{_e(FALLBACK_NOTE)}</p>")
    for table in doc.decisions.tables:
        out.append(_decision(table))
    out.append('<h2 id="exceptions">Exceptions entre les règles</h2>')
    if doc.graph.edges:
        out.append(f"<p>{_e(ARROW_NOTE)}</p>")
        out.append(f'<div class="schema">{svg(doc.graph)}</div>')
    else:
        out.append(f"<p>{_e(NO_EXCEPTION_NOTE)}</p>")
    if (indicators := indicator_grid(doc)) is not None:
        out.append(_grid(indicators))
    out.append('<h2 id="exemples">Exemples</h2>')
    out.append(_examples(doc.examples))
    out.append('<h2 id="verification">Vérification</h2>')
    state = "ok" if doc.verdict.ok else "echec"
    out.append(f'<p class="{state}"><strong>{_e(doc.verdict.title)}</strong> — {_e(doc.verdict.summary)}</p>')
    if doc.verdict.problems:
        out.append("<ul>" + "".join(
            f"<li>{_e(p.severity)} — {_e(doc.source)}:{p.line} : {_e(p.message)}</li>" if p.line
            else f"<li>{_e(p.severity)} — {_e(p.message)}</li>" for p in doc.verdict.problems) + "</ul>")
    out.extend(["</body>", "</html>", ""])
    return "\n".join(out)


def _grid(grid: Grid) -> str:
    return f'<h2 id="{grid.anchor}">{_e(grid.title)}</h2>' + _table(grid.columns, grid.rows)


def _table(head, rows) -> str:
    cells = "".join(f"<th>{_e(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{_cell(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{cells}</tr></thead><tbody>{body}</tbody></table>"


def _cell(cell) -> str:
    return f"<code>{_e(cell.text)}</code>" if isinstance(cell, Code) else _e(cell)


def _decision(table: DecisionTable) -> str:
    rows = [(*row.cells, row.rule or open_case_text(row)) for row in table.rows]
    return (f'<h3 class="table-decision">{_e(table.label)}</h3>'
            + _table((*table.columns, "règle"), rows).replace("<table>", '<table class="decision">', 1))


def _examples(examples: tuple[ExampleView, ...]) -> str:
    return _table(EXAMPLE_COLUMNS, [example_cells(e) for e in examples])
