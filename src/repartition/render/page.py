"""The reviewer's page as neutral blocks, in reading order: the HTML page, the Sphinx directive, the
Markdown page and the PDF all write these same blocks, so that they all say the same thing."""

from __future__ import annotations

from attrs import frozen

from .document import (ARROW_NOTE, FALLBACK_NOTE, NO_EXCEPTION_NOTE, TABLES_NOTE, ArticleView, CharterDocument, Code,
                       ExampleView, Grid, RuleView, anchor, declarations, example_household, example_outcome,
                       header_facts, indicator_grid, rule_anchor)
from .graph import ExceptionGraph
from .tables import DecisionTable, open_case_text

__all__ = [
    "Text", "Strong", "Link", "Literal", "Chip", "Aside", "Inline", "Para", "Quote", "Facts", "Items", "Table",
    "Details", "Figure", "Entries", "Section", "Block", "page", "toc",
]


# ---- inlines ---------------------------------------------------------------------------------------

@frozen
class Text:
    text: str


@frozen
class Strong:
    text: str


@frozen
class Link:
    """A link to a section of the page; `target` is its id without any prefix."""

    text: str
    target: str


@frozen
class Literal:
    text: str


@frozen
class Chip:
    """A service code on its colour, as in the diagram."""

    code: str
    fill: str
    ink: str


@frozen
class Aside:
    """Smaller text on a line of its own, under what it qualifies (a table cell's « sauf », a household)."""

    inlines: tuple


Inline = Text | Strong | Link | Literal | Chip | Aside


# ---- blocks ----------------------------------------------------------------------------------------

@frozen
class Para:
    inlines: tuple
    role: str = ""  # phrase, motif, note, ok, echec


@frozen
class Quote:
    """The charter's own text of a rule."""

    text: str


@frozen
class Facts:
    """Terms and their values: « Référence : … »."""

    items: tuple[tuple[str, tuple], ...]
    role: str = ""


@frozen
class Items:
    items: tuple[tuple, ...]
    role: str = ""


@frozen
class Table:
    """Cells are tuples of inlines; on a narrow screen each row becomes a card whose cells carry their column."""

    columns: tuple[str, ...]
    rows: tuple[tuple[tuple, ...], ...]
    role: str = ""


@frozen
class Details:
    """A collapsible part: closed, its summary is shown."""

    summary: str
    blocks: tuple


@frozen
class Figure:
    """The exception diagram; writers draw it with links to their own anchors."""

    graph: ExceptionGraph
    title: str


@frozen
class Entries:
    """Named entries that links point to (definitions): (id, term, blocks)."""

    items: tuple[tuple[str, str, tuple], ...]


@frozen
class Section:
    id: str
    title: str
    blocks: tuple
    role: str = ""  # regle, article, table-decision

    @property
    def sections(self) -> tuple["Section", ...]:
        return tuple(b for b in self.blocks if isinstance(b, Section))


Block = Para | Quote | Facts | Items | Table | Details | Figure | Entries | Section


# ---- the page ------------------------------------------------------------------------------------

def page(doc: CharterDocument) -> tuple[Block, ...]:
    """The blocks of the page after its title, top-down like the charter: header, verdict, who goes
    where, the articles and their rules, then the decision tables, the diagram and the declarations."""
    colours = {s.code: s.colour for s in doc.services}
    out: list = [Facts(tuple((term, (Literal(value) if term == "Empreinte sha256" else Text(value),))
                             for term, value in header_facts(doc)), role="entete")]
    out.append(_verdict(doc))
    out.append(_summary(doc, colours))
    out.extend(_article(article, colours) for article in doc.articles)
    out.append(_decisions(doc, colours))
    out.append(_diagram(doc, colours))
    if doc.definitions:
        out.append(Section("definitions", "Définitions", (Entries(tuple(
            (d.anchor, f"« {d.name} »", (Para((Text(d.text),)),) + _motif(d.motif)) for d in doc.definitions)),)))
    out.append(_grid(declarations(doc)[1]))
    if doc.tables or doc.sets:
        out.append(_tables_and_sets(doc))
    if (indicators := indicator_grid(doc)) is not None:
        out.append(_grid(indicators))
    return tuple(out)


