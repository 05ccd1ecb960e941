"""A standalone HTML page of a charter for reviewers who have no Sphinx project (and the source of its PDF)."""

from __future__ import annotations

from .inert import escape
from pathlib import Path

from .document import CharterDocument, rule_anchor
from .graph import svg
from .page import (Aside, Chip, Details, Entries, Facts, Figure, Items, Link, Literal, Para, Quote, Section, Strong,
                   Table, Text, page, toc)
from .tables import ANY

__all__ = ["to_html", "STYLE", "PRINT_STYLE", "FULL_SIZE"]

#: The link under the diagram to its own file, at its natural size.
FULL_SIZE = "Ouvrir le schéma seul, en grand"

#: The page's own style (the charter's parts are styled by the stylesheet the Sphinx pages use too).
STYLE = """
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body { margin: 0; color: #1f2328; background: #fff; font: 16px/1.5 "DejaVu Sans", Verdana, system-ui, sans-serif; }
.page { max-width: 76rem; margin: 0 auto; padding: 0 1.25rem 3rem; }
h1 { font-size: 1.6rem; line-height: 1.25; margin: 1.5rem 0 1rem; }
h2 { font-size: 1.35rem; line-height: 1.3; margin: 2.2rem 0 .6rem; padding-bottom: .2rem; border-bottom: 1px solid #d0d7de; }
h3 { font-size: 1.1rem; line-height: 1.3; margin: 1.4rem 0 .4rem; }
h4 { font-size: 1rem; margin: 1rem 0 .3rem; }
p, li, dd, blockquote, dl.faits { max-width: 50rem; }
a { color: #0b5394; }
code { font-family: "DejaVu Sans Mono", monospace; font-size: .9em; overflow-wrap: anywhere; }
dl.entete { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: .15rem 1rem; max-width: 60rem; }
dl.entete dt { font-weight: 600; }
dl.entete dd { margin: 0; }
dl.faits { margin: .4rem 0; font-size: .95rem; }
dl.faits div { display: flex; flex-wrap: wrap; gap: 0 .5rem; }
dl.faits dt { font-weight: 600; }
dl.faits dt::after { content: " :"; }
dl.faits dd { margin: 0; min-width: 0; }
dl.entrees dt { font-weight: 600; margin-top: .6rem; }
dl.entrees dd { margin-left: 1.25rem; }
section#verification h2 { border: 0; margin-top: .6rem; }
nav.sommaire { margin: 1rem 0; padding: .5rem 1rem; background: #f6f8fa; border: 1px solid #d0d7de; border-radius: .4rem;
  font-size: .9rem; }
nav.sommaire ul { margin: .2rem 0; padding-left: 1.1rem; }
@media (min-width: 75rem) {
  .page { margin-left: 17rem; }
  nav.sommaire { position: fixed; top: 0; left: 0; bottom: 0; width: 16rem; margin: 0; overflow-y: auto;
    border-width: 0 1px 0 0; border-radius: 0; font-size: .82rem; }
  nav.sommaire ul.sommaire ul { display: block; }
}
@media (max-width: 40rem) {
  .page { padding: 0 .8rem 2rem; }
  h1 { font-size: 1.35rem; }
  dl.entete { grid-template-columns: minmax(0, 1fr); gap: 0; }
  dl.entete dd { margin-bottom: .3rem; }
}
""" + (Path(__file__).resolve().parent.parent / "_static" / "repartition.css").read_text(encoding="utf-8")

#: What the PDF adds: A4 pages, numbered, with the charter's title, version and fingerprint in each
#: footer (`FOOTER` is replaced by the footer's text, as a CSS string).
PRINT_STYLE = """
@page { size: A4; margin: 16mm 14mm 22mm;
  @bottom-left { content: FOOTER; font: 6.5pt "DejaVu Sans", sans-serif; color: #444; white-space: pre-wrap;
                 vertical-align: top; padding-top: 3mm; }
  @bottom-right { content: "page " counter(page) " / " counter(pages); font: 8pt "DejaVu Sans", sans-serif;
                  color: #444; vertical-align: top; padding-top: 3mm; } }
body { font-size: 10pt; }
.page { max-width: none; margin: 0; padding: 0; }
h2 { break-after: avoid; } h3, h4 { break-after: avoid; }
section.regle, tr, figure.schema, ul.exemples li, dl.entrees dd { break-inside: avoid; }
nav.sommaire { position: static; width: auto; border: 1px solid #d0d7de; font-size: 8.5pt; }
nav.sommaire ul.sommaire ul { display: block; }
a { color: inherit; text-decoration: none; }
details > summary { display: none; }
table.repartition { font-size: 7.5pt; }
table.repartition { hyphens: auto; }
table.decision th:first-child { width: 22%; }
table.decision td:first-child { min-width: 0; }
figure.schema svg { max-height: 245mm; width: auto; }
figure.schema figcaption { display: none; }
"""


