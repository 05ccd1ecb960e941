"""Sphinx extension: the `charte` directive renders a charter for its reviewers, the `regle` role links to its rules."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Iterable

import attrs
from docutils import nodes
from sphinx.domains import Domain, ObjType
from sphinx.roles import XRefRole
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import make_refnode

from .charter import load_charter
from .dsl.names import machine_name, normalize, suggest
from .errors import CharterError, RepartitionError
from .lexer import ReglesLexer
from .render import CharterDocument, describe, svg
from .render.document import (ARROW_NOTE, EXAMPLE_COLUMNS, FALLBACK_NOTE, NO_EXCEPTION_NOTE, Code, Grid,
                               example_cells, header_facts, indicator_grid, overview)
from .render.tables import DecisionTable, open_case_text

__all__ = ["CharterDirective", "CharterDomain", "RuleRole", "setup"]

logger = logging.getLogger(__name__)


# ---- the domain: where each rule is documented, for `:regle:` ------------------------------------

class CharterDomain(Domain):
    """Rules documented by `.. charte::`, found by name (or `fichier:nom` when two charters share a name)."""

    name = "charte"
    label = "Charte de répartition"
    object_types = {"regle": ObjType("règle", "regle")}
    initial_data: dict = {"rules": {}}  # normalized name → [(charter stem, docname, anchor, name)]
    data_version = 1

    @property
    def rules(self) -> dict[str, list[tuple[str, str, str, str]]]:
        return self.data.setdefault("rules", {})

    def note_rule(self, stem: str, name: str, docname: str, anchor: str) -> None:
        self.rules.setdefault(normalize(name), []).append((stem, docname, anchor, name))

    def clear_doc(self, docname: str) -> None:
        for key, entries in list(self.rules.items()):
            kept = [e for e in entries if e[1] != docname]
            if kept:
                self.rules[key] = kept
            else:
                del self.rules[key]

    def merge_domaindata(self, docnames: Iterable[str], otherdata: dict) -> None:
        wanted = set(docnames)
        for key, entries in otherdata.get("rules", {}).items():
            self.rules.setdefault(key, []).extend(e for e in entries if e[1] in wanted)

    def _find(self, target: str) -> tuple[list, str]:
        stem, _, rest = target.partition(":")
        if rest and any(normalize(e[0]) == normalize(stem) for v in self.rules.values() for e in v):
            found = [e for e in self.rules.get(normalize(rest), []) if normalize(e[0]) == normalize(stem)]
            return found, rest
        return self.rules.get(normalize(target), []), target

    def resolve_xref(self, env, fromdocname, builder, typ, target, node, contnode):
        found, name = self._find(target)
        if not found:
            names = sorted({e[3] for entries in self.rules.values() for e in entries})
            logger.warning(f"règle inconnue « {name} »{suggest(name, names)}", location=node,
                           type="repartition", subtype="regle")
            return None
        if len(found) > 1:
            choices = ", ".join(f"« {e[0]}:{e[3]} »" for e in found)
            logger.warning(f"règle « {name} » ambiguë : présente dans plusieurs chartes ; écrivez {choices}",
                           location=node, type="repartition", subtype="regle")
        stem, docname, anchor, title = found[0]
        return make_refnode(builder, fromdocname, docname, anchor, contnode, f"règle « {title} »")

    def resolve_any_xref(self, env, fromdocname, builder, target, node, contnode):
        found, _ = self._find(target)
        if len(found) != 1:
            return []
        _, docname, anchor, title = found[0]
        return [("charte:regle", make_refnode(builder, fromdocname, docname, anchor, contnode, title))]

    def get_objects(self):
        for entries in self.rules.values():
            for stem, docname, anchor, name in entries:
                yield f"{stem}:{name}", name, "regle", docname, anchor, 1


class RuleRole(XRefRole):
    """`:regle:` (and `:charte:regle:`): a link to the section of a rule documented by `.. charte::`."""

    innernodeclass = nodes.inline

    def run(self):
        self.name = "charte:regle"  # the bare `regle` role resolves through the charter domain too
        return super().run()


# ---- the directive ------------------------------------------------------------------------------

class CharterDirective(SphinxDirective):
    """`.. charte:: chemin/vers/fichier.regles`: header, services, data, rules, tables, diagram, verdict."""

    required_arguments = 1
    final_argument_whitespace = True
    has_content = False

    def run(self) -> list[nodes.Node]:
        written = self.arguments[0]
        _, absolute = self.env.relfn2path(written, self.env.docname)
        self.env.note_dependency(absolute)
        try:
            charter = load_charter(absolute, verify=False)
        except RepartitionError as error:  # a bad charter, or a folder without one version for today
            diagnostics = error.diagnostics if isinstance(error, CharterError) else [error.diagnostic]
            for diagnostic in diagnostics:
                span = diagnostic.span
                where = f"{span.file}:{span.line}" if span else self.get_location()
                logger.warning(diagnostic.message, location=where, type="repartition", subtype="charte")
            return [nodes.warning("", nodes.paragraph(
                text=f"La charte « {written} » ne peut pas être lue : {diagnostics[0].message}"))]
        # Shown to readers as written, without the leading "../" that only makes sense to Sphinx.
        shown = "/".join(part for part in Path(written).parts if part not in ("..", "."))
        document = attrs.evolve(describe(charter), source=shown)
        for dependency in document.dependencies[1:]:
            self.env.note_dependency(str(Path(dependency).resolve()))
        for problem in document.verdict.problems:  # warnings of the proof (redondance) stay on the page
            if problem.severity == "erreur":
                where = f"{absolute}:{problem.line}" if problem.line else self.get_location()
                logger.warning(problem.message, location=where, type="repartition", subtype="verification")
        return _Builder(self, document, Path(absolute).stem).build()


class _Builder:
    """Turns the neutral CharterDocument into docutils nodes."""

    def __init__(self, directive: CharterDirective, document: CharterDocument, stem: str):
        self.directive = directive
        self.doc = document
        self.stem = stem
        self.prefix = (machine_name(stem) or "charte").replace("_", "-")
        self.domain: CharterDomain = directive.env.get_domain("charte")
        self.anchors = {r.name: f"{self.prefix}-{r.anchor}" for r in document.rules}

    def section(self, slug: str, title: str, *children: nodes.Node, classes=()) -> nodes.section:
        node = nodes.section("", nodes.title(text=title), ids=[f"{self.prefix}-{slug}"], classes=list(classes))
        node["names"] = [nodes.fully_normalize_name(f"{self.prefix}-{slug}")]
        node.extend(children)
        return node

    def link(self, rule: str) -> nodes.Node:
        anchor = self.anchors.get(rule)
        if anchor is None:
            return nodes.Text(f"« {rule} »")
        return nodes.reference("", "", nodes.Text(rule), internal=True, refid=anchor, classes=["regle"])

    def build(self) -> list[nodes.Node]:
        doc = self.doc
        out: list[nodes.Node] = [self.header()]
        out += [self.grid(grid) for grid in overview(doc)]
        if doc.definitions:
            out.append(self.section("definitions", "Définitions", _definition_list(doc.definitions)))
        out.append(self.section("regles", "Règles", *(self.rule(r) for r in doc.rules)))
        out.append(self.decisions())
        out.append(self.diagram())
        if (indicators := indicator_grid(doc)) is not None:
            out.append(self.grid(indicators))
        out.append(self.section("exemples", "Exemples", self.examples(doc.examples)))
        out.append(self.verdict())
        return out

    def grid(self, grid: Grid) -> nodes.section:
        return self.section(grid.anchor, grid.title, _table(grid.columns, grid.rows))

    def header(self) -> nodes.Node:
        doc = self.doc
        fields = nodes.field_list(classes=["repartition-entete"])
        for term, value in (("Charte", doc.title), *header_facts(doc)):
            fields += _field(term, nodes.Text(value))
        return fields

    def rule(self, rule) -> nodes.section:
        body: list[nodes.Node] = [nodes.paragraph("", "", nodes.strong(text=rule.sentence), classes=["phrase"])]
        for name, text in rule.definitions:
            body.append(nodes.paragraph(text=f"où « {name} » signifie : {text}."))
        if rule.text:
            body.append(nodes.block_quote("", nodes.paragraph(text=rule.text), classes=["texte-charte"]))
        facts = nodes.field_list()
        if rule.reference:
            facts += _field("Référence", nodes.Text(rule.reference))
        if rule.line:
            facts += _field("Ligne", nodes.Text(f"{self.doc.source}:{rule.line}"))
        if rule.exceptions:
            facts += _field("Par exception à", *self.links(rule.exceptions))
        if rule.overridden_by:
            facts += _field("Écartée par", *self.links(rule.overridden_by))
        if len(facts):
            body.append(facts)
        if rule.examples:
            body.append(nodes.rubric(text="Exemples"))
            body.append(self.examples(rule.examples))
        section = nodes.section("", nodes.title(text=rule.name), *body, ids=[self.anchors[rule.name]],
                                classes=["regle"])
        section["names"] = [nodes.fully_normalize_name(self.anchors[rule.name])]
        self.domain.note_rule(self.stem, rule.name, self.directive.env.docname, self.anchors[rule.name])
        return section

    def links(self, names: tuple[str, ...]) -> list[nodes.Node]:
        parts: list[nodes.Node] = []
        for i, name in enumerate(names):
            if i:
                parts.append(nodes.Text(", "))
            parts.append(self.link(name))
        return parts

    def examples(self, examples) -> nodes.Node:
        return _table(EXAMPLE_COLUMNS, [example_cells(e) for e in examples], classes=["exemples"])

    def decisions(self) -> nodes.section:
        doc = self.doc
        intro = nodes.paragraph(text=(
            "Chaque ligne décrit un ensemble de ménages et la règle qui les oriente ; « — » : "
            "quelle que soit la valeur. Les lignes d'une table couvrent tous les ménages qui "
            "relèvent de ce service." if doc.decisions.exact else FALLBACK_NOTE))
        children: list[nodes.Node] = [intro]
        for table in doc.decisions.tables:
            slug = "qui-va-ou-" + (machine_name(table.service) if table.service else "non-tranche").replace("_", "-")
            children.append(self.section(slug, table.label, self.decision_table(table),
                                         classes=["table-decision"]))
        return self.section("qui-va-ou", "Qui va où : tables de décision", *children)

    def decision_table(self, table: DecisionTable) -> nodes.Node:
        rows = []
        for row in table.rows:
            if row.rule:
                who = self.link(row.rule)
            else:
                who = nodes.Text(open_case_text(row))
            rows.append((*row.cells, who))
        return nodes.container("", _table((*table.columns, "Règle"), rows, classes=["decision"]),
                               classes=["repartition-defilement"])

    def diagram(self) -> nodes.section:
        graph = self.doc.graph
        if not graph.edges:
            return self.section("exceptions", "Exceptions entre les règles",
                                nodes.paragraph(text=NO_EXCEPTION_NOTE))
        image = nodes.raw("", svg(graph, title=f"Exceptions entre les règles — {self.doc.title}"), format="html")
        figure = nodes.container("", image, classes=["repartition-schema", "repartition-defilement"])
        items = nodes.bullet_list()
        for edge in graph.edges:
            items += nodes.list_item("", nodes.paragraph("", "", self.link(edge.source),
                                                         nodes.Text(" s'applique par exception à "),
                                                         self.link(edge.target)))
        return self.section("exceptions", "Exceptions entre les règles", nodes.paragraph(text=ARROW_NOTE),
                            figure, items)

    def verdict(self) -> nodes.section:
        verdict = self.doc.verdict
        body: list[nodes.Node] = [nodes.paragraph("", "", nodes.strong(text=verdict.title),
                                                  nodes.Text(f" — {verdict.summary}"),
                                                  classes=["ok" if verdict.ok else "echec"])]
        if verdict.problems:
            items = nodes.bullet_list()
            for problem in verdict.problems:
                where = f"{self.doc.source}:{problem.line} : " if problem.line else ""
                items += nodes.list_item("", nodes.paragraph(text=f"{problem.severity} — {where}{problem.message}"))
            body.append(items)
        return self.section("verification", "Vérification", *body)


def _field(name: str, *body: nodes.Node) -> nodes.field:
    return nodes.field("", nodes.field_name(text=name), nodes.field_body("", nodes.paragraph("", "", *body)))


def _definition_list(pairs) -> nodes.definition_list:
    result = nodes.definition_list()
    for term, text in pairs:
        result += nodes.definition_list_item("", nodes.term(text=f"« {term} »"),
                                             nodes.definition("", nodes.paragraph(text=text)))
    return result


def _table(head, rows, classes=()) -> nodes.table:
    """A docutils table; a cell is a string or a node."""
    table = nodes.table(classes=["repartition", *classes])
    group = nodes.tgroup(cols=len(head))
    table += group
    for _ in head:
        group += nodes.colspec(colwidth=1)
    group += nodes.thead("", _row(head))
    group += nodes.tbody("", *(_row(r) for r in rows))
    return table


def _row(cells) -> nodes.row:
    row = nodes.row()
    for cell in cells:
        if isinstance(cell, Code):
            content = nodes.literal(text=cell.text)
        else:
            content = cell if isinstance(cell, nodes.Node) else nodes.Text(str(cell))
        row += nodes.entry("", nodes.paragraph("", "", content))
    return row


def _add_static(app) -> None:
    """Ship the charter pages' stylesheet with the HTML builders."""
    app.config.html_static_path.append(str(Path(__file__).parent / "_static"))


def setup(app) -> dict:
    """Register the lexer, the charter domain, the `charte` directive and the `regle` role."""
    app.add_lexer("regles", ReglesLexer)
    app.add_domain(CharterDomain)
    app.add_role("regle", RuleRole())
    app.add_role_to_domain("charte", "regle", RuleRole())
    app.add_directive("charte", CharterDirective)
    app.connect("builder-inited", _add_static)
    app.add_css_file("repartition.css")
    try:
        release = version("repartition")
    except PackageNotFoundError:  # a source checkout that is not installed
        release = "0"
    return {"version": release, "parallel_read_safe": True, "parallel_write_safe": True, "env_version": 1}