def toc(blocks: tuple[Block, ...], depth: int = 2) -> Items:
    """A table of contents of the page's sections (and their subsections, down to `depth` levels)."""
    def entries(sections, level):
        items = []
        for section in sections:
            children = entries(section.sections, level + 1) if level < depth else ()
            items.append((Link(section.title, section.id),) + ((Items(tuple(children)),) if children else ()))
        return tuple(items)

    return Items(entries([b for b in blocks if isinstance(b, Section)], 1), role="sommaire")


def _motif(motif: str | None) -> tuple:
    return (Para((Strong("Motif : "), Text(motif)), role="motif"),) if motif else ()


def _chip(code: str, colours: dict) -> Chip:
    fill, ink = colours.get(code, ("#ffffff", "#000000"))
    return Chip(code, fill, ink)


def _links(names: tuple[str, ...], anchors: dict[str, str]) -> tuple:
    parts: list = []
    for i, name in enumerate(names):
        if i:
            parts.append(Text(", "))
        parts.append(Link(name, anchors[name]) if name in anchors else Text(f"« {name} »"))
    return tuple(parts)


def _verdict(doc: CharterDocument) -> Section:
    verdict = doc.verdict
    blocks: list = [Para((Strong(verdict.title), Text(f" — {verdict.summary}")), role="ok" if verdict.ok else "echec")]
    if verdict.problems:
        blocks.append(Items(tuple(
            (Text(f"{p.severity} — " + (f"{doc.source}:{p.line} : " if p.line else "") + p.message),)
            for p in verdict.problems)))
    if doc.unplaced_examples:
        blocks.append(Para((Text("Exemples qu'aucune règle n'oriente :"),)))
        blocks.append(_examples(doc.unplaced_examples))
    return Section("verification", "Vérification", tuple(blocks))


def _summary(doc: CharterDocument, colours: dict) -> Section:
    anchors = {r.name: r.anchor for r in doc.rules}
    rows = []
    for service in doc.services:
        who = (_chip(service.code, colours), Text(f" {service.label}"))
        if service.unit:
            who += (Aside((Text(service.unit),)),)
        rows.append((who, _links(service.rules, anchors) or (Text("aucune règle"),)))
    return Section("qui-va-ou", "Qui va où", (Table(("Service", "Règles qui y orientent"), tuple(rows), "resume"),))


def _article(article: ArticleView, colours: dict) -> Section:
    title = article.title if article.number is None else f"Article {article.number} — {article.title}"
    return Section(article.anchor, title, _motif(article.motif) + tuple(_rule(r, colours) for r in article.rules),
                   role="article")


def _rule(rule: RuleView, colours: dict) -> Section:
    blocks: list = [Para((Strong(rule.sentence),), role="phrase")]
    for name, text in rule.definitions:
        blocks.append(Para((Text("où "), Link(f"« {name} »", anchor("definition", name)), Text(f" signifie : {text}.")),
                           role="note"))
    if rule.text:
        blocks.append(Quote(rule.text))
    blocks.extend(_motif(rule.motif))
    facts: list = [("Service", (_chip(rule.service, colours), Text(f" {rule.service_label}")))]
    if rule.reference:
        facts.append(("Référence", (Text(rule.reference),)))
    if rule.exceptions:
        facts.append(("Par exception à", _links(rule.exceptions, {n: rule_anchor(n) for n in rule.exceptions})))
    if rule.overridden_by:
        facts.append(("Écartée par", _links(rule.overridden_by, {n: rule_anchor(n) for n in rule.overridden_by})))
    if rule.line:
        facts.append(("Ligne", (Text(str(rule.line)),)))
    blocks.append(Facts(tuple(facts), role="faits"))
    if rule.examples:
        blocks.append(_examples(rule.examples))
    return Section(rule.anchor, rule.name, tuple(blocks), role="regle")


def _examples(examples: tuple[ExampleView, ...]) -> Items:
    """Each example once, compactly: its name and outcome, the household on the line below."""
    return Items(tuple((Strong(e.name), Text(f" — {example_outcome(e)}"), Aside((Text(example_household(e)),)))
                       for e in examples), role="exemples")