def _css_string(text: str) -> str:
    """A CSS string literal: quotes, backslashes and `<` escaped, line breaks as `\\A`."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3C ").replace("\n", "\\A ")
    return f'"{escaped}"'


def _e(text: object) -> str:
    return escape(text)


def to_html(doc: CharterDocument, diagram: str | None = None, *, for_print: bool = False) -> str:
    """The page: title, table of contents, then the blocks of `page`; `diagram` names the diagram's own SVG
    file (linked under it); `for_print` lays it out for the PDF (A4, footers, every part open)."""
    blocks = page(doc)
    writer = _Writer(diagram, for_print)
    footer = (f"{doc.title} — version {doc.version}" if doc.version else doc.title) + f"\nsha256 {doc.sha256}"
    style = STYLE + (PRINT_STYLE.replace("FOOTER", _css_string(footer)) if for_print else "")
    out = ["<!DOCTYPE html>", '<html lang="fr">', "<head>", '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{_e(doc.title)}</title>", f"<style>{style}</style>", "</head>", "<body>",
           '<div class="page">', f"<h1>{_e(doc.title)}</h1>"]
    nav = '<nav class="sommaire" aria-label="Sommaire"><strong>Sommaire</strong>' + writer.block(toc(blocks), 1) + "</nav>"
    for block in blocks:  # the table of contents after the header and the verdict
        out.append(writer.block(block, 2))
        if isinstance(block, Section) and block.id == "verification":
            out.append(nav)
    out.extend(["</div>", "</body>", "</html>", ""])
    return "\n".join(out)


class _Writer:
    """HTML for the page's blocks; section depth gives the heading level."""

    def __init__(self, diagram: str | None, for_print: bool):
        self.diagram = diagram
        self.for_print = for_print

    def block(self, block, level: int) -> str:
        match block:
            case Section(id=ident, title=title, blocks=blocks, role=role):
                state = ""
                if ident == "verification":
                    state = " ok" if any(isinstance(b, Para) and b.role == "ok" for b in blocks) else " echec"
                inner = "".join(self.block(b, level + 1) for b in blocks)
                heading = f"<h{level}>{_e(title)}</h{level}>"
                return f'<section id="{_e(ident)}" class="{_e(role)}{state}">{heading}{inner}</section>'
            case Para(inlines=inlines, role=role):
                return f'<p class="{role}">{self.inlines(inlines)}</p>' if role else f"<p>{self.inlines(inlines)}</p>"
            case Quote(text=text):
                return f'<blockquote class="texte-charte"><p>{_e(text)}</p></blockquote>'
            case Facts(items=items, role=role):
                # The header is a grid of terms and values; other facts go a term and its value a line.
                wrap = ("", "") if role == "entete" else ("<div>", "</div>")
                rows = "".join(f"{wrap[0]}<dt>{_e(term)}</dt><dd>{self.inlines(value)}</dd>{wrap[1]}"
                               for term, value in items)
                return f'<dl class="{role or "faits"}">{rows}</dl>'
            case Items(items=items, role=role):
                lis = "".join(f"<li>{self.inlines(item)}</li>" for item in items)
                return f'<ul class="{role}">{lis}</ul>' if role else f"<ul>{lis}</ul>"
            case Table():
                return self.table(block)
            case Details(summary=summary, blocks=blocks):
                inner = "".join(self.block(b, level) for b in blocks)
                opened = " open" if self.for_print else ""
                return f"<details{opened}><summary>{_e(summary)}</summary>{inner}</details>"
            case Figure(graph=graph, title=title):
                image = svg(graph, title=title, href=lambda rule: "#" + rule_anchor(rule))
                link = (f'<figcaption><a href="{_e(self.diagram)}">{FULL_SIZE}</a></figcaption>'
                        if self.diagram else "")
                return f'<figure class="schema">{image}{link}</figure>'
            case Entries(items=items):
                rows = "".join(f'<dt id="{_e(ident)}">{_e(term)}</dt><dd>{"".join(self.block(b, level) for b in body)}</dd>'
                               for ident, term, body in items)
                return f'<dl class="entrees">{rows}</dl>'
        raise TypeError(f"not a block: {block!r}")  # pragma: no cover

    def table(self, table: Table) -> str:
        head = "".join(f'<th scope="col">{_e(c)}</th>' for c in table.columns)
        body = []
        for row in table.rows:
            cells = []
            for column, cell in zip(table.columns, row):
                empty = ' class="vide"' if cell == (Text(ANY),) else ""
                cells.append(f'<td{empty}><span class="etiquette">{_e(column)}</span>{self.inlines(cell)}</td>')
            body.append("<tr>" + "".join(cells) + "</tr>")
        role = f" {table.role}" if table.role else ""
        return (f'<div class="defilement"><table class="repartition{role}"><thead><tr>{head}</tr></thead>'
                f'<tbody>{"".join(body)}</tbody></table></div>')

    def inlines(self, inlines) -> str:
        out = []
        for inline in inlines:
            match inline:
                case Text(text=text):
                    out.append(_e(text))
                case Strong(text=text):
                    out.append(f"<strong>{_e(text)}</strong>")
                case Link(text=text, target=target):
                    out.append(f'<a href="#{_e(target)}">{_e(text)}</a>')
                case Literal(text=text):
                    out.append(f"<code>{_e(text)}</code>")
                case Chip(code=code, fill=fill, ink=ink):
                    out.append(f'<span class="puce" style="background:{fill};color:{ink}">{_e(code)}</span>')
                case Aside(inlines=inner):
                    out.append(f'<span class="a-part">{self.inlines(inner)}</span>')
                case Items() | Para():
                    out.append(self.block(inline, 4))
                case _:  # pragma: no cover
                    raise TypeError(f"not an inline: {inline!r}")
        return "".join(out)