def _decisions(doc: CharterDocument, colours: dict) -> Section:
    anchors = {r.name: r.anchor for r in doc.rules}
    blocks: list = [Para((Text(TABLES_NOTE if doc.decisions.exact else FALLBACK_NOTE),), role="note")]
    for table in doc.decisions.tables:
        slug = "tables-" + ("non-tranche" if table.service is None else table.service.lower().replace("_", "-"))
        blocks.append(Section(slug, table.label, (_decision_table(table, anchors),), role="table-decision"))
    return Section("tables-de-decision", "Tables de décision", tuple(blocks))


def _decision_table(table: DecisionTable, anchors: dict[str, str]) -> Table:
    rows = []
    for row in table.rows:
        if row.rule is None:
            who: tuple = (Text(open_case_text(row)),)
        else:
            who = (Link(row.rule, anchors[row.rule]) if row.rule in anchors else Text(row.rule),)
        if row.otherwise:
            who += (Aside((Text("dans tous les autres cas"),)),)
        elif row.unless:
            who += (Aside((Text("sauf : "),) + _links(row.unless, anchors)),)
        rows.append((who, *((Text(cell),) for cell in row.cells)))
    return Table(("Règle", *table.columns), tuple(rows), "decision")


def _diagram(doc: CharterDocument, colours: dict) -> Section:
    graph = doc.graph
    if not graph.edges:
        return Section("exceptions", "Exceptions entre les règles", (Para((Text(NO_EXCEPTION_NOTE),)),))
    anchors = {r.name: r.anchor for r in doc.rules}
    shown = {n.service for n in graph.nodes}
    legend = Items(tuple((_chip(code, colours), Text(f" {label}")) for code, label in graph.services if code in shown),
                   role="legende")
    edges = Items(tuple((Link(e.source, anchors[e.source]), Text(" s'applique par exception à "),
                         Link(e.target, anchors[e.target])) for e in graph.edges))
    count = len(graph.edges)
    return Section("exceptions", "Exceptions entre les règles", (
        Para((Text(ARROW_NOTE),), role="note"), legend, Figure(graph, f"Exceptions entre les règles — {doc.title}"),
        Details(f"Les {count} exceptions en toutes lettres" if count > 1 else "L'exception en toutes lettres",
                (edges,))))


def _grid(grid: Grid) -> Section:
    rows = tuple(tuple((Literal(c.text),) if isinstance(c, Code) else (Text(c),) for c in row) for row in grid.rows)
    return Section(grid.anchor, grid.title, (Table(grid.columns, rows),))


def _tables_and_sets(doc: CharterDocument) -> Section:
    blocks = []
    for table in doc.tables:
        facts = [("Fichier", (Literal(table.file),)), ("Clé", (Literal(table.key),))]
        if table.value:
            facts.append(("Valeur", (Literal(table.value),)))
        labelled = any(label for _, _, label in table.rows)
        columns = ("Code",) + (("Libellé",) if labelled else ()) + (("Valeur",) if table.value else ())
        rows = tuple(((Text(code),),) + (((Text(label or "—"),),) if labelled else ())
                     + (((Text(value or "—"),),) if table.value else ()) for code, value, label in table.rows)
        blocks.append(Section(table.anchor, f"Table « {table.name} »", (
            Facts(tuple(facts)), Para((Strong("Code absent de la table : "),), role="note"),
            Items(tuple((Text(s),) for s in table.missing)), *_motif(table.motif),
            Details(f"Contenu de la table ({table.size} ligne{'s' if table.size > 1 else ''})",
                    (Table(columns, rows, "contenu"),)))))
    for named in doc.sets:
        labelled = any(label for _, label in named.values)
        columns = ("Code",) + (("Libellé",) if labelled else ())
        rows = tuple(((Text(code),),) + (((Text(label or "—"),),) if labelled else ()) for code, label in named.values)
        count = len(named.values)
        blocks.append(Section(named.anchor, f"Ensemble « {named.name} »", (
            *_motif(named.motif),
            Details(f"Valeurs de l'ensemble ({count} valeur{'s' if count > 1 else ''})", (Table(columns, rows, "contenu"),)))))
    return Section("tables", "Tables et ensembles", tuple(blocks))
